package ssokit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/saml/golden")

// goldenKey returns a fixed SP key (PKCS #8 and certificate DER) from
// testdata/saml/golden/keys/<name>.pem, generating the file with -update
// when it is missing.
func goldenKey(t *testing.T, name string) (priv, cert []byte) {
	t.Helper()
	path := filepath.Join("testdata", "saml", "golden", "keys", name+".pem")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && *update {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "golden " + name},
			NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)}
		c, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		data = append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c})...)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		switch b.Type {
		case "PRIVATE KEY":
			priv = b.Bytes
		case "CERTIFICATE":
			cert = b.Bytes
		}
	}
	if priv == nil || cert == nil {
		t.Fatalf("%s: key or certificate missing", path)
	}
	return priv, cert
}

// TestSAMLSPMetadataGolden compares the SP metadata of connections with
// fixed keys byte for byte with testdata/saml/golden/*.xml (-update
// rewrites them): no keys, a signing key, an encryption key, both during a
// rotation (old and new published), and ADFS's NameID format.
func TestSAMLSPMetadataGolden(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clk := &clock{t: now}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kit.db"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sso, err := ssokit.New(ssokit.Config{BaseURL: "https://app.example.com/sso", Store: st, Users: noUsers{},
		Sessions: ssokit.SessionFuncs{LogInFunc: func(http.ResponseWriter, *http.Request, *ssokit.Session) error { return nil },
			CurrentFunc: func(*http.Request) (*ssokit.Session, error) { return nil, ssokit.ErrNoSession },
			LogOutFunc:  func(http.ResponseWriter, *http.Request) error { return nil }},
		Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrganization(ctx, &ssokit.Organization{ID: "org_golden", Name: "Golden"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		provider string
		cfg      ssokit.SAMLConfig
		keys     map[ssokit.KeyUse][]string
	}{
		{name: "plain", provider: "okta", cfg: ssokit.SAMLConfig{}},
		{name: "signed_requests", provider: "okta", cfg: ssokit.SAMLConfig{SignRequests: true},
			keys: map[ssokit.KeyUse][]string{ssokit.KeyUseSAMLSigning: {"signing1"}, ssokit.KeyUseSAMLEncryption: {"encryption1"}}},
		{name: "encrypted", provider: "okta", cfg: ssokit.SAMLConfig{WantEncryptedAssertions: true},
			keys: map[ssokit.KeyUse][]string{ssokit.KeyUseSAMLSigning: {"signing1"}, ssokit.KeyUseSAMLEncryption: {"encryption1"}}},
		{name: "rotation", provider: "okta", cfg: ssokit.SAMLConfig{SignRequests: true, WantEncryptedAssertions: true},
			keys: map[ssokit.KeyUse][]string{ssokit.KeyUseSAMLSigning: {"signing1", "signing2"}, ssokit.KeyUseSAMLEncryption: {"encryption1", "encryption2"}}},
		{name: "adfs", provider: "adfs", cfg: ssokit.SAMLConfig{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			conn := &ssokit.Connection{OrganizationID: "org_golden", Type: ssokit.ConnectionSAML, Provider: tc.provider,
				Name: tc.name, Status: ssokit.ConnectionDraft, SAML: &cfg}
			if err := st.CreateConnection(ctx, conn); err != nil {
				t.Fatal(err)
			}
			for use, names := range tc.keys {
				for i, n := range names {
					priv, cert := goldenKey(t, n)
					k := &ssokit.SigningKey{Use: use, ConnectionID: conn.ID, Algorithm: "RS256", PrivateKey: priv, Certificate: cert,
						NotBefore: now.Add(time.Duration(i) * time.Hour), ExpiresAt: now.AddDate(5, 0, 0)}
					if err := st.CreateSigningKey(ctx, k); err != nil {
						t.Fatal(err)
					}
					clk.Advance(time.Millisecond) // keep "oldest first" deterministic
				}
			}
			md, err := sso.SAMLMetadata(ctx, conn)
			if err != nil {
				t.Fatal(err)
			}
			md = bytes.ReplaceAll(md, []byte(conn.ID), []byte("conn_golden"))
			path := filepath.Join("testdata", "saml", "golden", "sp_"+tc.name+".xml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, md, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(md, want) {
				t.Fatalf("SP metadata differs from %s (run with -update after checking):\n%s", path, md)
			}
			// Keys are only created where the metadata needs them.
			for _, use := range []ssokit.KeyUse{ssokit.KeyUseSAMLSigning, ssokit.KeyUseSAMLEncryption} {
				keys, err := sso.SAMLKeys(ctx, conn, use)
				if err != nil {
					t.Fatal(err)
				}
				if len(keys) != len(tc.keys[use]) {
					t.Errorf("%d %s keys, want %d", len(keys), use, len(tc.keys[use]))
				}
			}
		})
	}
}

type noUsers struct{}

func (noUsers) UpsertSSOUser(context.Context, *ssokit.Profile) (string, error) {
	return "", errors.New("not used")
}

// TestSAMLMetadataHandler serves the metadata over HTTP: keys are created
// on first need and kept, unknown and OIDC connections are 404.
func TestSAMLMetadataHandler(t *testing.T) {
	e := newEnv(t)
	idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
	conn := e.samlConnection(idp, func(c *ssokit.Connection) {
		c.SAML.SignRequests = true
		c.SAML.WantEncryptedAssertions = true
		c.Status = ssokit.ConnectionDraft
	})
	b := e.newBrowser()
	sp := e.sso.SAMLServiceProvider(conn)
	if sp.EntityID != e.app.URL+"/sso/saml/"+conn.ID+"/metadata" || sp.ACSURL != e.app.URL+"/sso/saml/"+conn.ID+"/acs" || sp.MetadataURL != sp.EntityID {
		t.Fatalf("SP = %+v", sp)
	}
	first := b.get(sp.MetadataURL)
	if first.StatusCode != http.StatusOK || first.Header.Get("Content-Type") != "application/samlmetadata+xml" {
		t.Fatalf("metadata: %d %s", first.StatusCode, first.Header.Get("Content-Type"))
	}
	for _, want := range []string{`entityID="` + sp.EntityID + `"`, `Location="` + sp.ACSURL + `"`, `AuthnRequestsSigned="true"`,
		`WantAssertionsSigned="true"`, `use="signing"`, `use="encryption"`} {
		if !strings.Contains(first.body, want) {
			t.Errorf("metadata lacks %s", want)
		}
	}
	if second := b.get(sp.MetadataURL); second.body != first.body {
		t.Error("the second fetch differs: keys were not kept")
	}
	for _, u := range []string{e.app.URL + "/sso/saml/conn_nope/metadata", e.app.URL + "/sso/saml/" + e.conn.ID + "/metadata"} {
		if r := b.get(u); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", u, r.StatusCode)
		}
	}
}

