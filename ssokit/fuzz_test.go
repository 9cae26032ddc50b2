package ssokit_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
)

// FuzzCallbackQuery sends arbitrary query strings, with the binding cookie
// of a real pending login, to the OIDC redirect endpoint and to
// /auth/callback. Neither may panic, answer 2xx, redirect anywhere but to
// /auth/callback, or log anybody in.
func FuzzCallbackQuery(f *testing.F) {
	seeds, err := os.Open("testdata/oidc/callback_queries.txt")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(seeds)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			f.Add(line)
		}
	}
	seeds.Close()

	e := newEnv(f)
	b := e.browser()
	auth := e.start(b, url.Values{"connection_id": {e.conn.ID}})
	back := e.authorize(b, auth)
	f.Add(back.RawQuery)
	appURL, _ := url.Parse(e.app.URL)
	cookies := b.client.Jar.Cookies(appURL)
	if len(cookies) == 0 {
		f.Fatal("no binding cookie")
	}

	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"/sso/oidc/callback", "/sso/auth/callback"} {
			req := httptest.NewRequest("GET", "https://"+appURL.Host+path, nil)
			req.URL.RawQuery = q
			for _, c := range cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			e.mux.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode < 300 {
				t.Fatalf("%s?%s: status %d", path, q, res.StatusCode)
			}
			if loc := res.Header.Get("Location"); loc != "" && !strings.HasPrefix(loc, e.app.URL+"/sso/auth/callback?code=") {
				t.Fatalf("%s?%s: redirect to %s", path, q, loc)
			}
			for _, c := range res.Cookies() {
				if c.Name == "app_session" {
					t.Fatalf("%s?%s: session cookie set", path, q)
				}
			}
			if res.StatusCode == http.StatusInternalServerError {
				t.Fatalf("%s?%s: 500: %v", path, q, e.lastErr())
			}
		}
		if n := e.users.count(t); n != 0 {
			t.Fatalf("%d users written", n)
		}
	})
}
