package ssokit_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
	"github.com/gorilla/sessions"
)

// users is a host's UserStore; a real one writes to the host's user table
// (see the UserStore contract).
type users struct{}

func (users) UpsertSSOUser(ctx context.Context, p *ssokit.Profile) (string, error) {
	return "user-for-" + p.ID, nil
}

// openStore opens a SQLite store in a temporary directory.
func openStore() (*store.Store, func()) {
	dir, err := os.MkdirTemp("", "ssokit-example")
	if err != nil {
		log.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "kit.db"), store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	return st, func() { st.Close(); os.RemoveAll(dir) }
}

func ExampleNew() {
	st, done := openStore()
	defer done()

	cookies := sessions.NewCookieStore([]byte("32-byte-long-hash-key-0123456789"))
	cookies.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: 8 * 3600}
	bridge, err := ssokit.NewGorillaSessions(cookies, "session")
	if err != nil {
		log.Fatal(err)
	}
	cfg := ssokit.Config{
		BaseURL:  "https://app.example.com/sso",
		Store:    st,
		Users:    users{},
		Sessions: bridge,
	}
	if _, err := ssokit.New(cfg); err != nil {
		log.Fatal(err)
	}

	// New validates everything up front and names the field at fault.
	cfg.BaseURL = "http://app.example.com/sso"
	_, err = ssokit.New(cfg)
	fmt.Println(err)
	// Output:
	// ssokit: Config.BaseURL "http://app.example.com/sso": http is allowed for localhost only
}

// The kit's handler routes /login, /oidc/callback, /auth/callback, /logout
// and the JWKS under its own prefix; mount it with http.StripPrefix at the
// path of Config.BaseURL.
func Example_mount() {
	st, done := openStore()
	defer done()
	bridge, err := ssokit.NewGorillaSessions(sessions.NewCookieStore([]byte("32-byte-long-hash-key-0123456789")), "session")
	if err != nil {
		log.Fatal(err)
	}
	sso, err := ssokit.New(ssokit.Config{BaseURL: "https://app.example.com/sso", Store: st, Users: users{}, Sessions: bridge})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/sso/", http.StripPrefix("/sso", sso.Handler()))

	// No hint: the email-first page.
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "https://app.example.com/sso/login", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// An unknown organization: a typed error, never a fallback.
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "https://app.example.com/sso/login?organization_id=org_nope", nil))
	fmt.Println(rec.Code)
	// Output:
	// 200 text/html; charset=utf-8
	// 404
}

func ExampleSSO_NewRequireSSO() {
	st, done := openStore()
	defer done()
	ctx := context.Background()
	if err := st.CreateOrganization(ctx, &ssokit.Organization{ID: "acme", Name: "Acme", SSOEnforced: true}); err != nil {
		log.Fatal(err)
	}
	bridge, err := ssokit.NewGorillaSessions(sessions.NewCookieStore([]byte("32-byte-long-hash-key-0123456789")), "session")
	if err != nil {
		log.Fatal(err)
	}
	sso, err := ssokit.New(ssokit.Config{BaseURL: "https://app.example.com/sso", Store: st, Users: users{}, Sessions: bridge})
	if err != nil {
		log.Fatal(err)
	}
	require, err := sso.NewRequireSSO(ssokit.RequireSSOConfig{
		// The tenant is in the path: /orgs/{org}/...
		OrganizationFor:   func(r *http.Request) (string, error) { return r.PathValue("org"), nil },
		BreakGlassUserIDs: []string{"user-admin"},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /orgs/{org}/", require.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := ssokit.SessionFrom(r.Context())
		fmt.Fprintln(w, "hello", s.UserID)
	})))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "https://app.example.com/orgs/acme/reports", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// 303 https://app.example.com/sso/login?organization_id=acme&return_to=%2Forgs%2Facme%2Freports
}
