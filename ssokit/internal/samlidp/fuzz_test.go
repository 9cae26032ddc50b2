package samlidp

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseAuthnRequest feeds arbitrary AuthnRequest XML through both
// bindings. It must never panic, and whatever it accepts must carry an ID.
func FuzzParseAuthnRequest(f *testing.F) {
	f.Add(testAuthnRequest, "rs", false)
	f.Add(testAuthnRequest, "", true)
	files, _ := filepath.Glob("testdata/authnrequest_*.xml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), "", false)
		f.Add(string(b), "x", true)
	}
	f.Fuzz(func(t *testing.T, doc, relayState string, redirect bool) {
		var r *http.Request
		if redirect {
			r = httptest.NewRequest(http.MethodGet, "/sso?"+redirectQuery(t, doc, relayState, "", nil)+"&Signature=AAAA&SigAlg="+url.QueryEscape(SignatureRSASHA256), nil)
		} else {
			r = postRequest(doc, relayState)
		}
		a, err := ParseAuthnRequest(r)
		if err != nil {
			return
		}
		if a.ID == "" || len(a.XML) == 0 || strings.Contains(string(a.XML), "<!DOCTYPE") {
			t.Fatalf("accepted %+v", a)
		}
		// Signature checking on arbitrary input must not panic either.
		_ = a.VerifySignature(r, testKey(t, 0).Certificate)
	})
}
