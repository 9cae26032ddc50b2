package idpsim_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// acsRecorder is a stand-in application: it records what the browser posts
// to its ACS and the query of its OpenID redirect URI.
type acsRecorder struct {
	mu       sync.Mutex
	posted   url.Values
	callback url.Values
}

func (a *acsRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch r.URL.Path {
	case "/saml/acs":
		if err := r.ParseForm(); err == nil {
			a.posted = r.PostForm
		}
		_, _ = w.Write([]byte("<!doctype html><title>ACS</title><h1>ACS received a response</h1>"))
	case "/oidc/callback":
		a.callback = r.URL.Query()
		_, _ = w.Write([]byte("<!doctype html><title>Callback</title><h1>Callback reached</h1>"))
	default:
		http.NotFound(w, r)
	}
}

func (a *acsRecorder) snapshot() (posted, callback url.Values) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.posted, a.callback
}

// TestBrowser drives headless Chromium through the login page, proving that
// the pages work in a browser: the form posts same-origin past the CSRF
// guard, and the SAML auto-post form submits itself under the page's
// Content-Security-Policy.
func TestBrowser(t *testing.T) {
	chromium := testenv.Chromium(t)

	app := &acsRecorder{}
	mux := http.NewServeMux()
	mux.Handle("/saml/acs", app)
	mux.Handle("/oidc/callback", app)
	e := newEnv(t, idpsim.Config{Clients: []idpsim.OIDCClient{}})
	origin := strings.TrimSuffix(e.sim.Issuer(), "/idpsim")
	// The simulator's test server serves the application too (same host,
	// so one server is enough); register the application's URLs.
	e.server.Config.Handler.(*http.ServeMux).Handle("/saml/", mux)
	e.server.Config.Handler.(*http.ServeMux).Handle("/oidc/", mux)
	if err := e.sim.AddClient(idpsim.OIDCClient{ID: clientID, Secret: clientSecret, RedirectURIs: []string{origin + "/oidc/callback"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddServiceProvider(idpsim.SAMLServiceProvider{Name: "Acme Notes", EntityID: spEntityID, ACSURL: origin + "/saml/acs", AllowIDPInitiated: true}); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1000, 1200))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browserCtx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(browserCtx); err != nil { // start the browser
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(browserCtx, time.Minute)
	defer cancelTimeout()

	// Screenshots go to t.ArtifactDir (kept with go test -artifacts).
	screenshot := func(t *testing.T, name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(90)(ctx, target)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o644)
		})
	}

	t.Run("IdP-initiated SAML", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.sim.AppsURL())); err != nil {
			t.Fatal(err)
		}
		banner, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".idpsim-banner")))
		if err != nil {
			t.Fatal(err)
		}
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`button[aria-label="Sign in to Acme Notes"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#email`)),
			chromedp.SetValue(chromedp.CSS(`#email`), "bob@example.org"),
			chromedp.SetValue(chromedp.CSS(`#groups`), "Sales, Support"),
			screenshot(t, "saml-login"),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.Search(`//h1[text()="ACS received a response"]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		if banner != idpsim.Banner {
			t.Errorf("banner = %q", banner)
		}
		posted, _ := app.snapshot()
		info, err := serviceProvider(e, spEntityID, origin+"/saml/acs").RetrieveAssertionInfo(posted.Get("SAMLResponse"))
		if err != nil {
			t.Fatalf("response posted by the browser: %v", err)
		}
		if info.NameID != "bob@example.org" || info.Values.GetSize("groups") != 2 {
			t.Errorf("NameID %q, groups %v", info.NameID, info.Values.GetAll("groups"))
		}
	})

	t.Run("OpenID refusal", func(t *testing.T) {
		q := url.Values{"client_id": {clientID}, "redirect_uri": {origin + "/oidc/callback"}, "response_type": {"code"},
			"scope": {"openid"}, "state": {"s1"}, "code_challenge": {strings.Repeat("b", 43)}, "code_challenge_method": {"S256"}}
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.sim.Issuer()+"/authorize?"+q.Encode()),
			chromedp.WaitVisible(chromedp.CSS(`#email`)),
			chromedp.Click(chromedp.CSS(`input[name=outcome][value=refuse]`)),
			screenshot(t, "oidc-login"),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.Search(`//h1[text()="Callback reached"]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		_, cb := app.snapshot()
		if cb.Get("error") != "access_denied" || cb.Get("state") != "s1" || cb.Get("iss") != e.sim.Issuer() {
			t.Errorf("callback query = %v", cb)
		}
	})
}
