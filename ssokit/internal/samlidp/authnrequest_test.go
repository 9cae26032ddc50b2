package samlidp

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

const testAuthnRequest = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-03-01T12:00:00Z" Destination="https://idp.example.com/sso" AssertionConsumerServiceURL="https://sp.example.com/acs" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" ForceAuthn="true"><saml:Issuer>https://sp.example.com/meta</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" AllowCreate="1"/></samlp:AuthnRequest>`

func deflateB64(t testing.TB, s string) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(s))
	w.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// redirectQuery builds an HTTP-Redirect binding query, signed with key when
// not nil, exactly as the bindings spec §3.4.4.1 describes.
func redirectQuery(t testing.TB, xmlDoc, relayState, sigAlg string, key *rsa.PrivateKey) string {
	t.Helper()
	q := "SAMLRequest=" + url.QueryEscape(deflateB64(t, xmlDoc))
	if relayState != "" {
		q += "&RelayState=" + url.QueryEscape(relayState)
	}
	if key == nil {
		return q
	}
	q += "&SigAlg=" + url.QueryEscape(sigAlg)
	hash := crypto.SHA256
	if sigAlg == SignatureRSASHA1 {
		hash = crypto.SHA1
	}
	h := hash.New()
	h.Write([]byte(q))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, hash, h.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	return q + "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))
}

