package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// The acceptance flows in headless Chromium against the app on a real
// listener. Skipped without GATEHOUSE_TEST_CHROMIUM (and failed instead in
// CI, which sets GATEHOUSE_REQUIRE_SERVICES=1). Each flow saves a
// screenshot under test-artifacts/ at the repository root.

// artifactsDir is test-artifacts/ at the repository root (git-ignored).
const artifactsDir = "../test-artifacts"

// browser is one headless Chromium for a test; each flow gets its own
// browser context (separate cookies) from newTab.
type browser struct {
	ctx context.Context
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	chromium := testenv.Chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("starting Chromium: %v", err)
	}
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{ctx: ctx}
}

// newTab returns a tab in a fresh browser context (no cookies), closed at
// the end of the test.
func (b *browser) newTab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

// screenshot saves the page as test-artifacts/<name>.png.
func screenshot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, target) // quality 100 means PNG
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(artifactsDir, name+".png"), png, 0o644)
	})
}

// fillSimulator fills the simulator's login page (which must be loading or
// shown) for u and submits it.
func fillSimulator(u simUser) chromedp.Action[chromedp.Void] {
	outcome := u.Outcome
	if outcome == "" {
		outcome = idpsim.OutcomeSuccess
	}
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		return chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`#given_name`)),
			chromedp.SetValue(chromedp.CSS(`#email`), u.Email),
			chromedp.SetValue(chromedp.CSS(`#given_name`), u.GivenName),
			chromedp.SetValue(chromedp.CSS(`#family_name`), u.FamilyName),
			chromedp.SetValue(chromedp.CSS(`#groups`), u.Groups),
			chromedp.Click(chromedp.CSS(`input[name=outcome][value=`+string(outcome)+`]`)),
			chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		)
	})
}

