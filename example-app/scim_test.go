package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/scimkit/scimtest"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/postgres"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// observedSCIMUsers shows the conformance suite what provisioning left in
// the app's tables: one entry per mapping row (active when the user is a
// member of the organization, which is what the app enforces), plus every
// app user that no mapping holds (a duplicate the store forgot), which no
// directory should have.
type observedSCIMUsers struct {
	scimkit.UserStore
	db *sql.DB
}

func (o observedSCIMUsers) ObservedUsers(ctx context.Context, directoryID string) ([]scimtest.ObservedUser, error) {
	rows, err := o.db.QueryContext(ctx, `SELECT m.scim_id, m.user_name, m.active,
			EXISTS (SELECT 1 FROM acme_memberships x WHERE x.user_id = m.user_id AND x.organization_id = m.organization_id)
		FROM acme_scim_users m JOIN acme_users u ON u.id = m.user_id WHERE m.directory_id = $1`, directoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scimtest.ObservedUser
	for rows.Next() {
		var u scimtest.ObservedUser
		var active bool
		if err := rows.Scan(&u.ID, &u.UserName, &active, &u.Active); err != nil {
			return nil, err
		}
		if active != u.Active {
			return nil, fmt.Errorf("user %s: mapping says active=%t, membership says %t", u.ID, active, u.Active)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	orphans, err := o.db.QueryContext(ctx, `SELECT id, email FROM acme_users u
		WHERE NOT EXISTS (SELECT 1 FROM acme_scim_users m WHERE m.user_id = u.id)`)
	if err != nil {
		return nil, err
	}
	defer orphans.Close()
	for orphans.Next() {
		var id, email string
		if err := orphans.Scan(&id, &email); err != nil {
			return nil, err
		}
		out = append(out, scimtest.ObservedUser{ID: "unmapped app user " + id, UserName: email})
	}
	return out, orphans.Err()
}

func (o observedSCIMUsers) ObservedGroups(ctx context.Context, directoryID string) ([]scimtest.ObservedGroup, error) {
	rows, err := o.db.QueryContext(ctx, `SELECT g.scim_id, g.display_name, m.user_id FROM acme_scim_groups g
		LEFT JOIN acme_scim_group_members m ON m.directory_id = g.directory_id AND m.group_id = g.scim_id
		WHERE g.directory_id = $1 ORDER BY g.scim_id`, directoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scimtest.ObservedGroup
	for rows.Next() {
		var id, name string
		var member sql.NullString
		if err := rows.Scan(&id, &name, &member); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, scimtest.ObservedGroup{ID: id, DisplayName: name})
		}
		if member.Valid {
			out[len(out)-1].Members = append(out[len(out)-1].Members, member.String)
		}
	}
	return out, rows.Err()
}

// txPerCall runs every call in a transaction of its own through WithTx,
// the way the kit calls the store inside its transaction.
type txPerCall struct {
	s  *scimUsers
	db *sql.DB
}

func (p txPerCall) do(ctx context.Context, fn func(s scimkit.UserStore) error) error {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(p.s.WithTx(tx)); err != nil {
		return err
	}
	return tx.Commit()
}

func (p txPerCall) CreateUser(ctx context.Context, u *scimkit.User) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.CreateUser(ctx, u) })
}
func (p txPerCall) UpdateUser(ctx context.Context, u *scimkit.User) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.UpdateUser(ctx, u) })
}
func (p txPerCall) DeactivateUser(ctx context.Context, u *scimkit.User) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.DeactivateUser(ctx, u) })
}
func (p txPerCall) DeleteUser(ctx context.Context, dir, id string) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.DeleteUser(ctx, dir, id) })
}
func (p txPerCall) CreateGroup(ctx context.Context, g *scimkit.Group) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.CreateGroup(ctx, g) })
}
func (p txPerCall) UpdateGroup(ctx context.Context, g *scimkit.Group) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.UpdateGroup(ctx, g) })
}
func (p txPerCall) DeleteGroup(ctx context.Context, dir, id string) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.DeleteGroup(ctx, dir, id) })
}
func (p txPerCall) AddGroupMembers(ctx context.Context, dir, group string, ids []string) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.AddGroupMembers(ctx, dir, group, ids) })
}
func (p txPerCall) RemoveGroupMembers(ctx context.Context, dir, group string, ids []string) error {
	return p.do(ctx, func(s scimkit.UserStore) error { return s.RemoveGroupMembers(ctx, dir, group, ids) })
}

