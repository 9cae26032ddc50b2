package main

import (
	"net/http"
	"testing"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
)

// TestPostgres runs the app with -postgres: the kit's store and the app's
// own tables in PostgreSQL, both protocols signing in, and a restart on
// the same database reusing the development set-up.
func TestPostgres(t *testing.T) {
	pg := testenv.PostgresSchema(t)
	dir := seedDataDir(t)
	ta := startTestApp(t, dir, pg)
	for _, conn := range []string{simOIDCName, simSAMLName} {
		c := newClient(t, ta.url)
		if res := c.signIn(alice, conn); res.Status != http.StatusOK || res.URL.Path != "/orgs/org_test/" {
			t.Fatalf("%s sign-in: %s %d\n%s", conn, res.URL, res.Status, res.Body)
		}
		if status, m := c.me(); status != http.StatusOK || m.Email != alice.Email {
			t.Errorf("%s: /me = %d %+v", conn, status, m)
		}
	}
	var users int
	if err := ta.db.QueryRow(`SELECT COUNT(*) FROM acme_users`).Scan(&users); err != nil {
		t.Fatal(err)
	}
	// One address through two connections: the SAML profile does not
	// vouch for the email (EmailVerified is false), so the app must not
	// link it to the OIDC user by email; each identity is its own user.
	if users != 2 {
		t.Errorf("%d users after OIDC and SAML logins of one address, want 2 (no linking without a verified email)", users)
	}
	ta.srv.Close()
	ta.Close()

	again := startTestApp(t, dir, pg)
	conns, err := again.store.Connections(t.Context(), testOrgID)
	if err != nil || len(conns) != 2 {
		t.Fatalf("connections after restart: %d, %v", len(conns), err)
	}
}
