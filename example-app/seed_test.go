package main

import (
	"net/http"
	"testing"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// TestRestartKeepsSetUpAndSessions: a second start on the same data folder
// reuses the Test Organization, its domains and connections (no
// duplicates), and a session cookie of the first run still signs in.
func TestRestartKeepsSetUpAndSessions(t *testing.T) {
	first := newTestApp(t, "")
	c := newClient(t, first.url)
	c.signIn(alice, simOIDCName)
	conns1, err := first.store.Connections(t.Context(), testOrgID)
	if err != nil {
		t.Fatal(err)
	}
	cookies := c.http.Jar.Cookies(mustURL(t, first.url+"/"))
	first.srv.Close()
	first.Close()

	second := newTestApp(t, first.dir)
	conns2, err := second.store.Connections(t.Context(), testOrgID)
	if err != nil {
		t.Fatal(err)
	}
	if len(conns2) != len(conns1) || len(conns2) == 0 {
		t.Fatalf("connections: %d after the first start, %d after the second", len(conns1), len(conns2))
	}
	for i := range conns1 {
		if conns1[i].ID != conns2[i].ID {
			t.Errorf("connection %d: %s then %s", i, conns1[i].ID, conns2[i].ID)
		}
	}
	// The second server listens on another port: the OIDC connection
	// followed the simulator there.
	oidc := simConnection(conns2, ssokit.ConnectionOIDC)
	if oidc == nil || oidc.OIDC.Issuer != second.url+idpsimPrefix {
		t.Errorf("OIDC connection after restart: %+v", oidc)
	}
	doms, err := second.store.Domains(t.Context(), testOrgID)
	if err != nil {
		t.Fatal(err)
	}
	if len(doms) != 2 {
		t.Errorf("%d domains, want 2", len(doms))
	}
	for _, d := range doms {
		if d.State != ssokit.DomainVerified {
			t.Errorf("domain %s is %s", d.Name, d.State)
		}
	}
	org, err := second.store.Organization(t.Context(), testOrgID)
	if err != nil || !org.SSOEnforced || org.Name != testOrgName {
		t.Errorf("organization = %+v, %v", org, err)
	}

	// The session cookie of the first run, sent to the second.
	c2 := newClient(t, second.url)
	c2.http.Jar.SetCookies(mustURL(t, second.url+"/"), cookies)
	if status, m := c2.me(); status != http.StatusOK || m.Email != "alice@example.com" {
		t.Errorf("/me with the first run's cookie = %d %+v", status, m)
	}
	// And sign-in works again, through SAML too (its SP entity ID and ACS
	// moved to the new port, and the simulator knows them).
	res := newClient(t, second.url).signIn(alice, simSAMLName)
	if res.Status != http.StatusOK {
		t.Errorf("sign-in after restart: %d %s", res.Status, res.URL)
	}
}
