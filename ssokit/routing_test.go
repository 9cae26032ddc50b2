package ssokit_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// TestRouting: the four hints, their precedence, and every miss, through
// GET /sso/login. The chosen connection shows as the client_id of the
// authorization request (each connection has its own).
func TestRouting(t *testing.T) {
	e := newEnv(t) // org_acme: acme.example verified, e.conn (client-1) active
	ctx := e.ctx
	// A second, older-first ordering inside acme: an inactive one created
	// later does not change "first active".
	e.oidcConnection(e.org.ID, "acme-inactive", ssokit.ConnectionInactive)
	e.must(e.store.CreateDomain(ctx, &ssokit.Domain{OrganizationID: e.org.ID, Name: "pending-acme.example", State: ssokit.DomainPending}))

	beta := &ssokit.Organization{ID: "org_beta", Name: "Beta"}
	e.must(e.store.CreateOrganization(ctx, beta))
	e.must(e.store.CreateDomain(ctx, &ssokit.Domain{OrganizationID: beta.ID, Name: "beta.example", State: ssokit.DomainVerified}))
	betaOff := e.oidcConnection(beta.ID, "beta-inactive", ssokit.ConnectionInactive)
	betaOn := e.oidcConnection(beta.ID, "beta-active", ssokit.ConnectionActive)

	empty := &ssokit.Organization{ID: "org_empty", Name: "Empty"}
	e.must(e.store.CreateOrganization(ctx, empty))
	e.must(e.store.CreateDomain(ctx, &ssokit.Domain{OrganizationID: empty.ID, Name: "empty.example", State: ssokit.DomainVerified}))

	const missingConn = "conn_00000000000000000000000000"
	tests := []struct {
		name   string
		q      url.Values
		client string           // routed to this client_id
		code   ssokit.ErrorCode // or refused with this code
	}{
		{name: "connection_id", q: url.Values{"connection_id": {betaOn.ID}}, client: "beta-active"},
		{name: "organization_id", q: url.Values{"organization_id": {beta.ID}}, client: "beta-active"},
		{name: "domain_hint", q: url.Values{"domain_hint": {"BETA.example."}}, client: "beta-active"},
		{name: "login_hint", q: url.Values{"login_hint": {"bo@beta.example"}}, client: "beta-active"},

		{name: "connection_id beats organization_id", q: url.Values{"connection_id": {e.conn.ID}, "organization_id": {beta.ID}}, client: "client-1"},
		{name: "organization_id beats domain_hint", q: url.Values{"organization_id": {e.org.ID}, "domain_hint": {"beta.example"}}, client: "client-1"},
		{name: "domain_hint beats login_hint", q: url.Values{"domain_hint": {"acme.example"}, "login_hint": {"bo@beta.example"}}, client: "client-1"},
		{name: "a miss does not fall back", q: url.Values{"connection_id": {missingConn}, "organization_id": {beta.ID}}, code: ssokit.CodeConnectionNotFound},

		{name: "malformed connection_id", q: url.Values{"connection_id": {"../etc"}}, code: ssokit.CodeInvalidConnectionSelector},
		{name: "unknown connection", q: url.Values{"connection_id": {missingConn}}, code: ssokit.CodeConnectionNotFound},
		{name: "inactive connection", q: url.Values{"connection_id": {betaOff.ID}}, code: ssokit.CodeConnectionInactive},
		{name: "unknown organization", q: url.Values{"organization_id": {"org_nope"}}, code: ssokit.CodeOrganizationNotFound},
		{name: "organization without connections", q: url.Values{"organization_id": {empty.ID}}, code: ssokit.CodeNoActiveConnection},
		{name: "malformed domain_hint", q: url.Values{"domain_hint": {"not a domain"}}, code: ssokit.CodeInvalidConnectionSelector},
		{name: "unknown domain", q: url.Values{"domain_hint": {"nowhere.example"}}, code: ssokit.CodeDomainNotFound},
		{name: "subdomain is not the domain", q: url.Values{"domain_hint": {"eu.acme.example"}}, code: ssokit.CodeDomainNotFound},
		{name: "pending domain does not route", q: url.Values{"domain_hint": {"pending-acme.example"}}, code: ssokit.CodeDomainNotFound},
		{name: "domain of an organization without connections", q: url.Values{"domain_hint": {"empty.example"}}, code: ssokit.CodeNoActiveConnection},
		{name: "login_hint not an email", q: url.Values{"login_hint": {"bo"}}, code: ssokit.CodeInvalidConnectionSelector},
		{name: "login_hint unknown domain", q: url.Values{"login_hint": {"bo@nowhere.example"}}, code: ssokit.CodeDomainNotFound},
		{name: "login_hint pending domain", q: url.Values{"login_hint": {"bo@pending-acme.example"}}, code: ssokit.CodeDomainNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.browser().get(e.app.URL + "/sso/login?" + tt.q.Encode())
			if tt.client != "" {
				u := r.location(t, http.StatusFound)
				if got := u.Query().Get("client_id"); got != tt.client {
					t.Fatalf("routed to client %q, want %q", got, tt.client)
				}
				return
			}
			se := e.wantErr(tt.code, "")
			if r.StatusCode != se.Status() {
				t.Errorf("status %d, want %d", r.StatusCode, se.Status())
			}
		})
	}

	t.Run("ListConnectionsByDomain", func(t *testing.T) {
		list, err := e.sso.ListConnectionsByDomain(ctx, "bo@beta.example")
		if err != nil || len(list) != 1 || list[0].ID != betaOn.ID {
			t.Fatalf("list = %v, %v", list, err)
		}
		list, err = e.sso.ListConnectionsByDomain(ctx, "empty.example")
		if err != nil || len(list) != 0 {
			t.Fatalf("empty org: %v, %v", list, err)
		}
		_, err = e.sso.ListConnectionsByDomain(ctx, "pending-acme.example")
		if !errors.Is(err, &ssokit.Error{Code: ssokit.CodeDomainNotFound}) {
			t.Fatalf("pending domain: %v", err)
		}
	})
}
