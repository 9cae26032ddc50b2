package samlsp

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// Fixed test clock and connection.
var testNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

const (
	testSPEntityID  = "https://app.example.com/sso/saml/metadata/conn_01"
	testACSURL      = "https://app.example.com/sso/saml/acs/conn_01"
	testIDPEntityID = "https://idp.example.org/saml/metadata"
	testRequestID   = "_a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	testNameID      = "ada@example.com"
)

// Keys are slow to generate on a shared machine, so the test binary makes
// each one once, on first use. Index 0 is the IdP, 1 the second IdP key
// (rotation), 2 an attacker, 3 our SP encryption key, 4 a second SP key.
var keys [5]struct {
	once sync.Once
	key  *samlidp.Key
	err  error
}

func testKey(t testing.TB, i int) *samlidp.Key {
	t.Helper()
	k := &keys[i]
	k.once.Do(func() {
		k.key, k.err = samlidp.NewKey(2048, "key", testNow.Add(-365*24*time.Hour), testNow.Add(365*24*time.Hour))
	})
	if k.err != nil {
		t.Fatalf("generate key %d: %v", i, k.err)
	}
	return k.key
}

func idpKey(t testing.TB) *samlidp.Key      { return testKey(t, 0) }
func idpKey2(t testing.TB) *samlidp.Key     { return testKey(t, 1) }
func attackerKey(t testing.TB) *samlidp.Key { return testKey(t, 2) }
func spKey(t testing.TB) *samlidp.Key       { return testKey(t, 3) }
func spKey2(t testing.TB) *samlidp.Key      { return testKey(t, 4) }

func testSettings(t testing.TB) *Settings {
	return &Settings{
		SPEntityID:      testSPEntityID,
		ACSURL:          testACSURL,
		IDPEntityID:     testIDPEntityID,
		IDPCertificates: []*x509.Certificate{idpKey(t).Certificate},
		DecryptionKeys:  []*rsa.PrivateKey{spKey(t).PrivateKey},
	}
}

// goodResponse is a solicited response signed on both levels, as Okta and
// Keycloak send by default.
func goodResponse() *samlidp.Response {
	return &samlidp.Response{
		IssueInstant:        testNow.Add(-5 * time.Second),
		Issuer:              testIDPEntityID,
		Destination:         testACSURL,
		InResponseTo:        testRequestID,
		Recipient:           testACSURL,
		SubjectNotOnOrAfter: testNow.Add(5 * time.Minute),
		NotBefore:           testNow.Add(-30 * time.Second),
		NotOnOrAfter:        testNow.Add(5 * time.Minute),
		Audiences:           []string{testSPEntityID},
		NameID:              testNameID,
		NameIDFormat:        samlidp.NameIDFormatEmailAddress,
		SessionIndex:        "_session_1",
		SessionNotOnOrAfter: testNow.Add(8 * time.Hour),
		Attributes: []samlidp.Attribute{
			{Name: "email", Values: []string{testNameID}},
			{Name: "firstName", Values: []string{"Ada"}},
			{Name: "lastName", Values: []string{"Lovelace"}},
			{Name: "groups", Values: []string{"engineering", "admins"}},
		},
		SignResponse:  true,
		SignAssertion: true,
	}
}

func buildDoc(t testing.TB, r *samlidp.Response, key *samlidp.Key) *etree.Document {
	t.Helper()
	doc, err := r.BuildDocument(key)
	if err != nil {
		t.Fatalf("build response: %v", err)
	}
	return doc
}

func encodeDoc(t testing.TB, doc *etree.Document) string {
	t.Helper()
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func build(t testing.TB, r *samlidp.Response, key *samlidp.Key) string {
	t.Helper()
	return encodeDoc(t, buildDoc(t, r, key))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// signEnveloped signs el (which must carry an ID) as an IdP would, with
// exclusive c14n and RSA-SHA256, putting the Signature after the Issuer.
func signEnveloped(t testing.TB, el *etree.Element, key *samlidp.Key) {
	t.Helper()
	ctx, err := dsig.NewSigningContext(key.PrivateKey, [][]byte{key.Certificate.Raw})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	sig, err := ctx.ConstructSignature(el, true)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	pos := 0
	for i, tok := range el.Child {
		if c, ok := tok.(*etree.Element); ok && c.Tag == "Issuer" {
			pos = i + 1
			break
		}
	}
	el.InsertChildAt(pos, sig)
}

// child returns the first direct child with the given local name.
func child(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

// find returns the first descendant (or el itself) with the local name.
func find(el *etree.Element, tag string) *etree.Element {
	if el.Tag == tag {
		return el
	}
	for _, c := range el.ChildElements() {
		if f := find(c, tag); f != nil {
			return f
		}
	}
	return nil
}

func mustFind(t testing.TB, el *etree.Element, tag string) *etree.Element {
	t.Helper()
	f := find(el, tag)
	if f == nil {
		t.Fatalf("no %s element", tag)
	}
	return f
}

// reasonOf returns the Reason of a Validate error, failing the test when the
// error is not an *Error.
func reasonOf(t testing.TB, err error) Reason {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not *samlsp.Error: %v", err, err)
	}
	if e.Err == nil {
		t.Fatalf("error with reason %s has no cause", e.Reason)
	}
	return e.Reason
}

func expectReason(t *testing.T, s *Settings, resp string, exp Expectation, now time.Time, want Reason) *Assertion {
	t.Helper()
	a, err := Validate(s, resp, exp, now)
	got := reasonOf(t, err)
	if got != want {
		t.Fatalf("Validate: reason %q, want %q (err: %v)", got, want, errors.Unwrap(err))
	}
	if want == "" && a == nil {
		t.Fatal("Validate returned neither assertion nor error")
	}
	return a
}

var solicited = Expectation{RequestID: testRequestID}

func mustDecode(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