// appTables opens the backend's store (fresh) and creates the app's
// tables in it.
func appTables(t *testing.T, backend string) *sql.DB {
	t.Helper()
	var st *store.Store
	var err error
	switch backend {
	case "sqlite":
		st, err = sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "gatehouse.db"), store.Options{})
	case "postgres":
		st, err = postgres.Open(t.Context(), testenv.PostgresSchema(t), store.Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := migrateApp(t.Context(), st.DB()); err != nil {
		t.Fatal(err)
	}
	return st.DB()
}

// TestSCIMUserStoreConformance runs the kit's UserStore suite against the
// app's implementation: on its own transactions and inside one per call
// (WithTx, as the kit calls it), on SQLite (a fresh database per subtest)
// and PostgreSQL (one schema shared by the subtests, which use directories
// of their own).
func TestSCIMUserStoreConformance(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, mode := range []string{"own transactions", "WithTx"} {
			t.Run(backend+"/"+mode, func(t *testing.T) {
				var shared *sql.DB
				if backend == "postgres" {
					shared = appTables(t, backend)
				}
				scimtest.TestUserStore(t, func(t *testing.T) scimkit.UserStore {
					db := shared
					if db == nil {
						db = appTables(t, backend)
					}
					s := &scimUsers{db: db, now: time.Now}
					if mode == "WithTx" {
						return observedSCIMUsers{UserStore: txPerCall{s: s, db: db}, db: db}
					}
					return observedSCIMUsers{UserStore: s, db: db}
				})
			})
		}
	}
}

// TestSCIMDeleteKeepsSharedAccount: deleting a provisioned user whose app
// account also belongs to another organization removes only this
// organization's membership and mapping, not the account.
func TestSCIMDeleteKeepsSharedAccount(t *testing.T) {
	db := appTables(t, "sqlite")
	s := &scimUsers{db: db, now: time.Now}
	ctx := t.Context()
	u := &scimkit.User{ID: "diru_1", DirectoryID: "dir_1", OrganizationID: "org_a", UserName: "ann@a.example", Active: true}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	var userID string
	if err := db.QueryRow(`SELECT user_id FROM acme_scim_users`).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO acme_memberships (user_id, organization_id, created_at) VALUES ($1, 'org_b', 0)`, userID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, "dir_1", "diru_1"); err != nil {
		t.Fatal(err)
	}
	var users, memberships, mappings int
	if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM acme_users), (SELECT COUNT(*) FROM acme_memberships),
		(SELECT COUNT(*) FROM acme_scim_users)`).Scan(&users, &memberships, &mappings); err != nil {
		t.Fatal(err)
	}
	if users != 1 || memberships != 1 || mappings != 0 {
		t.Errorf("after delete: %d users, %d memberships, %d mappings; want 1, 1 (org_b), 0", users, memberships, mappings)
	}
}

var tokenRE = regexp.MustCompile(`(?m)^SCIM_TOKEN=(\S+)$`)
var directoryRE = regexp.MustCompile(`(?m)^directory (dir_\S+) `)

// newDirectory creates a SCIM directory of org (and the organization, if
// missing) with the app's create-directory command, and returns its id
// and token.
func newDirectory(t *testing.T, ta *testApp, org, orgName string) (string, string) {
	t.Helper()
	var out bytes.Buffer
	if err := cmdCreateDirectory(t.Context(), ta.store, []string{"-org", org, "-org-name", orgName}, &out); err != nil {
		t.Fatal(err)
	}
	tok, dir := tokenRE.FindStringSubmatch(out.String()), directoryRE.FindStringSubmatch(out.String())
	if tok == nil || dir == nil {
		t.Fatalf("create-directory printed:\n%s", out.String())
	}
	return dir[1], tok[1]
}

// scimCall sends a SCIM request with the token over HTTP and returns the
// status and decoded body.
func scimCall(t *testing.T, ta *testApp, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, ta.url+"/scim/v2"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	res, err := ta.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
	}
	return res.StatusCode, m
}

