package samlmeta

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

func fixedRequest() *AuthnRequest {
	return &AuthnRequest{
		ID:           "_0123456789abcdef0123456789abcdef01234567",
		Issuer:       "https://app.example.com/sso/saml/conn_01J0000000000000000000000",
		ACSURL:       "https://app.example.com/sso/saml/acs/conn_01J0000000000000000000000",
		IssueInstant: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func inflateParam(t *testing.T, loc string) []byte {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(u.Query().Get("SAMLRequest"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAuthnRequestGolden(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*AuthnRequest)
	}{
		{"authn_request_default.xml", func(*AuthnRequest) {}},
		{"authn_request_force_unspecified.xml", func(a *AuthnRequest) {
			a.ForceAuthn, a.NameIDFormat, a.IssueInstant = true, NameIDFormatUnspecified, a.IssueInstant.Add(1500*time.Millisecond)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fixedRequest()
			tt.mutate(a)
			loc, err := a.RedirectURL("https://idp.example.com/sso?tenant=acme", "rs", nil)
			if err != nil {
				t.Fatal(err)
			}
			inflated := inflateParam(t, loc)
			golden(t, tt.name, inflated)
			direct, err := (&AuthnRequest{ID: a.ID, Issuer: a.Issuer, ACSURL: a.ACSURL, Destination: "https://idp.example.com/sso?tenant=acme",
				ForceAuthn: a.ForceAuthn, NameIDFormat: a.NameIDFormat, IssueInstant: a.IssueInstant}).XML()
			if err != nil || !bytes.Equal(direct, inflated) {
				t.Fatalf("XML() differs from the deflated request: %v", err)
			}
		})
	}
}

func TestAuthnRequestGeneratedID(t *testing.T) {
	a := fixedRequest()
	a.ID = ""
	x1, err := a.XML()
	if err != nil {
		t.Fatal(err)
	}
	x2, _ := a.XML()
	re := regexp.MustCompile(`ID="(_[0-9a-f]{40})"`)
	m1, m2 := re.FindSubmatch(x1), re.FindSubmatch(x2)
	if m1 == nil || m2 == nil || bytes.Equal(m1[1], m2[1]) {
		t.Fatalf("generated ids %q %q", m1, m2)
	}
}

// TestAuthnRequestRoundTrip: what samlmeta builds, samlidp parses, and a
// signature made here verifies there.
func TestAuthnRequestRoundTrip(t *testing.T) {
	spKey, otherKey := testKey(t, 0), testKey(t, 1)
	const sso = "https://idp.example.com/app/sso?tenant=acme"
	tests := []struct {
		name      string
		build     func(t *testing.T, a *AuthnRequest) *http.Request
		signed    bool
		verifyErr error
	}{
		{"redirect unsigned", func(t *testing.T, a *AuthnRequest) *http.Request {
			loc, err := a.RedirectURL(sso, "opaque-relay", nil)
			if err != nil {
				t.Fatal(err)
			}
			return httptest.NewRequest(http.MethodGet, loc, nil)
		}, false, samlidp.ErrUnsigned},
		{"redirect signed", func(t *testing.T, a *AuthnRequest) *http.Request {
			loc, err := a.RedirectURL(sso, "opaque-relay", spKey.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			return httptest.NewRequest(http.MethodGet, loc, nil)
		}, true, nil},
		{"redirect signed by another key", func(t *testing.T, a *AuthnRequest) *http.Request {
			loc, err := a.RedirectURL(sso, "opaque-relay", otherKey.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			return httptest.NewRequest(http.MethodGet, loc, nil)
		}, true, samlidp.ErrBadSignature},
		{"redirect tampered relay state", func(t *testing.T, a *AuthnRequest) *http.Request {
			loc, err := a.RedirectURL(sso, "opaque-relay", spKey.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			return httptest.NewRequest(http.MethodGet, strings.Replace(loc, "RelayState=opaque-relay", "RelayState=evil-relay", 1), nil)
		}, true, samlidp.ErrBadSignature},
		{"redirect tampered sigalg", func(t *testing.T, a *AuthnRequest) *http.Request {
			loc, err := a.RedirectURL(sso, "opaque-relay", spKey.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			return httptest.NewRequest(http.MethodGet, strings.Replace(loc, "rsa-sha256", "rsa-sha512", 1), nil)
		}, true, samlidp.ErrBadSignature},
		{"post unsigned", func(t *testing.T, a *AuthnRequest) *http.Request {
			return postFromForm(t, a, sso, nil)
		}, false, samlidp.ErrUnsigned},
		{"post signed", func(t *testing.T, a *AuthnRequest) *http.Request {
			return postFromForm(t, a, sso, &Key{PrivateKey: spKey.PrivateKey, Certificate: spKey.Certificate})
		}, true, nil},
		{"post signed by another key", func(t *testing.T, a *AuthnRequest) *http.Request {
			return postFromForm(t, a, sso, &Key{PrivateKey: otherKey.PrivateKey, Certificate: otherKey.Certificate})
		}, true, samlidp.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fixedRequest()
			a.ForceAuthn = true
			r := tt.build(t, a)
			got, err := samlidp.ParseAuthnRequest(r)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != a.ID || got.Issuer != a.Issuer || got.AssertionConsumerServiceURL != a.ACSURL ||
				got.Destination != sso || got.NameIDFormat != NameIDFormatEmailAddress || !got.ForceAuthn ||
				got.ProtocolBinding != BindingHTTPPOST || !got.IssueInstant.Equal(a.IssueInstant) ||
				got.Signed != tt.signed {
				t.Fatalf("parsed %+v", got)
			}
			if wantRelay := "opaque-relay"; tt.name != "redirect tampered relay state" && got.RelayState != wantRelay {
				t.Fatalf("RelayState = %q", got.RelayState)
			}
			err = got.VerifySignature(r, spKey.Certificate)
			if !errors.Is(err, tt.verifyErr) || (err == nil) != (tt.verifyErr == nil) {
				t.Fatalf("VerifySignature = %v, want %v", err, tt.verifyErr)
			}
		})
	}
}

var formField = regexp.MustCompile(`name="(SAMLRequest|RelayState)" value="([^"]*)"`)

// postFromForm renders the form and submits its fields as a browser would.
func postFromForm(t *testing.T, a *AuthnRequest, sso string, signer *Key) *http.Request {
	t.Helper()
	page, err := a.PostForm(sso, "opaque-relay", signer)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`action="https://idp.example.com/app/sso?tenant=acme"`)) {
		t.Fatalf("form action:\n%s", page)
	}
	form := url.Values{}
	for _, m := range formField.FindAllSubmatch(page, -1) {
		form.Set(string(m[1]), htmlUnescape(string(m[2])))
	}
	r := httptest.NewRequest(http.MethodPost, sso, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#43;", "+", "&#61;", "=", "&amp;", "&", "&#34;", `"`, "&lt;", "<", "&gt;", ">").Replace(s)
}

func TestAuthnRequestErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*AuthnRequest)
		sso    string
		relay  string
	}{
		{"no issuer", func(a *AuthnRequest) { a.Issuer = "" }, "https://idp/sso", ""},
		{"no acs", func(a *AuthnRequest) { a.ACSURL = "" }, "https://idp/sso", ""},
		{"no issue instant", func(a *AuthnRequest) { a.IssueInstant = time.Time{} }, "https://idp/sso", ""},
		{"javascript sso", func(*AuthnRequest) {}, "javascript:alert(1)", ""},
		{"relative sso", func(*AuthnRequest) {}, "/sso", ""},
		{"long relay state", func(*AuthnRequest) {}, "https://idp/sso", strings.Repeat("x", 81)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fixedRequest()
			tt.mutate(a)
			if _, err := a.RedirectURL(tt.sso, tt.relay, nil); !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("RedirectURL err = %v", err)
			}
			if _, err := a.PostForm(tt.sso, tt.relay, nil); !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("PostForm err = %v", err)
			}
		})
	}
}
