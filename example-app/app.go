package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/postgres"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// Where the kit and the simulator are mounted, and the app's session
// cookie.
const (
	ssoPrefix         = "/sso"
	idpsimPrefix      = "/idpsim"
	sessionCookieName = "acme_session"
	sessionLifetime   = 12 * time.Hour
	// oidcRedirectPath is ssokit's default Paths.OIDCRedirect; the OIDC
	// redirect URI to register at an identity provider is
	// BaseURL + ssoPrefix + oidcRedirectPath.
	oidcRedirectPath = "/oidc/callback"
)

// app is Acme Notes: its tables, its session, and the kit mounted on its
// mux.
type app struct {
	opts    options
	store   *store.Store
	db      *sql.DB // the app's own tables, in the kit's database
	logger  *slog.Logger
	mux     *http.ServeMux
	users   *userStore
	notes   *noteStore
	session ssokit.SessionBridge
	sso     *ssokit.SSO
	require *ssokit.RequireSSO
	sim     *idpsim.Simulator // nil unless development mode
}

// openStore opens the kit's store: PostgreSQL when a URL is given, else
// the SQLite file gatehouse.db in the data folder.
func openStore(ctx context.Context, o options) (*store.Store, error) {
	if o.postgresURL != "" {
		return postgres.Open(ctx, o.postgresURL, store.Options{})
	}
	return sqlite.Open(ctx, filepath.Join(o.dataDir, "gatehouse.db"), store.Options{})
}

// newApp opens the database, creates the app's tables, and wires the kit,
// the session and (in development mode) the simulator and the Test
// Organization.
func newApp(ctx context.Context, o options, logger *slog.Logger) (*app, error) {
	if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
		return nil, err
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return nil, err
	}
	a := &app{opts: o, store: st, db: st.DB(), logger: logger, mux: http.NewServeMux()}
	if err := a.init(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) init(ctx context.Context) error {
	if err := migrateApp(ctx, a.db); err != nil {
		return err
	}
	a.users = &userStore{db: a.db, now: time.Now}
	a.notes = &noteStore{db: a.db, now: time.Now}

	// The app's own session: a gorilla/sessions cookie, signed and
	// encrypted with keys kept in the data folder.
	keys, err := loadOrCreateSecret(filepath.Join(a.opts.dataDir, "session-keys"), 64)
	if err != nil {
		return err
	}
	cookies := sessions.NewCookieStore(keys[:32], keys[32:])
	cookies.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(sessionLifetime.Seconds()),
		HttpOnly: true,
		Secure:   strings.HasPrefix(a.opts.baseURL, "https://"),
		SameSite: http.SameSiteLaxMode,
	}
	if a.session, err = ssokit.NewGorillaSessions(cookies, sessionCookieName); err != nil {
		return err
	}

	if a.sso, err = newSSO(a.opts, a.store, a.users, a.session, a.logger, a.signInFailed); err != nil {
		return err
	}
	if a.require, err = a.sso.NewRequireSSO(ssokit.RequireSSOConfig{
		// The organization is the one in the URL: /orgs/{org}/….
		OrganizationFor: func(r *http.Request) (string, error) { return r.PathValue("org"), nil },
		MaxAge:          sessionLifetime,
	}); err != nil {
		return err
	}

	if a.opts.idpsim {
		if err := a.startSimulator(ctx); err != nil {
			return err
		}
	}
	a.routes()
	return a.mountSCIM()
}

// newSSO configures the kit the way the server and the commands share.
// In development mode the kit may call identity providers on loopback and
// private addresses over http (the simulator on http://localhost: OIDC
// discovery, token and keys, SAML metadata); otherwise it may not (SSRF).
func newSSO(o options, st *store.Store, users ssokit.UserStore, bridge ssokit.SessionBridge,
	logger *slog.Logger, onError func(http.ResponseWriter, *http.Request, error)) (*ssokit.SSO, error) {
	return ssokit.New(ssokit.Config{
		BaseURL:         o.baseURL + ssoPrefix,
		Store:           st,
		Users:           users,
		Sessions:        bridge,
		ErrorHandler:    onError,
		Logger:          logger,
		SessionLifetime: sessionLifetime,
		// Development mode only: the simulator runs on loopback.
		InsecureAllowPrivateIdPAddresses: o.idpsim,
	})
}

// routes mounts the kit, the simulator and the app's pages.
func (a *app) routes() {
	a.mux.Handle(ssoPrefix+"/", http.StripPrefix(ssoPrefix, a.sso.Handler()))
	if a.sim != nil {
		a.mux.Handle(idpsimPrefix+"/", http.StripPrefix(idpsimPrefix, a.sim.Handler()))
	}

	// The app's own forms are guarded against cross-origin posts; the kit
	// guards its own (and its SAML ACS must accept the IdP's cross-site
	// post, so it is not wrapped here).
	cop := http.NewCrossOriginProtection()
	guard := func(h http.HandlerFunc) http.Handler { return cop.Handler(h) }
	a.mux.HandleFunc("GET /{$}", a.home)
	a.mux.Handle("POST /signin", guard(a.signIn))
	a.mux.HandleFunc("GET /signed-out", a.signedOut)
	a.mux.HandleFunc("GET /me", a.me)
	a.mux.Handle("GET /orgs/{org}/{$}", a.require.Handler(http.HandlerFunc(a.dashboard)))
	a.mux.Handle("POST /orgs/{org}/notes", a.require.Handler(guard(a.addNote)))
}

// Handler is the app's HTTP handler.
func (a *app) Handler() http.Handler { return securityHeaders(a.mux) }

// startBackground runs the periodic work until ctx ends: the kit's SAML
// metadata refresh and certificate-expiry checks (SSO.Run), and sweeping
// expired flow records from the store. The returned channel closes when
// both have stopped.
func (a *app) startBackground(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := a.sso.Run(ctx); err != nil && ctx.Err() == nil {
			a.logger.Error("sso_run_stopped", "err", err)
		}
	})
	wg.Go(func() {
		t := time.NewTicker(5 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := a.store.Sweep(ctx); err != nil && ctx.Err() == nil {
					a.logger.Warn("store_sweep_failed", "err", err)
				}
			}
		}
	})
	go func() { wg.Wait(); close(done) }()
	return done
}

// Close closes the database.
func (a *app) Close() error { return a.store.Close() }

// securityHeaders sets the headers every response of the app should carry.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// loadOrCreateSecret returns the n random bytes kept hex-encoded in path,
// creating the file (mode 0600) on first use.
func loadOrCreateSecret(path string, n int) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		b, err := hex.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(b) != n {
			return nil, fmt.Errorf("%s: want %d hex-encoded bytes; delete the file to make new ones", path, n)
		}
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	b := make([]byte, n)
	rand.Read(b)
	if err := writeNewFile(path, []byte(hex.EncodeToString(b)+"\n")); err != nil {
		return nil, err
	}
	return b, nil
}

// writeNewFile creates path with mode 0600; it fails if the file exists,
// so two processes starting at once cannot overwrite each other's secret.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newID returns prefix_ followed by 26 random base32 characters.
func newID(prefix string) string {
	return prefix + "_" + strings.ToLower(rand.Text())
}