// provision creates a user over SCIM and returns its SCIM id.
func provision(t *testing.T, ta *testApp, token, email, given, family string) string {
	t.Helper()
	status, m := scimCall(t, ta, token, http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"`+email+`","name":{"givenName":"`+given+`","familyName":"`+family+`"},
		"emails":[{"value":"`+email+`","type":"work","primary":true}],"active":true}`)
	id, _ := m["id"].(string)
	if status != http.StatusCreated || id == "" {
		t.Fatalf("POST /Users %s: %d %v", email, status, m)
	}
	return id
}

// TestSCIMProvisionsAppUsers: over the app's real SCIM endpoint, a
// created user becomes an app user and a member of the directory's
// organization, deactivation ends the membership and keeps the user, a
// reactivation restores it, and deletion removes the user.
func TestSCIMProvisionsAppUsers(t *testing.T) {
	ta := newTestApp(t, "")
	_, token := newDirectory(t, ta, testOrgID, testOrgName)
	id := provision(t, ta, token, "grace@example.com", "Grace", "Hopper")

	state := func() (users int, email, given string, member bool) {
		t.Helper()
		err := ta.db.QueryRow(`SELECT COUNT(*) FROM acme_users`).Scan(&users)
		if err == nil && users > 0 {
			err = ta.db.QueryRow(`SELECT u.email, u.given_name, EXISTS (SELECT 1 FROM acme_memberships x
				WHERE x.user_id = u.id AND x.organization_id = $1) FROM acme_users u`, testOrgID).Scan(&email, &given, &member)
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if n, email, given, member := state(); n != 1 || email != "grace@example.com" || given != "Grace" || !member {
		t.Fatalf("after POST: %d users, %q %q member=%t", n, email, given, member)
	}

	patch := func(active bool) {
		t.Helper()
		status, m := scimCall(t, ta, token, http.MethodPatch, "/Users/"+id, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","path":"active","value":%t},{"op":"replace","path":"name.givenName","value":"Amazing Grace"}]}`, active))
		if status != http.StatusOK {
			t.Fatalf("PATCH active=%t: %d %v", active, status, m)
		}
	}
	patch(false)
	if n, _, given, member := state(); n != 1 || given != "Amazing Grace" || member {
		t.Errorf("after deactivation: %d users, given %q, member=%t; want the user kept, not a member", n, given, member)
	}
	patch(true)
	if n, _, _, member := state(); n != 1 || !member {
		t.Errorf("after reactivation: %d users, member=%t", n, member)
	}
	if status, m := scimCall(t, ta, token, http.MethodDelete, "/Users/"+id, ""); status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %v", status, m)
	}
	if n, _, _, _ := state(); n != 0 {
		t.Errorf("after DELETE: %d app users, want 0", n)
	}
}

