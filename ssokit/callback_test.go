package ssokit_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// TestGoogleHostedDomain: a Google connection signs in only accounts whose
// hd claim is a verified domain of the organization; a pending or failed
// domain (one anybody can add, proven by nobody) does not count, whatever
// the email.
func TestGoogleHostedDomain(t *testing.T) {
	e := newEnv(t) // acme.example is verified
	for name, state := range map[string]ssokit.DomainState{"pending.example": ssokit.DomainPending, "failed.example": ssokit.DomainFailed} {
		e.must(e.store.CreateDomain(e.ctx, &ssokit.Domain{OrganizationID: e.org.ID, Name: name, State: state}))
	}
	google := &ssokit.Connection{OrganizationID: e.org.ID, Type: ssokit.ConnectionOIDC, Provider: "google", Name: "Google",
		Status: ssokit.ConnectionActive, OIDC: &ssokit.OIDCConfig{Issuer: e.op.Issuer, ClientID: e.op.ClientID, ClientSecret: e.op.ClientSecret}}
	e.must(e.store.CreateConnection(e.ctx, google))

	tests := []struct {
		name, email, hd string
		ok              bool
	}{
		{"verified hd", "ann@acme.example", "acme.example", true},
		{"verified hd, other case", "ann@acme.example", "ACME.example", true},
		{"pending hd", "eve@pending.example", "pending.example", false},
		{"pending hd, verified email domain", "ann@acme.example", "pending.example", false},
		{"failed hd", "eve@failed.example", "failed.example", false},
		{"no hd (consumer account)", "ann@acme.example", "", false},
		{"hd of another organization", "ann@acme.example", "other.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := map[string]any{"sub": "g-" + tt.name, "email": tt.email, "email_verified": true, "name": "N", "given_name": "N", "family_name": "M"}
			if tt.hd != "" {
				user["hd"] = tt.hd
			}
			e.op.Lock()
			e.op.User = user
			e.op.Unlock()
			b := e.browser()
			back := e.authorize(b, e.start(b, url.Values{"connection_id": {google.ID}}))
			if tt.ok {
				cb := e.redirect(b, back)
				b.get(cb.String()).location(t, http.StatusSeeOther)
				if r := b.get(e.app.URL + "/whoami"); r.StatusCode != http.StatusOK {
					t.Fatalf("not signed in: %d", r.StatusCode)
				}
				return
			}
			if r := b.get(back.String()); r.StatusCode == http.StatusSeeOther {
				t.Fatalf("login went on to %s", r.Header.Get("Location"))
			}
			e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonBadHostedDomain)
		})
	}
}
