package idpsim_test

import (
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// testEnv is a simulator mounted under /idpsim on a real HTTP server, the
// way a host mounts it.
type testEnv struct {
	sim     *idpsim.Simulator
	server  *httptest.Server
	browser *http.Client // a client that does not follow redirects
}

// Fixed test registrations.
const (
	clientID     = "app-client"
	clientSecret = "s3cret value/with+reserved&chars"
	redirectURI  = "https://app.example.test/oidc/callback"
	logoutURI    = "https://app.example.test/signed-out"
)

// newEnv starts a simulator. cfg.BaseURL is filled in; cfg.Logger defaults
// to a discarding logger.
func newEnv(t *testing.T, cfg idpsim.Config) *testEnv {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String() + "/idpsim"
	if cfg.Key == nil {
		cfg.Key = sharedKey(t)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clients == nil {
		cfg.Clients = []idpsim.OIDCClient{{
			ID:                     clientID,
			Secret:                 clientSecret,
			RedirectURIs:           []string{redirectURI, "http://127.0.0.1:9999/other"},
			PostLogoutRedirectURIs: []string{logoutURI},
		}}
	}
	sim, err := idpsim.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux.Handle("/idpsim/", http.StripPrefix("/idpsim", sim.Handler()))
	srv.Start()
	t.Cleanup(srv.Close)
	return &testEnv{
		sim:    sim,
		server: srv,
		browser: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// sharedKey is one simulator key for all tests: generating a 2048-bit RSA
// key per test would dominate the run time.
var sharedKey = func() func(t *testing.T) *idpsim.Key {
	once := sync.OnceValues(func() (*idpsim.Key, error) { return idpsim.GenerateKey(time.Now()) })
	return func(t *testing.T) *idpsim.Key {
		t.Helper()
		k, err := once()
		if err != nil {
			t.Fatalf("GenerateKey: %v", err)
		}
		return k
	}
}()

// testNow is a fixed time for keys made outside a test.
var testNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a settable clock for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// get fetches a URL without following redirects and returns the response
// and its body.
func (e *testEnv) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := e.browser.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, readBody(t, resp)
}

// postForm posts a form without following redirects.
func (e *testEnv) postForm(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := e.browser.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	return resp, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

var (
	requestFieldRE = regexp.MustCompile(`name="request" value="([^"]+)"`)
	formActionRE   = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// loginForm reads the login page and returns the form action and the
// pending request id, failing the test if the page is not a login page with
// the banner.
func loginForm(t *testing.T, resp *http.Response, body string) (action, request string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page status = %d, body:\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, idpsim.Banner) {
		t.Fatalf("login page lacks the banner:\n%s", body)
	}
	m := requestFieldRE.FindStringSubmatch(body)
	a := formActionRE.FindStringSubmatch(body)
	if m == nil || a == nil {
		t.Fatalf("no login form in page:\n%s", body)
	}
	return html.UnescapeString(a[1]), m[1]
}

// user is what the tester types on the login page.
type user struct {
	email, given, family, groups string
	outcome                      idpsim.Outcome
}

var alice = user{email: "alice@example.com", given: "Alice", family: "Liddell", groups: "Engineering, Admins", outcome: idpsim.OutcomeSuccess}

func (u user) form(request string) url.Values {
	return url.Values{
		idpsim.FieldRequest:    {request},
		idpsim.FieldEmail:      {u.email},
		idpsim.FieldGivenName:  {u.given},
		idpsim.FieldFamilyName: {u.family},
		idpsim.FieldGroups:     {u.groups},
		idpsim.FieldOutcome:    {string(u.outcome)},
	}
}

// signIn opens startURL (an authorization request or SSO URL), fills the
// login page as u and returns the simulator's answer to the form.
func (e *testEnv) signIn(t *testing.T, startURL string, u user) (*http.Response, string) {
	t.Helper()
	resp, body := e.get(t, startURL)
	action, request := loginForm(t, resp, body)
	return e.postForm(t, action, u.form(request))
}
