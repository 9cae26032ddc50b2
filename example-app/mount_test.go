package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/sessions"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// The README's "Mount it in your app" code, kept here so that it compiles
// and works; TestREADMEMountSnippet checks that the README shows exactly
// the lines between the markers.

// README mount: begin
// mountGatehouse adds single sign-on to an app that has a mux, a user table
// (users implements ssokit.UserStore) and gorilla/sessions keys.
func mountGatehouse(ctx context.Context, mux *http.ServeMux, users ssokit.UserStore,
	dashboard http.Handler, dbPath string, hashKey, blockKey []byte) (*store.Store, error) {
	st, err := sqlite.Open(ctx, dbPath, store.Options{}) // or postgres.Open(ctx, url, …)
	if err != nil {
		return nil, err
	}
	cookies := sessions.NewCookieStore(hashKey, blockKey)
	cookies.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	bridge, err := ssokit.NewGorillaSessions(cookies, "session")
	if err != nil {
		return nil, err
	}
	sso, err := ssokit.New(ssokit.Config{
		BaseURL:  "https://app.example.com/sso", // where the kit is mounted
		Store:    st,
		Users:    users,
		Sessions: bridge,
	})
	if err != nil {
		return nil, err
	}
	mux.Handle("/sso/", http.StripPrefix("/sso", sso.Handler()))
	requireSSO, err := sso.NewRequireSSO(ssokit.RequireSSOConfig{
		OrganizationFor: func(r *http.Request) (string, error) { return r.PathValue("org"), nil },
	})
	if err != nil {
		return nil, err
	}
	mux.Handle("GET /orgs/{org}/", requireSSO.Handler(dashboard))
	return st, nil
}

// README mount: end

// TestMountSnippet runs the README's code: the kit answers under /sso and
// RequireSSO guards the dashboard of an organization that enforces SSO.
func TestMountSnippet(t *testing.T) {
	ctx := t.Context()
	mux := http.NewServeMux()
	users := &userStore{} // never called here: nobody signs in
	dashboard := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "dashboard") })
	key := []byte("0123456789abcdef0123456789abcdef")
	st, err := mountGatehouse(ctx, mux, users, dashboard, filepath.Join(t.TempDir(), "gatehouse.db"), key, key)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateOrganization(ctx, &ssokit.Organization{ID: "org_acme", Name: "Acme", SSOEnforced: true}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrganization(ctx, &ssokit.Organization{ID: "org_open", Name: "Open"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	res, err := c.Get(srv.URL + "/sso/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Sign in with SSO") {
		t.Errorf("GET /sso/login = %d\n%s", res.StatusCode, body)
	}
	res, err = c.Get(srv.URL + "/orgs/org_acme/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(loc, "https://app.example.com/sso/login?organization_id=org_acme") {
		t.Errorf("GET /orgs/org_acme/ = %d, Location %q", res.StatusCode, loc)
	}
	res, err = c.Get(srv.URL + "/orgs/org_open/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "dashboard" {
		t.Errorf("organization that does not enforce SSO: %d %q, want the dashboard", res.StatusCode, body)
	}
	// An organization the kit does not know is refused (fail closed).
	res, err = c.Get(srv.URL + "/orgs/org_unknown/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || string(body) == "dashboard" {
		t.Errorf("organization unknown to the kit: %d %q, want 404", res.StatusCode, body)
	}
}

var mountMarkers = regexp.MustCompile(`(?s)// README mount: begin\n(.*?)\n// README mount: end`)

// TestREADMEMountSnippet: the README shows the code above, line for line.
func TestREADMEMountSnippet(t *testing.T) {
	src, err := os.ReadFile("mount_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := mountMarkers.FindSubmatch(src)
	if m == nil {
		t.Fatal("markers not found in mount_test.go")
	}
	if !strings.Contains(string(readme), "```go\n"+string(m[1])+"\n```") {
		t.Errorf("README.md does not contain the mount code of mount_test.go as a go block:\n%s", m[1])
	}
}
