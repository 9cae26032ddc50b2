package samlsp

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

var updateFuzzCorpus = flag.Bool("update-fuzz-corpus", false, "regenerate testdata/fuzz/FuzzValidate and testdata/fuzz-idp-cert.pem")

const (
	corpusDir    = "testdata/fuzz/FuzzValidate"
	fuzzCertFile = "testdata/fuzz-idp-cert.pem"
)

// fuzzSettings is the connection the stored corpus was signed for. The IdP
// certificate is read from testdata (its key was thrown away after signing
// the corpus), so that fuzz workers do not spend their time generating RSA
// keys.
func fuzzSettings(t testing.TB) *Settings {
	t.Helper()
	b, err := os.ReadFile(fuzzCertFile)
	if err != nil {
		t.Fatal(err)
	}
	s := &Settings{SPEntityID: testSPEntityID, ACSURL: testACSURL, IDPEntityID: testIDPEntityID}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		t.Fatalf("%s: no certificate", fuzzCertFile)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	s.IDPCertificates = []*x509.Certificate{c}
	return s
}

// corpusSeeds are the documents of the stored corpus: good responses of
// every signing shape (names starting with "good-"), and attack documents.
func corpusSeeds(t testing.TB) map[string][]byte {
	key := idpKey(t)
	out := map[string][]byte{}
	add := func(name string, r *samlidp.Response, edit func(t testing.TB, doc *etree.Document)) {
		doc := buildDoc(t, r, key)
		if edit != nil {
			edit(t, doc)
		}
		b, err := doc.WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	add("good-both-signed", bothSigned(), nil)
	add("good-assertion-signed", assertionSigned(), nil)
	add("good-response-signed", responseSigned(), nil)
	enc := goodResponse()
	enc.Encrypt = spKey(t).Certificate
	enc.EncryptionAlgorithm = samlidp.EncryptionAES256CBC
	enc.KeyPlacement = samlidp.EncryptedKeyRetrievalMethod
	add("encrypted-no-decryption-key", enc, nil) // the fuzz connection holds no key
	for i, x := range []func(testing.TB, *etree.Document){xsw1, xsw2, xsw3, xsw4, xsw5, xsw6, xsw7, xsw8} {
		add(fmt.Sprintf("xsw%d", i+1), bothSigned(), x)
	}
	add("tampered-nameid", assertionSigned(), func(t testing.TB, doc *etree.Document) { tamperText(t, mustFind(t, doc.Root(), "NameID")) })
	unsigned := goodResponse()
	unsigned.SignResponse, unsigned.SignAssertion = false, false
	add("unsigned", unsigned, nil)
	body := withoutDecl(string(out["good-both-signed"]))
	out["billion-laughs"] = []byte(billionLaughs + body)
	out["xxe"] = []byte(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + strings.Replace(body, testNameID, "&x;", 1))
	out["two-roots"] = []byte(string(out["good-both-signed"]) + body)
	return out
}

// TestFuzzCorpus checks the stored corpus against the stored keys: the good
// documents validate and the others do not. With -update-fuzz-corpus it
// regenerates both first.
func TestFuzzCorpus(t *testing.T) {
	if *updateFuzzCorpus {
		writeCorpus(t)
	}
	s := fuzzSettings(t)
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 10 {
		t.Fatalf("corpus has %d files", len(entries))
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			doc := readCorpusFile(t, filepath.Join(corpusDir, e.Name()))
			_, err := Validate(s, base64.StdEncoding.EncodeToString(doc), solicited, testNow)
			good := strings.HasPrefix(e.Name(), "good-")
			if good && err != nil {
				t.Errorf("rejected: %v (%v)", err, errors.Unwrap(err))
			}
			if !good && err == nil {
				t.Error("accepted")
			}
		})
	}
}

func writeCorpus(t *testing.T) {
	if err := os.MkdirAll(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, doc := range corpusSeeds(t) {
		data := "go test fuzz v1\n[]byte(" + strconv.Quote(string(doc)) + ")\n"
		if err := os.WriteFile(filepath.Join(corpusDir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idpKey(t).Certificate.Raw})
	if err := os.WriteFile(fuzzCertFile, cert, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readCorpusFile reads one "go test fuzz v1" file holding a single []byte.
func readCorpusFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := strings.CutPrefix(string(b), "go test fuzz v1\n[]byte(")
	if !ok {
		t.Fatalf("%s: not a fuzz corpus file", path)
	}
	rest = strings.TrimSuffix(strings.TrimSpace(rest), ")")
	s, err := strconv.Unquote(rest)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}

// FuzzValidate feeds XML documents (base64-encoded here, so that mutations
// hit the XML rather than the transport encoding) to Validate. The seeds are
// the stored corpus in testdata/fuzz/FuzzValidate (good responses of every
// signing shape, an encrypted one, and attack documents; see
// TestFuzzCorpus), plus a few inline ones. Validate must never panic (a
// recovered library panic counts as a failure), must always return an *Error
// with a cause, and may only accept documents whose assertion is signed.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`))
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0">` +
		`<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"/></samlp:Status></samlp:Response>`))
	s := fuzzSettings(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := Validate(s, base64.StdEncoding.EncodeToString(doc), solicited, testNow)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Err == nil {
				t.Fatalf("reason %s without cause", e.Reason)
			}
			if errors.Is(err, errPanic) {
				t.Fatalf("library panicked: %v", e.Err)
			}
			return
		}
		if a == nil || a.NameID == "" || (!a.ResponseSigned && !a.AssertionSigned) {
			t.Fatalf("accepted without a signed, named assertion: %+v", a)
		}
	})
}