func signedPostXML(t testing.TB, key *Key) string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(testAuthnRequest); err != nil {
		t.Fatal(err)
	}
	ctx, err := dsig.NewSigningContext(key.PrivateKey, [][]byte{key.Certificate.Raw})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	doc.SetRoot(signed)
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func postRequest(xmlDoc, relayState string) *http.Request {
	form := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString([]byte(xmlDoc))}}
	if relayState != "" {
		form.Set("RelayState", relayState)
	}
	r := httptest.NewRequest(http.MethodPost, "https://idp.example.com/sso", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestParseAuthnRequestRoundTrip(t *testing.T) {
	key, other := testKey(t, 0), testKey(t, 1)
	tests := []struct {
		name      string
		req       func() *http.Request
		binding   string
		signed    bool
		verifyErr error // with key; nil = accepted
	}{
		{"redirect unsigned", func() *http.Request {
			return httptest.NewRequest("GET", "https://idp.example.com/sso?"+redirectQuery(t, testAuthnRequest, "rs-1", "", nil), nil)
		}, BindingHTTPRedirect, false, ErrUnsigned},
		{"redirect signed", func() *http.Request {
			return httptest.NewRequest("GET", "https://idp.example.com/sso?"+redirectQuery(t, testAuthnRequest, "rs-1", SignatureRSASHA256, key.PrivateKey), nil)
		}, BindingHTTPRedirect, true, nil},
		{"redirect signed without relay state", func() *http.Request {
			q := redirectQuery(t, testAuthnRequest, "", SignatureRSASHA256, key.PrivateKey)
			return httptest.NewRequest("GET", "https://idp.example.com/sso?"+q, nil)
		}, BindingHTTPRedirect, true, nil},
		{"redirect signed, other params kept", func() *http.Request {
			q := redirectQuery(t, testAuthnRequest, "rs-1", SignatureRSASHA256, key.PrivateKey)
			return httptest.NewRequest("GET", "https://idp.example.com/sso?tenant=acme&"+q, nil)
		}, BindingHTTPRedirect, true, nil},
		{"redirect signed by another key", func() *http.Request {
			return httptest.NewRequest("GET", "https://idp.example.com/sso?"+redirectQuery(t, testAuthnRequest, "rs-1", SignatureRSASHA256, other.PrivateKey), nil)
		}, BindingHTTPRedirect, true, ErrBadSignature},
		{"redirect sha1 refused", func() *http.Request {
			return httptest.NewRequest("GET", "https://idp.example.com/sso?"+redirectQuery(t, testAuthnRequest, "rs-1", SignatureRSASHA1, key.PrivateKey), nil)
		}, BindingHTTPRedirect, true, ErrUnsupportedAlgorithm},
		{"redirect relay state tampered", func() *http.Request {
			q := redirectQuery(t, testAuthnRequest, "rs-1", SignatureRSASHA256, key.PrivateKey)
			return httptest.NewRequest("GET", "https://idp.example.com/sso?"+strings.Replace(q, "RelayState=rs-1", "RelayState=rs-2", 1), nil)
		}, BindingHTTPRedirect, true, ErrBadSignature},
		{"redirect relay state dropped", func() *http.Request {
			q := redirectQuery(t, testAuthnRequest, "rs-1", SignatureRSASHA256, key.PrivateKey)
			return httptest.NewRequest("GET", "https://idp.example.com/sso?"+strings.Replace(q, "RelayState=rs-1&", "", 1), nil)
		}, BindingHTTPRedirect, true, ErrBadSignature},
		{"post unsigned", func() *http.Request { return postRequest(testAuthnRequest, "rs-1") }, BindingHTTPPOST, false, ErrUnsigned},
		{"post signed", func() *http.Request { return postRequest(signedPostXML(t, key), "rs-1") }, BindingHTTPPOST, true, nil},
		{"post signed by another key", func() *http.Request { return postRequest(signedPostXML(t, other), "rs-1") }, BindingHTTPPOST, true, ErrBadSignature},
		{"post signed then tampered", func() *http.Request {
			return postRequest(strings.Replace(signedPostXML(t, key), "https://sp.example.com/acs", "https://evil.example/acs", 1), "rs-1")
		}, BindingHTTPPOST, true, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req()
			a, err := ParseAuthnRequest(r)
			if err != nil {
				t.Fatal(err)
			}
			want := AuthnRequest{
				ID: "_r1", Issuer: "https://sp.example.com/meta", Destination: "https://idp.example.com/sso",
				AssertionConsumerServiceURL: "https://sp.example.com/acs", ProtocolBinding: BindingHTTPPOST,
				NameIDFormat: NameIDFormatEmailAddress, AllowCreate: true, ForceAuthn: true,
				IssueInstant: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Binding: tt.binding, Signed: tt.signed,
			}
			if tt.name == "post signed then tampered" {
				want.AssertionConsumerServiceURL = "https://evil.example/acs"
			}
			got := *a
			got.XML, got.RelayState = nil, ""
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("parsed\n%+v\nwant\n%+v", got, want)
			}
			if !strings.HasPrefix(a.RelayState, "rs-") && !strings.Contains(tt.name, "without relay") && !strings.Contains(tt.name, "dropped") {
				t.Fatalf("RelayState = %q", a.RelayState)
			}
			err = a.VerifySignature(r, key.Certificate)
			if !errors.Is(err, tt.verifyErr) || (tt.verifyErr == nil) != (err == nil) {
				t.Fatalf("VerifySignature = %v, want %v", err, tt.verifyErr)
			}
		})
	}
}

func TestVerifySignatureRequestMismatch(t *testing.T) {
	key := testKey(t, 0)
	r1 := httptest.NewRequest("GET", "/sso?"+redirectQuery(t, testAuthnRequest, "", SignatureRSASHA256, key.PrivateKey), nil)
	a, err := ParseAuthnRequest(r1)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(testAuthnRequest, `ID="_r1"`, `ID="_r2"`, 1)
	r2 := httptest.NewRequest("GET", "/sso?"+redirectQuery(t, other, "", SignatureRSASHA256, key.PrivateKey), nil)
	if err := a.VerifySignature(r2, key.Certificate); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("verifying a with another request's signature: %v", err)
	}
}