// TestSAMLKeyRotation rotates the SP keys: during the overlap the metadata
// publishes both, assertions encrypted for either key decrypt, the new
// signing key signs only once active; after retirement the old encryption
// key no longer decrypts.
func TestSAMLKeyRotation(t *testing.T) {
	e := newEnv(t)
	p := loadIDPParams(t, "okta")
	idp := &samlIdP{p: p, key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
	conn := e.samlConnection(idp, func(c *ssokit.Connection) {
		c.SAML.SignRequests = true
		c.SAML.WantEncryptedAssertions = true
	})
	b := e.newBrowser()
	oldEnc := e.spCertificates(b, conn, "encryption")
	oldSig := e.spCertificates(b, conn, "signing")
	if len(oldEnc) != 1 || len(oldSig) != 1 {
		t.Fatalf("%d encryption, %d signing certificates", len(oldEnc), len(oldSig))
	}
	e.clock.Advance(time.Millisecond) // keep "oldest first" deterministic
	if _, err := e.sso.RotateSAMLKey(e.ctx, conn, ssokit.KeyUseSAMLEncryption, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sso.RotateSAMLKey(e.ctx, conn, ssokit.KeyUseSAMLSigning, time.Hour); err != nil {
		t.Fatal(err)
	}
	enc := e.spCertificates(b, conn, "encryption")
	sig := e.spCertificates(b, conn, "signing")
	if len(enc) != 2 || len(sig) != 2 || !enc[0].Equal(oldEnc[0]) || !sig[0].Equal(oldSig[0]) {
		t.Fatalf("overlap: %d encryption, %d signing certificates", len(enc), len(sig))
	}
	login := func(b *browser, encryptTo, verifyWith *x509.Certificate) *response {
		ar, req, _ := e.samlStartRequest(b, conn, nil)
		if err := ar.VerifySignature(req, verifyWith); err != nil {
			t.Fatalf("AuthnRequest signature with the expected key: %v", err)
		}
		r := e.samlResponse(idp, conn, ar.ID)
		r.Encrypt, r.EncryptionAlgorithm, r.KeyPlacement = encryptTo, samlidp.EncryptionAES256CBC, samlidp.EncryptedKeyRetrievalMethod
		return e.postACS(b, conn, build(t, r, idp.key), "")
	}
	for i, c := range enc {
		b := e.newBrowser()
		e.finishSAML(b, login(b, c, sig[0]))
		if i == 0 {
			e.whoami(b)
		}
	}
	e.clock.Advance(2 * time.Hour)
	keys, err := e.sso.SAMLKeys(e.ctx, conn, ssokit.KeyUseSAMLEncryption)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sso.RetireSAMLKey(e.ctx, conn, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.sso.RetireSAMLKey(e.ctx, conn, keys[0].ID); !errors.Is(err, ssokit.ErrNotFound) {
		t.Fatalf("retiring twice: %v", err)
	}
	if got := e.spCertificates(b, conn, "encryption"); len(got) != 1 || !got[0].Equal(enc[1]) {
		t.Fatalf("after retirement: %d encryption certificates", len(got))
	}
	b2 := e.newBrowser()
	acs := login(b2, enc[0], sig[1]) // the new signing key is active now
	if acs.StatusCode != http.StatusUnauthorized {
		t.Fatalf("retired key: status %d", acs.StatusCode)
	}
	e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonDecryptionFailed)
}
