package idpsim_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// relyingParty is an OpenID client built with go-oidc and x/oauth2, as an
// application would build it.
type relyingParty struct {
	provider *oidc.Provider
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newRelyingParty(t *testing.T, e *testEnv, style oauth2.AuthStyle) *relyingParty {
	t.Helper()
	provider, err := oidc.NewProvider(context.Background(), e.sim.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = style
	return &relyingParty{
		provider: provider,
		conf: oauth2.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			Endpoint:     endpoint,
			RedirectURL:  redirectURI,
			Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: clientID}),
	}
}

// authorize runs the browser part of a code flow and returns the query of
// the redirect back to the application.
func (rp *relyingParty) authorize(t *testing.T, e *testEnv, u user, opts ...oauth2.AuthCodeOption) url.Values {
	t.Helper()
	resp, body := e.signIn(t, rp.conf.AuthCodeURL("state-123", opts...), u)
	return redirectQuery(t, resp, body, redirectURI)
}

// redirectQuery checks that resp redirects to a URL starting with prefix and
// returns its query.
func redirectQuery(t *testing.T, resp *http.Response, body, prefix string) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want a redirect; body:\n%s", resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, prefix+"?") {
		t.Fatalf("redirect to %q, want %s?…", loc, prefix)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestOIDCCodeFlow(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{
		{"client_secret_basic", oauth2.AuthStyleInHeader},
		{"client_secret_post", oauth2.AuthStyleInParams},
	} {
		t.Run(style.name, func(t *testing.T) {
			ctx := context.Background()
			rp := newRelyingParty(t, e, style.style)
			verifier := oauth2.GenerateVerifier()
			q := rp.authorize(t, e, alice, oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-456"))
			if q.Get("state") != "state-123" || q.Get("iss") != e.sim.Issuer() || q.Get("code") == "" {
				t.Fatalf("callback query = %v, want code, state and iss", q)
			}
			tok, err := rp.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			raw, _ := tok.Extra("id_token").(string)
			idt, err := rp.verifier.Verify(ctx, raw)
			if err != nil {
				t.Fatalf("verify ID token: %v", err)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			var claims struct {
				Azp           string   `json:"azp"`
				Nonce         string   `json:"nonce"`
				Email         string   `json:"email"`
				EmailVerified bool     `json:"email_verified"`
				GivenName     string   `json:"given_name"`
				FamilyName    string   `json:"family_name"`
				Name          string   `json:"name"`
				Groups        []string `json:"groups"`
			}
			if err := idt.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if claims.Azp != clientID || claims.Nonce != "nonce-456" || claims.Email != "alice@example.com" || !claims.EmailVerified ||
				claims.GivenName != "Alice" || claims.FamilyName != "Liddell" || claims.Name != "Alice Liddell" ||
				!slices.Equal(claims.Groups, []string{"Engineering", "Admins"}) {
				t.Errorf("ID token claims = %+v", claims)
			}
			if idt.Issuer != e.sim.Issuer() || idt.Subject == "" || idt.Subject == claims.Email {
				t.Errorf("iss = %q, sub = %q: want the issuer and an opaque subject", idt.Issuer, idt.Subject)
			}

			ui, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var uiClaims struct {
				Groups []string `json:"groups"`
				Name   string   `json:"name"`
			}
			if err := ui.Claims(&uiClaims); err != nil {
				t.Fatal(err)
			}
			if ui.Subject != idt.Subject || ui.Email != "alice@example.com" || !ui.EmailVerified ||
				uiClaims.Name != "Alice Liddell" || len(uiClaims.Groups) != 2 {
				t.Errorf("userinfo = %+v %+v", ui, uiClaims)
			}
		})
	}
}

func TestOIDCSubjectIsStablePerEmail(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	rp := newRelyingParty(t, e, oauth2.AuthStyleInHeader)
	subject := func(email string) string {
		v := oauth2.GenerateVerifier()
		u := alice
		u.email = email
		q := rp.authorize(t, e, u, oauth2.S256ChallengeOption(v))
		tok, err := rp.conf.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		idt, err := rp.verifier.Verify(context.Background(), tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		return idt.Subject
	}
	a1, a2, b := subject("alice@example.com"), subject("ALICE@example.com"), subject("bob@example.com")
	if a1 != a2 || a1 == b {
		t.Errorf("subjects alice=%q ALICE=%q bob=%q: want one per email, case-insensitive", a1, a2, b)
	}
}

func TestOIDCDiscovery(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	resp, body := e.get(t, e.sim.Issuer()+"/.well-known/openid-configuration")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	base := e.sim.Issuer()
	want := map[string]any{
		"issuer":                 base,
		"authorization_endpoint": base + "/authorize",
		"token_endpoint":         base + "/token",
		"userinfo_endpoint":      base + "/userinfo",
		"jwks_uri":               base + "/jwks",
		"end_session_endpoint":   base + "/end_session",
		"authorization_response_iss_parameter_supported": true,
		"code_challenge_methods_supported":               []any{"S256"},
		"id_token_signing_alg_values_supported":          []any{"RS256"},
		"token_endpoint_auth_methods_supported":          []any{"client_secret_basic", "client_secret_post"},
	}
	for k, v := range want {
		got, _ := json.Marshal(doc[k])
		exp, _ := json.Marshal(v)
		if string(got) != string(exp) {
			t.Errorf("%s = %s, want %s", k, got, exp)
		}
	}
	if resp.Header.Get(idpsim.HeaderName) != "development-only" {
		t.Errorf("%s header = %q", idpsim.HeaderName, resp.Header.Get(idpsim.HeaderName))
	}

	resp, body = e.get(t, base+"/jwks")
	var set struct {
		Keys []struct{ Kty, Alg, Use, Kid, N, E string } `json:"keys"`
	}
	if err := json.Unmarshal([]byte(body), &set); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("jwks: %d %v", resp.StatusCode, err)
	}
	if len(set.Keys) != 1 || set.Keys[0].Kty != "RSA" || set.Keys[0].Alg != "RS256" || set.Keys[0].Kid == "" {
		t.Errorf("jwks = %+v", set)
	}
	n, err := base64.RawURLEncoding.DecodeString(set.Keys[0].N)
	if err != nil || string(n) != string(e.sim.PublicKey().N.Bytes()) {
		t.Errorf("jwks modulus is not the simulator's public key")
	}
}

func TestOIDCAuthorizeRefusals(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	good := func() url.Values {
		return url.Values{
			"client_id":             {clientID},
			"redirect_uri":          {redirectURI},
			"response_type":         {"code"},
			"scope":                 {"openid email"},
			"state":                 {"st"},
			"code_challenge":        {challenge},
			"code_challenge_method": {"S256"},
		}
	}
	// Requests the simulator must refuse on its own page: the redirect URI
	// cannot be trusted.
	for _, tc := range []struct {
		name   string
		mutate func(url.Values)
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") }},
		{"unregistered redirect_uri", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }},
		{"redirect_uri with extra path", func(v url.Values) { v.Set("redirect_uri", redirectURI+"/x") }},
		{"redirect_uri with extra query", func(v url.Values) { v.Set("redirect_uri", redirectURI+"?a=b") }},
		{"redirect_uri differs in case", func(v url.Values) { v.Set("redirect_uri", strings.ToUpper(redirectURI)) }},
		{"missing redirect_uri", func(v url.Values) { v.Del("redirect_uri") }},
		{"two redirect_uris", func(v url.Values) { v.Add("redirect_uri", redirectURI) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := good()
			tc.mutate(q)
			resp, body := e.get(t, e.sim.Issuer()+"/authorize?"+q.Encode())
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("status %d location %q, want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
			if !strings.Contains(body, idpsim.Banner) || !strings.Contains(body, "Request refused") {
				t.Errorf("error page lacks banner or heading:\n%s", body)
			}
		})
	}
	// Requests refused with an error sent back to the registered redirect URI.
	for _, tc := range []struct {
		name   string
		mutate func(url.Values)
		code   string
	}{
		{"no PKCE", func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, "invalid_request"},
		{"PKCE plain", func(v url.Values) { v.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"PKCE method missing", func(v url.Values) { v.Del("code_challenge_method") }, "invalid_request"},
		{"malformed challenge", func(v url.Values) { v.Set("code_challenge", "short") }, "invalid_request"},
		{"implicit flow", func(v url.Values) { v.Set("response_type", "id_token") }, "unsupported_response_type"},
		{"no openid scope", func(v url.Values) { v.Set("scope", "email") }, "invalid_scope"},
		{"prompt none", func(v url.Values) { v.Set("prompt", "none") }, "login_required"},
		{"fragment response mode", func(v url.Values) { v.Set("response_mode", "fragment") }, "invalid_request"},
		{"request object", func(v url.Values) { v.Set("request", "eyJ") }, "request_not_supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := good()
			tc.mutate(q)
			resp, body := e.get(t, e.sim.Issuer()+"/authorize?"+q.Encode())
			got := redirectQuery(t, resp, body, redirectURI)
			if got.Get("error") != tc.code || got.Get("state") != "st" || got.Get("iss") != e.sim.Issuer() || got.Get("code") != "" {
				t.Errorf("redirect query = %v, want error=%s with state and iss", got, tc.code)
			}
		})
	}
	t.Run("POST authorization request", func(t *testing.T) {
		resp, body := e.postForm(t, e.sim.Issuer()+"/authorize", good())
		loginForm(t, resp, body)
	})
	t.Run("login_hint prefills the email", func(t *testing.T) {
		q := good()
		q.Set("login_hint", "carol@example.org")
		_, body := e.get(t, e.sim.Issuer()+"/authorize?"+q.Encode())
		if !strings.Contains(body, `value="carol@example.org"`) {
			t.Errorf("login page does not prefill the hint:\n%s", body)
		}
	})
}

// tokenErrorCode returns the OAuth error code of a token endpoint error.
func tokenErrorCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

func TestOIDCTokenRefusals(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	ctx := context.Background()
	rp := newRelyingParty(t, e, oauth2.AuthStyleInHeader)
	codeFor := func(t *testing.T, verifier string) string {
		q := rp.authorize(t, e, alice, oauth2.S256ChallengeOption(verifier))
		return q.Get("code")
	}

	t.Run("wrong verifier", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		_, err := rp.conf.Exchange(ctx, codeFor(t, v), oauth2.VerifierOption(oauth2.GenerateVerifier()))
		if tokenErrorCode(err) != "invalid_grant" {
			t.Errorf("err = %v, want invalid_grant", err)
		}
	})
	t.Run("missing verifier", func(t *testing.T) {
		_, err := rp.conf.Exchange(ctx, codeFor(t, oauth2.GenerateVerifier()))
		if tokenErrorCode(err) != "invalid_grant" {
			t.Errorf("err = %v, want invalid_grant", err)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code := codeFor(t, v)
		bad := rp.conf
		bad.ClientSecret = "wrong"
		_, err := bad.Exchange(ctx, code, oauth2.VerifierOption(v))
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized {
			t.Fatalf("err = %v, want invalid_client 401", err)
		}
		// A failed client authentication does not burn the code.
		if _, err := rp.conf.Exchange(ctx, code, oauth2.VerifierOption(v)); err != nil {
			t.Errorf("exchange with the right secret after a wrong one: %v", err)
		}
	})
	t.Run("unknown client", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		bad := rp.conf
		bad.ClientID = "nobody"
		_, err := bad.Exchange(ctx, codeFor(t, v), oauth2.VerifierOption(v))
		if tokenErrorCode(err) != "invalid_client" {
			t.Errorf("err = %v, want invalid_client", err)
		}
	})
	t.Run("other redirect_uri", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		bad := rp.conf
		bad.RedirectURL = "http://127.0.0.1:9999/other"
		_, err := bad.Exchange(ctx, codeFor(t, v), oauth2.VerifierOption(v))
		if tokenErrorCode(err) != "invalid_grant" {
			t.Errorf("err = %v, want invalid_grant", err)
		}
	})
	t.Run("code replay revokes the access token", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code := codeFor(t, v)
		tok, err := rp.conf.Exchange(ctx, code, oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("userinfo before replay: %v", err)
		}
		_, err = rp.conf.Exchange(ctx, code, oauth2.VerifierOption(v))
		if tokenErrorCode(err) != "invalid_grant" {
			t.Fatalf("replay err = %v, want invalid_grant", err)
		}
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Errorf("userinfo accepted the access token of a replayed code")
		}
	})
	t.Run("unknown code", func(t *testing.T) {
		_, err := rp.conf.Exchange(ctx, "not-a-code", oauth2.VerifierOption(oauth2.GenerateVerifier()))
		if tokenErrorCode(err) != "invalid_grant" {
			t.Errorf("err = %v, want invalid_grant", err)
		}
	})
	t.Run("other grant type", func(t *testing.T) {
		resp, body := e.postForm(t, e.sim.Issuer()+"/token", url.Values{
			"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"unsupported_grant_type"`) {
			t.Errorf("status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("userinfo without token", func(t *testing.T) {
		resp, _ := e.get(t, e.sim.Issuer()+"/userinfo")
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	})
}

func TestOIDCOutcomes(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	ctx := context.Background()
	rp := newRelyingParty(t, e, oauth2.AuthStyleInHeader)

	t.Run("refuse", func(t *testing.T) {
		u := alice
		u.outcome = idpsim.OutcomeRefuse
		q := rp.authorize(t, e, u, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
		if q.Get("error") != "access_denied" || q.Get("error_description") == "" || q.Get("state") != "state-123" ||
			q.Get("iss") != e.sim.Issuer() || q.Has("code") {
			t.Errorf("callback query = %v, want access_denied with description, state and iss", q)
		}
	})

	for _, tc := range []struct {
		outcome idpsim.Outcome
		check   func(t *testing.T, raw string, err error)
	}{
		{idpsim.OutcomeExpired, func(t *testing.T, raw string, err error) {
			var expired *oidc.TokenExpiredError
			if !errors.As(err, &expired) {
				t.Errorf("verify err = %v, want *oidc.TokenExpiredError", err)
			}
		}},
		{idpsim.OutcomeWrongAudience, func(t *testing.T, raw string, err error) {
			if err == nil || !strings.Contains(err.Error(), "audience") {
				t.Errorf("verify err = %v, want an audience error", err)
			}
			if aud := claim(t, raw, "aud"); aud != idpsim.WrongAudience {
				t.Errorf("aud = %v, want %q", aud, idpsim.WrongAudience)
			}
		}},
		{idpsim.OutcomeUnsigned, func(t *testing.T, raw string, err error) {
			if err == nil {
				t.Errorf("go-oidc accepted an alg none token")
			}
			header, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
			if !strings.Contains(string(header), `"alg":"none"`) || !strings.HasSuffix(raw, ".") {
				t.Errorf("token %q is not an unsecured JWT", raw)
			}
		}},
	} {
		t.Run(string(tc.outcome), func(t *testing.T) {
			v := oauth2.GenerateVerifier()
			u := alice
			u.outcome = tc.outcome
			q := rp.authorize(t, e, u, oauth2.S256ChallengeOption(v))
			tok, err := rp.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			raw := tok.Extra("id_token").(string)
			_, err = rp.verifier.Verify(ctx, raw)
			tc.check(t, raw, err)
		})
	}
}

// claim decodes one claim of a JWT without verifying it.
func claim(t *testing.T, raw, name string) any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}

func TestOIDCEndSession(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	ctx := context.Background()
	rp := newRelyingParty(t, e, oauth2.AuthStyleInHeader)
	v := oauth2.GenerateVerifier()
	q := rp.authorize(t, e, alice, oauth2.S256ChallengeOption(v))
	tok, err := rp.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	hint := tok.Extra("id_token").(string)
	endSession := e.sim.Issuer() + "/end_session?"

	t.Run("registered post_logout_redirect_uri", func(t *testing.T) {
		resp, body := e.get(t, endSession+url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {logoutURI}, "state": {"bye"}}.Encode())
		if got := redirectQuery(t, resp, body, logoutURI); got.Get("state") != "bye" {
			t.Errorf("state = %q", got.Get("state"))
		}
	})
	t.Run("client_id instead of hint", func(t *testing.T) {
		resp, _ := e.get(t, endSession+url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {logoutURI}}.Encode())
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != logoutURI {
			t.Errorf("status %d location %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), logoutURI)
		}
	})
	t.Run("no redirect shows the signed-out page", func(t *testing.T) {
		resp, body := e.get(t, endSession+url.Values{"id_token_hint": {hint}}.Encode())
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Signed out") || !strings.Contains(body, idpsim.Banner) {
			t.Errorf("status %d body:\n%s", resp.StatusCode, body)
		}
	})
	for _, tc := range []struct {
		name   string
		params url.Values
	}{
		{"unregistered post_logout_redirect_uri", url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://evil.example/"}}},
		{"redirect without client", url.Values{"post_logout_redirect_uri": {logoutURI}}},
		{"forged hint", url.Values{"id_token_hint": {hint[:len(hint)-4] + "AAAA"}, "post_logout_redirect_uri": {logoutURI}}},
		{"hint for another client_id", url.Values{"id_token_hint": {hint}, "client_id": {"other"}, "post_logout_redirect_uri": {logoutURI}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := e.get(t, endSession+tc.params.Encode())
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Errorf("status %d location %q, want 400 without redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}
