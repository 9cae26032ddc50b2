package ssokit_test

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzACS posts arbitrary SAMLResponse and RelayState values to a SAML
// connection's ACS. Whatever arrives, the ACS never panics, never answers
// 500 (malformed input is 400; 502 is reserved for an IdP failure status)
// and never logs anyone in: no input may reach the redirect to
// /auth/callback (no flow is pending and the connection refuses
// IdP-initiated logins), and no library text reaches the body. Seeds are
// responses in every vendor shape of testdata/saml, a valid response to an
// unknown request, an unsolicited one, and hostile documents.
func FuzzACS(f *testing.F) {
	fx := newACSFixture(f)
	for _, name := range samlIDPs {
		idp := &samlIdP{p: loadIDPParams(f, name), key: fx.idp.key}
		r := fx.response("_" + strings.Repeat("Q", 43))
		r.Issuer, r.NameIDFormat = idp.p.Response.Issuer, idp.p.Response.NameIDFormat
		r.SignResponse, r.SignAssertion = idp.p.Response.Signs != "assertion", idp.p.Response.Signs != "response"
		f.Add(build(f, r, idp.key), "")
	}
	f.Add(build(f, fx.response("_"+strings.Repeat("Q", 43)), fx.idp.key), "/dashboard")
	f.Add(build(f, fx.response(""), fx.idp.key), "https://evil.example")
	doc, err := fx.response("").Build(fx.idp.key)
	if err != nil {
		f.Fatal(err)
	}
	for _, hostile := range []string{
		`<!DOCTYPE r [<!ENTITY a "b">]>` + string(doc),
		strings.Replace(string(doc), "ada@acme.example<", "ada@acme.example<!---->.evil.example<", 1),
		string(doc) + "<trailing/>",
		`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" InResponseTo="_x">`,
		"\xff\xfe",
	} {
		f.Add(base64.StdEncoding.EncodeToString([]byte(hostile)), "")
	}
	f.Add("not base64 at all", "")
	f.Fuzz(func(t *testing.T, samlResponse, relayState string) {
		rec := fx.post(samlResponse, relayState)
		switch {
		case rec.Code >= 200 && rec.Code < 400:
			t.Fatalf("ACS answered %d (Location %q)", rec.Code, rec.Header().Get("Location"))
		case rec.Code >= 500 && rec.Code != 502:
			t.Fatalf("ACS answered %d", rec.Code)
		}
		if body := rec.Body.String(); strings.Contains(body, "samlsp") || strings.Contains(body, "gosaml2") || strings.Contains(body, "xml:") {
			t.Fatalf("library text in the body: %.200s", body)
		}
	})
}
