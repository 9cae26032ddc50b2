package idpsim_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// fuzzSimulator is a simulator with the test client and SP, called through
// its handler directly.
func fuzzSimulator(f *testing.F) http.Handler {
	f.Helper()
	key, err := idpsim.GenerateKey(testNow)
	if err != nil {
		f.Fatal(err)
	}
	sim, err := idpsim.New(idpsim.Config{
		BaseURL: "http://idp.test/idpsim",
		Key:     key,
		Logger:  slog.New(slog.DiscardHandler),
		Clients: []idpsim.OIDCClient{{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}}},
		ServiceProviders: []idpsim.SAMLServiceProvider{
			{EntityID: spEntityID, ACSURL: spACS, AllowIDPInitiated: true},
		},
	})
	if err != nil {
		f.Fatal(err)
	}
	return sim.Handler()
}

func seeds(f *testing.F, dir string) [][]byte {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds in testdata/%s: %v", dir, err)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func deflateBase64(b []byte) string {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// FuzzSSO sends arbitrary SAMLRequest values to the SSO endpoint in both
// bindings: the simulator answers a login page, a SAML response form, or a
// 400 page, always with the banner, and never panics.
func FuzzSSO(f *testing.F) {
	h := fuzzSimulator(f)
	for _, s := range seeds(f, "authnrequest") {
		f.Add(deflateBase64(s), "relay", false)
		f.Add(base64.StdEncoding.EncodeToString(s), "", true)
	}
	f.Add("%%%", "", false)
	f.Fuzz(func(t *testing.T, samlRequest, relayState string, post bool) {
		var req *http.Request
		form := url.Values{"SAMLRequest": {samlRequest}, "RelayState": {relayState}}
		if post {
			req = httptest.NewRequest(http.MethodPost, "/saml/sso", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req = httptest.NewRequest(http.MethodGet, "/saml/sso?"+form.Encode(), nil)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// 503: the table of pending logins is full after many valid seeds.
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d", rec.Code)
		}
		if !strings.Contains(rec.Body.String(), idpsim.Banner) {
			t.Fatalf("page without the banner")
		}
	})
}

// FuzzToken sends arbitrary form bodies and Authorization headers to the
// token endpoint: the answer is always an OAuth JSON error (no code in the
// body is live) and never a panic.
func FuzzToken(f *testing.F) {
	h := fuzzSimulator(f)
	for _, s := range seeds(f, "token") {
		f.Add(string(s), "")
		f.Add(string(s), "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID)+":"+url.QueryEscape(clientSecret))))
	}
	f.Add("", "Basic %%%")
	f.Fuzz(func(t *testing.T, body, authorization string) {
		req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
			t.Fatalf("not an OAuth error: %q", rec.Body)
		}
	})
}

// FuzzEndSession sends arbitrary id_token_hint values to the end-session
// endpoint: they are refused unless the simulator signed them, and never
// panic.
func FuzzEndSession(f *testing.F) {
	h := fuzzSimulator(f)
	f.Add("eyJhbGciOiJub25lIn0.eyJhdWQiOiJhcHAtY2xpZW50In0.", redirectURI)
	f.Add("a.b.c", "")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, hint, target string) {
		q := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {target}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/end_session?"+q.Encode(), nil))
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d", rec.Code)
		}
		if hint != "" && rec.Code != http.StatusBadRequest {
			t.Fatalf("an id_token_hint the simulator did not sign was accepted")
		}
	})
}
