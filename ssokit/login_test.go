package ssokit_test

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/oidctest"
)

func TestLoginEndToEnd(t *testing.T) {
	e := newEnv(t)
	b := e.browser()

	authURL := e.start(b, url.Values{"connection_id": {e.conn.ID}, "return_to": {"/reports?id=7"}})
	q := authURL.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		q.Get("client_id") != e.op.ClientID || q.Get("redirect_uri") != e.app.URL+"/sso/oidc/callback" {
		t.Fatalf("authorization request %s", authURL)
	}
	back := e.authorize(b, authURL)
	r := b.get(back.String())
	for h, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("redirect endpoint %s = %q, want %q", h, got, want)
		}
	}
	cb := r.location(t, http.StatusSeeOther)
	if e.users.count(t) != 0 {
		t.Fatal("user written before /auth/callback")
	}
	final := b.get(cb.String())
	if got := final.location(t, http.StatusSeeOther).String(); got != e.app.URL+"/reports?id=7" {
		t.Errorf("landed on %s, want the return path", got)
	}
	if final.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("callback without Referrer-Policy")
	}
	var cleared bool
	for _, c := range final.Cookies() {
		if c.Name == "__Host-gatehouse_sso" && c.MaxAge < 0 {
			cleared = true
		}
	}
	if !cleared {
		t.Error("binding cookie not cleared")
	}
	who := b.get(e.app.URL + "/whoami")
	if who.StatusCode != 200 || !strings.HasSuffix(who.body, e.org.ID+" "+e.conn.ID) {
		t.Fatalf("whoami = %d %q", who.StatusCode, who.body)
	}
	firstUser := strings.Fields(who.body)[0]

	// Second login, another browser: the same user, no second row.
	b2 := e.browser()
	if got := e.login(b2, url.Values{"login_hint": {"ann@acme.example"}}); got.Path != "/" {
		t.Errorf("default return path = %s", got)
	}
	who2 := b2.get(e.app.URL + "/whoami")
	if strings.Fields(who2.body)[0] != firstUser {
		t.Errorf("second login user %q, first %q", who2.body, firstUser)
	}
	if n := e.users.count(t); n != 1 {
		t.Errorf("%d user rows, want 1", n)
	}
	if e.op.Exchanges != 2 {
		t.Errorf("%d code exchanges", e.op.Exchanges)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"login_succeeded"`) || !strings.Contains(logs, `"connection_id":"`+e.conn.ID+`"`) {
		t.Errorf("logs lack login_succeeded: %s", logs)
	}
	if strings.Contains(logs, "eyJ") {
		t.Error("a JWT reached the logs")
	}
}

func TestLoginClientSecretPost(t *testing.T) {
	e := newEnv(t)
	e.op.AuthMethod = "client_secret_post"
	e.conn.OIDC.TokenAuthMethod = "client_secret_post"
	e.must(e.store.UpdateConnection(e.ctx, e.conn))
	e.login(e.browser(), url.Values{"connection_id": {e.conn.ID}})
	if e.users.count(t) != 1 {
		t.Fatal("no user")
	}
}

// TestLoginRejected: every refusal has its typed error and leaves no user
// row and no session.
func TestLoginRejected(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(map[string]any)) func(e *env) {
		return func(e *env) { e.op.Mutate = f }
	}
	tests := []struct {
		name   string
		setup  func(e *env)
		tamper func(e *env, b *browser, back *url.URL) (*browser, *url.URL) // before the redirect endpoint
		code   ssokit.ErrorCode
		reason string
	}{
		{name: "state mismatch", tamper: func(e *env, b *browser, back *url.URL) (*browser, *url.URL) {
			return b, withQuery(back, "state", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		}, code: ssokit.CodeInvalidState},
		{name: "state missing", tamper: func(e *env, b *browser, back *url.URL) (*browser, *url.URL) {
			return b, withQuery(back, "state", "")
		}, code: ssokit.CodeInvalidState},
		{name: "binding cookie missing", tamper: func(e *env, b *browser, back *url.URL) (*browser, *url.URL) {
			return e.browser(), back
		}, code: ssokit.CodeBindingMismatch},
		{name: "binding cookie from another browser", tamper: func(e *env, b *browser, back *url.URL) (*browser, *url.URL) {
			other := e.browser()
			e.start(other, url.Values{"connection_id": {e.conn.ID}})
			return other, back
		}, code: ssokit.CodeBindingMismatch},
		{name: "flow expired", tamper: func(e *env, b *browser, back *url.URL) (*browser, *url.URL) {
			e.clock.Advance(11 * time.Minute)
			return b, back
		}, code: ssokit.CodeFlowExpired},
		{name: "nonce mismatch", setup: mutate(func(c map[string]any) { c["nonce"] = "other" }), code: ssokit.CodeTokenInvalid, reason: "bad_nonce"},
		{name: "nonce missing", setup: mutate(func(c map[string]any) { delete(c, "nonce") }), code: ssokit.CodeTokenInvalid, reason: "bad_nonce"},
		{name: "wrong issuer", setup: mutate(func(c map[string]any) { c["iss"] = "https://evil.example" }), code: ssokit.CodeTokenInvalid, reason: "bad_issuer"},
		{name: "wrong audience", setup: mutate(func(c map[string]any) { c["aud"] = "other-client" }), code: ssokit.CodeTokenInvalid, reason: "bad_audience"},
		{name: "azp mismatch", setup: mutate(func(c map[string]any) { c["azp"] = "other-client" }), code: ssokit.CodeTokenInvalid, reason: "bad_azp"},
		{name: "several audiences without azp", setup: mutate(func(c map[string]any) { c["aud"] = []string{"client-1", "other"} }), code: ssokit.CodeTokenInvalid, reason: "bad_azp"},
		{name: "alg none", setup: func(e *env) { e.op.Sign = oidctest.SignNone }, code: ssokit.CodeTokenInvalid, reason: "bad_algorithm"},
		{name: "HS256 keyed with the RSA public key", setup: func(e *env) { e.op.Sign = oidctest.SignHS256WithPublicKey }, code: ssokit.CodeTokenInvalid, reason: "bad_algorithm"},
		{name: "signed by another key", setup: func(e *env) {
			e.op.Sign = func(p *oidctest.Provider, c map[string]any) string {
				saved := p.Key
				p.Key = otherKey
				defer func() { p.Key = saved }()
				return p.SignRS256(c)
			}
		}, code: ssokit.CodeTokenInvalid, reason: "bad_signature"},
		{name: "expired token", setup: mutate(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }), code: ssokit.CodeTokenInvalid, reason: "expired"},
		{name: "missing sub", setup: mutate(func(c map[string]any) { delete(c, "sub") }), code: ssokit.CodeTokenInvalid, reason: "missing_sub"},
		{name: "missing iat", setup: mutate(func(c map[string]any) { delete(c, "iat") }), code: ssokit.CodeTokenInvalid, reason: "missing_iat"},
		{name: "iat in the future", setup: mutate(func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() }), code: ssokit.CodeTokenInvalid, reason: "not_yet_valid"},
		{name: "RFC 9207 iss mismatch", setup: func(e *env) { e.op.ISSParameter = true },
			tamper: func(e *env, b *browser, back *url.URL) (*browser, *url.URL) {
				return b, withQuery(back, "iss", "https://evil.example")
			}, code: ssokit.CodeTokenInvalid, reason: "bad_iss_parameter"},
		{name: "RFC 9207 iss missing though advertised", setup: func(e *env) { e.op.ISSParameter = true },
			tamper: func(e *env, b *browser, back *url.URL) (*browser, *url.URL) {
				return b, withQuery(back, "iss", "")
			}, code: ssokit.CodeTokenInvalid, reason: "bad_iss_parameter"},
		{name: "IdP error access_denied", setup: func(e *env) { e.op.Deny = "access_denied" }, code: ssokit.CodeAccessDenied},
		{name: "IdP error other", setup: func(e *env) { e.op.Deny = "temporarily_unavailable" }, code: ssokit.CodeIDPError},
		{name: "code tampered", tamper: func(e *env, b *browser, back *url.URL) (*browser, *url.URL) {
			return b, withQuery(back, "code", "forged")
		}, code: ssokit.CodeIDPError},
		{name: "email outside the organization's domains", setup: func(e *env) { e.op.User["email"] = "ann@elsewhere.example" },
			code: ssokit.CodeEmailOutsideDomains},
		{name: "no email", setup: func(e *env) { delete(e.op.User, "email") }, code: ssokit.CodeEmailMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			b := e.browser()
			orig := b
			back := e.authorize(b, e.start(b, url.Values{"connection_id": {e.conn.ID}}))
			if tt.tamper != nil {
				b, back = tt.tamper(e, b, back)
			}
			r := b.get(back.String())
			if r.StatusCode < 400 {
				t.Fatalf("status %d, location %q", r.StatusCode, r.Header.Get("Location"))
			}
			se := e.wantErr(tt.code, tt.reason)
			if r.StatusCode != se.Status() {
				t.Errorf("status %d, error status %d", r.StatusCode, se.Status())
			}
			if strings.Contains(r.body, "denied</b>") || strings.Contains(r.body, "oidc:") {
				t.Errorf("error page shows library or IdP text: %s", r.body)
			}
			if tt.code == ssokit.CodeAccessDenied && (se.IDPError != "access_denied" || se.IDPErrorDescription == "") {
				t.Errorf("IdP error not carried: %+v", se)
			}
			e.nothingWritten(b)
			if orig != b {
				e.nothingWritten(orig)
			}
		})
	}
}

// TestReplay: the state and the internal code are single use.
func TestReplay(t *testing.T) {
	t.Run("state", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		back := e.authorize(b, e.start(b, url.Values{"connection_id": {e.conn.ID}}))
		e.redirect(b, back)
		b.get(back.String())
		e.wantErr(ssokit.CodeInvalidState, "")
		e.nothingWritten(b)
	})
	t.Run("internal code", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		cb := e.redirect(b, e.authorize(b, e.start(b, url.Values{"connection_id": {e.conn.ID}})))
		b.get(cb.String()).location(t, http.StatusSeeOther)
		// The same browser (binding cookie restored) and another one.
		for _, other := range []*browser{b, e.browser()} {
			r := other.get(cb.String())
			if r.StatusCode != http.StatusBadRequest {
				t.Fatalf("replay status %d", r.StatusCode)
			}
			e.wantErr(ssokit.CodeCodeInvalid, "")
		}
		if e.users.count(t) != 1 {
			t.Error("replay wrote a user")
		}
	})
	t.Run("code in another browser", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		cb := e.redirect(b, e.authorize(b, e.start(b, url.Values{"connection_id": {e.conn.ID}})))
		attacker := e.browser()
		attacker.get(cb.String())
		e.wantErr(ssokit.CodeBindingMismatch, "")
		e.nothingWritten(attacker)
		e.nothingWritten(b)
	})
	t.Run("code expired", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		cb := e.redirect(b, e.authorize(b, e.start(b, url.Values{"connection_id": {e.conn.ID}})))
		e.clock.Advance(2 * time.Minute)
		b.get(cb.String())
		e.wantErr(ssokit.CodeCodeInvalid, "")
		e.nothingWritten(b)
	})
}

func TestReturnPathRejected(t *testing.T) {
	e := newEnv(t)
	for _, rt := range []string{"//evil.example", "https://evil.example", `/\evil.example`, "javascript:alert(1)",
		"/ok\r\nSet-Cookie: x=y", "//evil.example/%2e%2e"} {
		t.Run(rt, func(t *testing.T) {
			b := e.browser()
			r := b.get(e.app.URL + "/sso/login?" + url.Values{"connection_id": {e.conn.ID}, "return_to": {rt}}.Encode())
			if r.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, location %q", r.StatusCode, r.Header.Get("Location"))
			}
			e.wantErr(ssokit.CodeReturnURLNotAllowed, "")
			if len(r.Cookies()) != 0 {
				t.Error("a flow was started")
			}
			e.nothingWritten(b)
		})
	}
}

func TestAllowedAbsoluteReturnURL(t *testing.T) {
	e := newEnv(t, func(c *ssokit.Config) { c.AllowedReturnURLs = []string{"https://admin.acme.example/console"} })
	got := e.login(e.browser(), url.Values{"connection_id": {e.conn.ID}, "return_to": {"https://admin.acme.example/console/users"}})
	if got.String() != "https://admin.acme.example/console/users" {
		t.Errorf("landed on %s", got)
	}
}

// TestJITLinkByVerifiedEmail: an existing user (created by password signup)
// is linked only when the email is verified and its domain is verified.
func TestJITLinkByVerifiedEmail(t *testing.T) {
	for _, tt := range []struct {
		name     string
		verified bool
		linked   bool
	}{{"verified email links", true, true}, {"unverified email does not link", false, false}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.users.db.Exec(`INSERT INTO app_users (id, organization_id, email, name) VALUES ('user_pw', $1, 'ann@acme.example', 'Ann')`, e.org.ID)
			e.must(err)
			e.op.User["email_verified"] = tt.verified
			b := e.browser()
			e.login(b, url.Values{"connection_id": {e.conn.ID}})
			who := b.get(e.app.URL + "/whoami").body
			if got := strings.HasPrefix(who, "user_pw "); got != tt.linked {
				t.Errorf("whoami %q, linked = %v", who, got)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	e.login(b, url.Values{"connection_id": {e.conn.ID}})
	// A cross-site POST is refused and the session survives.
	r := b.post(e.app.URL+"/sso/logout", nil, map[string]string{"Sec-Fetch-Site": "cross-site"})
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("cross-site logout status %d", r.StatusCode)
	}
	if b.get(e.app.URL+"/whoami").StatusCode != 200 {
		t.Fatal("cross-site logout ended the session")
	}
	r = b.post(e.app.URL+"/sso/logout", url.Values{"return_to": {"/bye"}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	u := r.location(t, http.StatusSeeOther)
	q := u.Query()
	if !strings.HasPrefix(u.String(), e.op.Issuer+"/logout?") || q.Get("id_token_hint") == "" ||
		q.Get("post_logout_redirect_uri") != e.app.URL+"/bye" {
		t.Errorf("logout redirect %s", u)
	}
	if b.get(e.app.URL+"/whoami").StatusCode != http.StatusUnauthorized {
		t.Error("still signed in after logout")
	}
}

func TestEmailFirstPage(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	r := b.get(e.app.URL + "/sso/login?return_to=/projects")
	if r.StatusCode != 200 {
		t.Fatalf("status %d", r.StatusCode)
	}
	for _, want := range []string{`<html lang="en">`, `<label for="email">`, `autocomplete="email"`, `type="email"`,
		`name="return_to" value="/projects"`, `:focus-visible`, `method="post"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	form := url.Values{"email": {"ann@acme.example"}, "return_to": {"/projects"}}
	cross := b.post(e.app.URL+"/sso/login", form, map[string]string{"Sec-Fetch-Site": "cross-site"})
	if cross.StatusCode != http.StatusBadRequest {
		t.Fatalf("cross-site post: status %d", cross.StatusCode)
	}
	e.wantErr(ssokit.CodeInvalidRequest, "")
	r = b.post(e.app.URL+"/sso/login", form, map[string]string{"Sec-Fetch-Site": "same-origin"})
	authURL := r.location(t, http.StatusFound)
	if authURL.Query().Get("login_hint") != "ann@acme.example" {
		t.Errorf("authorization request %s", authURL)
	}
	cb := e.redirect(b, e.authorize(b, authURL))
	if got := b.get(cb.String()).location(t, http.StatusSeeOther); got.Path != "/projects" {
		t.Errorf("landed on %s", got)
	}
	// An unknown domain is an error, not a fallback.
	b.post(e.app.URL+"/sso/login", url.Values{"email": {"x@unknown.example"}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	e.wantErr(ssokit.CodeDomainNotFound, "")
}

func TestIDPInitiatedLogin(t *testing.T) {
	e := newEnv(t)
	tok, err := e.sso.MintIDPInitiatedLogin(e.ctx, e.conn, "ann@acme.example", "https://evil.example/steal")
	e.must(err)
	b := e.browser()
	authURL := b.get(e.app.URL+"/sso/login?idp_initiated_login="+url.QueryEscape(tok)).location(t, http.StatusFound)
	if !strings.HasPrefix(authURL.String(), e.op.Issuer) || authURL.Query().Get("login_hint") != "ann@acme.example" {
		t.Fatalf("redirect %s", authURL)
	}
	// RelayState pointing off-site was dropped: the login lands on "/".
	cb := e.redirect(b, e.authorize(b, authURL))
	if got := b.get(cb.String()).location(t, http.StatusSeeOther); got.String() != e.app.URL+"/" {
		t.Errorf("landed on %s", got)
	}
	// Single use.
	e.browser().get(e.app.URL + "/sso/login?idp_initiated_login=" + url.QueryEscape(tok))
	e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonReplayed)
	// Expired.
	tok2, err := e.sso.MintIDPInitiatedLogin(e.ctx, e.conn, "", "/x")
	e.must(err)
	e.clock.Advance(3 * time.Minute)
	e.browser().get(e.app.URL + "/sso/login?idp_initiated_login=" + url.QueryEscape(tok2))
	e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonExpired)
	// A kit ID token is not an idp_initiated_login token.
	idt, err := e.sso.IssueToken(e.ctx, &ssokit.Session{UserID: "u", ConnectionID: e.conn.ID}, nil)
	e.must(err)
	e.browser().get(e.app.URL + "/sso/login?idp_initiated_login=" + url.QueryEscape(idt))
	e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonMalformed)
}
