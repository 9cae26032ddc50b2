package main

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// testApp is the example app served over real HTTP by httptest, in
// development mode (simulator on), on a fresh data folder.
type testApp struct {
	*app
	srv  *httptest.Server
	url  string
	dir  string
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// simulatorKeyPEM is one simulator key for all tests (a 2048-bit RSA key
// per test would dominate the run time); tests put it in their data folder
// where the app looks for it.
var simulatorKeyPEM = sync.OnceValues(func() ([]byte, error) {
	k, err := idpsim.GenerateKey(time.Now())
	if err != nil {
		return nil, err
	}
	return k.MarshalPEM()
})

// seedDataDir returns a fresh data folder holding the shared simulator key.
func seedDataDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	pem, err := simulatorKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "idpsim-key.pem"), pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newTestApp starts the app on a fresh data folder (or dir, if given).
func newTestApp(t testing.TB, dir string) *testApp {
	t.Helper()
	return startTestApp(t, dir, "")
}

// startTestApp starts the app on dir (fresh if ""), with its state on
// PostgreSQL when postgresURL is set.
func startTestApp(t testing.TB, dir, postgresURL string) *testApp {
	t.Helper()
	if dir == "" {
		dir = seedDataDir(t)
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	logs := &syncBuffer{}
	o := options{addr: srv.Listener.Addr().String(), baseURL: base, dataDir: dir, idpsim: true, postgresURL: postgresURL}
	a, err := newApp(context.Background(), o, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
		if t.Failed() {
			t.Logf("app logs:\n%s", logs.String())
		}
	})
	return &testApp{app: a, srv: srv, url: base, dir: dir, logs: logs}
}

// client is a browser without a browser: a cookie jar and redirects
// followed, as a browser does.
type client struct {
	t    testing.TB
	http *http.Client
	base string
}

func newClient(t testing.TB, base string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}, base: base}
}

// response is a fetched page: its final URL (after redirects), status and
// body.
type response struct {
	URL    *url.URL
	Status int
	Body   string
	Header http.Header
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{URL: res.Request.URL, Status: res.StatusCode, Body: string(b), Header: res.Header}
}

func (c *client) abs(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return c.base + path
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.abs(path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.abs(path), strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var (
	formRE       = regexp.MustCompile(`(?s)<form method="post" action="([^"]+)"[^>]*>(.*?)</form>`)
	hiddenRE     = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	simRequestRE = regexp.MustCompile(`name="request" value="([^"]+)"`)
)

// simUser is what the tester types on the simulator's login page.
type simUser struct {
	Email, GivenName, FamilyName, Groups string
	Outcome                              idpsim.Outcome
}

var alice = simUser{Email: "alice@example.com", GivenName: "Alice", FamilyName: "Liddell", Groups: "Engineering, Admins"}

// simulatorLogin answers the simulator's login page (page must be it) and
// follows what comes back: for SAML the auto-post form is posted, as a
// browser's script (or its user) would.
func (c *client) simulatorLogin(page *response, u simUser) *response {
	c.t.Helper()
	if !strings.Contains(page.URL.Path, "/idpsim/") || !strings.Contains(page.Body, `name="request"`) {
		c.t.Fatalf("expected the simulator's login page, got %s (%d):\n%s", page.URL, page.Status, page.Body)
	}
	m := formRE.FindStringSubmatch(page.Body)
	req := simRequestRE.FindStringSubmatch(page.Body)
	if m == nil || req == nil {
		c.t.Fatalf("no login form on the simulator page:\n%s", page.Body)
	}
	outcome := u.Outcome
	if outcome == "" {
		outcome = idpsim.OutcomeSuccess
	}
	res := c.post(html.UnescapeString(m[1]), url.Values{
		idpsim.FieldRequest:    {req[1]},
		idpsim.FieldEmail:      {u.Email},
		idpsim.FieldGivenName:  {u.GivenName},
		idpsim.FieldFamilyName: {u.FamilyName},
		idpsim.FieldGroups:     {u.Groups},
		idpsim.FieldOutcome:    {string(outcome)},
	})
	return c.followAutoPost(res)
}

// followAutoPost posts the simulator's SAML auto-post form, if res is one.
func (c *client) followAutoPost(res *response) *response {
	c.t.Helper()
	if !strings.Contains(res.Body, `name="SAMLResponse"`) {
		return res
	}
	m := formRE.FindStringSubmatch(res.Body)
	if m == nil {
		c.t.Fatalf("no form on the auto-post page:\n%s", res.Body)
	}
	form := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	return c.post(html.UnescapeString(m[1]), form)
}

// signIn goes through the app's email-first form with the simulator user
// and, when the organization offers several connections, picks the one
// named choose.
func (c *client) signIn(u simUser, choose string) *response {
	c.t.Helper()
	res := c.post("/signin", url.Values{"email": {u.Email}})
	if strings.Contains(res.Body, "Choose how to sign in") {
		res = c.get(choiceURL(c.t, res.Body, choose))
	}
	return c.simulatorLogin(res, u)
}

var choiceRE = regexp.MustCompile(`<a class="button" href="([^"]+)">Sign in with ([^<]+)</a>`)

// choiceURL returns the link of the chooser page for the connection named
// name.
func choiceURL(t testing.TB, body, name string) string {
	t.Helper()
	for _, m := range choiceRE.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[2]) == name {
			return html.UnescapeString(m[1])
		}
	}
	t.Fatalf("no choice %q on the page:\n%s", name, body)
	return ""
}

func wantContains(t testing.TB, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("page does not contain %q:\n%s", s, body)
		}
	}
}
