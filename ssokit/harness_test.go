package ssokit_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/oidctest"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
	"github.com/gorilla/sessions"
)

// clock is a settable clock shared by the kit, the store and the provider.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sqlUsers is the host's user table, in the same SQLite database as the
// kit's store: a real UserStore with the JIT contract of ssokit.UserStore.
type sqlUsers struct{ db *sql.DB }

func newSQLUsers(t testing.TB, db *sql.DB) *sqlUsers {
	t.Helper()
	_, err := db.Exec(`CREATE TABLE app_users (
		id TEXT PRIMARY KEY,
		organization_id TEXT NOT NULL,
		email TEXT NOT NULL,
		name TEXT NOT NULL,
		sso_connection_id TEXT,
		sso_subject TEXT,
		UNIQUE (sso_connection_id, sso_subject))`)
	if err != nil {
		t.Fatal(err)
	}
	return &sqlUsers{db: db}
}

func (u *sqlUsers) UpsertSSOUser(ctx context.Context, p *ssokit.Profile) (string, error) {
	var id string
	err := u.db.QueryRowContext(ctx, `UPDATE app_users SET email = $1, name = $2
		WHERE sso_connection_id = $3 AND sso_subject = $4 RETURNING id`,
		p.Email, p.Name, p.ConnectionID, p.Subject).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if p.EmailVerified && p.EmailDomainVerified {
		// Link an existing user of the organization by email.
		err := u.db.QueryRowContext(ctx, `UPDATE app_users SET sso_connection_id = $1, sso_subject = $2
			WHERE organization_id = $3 AND email = $4 AND sso_subject IS NULL RETURNING id`,
			p.ConnectionID, p.Subject, p.OrganizationID, p.Email).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	id = "user_" + strings.ReplaceAll(p.ID, ";", "_")
	_, err = u.db.ExecContext(ctx, `INSERT INTO app_users (id, organization_id, email, name, sso_connection_id, sso_subject)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sso_connection_id, sso_subject) DO NOTHING`,
		id, p.OrganizationID, p.Email, p.Name, p.ConnectionID, p.Subject)
	return id, err
}

func (u *sqlUsers) count(t testing.TB) int {
	t.Helper()
	var n int
	if err := u.db.QueryRow(`SELECT COUNT(*) FROM app_users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// env is an application with the kit mounted at /sso, an OpenID provider,
// a SQLite store and a gorilla cookie session.
type env struct {
	t      testing.TB
	ctx    context.Context
	clock  *clock
	store  *store.Store
	users  *sqlUsers
	op     *oidctest.Provider
	sso    *ssokit.SSO
	bridge ssokit.SessionBridge
	app    *httptest.Server
	mux    *http.ServeMux
	org    *ssokit.Organization
	conn   *ssokit.Connection
	logs   *syncBuffer

	mu   sync.Mutex
	errs []error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newEnv(t testing.TB, edit ...func(*ssokit.Config)) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clock: &clock{t: time.Now().Truncate(time.Second)}, logs: &syncBuffer{}}
	st, err := sqlite.Open(e.ctx, filepath.Join(t.TempDir(), "kit.db"), store.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	e.users = newSQLUsers(t, st.DB())

	e.op = oidctest.New()
	t.Cleanup(e.op.Server.Close)
	e.op.Now = e.clock.Now
	e.op.User = map[string]any{"sub": "00u-ann", "email": "ann@acme.example", "email_verified": true,
		"given_name": "Ann", "family_name": "Lee", "name": "Ann Lee", "preferred_username": "ann"}

	e.mux = http.NewServeMux()
	e.app = httptest.NewUnstartedServer(e.mux)
	e.app.StartTLS()
	t.Cleanup(e.app.Close)
	e.op.RedirectURIs = []string{e.app.URL + "/sso/oidc/callback"}

	cs := sessions.NewCookieStore([]byte("0123456789abcdef0123456789abcdef"))
	cs.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: 3600}
	e.bridge, err = ssokit.NewGorillaSessions(cs, "app_session")
	if err != nil {
		t.Fatal(err)
	}
	cfg := ssokit.Config{
		BaseURL:    e.app.URL + "/sso",
		Store:      st,
		Users:      e.users,
		Sessions:   e.bridge,
		HTTPClient: e.op.Server.Client(),
		// The test identity providers run on loopback (strict turns it off).
		InsecureAllowPrivateIdPAddresses: true,
		Now:                              e.clock.Now,
		Logger:                           slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			e.mu.Lock()
			e.errs = append(e.errs, err)
			e.mu.Unlock()
			ssokit.DefaultErrorHandler(w, r, err)
		},
	}
	for _, f := range edit {
		f(&cfg)
	}
	e.sso, err = ssokit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.mux.Handle("/sso/", http.StripPrefix("/sso", e.sso.Handler()))
	e.mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		s, err := e.bridge.Current(r)
		if err != nil {
			http.Error(w, "nobody", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, s.UserID+" "+s.OrganizationID+" "+s.ConnectionID)
	})

	e.org = &ssokit.Organization{ID: "org_acme", Name: "Acme", SSOEnforced: true}
	e.must(st.CreateOrganization(e.ctx, e.org))
	e.must(st.CreateDomain(e.ctx, &ssokit.Domain{OrganizationID: e.org.ID, Name: "acme.example", State: ssokit.DomainVerified}))
	e.conn = e.oidcConnection(e.org.ID, e.op.ClientID, ssokit.ConnectionActive)
	return e
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) oidcConnection(orgID, clientID string, status ssokit.ConnectionStatus) *ssokit.Connection {
	e.t.Helper()
	c := &ssokit.Connection{OrganizationID: orgID, Type: ssokit.ConnectionOIDC, Provider: "okta", Name: "Okta",
		Status: status, OIDC: &ssokit.OIDCConfig{Issuer: e.op.Issuer, ClientID: clientID, ClientSecret: e.op.ClientSecret}}
	e.must(e.store.CreateConnection(e.ctx, c))
	e.clock.Advance(time.Millisecond) // keep "oldest first" deterministic
	return c
}

// lastErr returns the last error the error handler received.
func (e *env) lastErr() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.errs) == 0 {
		return nil
	}
	return e.errs[len(e.errs)-1]
}

// wantErr checks that the last error is an *ssokit.Error with code (and
// reason, when not empty).
func (e *env) wantErr(code ssokit.ErrorCode, reason string) *ssokit.Error {
	e.t.Helper()
	var se *ssokit.Error
	if err := e.lastErr(); !errors.As(err, &se) {
		e.t.Fatalf("error = %v, want *ssokit.Error %s", err, code)
	}
	if se.Code != code || (reason != "" && se.Reason != reason) {
		e.t.Fatalf("error = %v, want code %s reason %q", se, code, reason)
	}
	return se
}

// nothingWritten checks that no user row exists and b is signed out.
func (e *env) nothingWritten(b *browser) {
	e.t.Helper()
	if n := e.users.count(e.t); n != 0 {
		e.t.Errorf("%d user rows written", n)
	}
	if r := b.get(e.app.URL + "/whoami"); r.StatusCode != http.StatusUnauthorized {
		e.t.Errorf("browser is signed in: %d %s", r.StatusCode, r.body)
	}
}

// browser is a cookie jar client that does not follow redirects.
type browser struct {
	t      testing.TB
	client *http.Client
}

type response struct {
	*http.Response
	body string
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	// httptest.Server.Client returns one shared *http.Client: copy it, so
	// that every browser has its own cookie jar.
	c := *e.app.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: e.t, client: &c}
}

func (b *browser) do(req *http.Request) *response {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, body: string(body)}
}

func (b *browser) get(u string) *response {
	b.t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values, headers map[string]string) *response {
	b.t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// location returns the redirect target of r, requiring status.
func (r *response) location(t testing.TB, status int) *url.URL {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %.300s", r.StatusCode, status, r.body)
	}
	u, err := r.Location()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// start GETs /sso/login with query and returns the authorization URL.
func (e *env) start(b *browser, query url.Values) *url.URL {
	e.t.Helper()
	r := b.get(e.app.URL + "/sso/login?" + query.Encode())
	u := r.location(e.t, http.StatusFound)
	if !strings.HasPrefix(u.String(), e.op.Issuer+"/authorize") {
		e.t.Fatalf("login redirected to %s", u)
	}
	return u
}

// authorize lets the provider answer and returns the redirect to the kit.
func (e *env) authorize(b *browser, authURL *url.URL) *url.URL {
	e.t.Helper()
	u := b.get(authURL.String()).location(e.t, http.StatusFound)
	if !strings.HasPrefix(u.String(), e.app.URL+"/sso/oidc/callback") {
		e.t.Fatalf("provider redirected to %s", u)
	}
	return u
}

// redirect delivers the provider's answer and returns the /auth/callback
// URL.
func (e *env) redirect(b *browser, u *url.URL) *url.URL {
	e.t.Helper()
	r := b.get(u.String())
	cb := r.location(e.t, http.StatusSeeOther)
	if !strings.HasPrefix(cb.String(), e.app.URL+"/sso/auth/callback?code=") {
		e.t.Fatalf("redirect endpoint sent the browser to %s (err %v)", cb, e.lastErr())
	}
	return cb
}

// login runs a whole login and returns the final redirect target.
func (e *env) login(b *browser, query url.Values) *url.URL {
	e.t.Helper()
	cb := e.redirect(b, e.authorize(b, e.start(b, query)))
	return b.get(cb.String()).location(e.t, http.StatusSeeOther)
}

func withQuery(u *url.URL, k, v string) *url.URL {
	c := *u
	q := c.Query()
	if v == "" {
		q.Del(k)
	} else {
		q.Set(k, v)
	}
	c.RawQuery = q.Encode()
	return &c
}
