package ssokit_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// TestSAMLIDPInitiated: on a connection that allows it, an unsolicited
// response is verified and burnt but logs nobody in; it becomes a redirect
// to /login?idp_initiated_login=…, which starts an ordinary SP-initiated
// flow, and only the solicited answer logs the user in. The token works
// once, the response works once, and RelayState is kept only as a relative
// path.
func TestSAMLIDPInitiated(t *testing.T) {
	for _, tc := range []struct {
		name       string
		relayState string
		wantPath   string
	}{
		{"relative RelayState kept", "/reports?q=1", "/reports?q=1"},
		{"no RelayState", "", "/"},
		{"absolute URL dropped", "https://evil.example/", "/"},
		{"scheme-relative URL dropped", "//evil.example/x", "/"},
		{"backslash trick dropped", `/\evil.example`, "/"},
		{"javascript dropped", "javascript:alert(1)", "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
			conn := e.samlConnection(idp, func(c *ssokit.Connection) { c.AllowIDPInitiated = true })
			b := e.newBrowser()
			unsolicited := build(t, e.samlResponse(idp, conn, ""), idp.key)
			restart := e.postACS(b, conn, unsolicited, tc.relayState).location(t, http.StatusSeeOther)
			if restart.Path != "/sso/login" || restart.Query().Get("idp_initiated_login") == "" || len(restart.Query()) != 1 {
				t.Fatalf("ACS redirected to %s", restart)
			}
			if strings.Contains(restart.String(), "evil") {
				t.Fatalf("RelayState leaked into %s", restart)
			}
			e.nothingWritten(b) // the unsolicited response logged nobody in

			// /login starts an SP-initiated flow on the same connection.
			r := b.get(restart.String())
			loc := r.location(t, http.StatusFound)
			if !strings.HasPrefix(loc.String(), idp.p.SSORedirectURL) {
				t.Fatalf("restart went to %s", loc)
			}
			ar := e.samlStart(b, conn, nil) // a second flow, as a user clicking again would
			final := e.finishSAML(b, e.postACS(b, conn, build(t, e.samlResponse(idp, conn, ar.ID), idp.key), ""))
			if final.Path != "/" {
				t.Fatalf("a plain login landed on %s", final)
			}

			// The restart's own flow keeps the RelayState as return path.
			b2 := e.newBrowser()
			unsolicited2 := build(t, e.samlResponse(idp, conn, ""), idp.key)
			restart2 := e.postACS(b2, conn, unsolicited2, tc.relayState).location(t, http.StatusSeeOther)
			req, err := http.NewRequest("GET", b2.get(restart2.String()).location(t, http.StatusFound).String(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ar2 := parseAuthnRequest(t, req)
			final2 := e.finishSAML(b2, e.postACS(b2, conn, build(t, e.samlResponse(idp, conn, ar2.ID), idp.key), ""))
			if final2.RequestURI() != tc.wantPath || final2.Host != restart2.Host {
				t.Fatalf("landed on %s, want %s", final2, tc.wantPath)
			}
			if n := e.users.count(t); n != 1 {
				t.Fatalf("%d users", n)
			}

			// The token is single use.
			if r := b2.get(restart2.String()); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("token reused: %d", r.StatusCode)
			}
			e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonReplayed)
			// So is the unsolicited response.
			if r := e.postACS(e.newBrowser(), conn, unsolicited2, tc.relayState); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("unsolicited response replayed: %d", r.StatusCode)
			}
			e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonReplayed)
		})
	}
}

// TestSAMLIDPInitiatedExpiredToken: the idp_initiated_login token lives two
// minutes.
func TestSAMLIDPInitiatedExpiredToken(t *testing.T) {
	e := newEnv(t)
	idp := &samlIdP{p: loadIDPParams(t, "google"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
	conn := e.samlConnection(idp, func(c *ssokit.Connection) { c.AllowIDPInitiated = true })
	b := e.newBrowser()
	restart := e.postACS(b, conn, build(t, e.samlResponse(idp, conn, ""), idp.key), "").location(t, http.StatusSeeOther)
	e.clock.Advance(3 * time.Minute)
	if r := b.get(restart.String()); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired token: %d", r.StatusCode)
	}
	e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonExpired)
	e.nothingWritten(b)
}