// emailFirst types the address on the app's landing page and continues;
// when the organization has several connections it picks the one named
// connName on the chooser page.
func (ta *testApp) emailFirst(t *testing.T, email, connName string) chromedp.Action[chromedp.Void] {
	t.Helper()
	conns, err := ta.sso.ListConnectionsByDomain(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(ta.url + "/"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SetValue(chromedp.CSS(`#email`), email),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button`)),
	}
	if len(conns) > 1 {
		steps = append(steps, chromedp.Click(chromedp.Search(`//a[text()="Sign in with `+connName+`"]`)))
	}
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error { return chromedp.Do(ctx, steps...) })
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	ta := newTestApp(t, "")

	// signedIn waits for the dashboard and checks who is on it.
	signedIn := func(t *testing.T, ctx context.Context, u simUser, protocol string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#profile-email`))); err != nil {
			t.Fatalf("dashboard not reached (at %s): %v", location(t, ctx), err)
		}
		if got := text(t, ctx, `#profile-email`); got != u.Email {
			t.Errorf("profile email = %q", got)
		}
		if got := text(t, ctx, `#org-name`); !strings.HasPrefix(got, testOrgName) {
			t.Errorf("organization = %q", got)
		}
		if got := text(t, ctx, `#protocol`); got != protocol {
			t.Errorf("protocol = %q, want %q", got, protocol)
		}
		want := strings.ReplaceAll(u.Groups, ", ", "\n")
		if got := text(t, ctx, `#groups`); got != want {
			t.Errorf("groups = %q, want %q", got, want)
		}
	}

	t.Run("email-first OIDC", func(t *testing.T) {
		ctx := b.newTab(t)
		u := simUser{Email: "grace@example.com", GivenName: "Grace", FamilyName: "Hopper", Groups: "Engineering, Admins"}
		if err := chromedp.Do(ctx, ta.emailFirst(t, u.Email, simOIDCName), chromedp.WaitVisible(chromedp.CSS(`#given_name`)),
			screenshot("browser-oidc-simulator-login"), fillSimulator(u)); err != nil {
			t.Fatal(err)
		}
		signedIn(t, ctx, u, "OpenID Connect")
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS(`#body`), "Hello from Chromium"),
			chromedp.Click(chromedp.Search(`//button[text()="Add note"]`)),
			chromedp.WaitVisible(chromedp.Search(`//ul[@class="notes"]//p[text()="Hello from Chromium"]`)),
			screenshot("browser-oidc-dashboard"),
		); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("RequireSSO returns to the page asked for", func(t *testing.T) {
		ctx := b.newTab(t)
		want := ta.url + "/orgs/org_test/?tab=notes"
		if err := chromedp.Do(ctx, chromedp.Navigate(want), fillSimulator(alice)); err != nil {
			t.Fatal(err)
		}
		signedIn(t, ctx, alice, "OpenID Connect")
		if got := location(t, ctx); got != want {
			t.Errorf("landed on %s, want %s", got, want)
		}
		if err := chromedp.Do(ctx, screenshot("browser-requiresso-return")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("email-first SAML", func(t *testing.T) {
		ctx := b.newTab(t)
		u := simUser{Email: "ada@example.org", GivenName: "Ada", FamilyName: "Lovelace", Groups: "Research"}
		if err := chromedp.Do(ctx, ta.emailFirst(t, u.Email, simSAMLName), chromedp.WaitVisible(chromedp.CSS(`#given_name`)),
			screenshot("browser-saml-simulator-login"), fillSimulator(u)); err != nil {
			t.Fatal(err)
		}
		signedIn(t, ctx, u, "SAML 2.0")
		if err := chromedp.Do(ctx, screenshot("browser-saml-dashboard")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("IdP-initiated SAML from the app list", func(t *testing.T) {
		ctx := b.newTab(t)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(ta.sim.AppsURL()),
			chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Sign in to `+simAppName+`"]`)),
			screenshot("browser-idp-initiated-apps"),
			chromedp.Click(chromedp.CSS(`button[aria-label="Sign in to `+simAppName+`"]`)),
			chromedp.WaitVisible(chromedp.Search(`//p[@class="meta" and starts-with(normalize-space(.), "IdP-initiated SAML 2.0")]`)),
			fillSimulator(alice),
			// The kit converted the unsolicited response into an ordinary
			// login: the simulator asks again, for a solicited request.
			chromedp.WaitVisible(chromedp.Search(`//p[@class="meta" and starts-with(normalize-space(.), "SAML 2.0 request")]`)),
			fillSimulator(alice),
		); err != nil {
			t.Fatalf("at %s: %v", location(t, ctx), err)
		}
		signedIn(t, ctx, alice, "SAML 2.0")
		if err := chromedp.Do(ctx, screenshot("browser-idp-initiated-dashboard")); err != nil {
			t.Fatal(err)
		}
	})

	failures := []struct {
		name       string
		connection string
		outcome    idpsim.Outcome
		code       string
	}{
		{"oidc-refusal", simOIDCName, idpsim.OutcomeRefuse, "access_denied"},
		{"oidc-expired", simOIDCName, idpsim.OutcomeExpired, "token_invalid (expired)"},
		{"saml-refusal", simSAMLName, idpsim.OutcomeRefuse, "access_denied (status)"},
		{"saml-expired", simSAMLName, idpsim.OutcomeExpired, "token_invalid (expired)"},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			ctx := b.newTab(t)
			u := alice
			u.Outcome = f.outcome
			if err := chromedp.Do(ctx, ta.emailFirst(t, u.Email, f.connection), fillSimulator(u),
				chromedp.WaitVisible(chromedp.CSS(`#error-code`)), screenshot("browser-"+f.name)); err != nil {
				t.Fatalf("error page not reached (at %s): %v", location(t, ctx), err)
			}
			if got := text(t, ctx, `h1`); got != "Sign-in failed" {
				t.Errorf("heading = %q", got)
			}
			if got := text(t, ctx, `#error-code`); got != f.code {
				t.Errorf("code = %q, want %q", got, f.code)
			}
		})
	}

	t.Run("logout", func(t *testing.T) {
		ctx := b.newTab(t)
		if err := chromedp.Do(ctx, ta.emailFirst(t, alice.Email, simOIDCName), fillSimulator(alice)); err != nil {
			t.Fatal(err)
		}
		signedIn(t, ctx, alice, "OpenID Connect")
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.Search(`//header//button[text()="Sign out"]`)),
			chromedp.WaitVisible(chromedp.Search(`//h1[text()="You are signed out"]`)),
			screenshot("browser-logout"),
			chromedp.Navigate(ta.url+"/me"),
		); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `body`); !strings.Contains(got, "not signed in") {
			t.Errorf("/me after logout shows %q", got)
		}
	})
}
