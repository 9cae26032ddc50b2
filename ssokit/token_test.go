package ssokit_test

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/oidctest"
	jose "github.com/go-jose/go-jose/v4"
)

func jwks(t *testing.T, e *env) jose.JSONWebKeySet {
	t.Helper()
	r := e.browser().get(e.app.URL + "/sso/.well-known/jwks.json")
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("jwks: %d %s", r.StatusCode, r.body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(r.body), &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.Algorithm != "RS256" {
			t.Fatalf("jwks publishes %+v", k)
		}
	}
	return set
}

func kid(t *testing.T, raw string) string {
	t.Helper()
	h, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var hdr struct{ Kid string }
	json.Unmarshal(h, &hdr)
	return hdr.Kid
}

func TestIssueAndValidateToken(t *testing.T) {
	e := newEnv(t)
	sess := &ssokit.Session{ID: "sid-1", UserID: "user_1", OrganizationID: e.org.ID, ConnectionID: e.conn.ID, AuthTime: e.clock.Now()}
	prof := &ssokit.Profile{Email: "ann@acme.example", EmailVerified: true, GivenName: "Ann", FamilyName: "Lee", Name: "Ann Lee"}
	raw, err := e.sso.IssueToken(e.ctx, sess, prof)
	e.must(err)
	c, err := e.sso.ValidateToken(e.ctx, raw)
	e.must(err)
	base := e.app.URL + "/sso"
	if c.Issuer != base || len(c.Audience) != 1 || c.Audience[0] != base || c.Subject != "user_1" ||
		c.OrganizationID != e.org.ID || c.SessionID != "sid-1" || len(c.AMR) != 1 || c.AMR[0] != e.conn.ID ||
		c.Email != prof.Email || !c.EmailVerified || c.Name != "Ann Lee" || c.ID == "" ||
		!c.ExpiresAt.Equal(e.clock.Now().Add(time.Hour).Truncate(time.Second)) {
		t.Errorf("claims = %+v", c)
	}
	// The JWKS verifies it independently.
	set := jwks(t, e)
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	e.must(err)
	keys := set.Key(kid(t, raw))
	if len(keys) != 1 {
		t.Fatalf("kid %s not in JWKS", kid(t, raw))
	}
	if _, err := jws.Verify(keys[0].Key); err != nil {
		t.Errorf("JWKS key does not verify: %v", err)
	}

	e.clock.Advance(time.Hour + time.Second)
	if _, err := e.sso.ValidateToken(e.ctx, raw); !errors.Is(err, &ssokit.Error{Code: ssokit.CodeTokenInvalid, Reason: ssokit.ReasonExpired}) {
		t.Errorf("expired: %v", err)
	}
}

func TestTokenRotationOverlap(t *testing.T) {
	e := newEnv(t, func(c *ssokit.Config) {
		c.Tokens.RotationPeriod = 24 * time.Hour
		c.Tokens.Overlap = 2 * time.Hour
	})
	sess := &ssokit.Session{UserID: "user_1", OrganizationID: e.org.ID, ConnectionID: e.conn.ID}
	first, err := e.sso.IssueToken(e.ctx, sess, nil)
	e.must(err)
	e.clock.Advance(23*time.Hour + 30*time.Minute)
	old, err := e.sso.IssueToken(e.ctx, sess, nil) // still the first key
	e.must(err)
	if kid(t, old) != kid(t, first) {
		t.Fatal("rotated before the period")
	}
	e.clock.Advance(45 * time.Minute) // the first key is past its period
	fresh, err := e.sso.IssueToken(e.ctx, sess, nil)
	e.must(err)
	if kid(t, fresh) == kid(t, old) {
		t.Fatal("no rotation after the period")
	}
	if n := len(jwks(t, e).Keys); n != 2 {
		t.Fatalf("JWKS has %d keys during the overlap, want 2", n)
	}
	if _, err := e.sso.ValidateToken(e.ctx, old); err != nil {
		t.Errorf("a token of the old key fails during the overlap: %v", err)
	}
	if _, err := e.sso.ValidateToken(e.ctx, fresh); err != nil {
		t.Errorf("new token: %v", err)
	}
	e.clock.Advance(2 * time.Hour) // past the overlap
	if n := len(jwks(t, e).Keys); n != 1 {
		t.Fatalf("JWKS has %d keys after the overlap, want 1", n)
	}
	if _, err := e.sso.ValidateToken(e.ctx, old); err == nil {
		t.Error("a token of a retired key validates")
	}
}

func TestValidateTokenRefusals(t *testing.T) {
	e := newEnv(t)
	sess := &ssokit.Session{UserID: "user_1", OrganizationID: e.org.ID}
	good, err := e.sso.IssueToken(e.ctx, sess, nil)
	e.must(err)
	parts := strings.Split(good, ".")
	var claims map[string]any
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(payload, &claims)
	set := jwks(t, e)
	pub := set.Keys[0].Key.(*rsa.PublicKey)

	// Another kit (other store, other keys, same issuer and audience).
	other := newEnv(t)
	foreign, err := other.sso.IssueToken(other.ctx, &ssokit.Session{UserID: "user_1"}, nil)
	e.must(err)
	// Same keys, other audience.
	otherAud, err := ssokit.New(ssokit.Config{BaseURL: e.app.URL + "/sso", Store: e.store, Users: e.users,
		Sessions: e.bridge, Now: e.clock.Now, Tokens: ssokit.TokenConfig{Audience: "https://other.example"}})
	e.must(err)
	wrongAud, err := otherAud.IssueToken(e.ctx, sess, nil)
	e.must(err)

	tests := []struct {
		name, raw, reason string
	}{
		{"alg none", oidctest.SignNone(nil, claims), ssokit.ReasonBadAlgorithm},
		{"HS256 keyed with the public key", oidctest.SignHS256(oidctest.PublicKeyPEM(pub), set.Keys[0].KeyID, claims), ssokit.ReasonBadAlgorithm},
		{"HS256 keyed with the modulus", oidctest.SignHS256(pub.N.Bytes(), set.Keys[0].KeyID, claims), ssokit.ReasonBadAlgorithm},
		{"payload swapped", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin"}`)) + "." + parts[2], ssokit.ReasonBadSignature},
		{"foreign key", foreign, ssokit.ReasonBadKeyID},
		{"wrong audience", wrongAud, ssokit.ReasonBadAudience},
		{"garbage", "not.a.jwt", ssokit.ReasonMalformed},
		{"two dots only", "..", ssokit.ReasonMalformed},
		{"oversized", strings.Repeat("a", 20000), ssokit.ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.sso.ValidateToken(e.ctx, tt.raw)
			if !errors.Is(err, &ssokit.Error{Code: ssokit.CodeTokenInvalid, Reason: tt.reason}) {
				t.Fatalf("err = %v, want reason %s", err, tt.reason)
			}
			var se *ssokit.Error
			errors.As(err, &se)
			if se.Status() != http.StatusUnauthorized {
				t.Errorf("status %d", se.Status())
			}
		})
	}
}
