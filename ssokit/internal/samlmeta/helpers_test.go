package samlmeta

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

var update = flag.Bool("update", false, "rewrite golden files and generated fixtures")

var (
	keysOnce sync.Once
	keys     [2]*samlidp.Key
	keysErr  error
)

// testKey returns one of two shared throwaway keys generated for this run.
func testKey(t testing.TB, i int) *samlidp.Key {
	t.Helper()
	keysOnce.Do(func() {
		now := time.Now()
		for j := range keys {
			keys[j], keysErr = samlidp.NewKey(2048, fmt.Sprintf("samlmeta-test-%d", j), now.Add(-time.Hour), now.Add(24*time.Hour))
			if keysErr != nil {
				return
			}
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys[i]
}

// fixtureCert returns a certificate stored in testdata/golden (so golden
// output is stable). With -update it is generated afresh; its private key is
// never written anywhere.
func fixtureCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".pem")
	if *update {
		if _, err := os.Stat(path); err != nil {
			k, err := samlidp.NewKey(2048, "gatehouse-golden-"+name,
				time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, k.CertificatePEM(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to generate it)", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("output differs from %s (run with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
