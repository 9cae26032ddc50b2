package ssokit_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// TestSAMLForceAuthnRequiresFreshAuthnInstant: a login that asked the IdP
// for ForceAuthn accepts only an assertion whose AuthnInstant is no earlier
// than the login's start minus the clock skew (2 minutes by default); an
// IdP that reuses an older session is refused and nobody is signed in. A
// login that did not ask keeps accepting an old AuthnInstant.
func TestSAMLForceAuthnRequiresFreshAuthnInstant(t *testing.T) {
	cases := []struct {
		name      string
		query     url.Values
		authnAge  time.Duration // how long before the login started the user authenticated
		wantForce bool
		accepted  bool
	}{
		{name: "prompt=login, old session reused", query: url.Values{"prompt": {"login"}}, authnAge: 3 * time.Hour, wantForce: true},
		{name: "force_authn=1, just beyond the skew", query: url.Values{"force_authn": {"1"}}, authnAge: 2*time.Minute + time.Second, wantForce: true},
		{name: "prompt=login, fresh", query: url.Values{"prompt": {"login"}}, authnAge: -10 * time.Second, wantForce: true, accepted: true},
		{name: "force_authn=1, within the skew", query: url.Values{"force_authn": {"1"}}, authnAge: time.Minute, wantForce: true, accepted: true},
		{name: "no forced re-authentication, old session", authnAge: 3 * time.Hour, accepted: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
			conn := e.samlConnection(idp)
			b := e.newBrowser()
			started := e.clock.Now()
			ar := e.samlStart(b, conn, tc.query)
			if ar.ForceAuthn != tc.wantForce {
				t.Fatalf("AuthnRequest ForceAuthn = %v, want %v", ar.ForceAuthn, tc.wantForce)
			}
			e.clock.Advance(20 * time.Second) // the user signs in at the IdP
			r := e.samlResponse(idp, conn, ar.ID)
			r.AuthnInstant = started.Add(-tc.authnAge)
			acs := e.postACS(b, conn, build(t, r, idp.key), "")
			if !tc.accepted {
				if acs.StatusCode != http.StatusUnauthorized {
					t.Fatalf("ACS status %d, want 401", acs.StatusCode)
				}
				se := e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonStaleAuthentication)
				if se.ConnectionID != conn.ID || se.OrganizationID != e.org.ID {
					t.Errorf("error names connection %q organization %q", se.ConnectionID, se.OrganizationID)
				}
				e.nothingWritten(b)
				return
			}
			e.finishSAML(b, acs)
			if got := e.whoami(b); !strings.HasSuffix(got, " "+e.org.ID+" "+conn.ID) {
				t.Fatalf("whoami = %q", got)
			}
		})
	}
}

// TestOIDCPromptLoginRequiresFreshAuthTime: /login?prompt=login sends
// prompt=login and max_age=0, which makes auth_time required in the ID
// token; the redirect endpoint refuses a missing auth_time, or one earlier
// than the login's start minus the clock skew, and signs nobody in. A
// login without prompt=login sends neither and accepts an old auth_time.
func TestOIDCPromptLoginRequiresFreshAuthTime(t *testing.T) {
	cases := []struct {
		name     string
		prompt   bool
		authTime func(started time.Time) any // nil: the claim is left out
		accepted bool
	}{
		{name: "prompt=login, old auth_time", prompt: true, authTime: func(s time.Time) any { return s.Add(-3 * time.Hour).Unix() }},
		{name: "prompt=login, just beyond the skew", prompt: true, authTime: func(s time.Time) any { return s.Add(-2*time.Minute - time.Second).Unix() }},
		{name: "prompt=login, auth_time missing", prompt: true},
		{name: "prompt=login, fresh auth_time", prompt: true, authTime: func(s time.Time) any { return s.Add(10 * time.Second).Unix() }, accepted: true},
		{name: "no prompt, old auth_time", authTime: func(s time.Time) any { return s.Add(-3 * time.Hour).Unix() }, accepted: true},
		{name: "no prompt, auth_time missing", accepted: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			started := e.clock.Now()
			e.op.Mutate = func(claims map[string]any) {
				if tc.authTime == nil {
					delete(claims, "auth_time")
				} else {
					claims["auth_time"] = tc.authTime(started)
				}
			}
			q := url.Values{"organization_id": {e.org.ID}, "return_to": {"/home"}}
			if tc.prompt {
				q.Set("prompt", "login")
			}
			b := e.browser()
			authURL := e.start(b, q)
			wantPrompt, wantMaxAge := "", ""
			if tc.prompt {
				wantPrompt, wantMaxAge = "login", "0"
			}
			if got := authURL.Query(); got.Get("prompt") != wantPrompt || got.Get("max_age") != wantMaxAge {
				t.Fatalf("authorization request prompt=%q max_age=%q, want %q %q", got.Get("prompt"), got.Get("max_age"), wantPrompt, wantMaxAge)
			}
			e.clock.Advance(20 * time.Second)
			back := e.authorize(b, authURL)
			if !tc.accepted {
				if r := b.get(back.String()); r.StatusCode != http.StatusUnauthorized {
					t.Fatalf("redirect endpoint status %d, want 401", r.StatusCode)
				}
				se := e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonStaleAuthentication)
				if se.ConnectionID != e.conn.ID || se.OrganizationID != e.org.ID {
					t.Errorf("error names connection %q organization %q", se.ConnectionID, se.OrganizationID)
				}
				e.nothingWritten(b)
				return
			}
			final := b.get(e.redirect(b, back).String()).location(t, http.StatusSeeOther)
			if final.Path != "/home" {
				t.Fatalf("landed on %s", final)
			}
			if got := e.whoami(b); !strings.HasSuffix(got, " "+e.org.ID+" "+e.conn.ID) {
				t.Fatalf("whoami = %q", got)
			}
		})
	}
}
