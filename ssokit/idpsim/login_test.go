package idpsim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// authorizeURL is a valid authorization request for the test client.
func authorizeURL(e *testEnv, verifier string) string {
	return e.sim.Issuer() + "/authorize?" + url.Values{
		"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid email"},
		"state": {"st"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
	}.Encode()
}

func TestLoginPage(t *testing.T) {
	e := newEnv(t, idpsim.Config{DefaultEmail: "dev@example.org", DefaultGivenName: "Dev", DefaultFamilyName: "Eloper", DefaultGroups: []string{"QA"}})
	resp, body := e.get(t, authorizeURL(e, oauth2.GenerateVerifier()))
	loginForm(t, resp, body)
	for _, want := range []string{
		`<html lang="en">`,
		`<p class="idpsim-banner" role="note">` + idpsim.Banner + `</p>`,
		`<label for="email">Email</label>`,
		`id="email" name="email" value="dev@example.org" autocomplete="email"`,
		`id="given_name" name="given_name" value="Dev" autocomplete="given-name"`,
		`id="family_name" name="family_name" value="Eloper" autocomplete="family-name"`,
		`id="groups" name="groups" value="QA"`,
		`<legend>Outcome</legend>`,
		`:focus-visible`,
		`value="success" checked`,
		`value="refuse"`, `value="expired"`, `value="wrong_audience"`, `value="unsigned"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Errorf("login page needs JavaScript")
	}
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
		idpsim.HeaderName:         "development-only",
	} {
		if !strings.Contains(resp.Header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, resp.Header.Get(h), want)
		}
	}

	_, body = e.get(t, e.sim.Issuer()+"/")
	if !strings.Contains(body, idpsim.Banner) || !strings.Contains(body, e.sim.MetadataURL()) {
		t.Errorf("index page lacks the banner or the metadata link")
	}
}

func TestLoginFormValidation(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	resp, body := e.get(t, authorizeURL(e, oauth2.GenerateVerifier()))
	action, request := loginForm(t, resp, body)

	for _, tc := range []struct {
		name  string
		edit  func(url.Values)
		field string
	}{
		{"empty email", func(v url.Values) { v.Set(idpsim.FieldEmail, "") }, "email"},
		{"email without domain", func(v url.Values) { v.Set(idpsim.FieldEmail, "alice@") }, "email"},
		{"long first name", func(v url.Values) { v.Set(idpsim.FieldGivenName, strings.Repeat("x", 300)) }, "given_name"},
		{"unknown outcome", func(v url.Values) { v.Set(idpsim.FieldOutcome, "maybe") }, "outcome"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := alice.form(request)
			tc.edit(form)
			resp, body := e.postForm(t, action, form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `id="`+tc.field+`-error"`) {
				t.Errorf("page does not point at %s:\n%s", tc.field, body)
			}
			if !strings.Contains(body, `name="request" value="`+request+`"`) {
				t.Errorf("the pending request is lost")
			}
		})
	}
	// The request survives failed submissions and is answered once.
	resp, body = e.postForm(t, action, alice.form(request))
	redirectQuery(t, resp, body, redirectURI)
	resp, body = e.postForm(t, action, alice.form(request))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already answered") {
		t.Errorf("second answer: status %d", resp.StatusCode)
	}
}

func TestLoginFormRefusesCrossOriginPosts(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	resp, body := e.get(t, authorizeURL(e, oauth2.GenerateVerifier()))
	action, request := loginForm(t, resp, body)
	for _, tc := range []struct {
		name    string
		headers map[string]string
	}{
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign Origin", map[string]string{"Origin": "https://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, action, strings.NewReader(alice.form(request).Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := e.browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
		})
	}
	t.Run("same origin is accepted", func(t *testing.T) {
		u, _ := url.Parse(action)
		req, _ := http.NewRequest(http.MethodPost, action, strings.NewReader(alice.form(request).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", u.Scheme+"://"+u.Host)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := e.browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		redirectQuery(t, resp, body, redirectURI)
	})
}

func TestExpiry(t *testing.T) {
	clk := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	e := newEnv(t, idpsim.Config{Now: clk.Now})

	t.Run("login page after 30 minutes", func(t *testing.T) {
		resp, body := e.get(t, authorizeURL(e, oauth2.GenerateVerifier()))
		action, request := loginForm(t, resp, body)
		clk.Advance(31 * time.Minute)
		resp, _ = e.postForm(t, action, alice.form(request))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
	t.Run("code after a minute", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		resp, body := e.signIn(t, authorizeURL(e, verifier), alice)
		code := redirectQuery(t, resp, body, redirectURI).Get("code")
		clk.Advance(61 * time.Second)
		resp, body = e.postForm(t, e.sim.Issuer()+"/token", url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
			"code_verifier": {verifier}, "client_id": {clientID}, "client_secret": {clientSecret},
		})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"invalid_grant"`) {
			t.Errorf("status %d body %s, want invalid_grant", resp.StatusCode, body)
		}
	})
	t.Run("ID token times follow the clock", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		resp, body := e.signIn(t, authorizeURL(e, verifier), alice)
		code := redirectQuery(t, resp, body, redirectURI).Get("code")
		resp, body = e.postForm(t, e.sim.Issuer()+"/token", url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
			"code_verifier": {verifier}, "client_id": {clientID}, "client_secret": {clientSecret},
		})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d body %s", resp.StatusCode, body)
		}
		idToken := strings.Split(strings.Split(body, `"id_token":"`)[1], `"`)[0]
		if iat := claim(t, idToken, "iat").(float64); int64(iat) != clk.Now().Unix() {
			t.Errorf("iat = %v, want %d", iat, clk.Now().Unix())
		}
		if exp := claim(t, idToken, "exp").(float64); int64(exp) != clk.Now().Add(time.Hour).Unix() {
			t.Errorf("exp = %v, want an hour later", exp)
		}
	})
}