// TestOrgDirectoryPage: the directory page is for signed-in members of the
// organization only, and shows that organization's directory users only.
func TestOrgDirectoryPage(t *testing.T) {
	ta := newTestApp(t, "")
	_, testToken := newDirectory(t, ta, testOrgID, testOrgName)
	otherDir, otherToken := newDirectory(t, ta, "org_other", "Other Inc")
	provision(t, ta, testToken, "ada@example.com", "Ada", "Lovelace")
	provision(t, ta, otherToken, "bob@other.example", "Secret", "Bob")

	// Signed out: the SSO-enforcing organization sends the visitor to the
	// kit's sign-in; the other one to the app's sign-in form.
	anon := newClient(t, ta.url)
	anon.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, tc := range []struct{ name, path, wantPath string }{
		{"SSO enforced", "/orgs/org_test/directory", "/sso/login"},
		{"SSO not enforced", "/orgs/org_other/directory", "/"},
	} {
		t.Run("anonymous/"+tc.name, func(t *testing.T) {
			res := anon.get(tc.path)
			loc := mustURL(t, res.Header.Get("Location"))
			if res.Status != http.StatusSeeOther || loc.Path != tc.wantPath || loc.Query().Get("return_to") != tc.path {
				t.Errorf("GET %s = %d Location %q, want 303 to %s with return_to", tc.path, res.Status, loc, tc.wantPath)
			}
			if strings.Contains(res.Body, "example.com") || strings.Contains(res.Body, "Bob") {
				t.Errorf("the redirect shows users:\n%s", res.Body)
			}
		})
	}

	c := newClient(t, ta.url)
	dash := c.signIn(alice, simOIDCName)
	wantContains(t, dash.Body, `href="/orgs/org_test/directory"`)

	tests := []struct {
		name, path string
		status     int
		want       []string
	}{
		{"member", "/orgs/org_test/directory", http.StatusOK, []string{"ada@example.com", "Ada Lovelace", "Directory of Test Organization"}},
		{"other organization", "/orgs/org_other/directory", http.StatusForbidden, []string{"You are not a member of Other Inc."}},
		{"other organization's directory id", "/orgs/org_test/directory?directory=" + otherDir, http.StatusNotFound, []string{"has no such directory"}},
		{"bad page token", "/orgs/org_test/directory?page_token=x", http.StatusBadRequest, nil},
		{"old public route", "/directories/" + otherDir + "/users", http.StatusNotFound, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := c.get(tc.path)
			if res.Status != tc.status {
				t.Errorf("GET %s = %d, want %d\n%s", tc.path, res.Status, tc.status, res.Body)
			}
			wantContains(t, res.Body, tc.want...)
			if strings.Contains(res.Body, "bob@other.example") || strings.Contains(res.Body, "Secret Bob") {
				t.Errorf("GET %s shows another organization's user:\n%s", tc.path, res.Body)
			}
		})
	}
}

// TestDeprovisionedUserCannotSignIn: a user the directory deactivated
// (SCIM active=false) loses access at once (the membership goes, so the
// organization's pages answer 403 to the live session) and cannot get back
// in through SSO while deactivated; reactivation lets them in again.
func TestDeprovisionedUserCannotSignIn(t *testing.T) {
	ta := newTestApp(t, "")
	_, token := newDirectory(t, ta, testOrgID, testOrgName)
	carol := simUser{Email: "carol@example.com", GivenName: "Carol", FamilyName: "Shaw", Groups: "Engineering"}
	id := provision(t, ta, token, carol.Email, carol.GivenName, carol.FamilyName)

	c := newClient(t, ta.url)
	c.signIn(carol, simOIDCName)
	if status, _ := c.me(); status != http.StatusOK {
		t.Fatalf("/me after sign-in = %d, want 200", status)
	}
	var users int
	if err := ta.db.QueryRow(`SELECT COUNT(*) FROM acme_users WHERE email = $1`, carol.Email).Scan(&users); err != nil || users != 1 {
		t.Fatalf("%d app users for %s (err %v): the SSO identity should link to the provisioned user", users, carol.Email, err)
	}

	setActive := func(active bool) {
		t.Helper()
		status, m := scimCall(t, ta, token, http.MethodPatch, "/Users/"+id, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"active":%t}}]}`, active))
		if status != http.StatusOK && status != http.StatusNoContent {
			t.Fatalf("PATCH active=%t: %d %v", active, status, m)
		}
	}
	setActive(false)
	if res := c.get("/orgs/" + testOrgID + "/"); res.Status != http.StatusForbidden {
		t.Errorf("organization page for the live session after deactivation = %d, want 403", res.Status)
	}

	c2 := newClient(t, ta.url)
	res := c2.signIn(carol, simOIDCName)
	if res.Status != http.StatusForbidden {
		t.Errorf("SSO sign-in of a deactivated user: status %d, want 403", res.Status)
	}
	wantContains(t, res.Body, "<h1>Sign-in failed</h1>", `<code id="error-code">access_denied</code>`)
	if status, _ := c2.me(); status != http.StatusUnauthorized {
		t.Errorf("/me after the refused sign-in = %d, want 401", status)
	}

	setActive(true)
	c3 := newClient(t, ta.url)
	c3.signIn(carol, simOIDCName)
	if res := c3.get("/orgs/" + testOrgID + "/"); res.Status != http.StatusOK {
		t.Errorf("organization page after reactivation and sign-in = %d, want 200", res.Status)
	}
}
