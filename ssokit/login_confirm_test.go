package ssokit_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// getFrom GETs u as a navigation whose Sec-Fetch-Site is site ("" for
// none, as older browsers send).
func (b *browser) getFrom(u, site string) *response {
	b.t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	return b.do(req)
}

// TestCrossSiteLoginNeedsConfirmation: a link from another site to /login
// does not send a signed-in browser straight to the identity provider
// (login CSRF: an attacker's auto-approving IdP would replace the victim's
// session with the attacker's account). The kit shows a confirmation page
// whose POST the cross-origin protection refuses from other sites; the
// user's click continues the login. Browsers without a session, same-site
// navigations and idp_initiated_login are unchanged.
func TestCrossSiteLoginNeedsConfirmation(t *testing.T) {
	e := newEnv(t)
	loginURL := e.app.URL + "/sso/login?connection_id=" + e.conn.ID + "&return_to=%2Freports"

	// Not signed in: straight to the IdP, as before.
	fresh := e.browser()
	if u := fresh.getFrom(loginURL, "cross-site").location(t, http.StatusFound); !strings.HasPrefix(u.String(), e.op.Issuer+"/authorize") {
		t.Fatalf("no session: redirected to %s", u)
	}

	b := e.browser()
	e.login(b, url.Values{"connection_id": {e.conn.ID}})
	before := b.get(e.app.URL + "/whoami").body

	// Signed in, same site or no header: straight to the IdP.
	for _, site := range []string{"same-origin", "same-site", "none", ""} {
		if u := b.getFrom(loginURL, site).location(t, http.StatusFound); !strings.HasPrefix(u.String(), e.op.Issuer+"/authorize") {
			t.Fatalf("Sec-Fetch-Site %q: redirected to %s", site, u)
		}
	}

	// Signed in, cross-site: the confirmation page, no flow started.
	r := b.getFrom(loginURL, "cross-site")
	if r.StatusCode != http.StatusOK || r.Header.Get("Location") != "" {
		t.Fatalf("cross-site: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	for _, want := range []string{"Continue to sign in with Okta", `method="post"`,
		`name="connection_id" value="` + e.conn.ID + `"`, `name="return_to" value="/reports"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("confirmation page lacks %s", want)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("confirmation headers: CSP %q, Cache-Control %q", csp, r.Header.Get("Cache-Control"))
	}
	if got := b.get(e.app.URL + "/whoami").body; got != before {
		t.Fatalf("session changed by the cross-site GET: %q", got)
	}

	// The attacker's page cannot press the button for the user.
	form := url.Values{"connection_id": {e.conn.ID}, "return_to": {"/reports"}}
	if r := b.post(loginURL, form, map[string]string{"Sec-Fetch-Site": "cross-site"}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("cross-site confirmation post: %d", r.StatusCode)
	}
	e.wantErr(ssokit.CodeInvalidRequest, "")

	// The user's click (same origin) continues to the IdP and completes.
	authURL := b.post(loginURL, form, map[string]string{"Sec-Fetch-Site": "same-origin"}).location(t, http.StatusFound)
	if !strings.HasPrefix(authURL.String(), e.op.Issuer+"/authorize") {
		t.Fatalf("confirmation went to %s", authURL)
	}
	cb := e.redirect(b, e.authorize(b, authURL))
	if got := b.get(cb.String()).location(t, http.StatusSeeOther); got.Path != "/reports" {
		t.Errorf("landed on %s", got)
	}

	// idp_initiated_login is cross-site by nature: no confirmation.
	tok, err := e.sso.MintIDPInitiatedLogin(e.ctx, e.conn, "", "/x")
	e.must(err)
	if u := b.getFrom(e.app.URL+"/sso/login?idp_initiated_login="+url.QueryEscape(tok), "cross-site").location(t, http.StatusFound); !strings.HasPrefix(u.String(), e.op.Issuer+"/authorize") {
		t.Fatalf("idp_initiated_login: redirected to %s", u)
	}
}

// TestLoginConfirmationKeepsPrompt: the confirmation form posts to the
// page's own URL (action=""), so a cross-site link that asked for a fresh
// authentication (prompt=login) still asks for it after the user's click:
// the authorization request carries prompt=login and max_age=0.
func TestLoginConfirmationKeepsPrompt(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	e.login(b, url.Values{"connection_id": {e.conn.ID}})
	loginURL := e.app.URL + "/sso/login?connection_id=" + e.conn.ID + "&prompt=login"

	page := b.getFrom(loginURL, "cross-site")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `<form method="post" action="">`) {
		t.Fatalf("confirmation page: %d, form posting elsewhere:\n%s", page.StatusCode, page.body)
	}
	// A browser resolves action="" to the page's URL, query included.
	form := url.Values{"connection_id": {e.conn.ID}, "return_to": {"/"}}
	authURL := b.post(loginURL, form, map[string]string{"Sec-Fetch-Site": "same-origin"}).location(t, http.StatusFound)
	q := authURL.Query()
	if q.Get("prompt") != "login" || q.Get("max_age") != "0" {
		t.Fatalf("authorization request lost the re-authentication: prompt=%q max_age=%q (%s)", q.Get("prompt"), q.Get("max_age"), authURL)
	}
}