func TestParseAuthnRequestRejects(t *testing.T) {
	bomb := `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" IssueInstant="2026-03-01T12:00:00Z">` +
		strings.Repeat(" ", 2<<20) + `</samlp:AuthnRequest>`
	get := func(q string) *http.Request { return httptest.NewRequest("GET", "/sso?"+q, nil) }
	tests := []struct {
		name string
		req  *http.Request
		want error
	}{
		{"doctype", postRequest(`<!DOCTYPE x [<!ENTITY a "b">]>`+testAuthnRequest, ""), ErrDTDNotAllowed},
		{"doctype redirect", get(redirectQuery(t, `<!DOCTYPE x SYSTEM "http://evil/x.dtd">`+testAuthnRequest, "", "", nil)), ErrDTDNotAllowed},
		{"deflate bomb", get(redirectQuery(t, bomb, "", "", nil)), ErrRequestTooLarge},
		{"no SAMLRequest", get("RelayState=x"), ErrMalformedRequest},
		{"repeated SAMLRequest", get(redirectQuery(t, testAuthnRequest, "", "", nil) + "&SAMLRequest=x"), ErrMalformedRequest},
		{"repeated RelayState", get(redirectQuery(t, testAuthnRequest, "a", "", nil) + "&RelayState=b"), ErrMalformedRequest},
		{"long relay state", get(redirectQuery(t, testAuthnRequest, strings.Repeat("r", 81), "", nil)), ErrMalformedRequest},
		{"bad base64", get("SAMLRequest=%%%"), ErrMalformedRequest},
		{"not deflated", get("SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(testAuthnRequest)))), ErrMalformedRequest},
		{"wrong root", postRequest(`<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0" IssueInstant="2026-03-01T12:00:00Z"/>`, ""), ErrMalformedRequest},
		{"foreign namespace", postRequest(strings.ReplaceAll(testAuthnRequest, "urn:oasis:names:tc:SAML:2.0:protocol", "urn:evil"), ""), ErrMalformedRequest},
		{"two roots", postRequest(testAuthnRequest+testAuthnRequest, ""), ErrMalformedRequest},
		{"trailing text", postRequest(testAuthnRequest+"x", ""), ErrMalformedRequest},
		{"no id", postRequest(strings.Replace(testAuthnRequest, `ID="_r1"`, "", 1), ""), ErrMalformedRequest},
		{"saml 1.1", postRequest(strings.Replace(testAuthnRequest, `Version="2.0"`, `Version="1.1"`, 1), ""), ErrMalformedRequest},
		{"no issue instant", postRequest(strings.Replace(testAuthnRequest, `IssueInstant="2026-03-01T12:00:00Z"`, "", 1), ""), ErrMalformedRequest},
		{"bad boolean", postRequest(strings.Replace(testAuthnRequest, `ForceAuthn="true"`, `ForceAuthn="yes"`, 1), ""), ErrMalformedRequest},
		{"invalid utf-8", postRequest(strings.Replace(testAuthnRequest, "meta", "m\xffeta", 1), ""), ErrMalformedRequest},
		{"too many tokens", postRequest(strings.Replace(testAuthnRequest, "</samlp:AuthnRequest>", strings.Repeat("<x/>", MaxRequestXMLTokens)+"</samlp:AuthnRequest>", 1), ""), ErrRequestTooLarge},
		{"method", httptest.NewRequest("PUT", "/sso", nil), ErrMalformedRequest},
		{"post content type", func() *http.Request {
			r := postRequest(testAuthnRequest, "")
			r.Header.Set("Content-Type", "text/plain")
			return r
		}(), ErrMalformedRequest},
		{"post body too large", func() *http.Request {
			r := httptest.NewRequest("POST", "/sso", strings.NewReader("SAMLRequest="+strings.Repeat("A", MaxEncodedRequestSize)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}(), ErrRequestTooLarge},
		{"unknown encoding", get(redirectQuery(t, testAuthnRequest, "", "", nil) + "&SAMLEncoding=gzip"), ErrMalformedRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAuthnRequest(tt.req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
