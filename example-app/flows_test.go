package main

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// The end-to-end flows of the acceptance list, over real HTTP with a
// cookie jar, driving the simulator's login form as a person would.

// me fetches /me and decodes it.
func (c *client) me() (int, meResponse) {
	c.t.Helper()
	res := c.get("/me")
	var m meResponse
	if res.Status == http.StatusOK {
		if err := json.Unmarshal([]byte(res.Body), &m); err != nil {
			c.t.Fatalf("/me: %v\n%s", err, res.Body)
		}
	}
	return res.Status, m
}

func TestSignInOIDC(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)

	res := c.signIn(alice, simOIDCName)
	if res.Status != http.StatusOK || res.URL.Path != "/orgs/org_test/" {
		t.Fatalf("after sign-in: %s %d\n%s", res.URL, res.Status, res.Body)
	}
	wantContains(t, res.Body, "Test Organization", "alice@example.com", "Alice Liddell",
		"<li>Engineering</li>", "<li>Admins</li>", simOIDCName, "OpenID Connect")

	status, m := c.me()
	if status != http.StatusOK {
		t.Fatalf("/me = %d", status)
	}
	if m.Email != "alice@example.com" || m.GivenName != "Alice" || m.FamilyName != "Liddell" ||
		m.Organization.ID != testOrgID || m.Organization.Name != testOrgName ||
		m.Connection.Type != "oidc" || m.Connection.Provider != simProvider ||
		strings.Join(m.Groups, ",") != "Engineering,Admins" {
		t.Errorf("/me = %+v", m)
	}

	// A second login of the same identity is the same user (JIT keyed by
	// connection and subject), with the new names and groups.
	c2 := newClient(t, ta.url)
	again := alice
	again.GivenName, again.Groups = "Alicia", "Support"
	c2.signIn(again, simOIDCName)
	_, m2 := c2.me()
	if m2.ID != m.ID || m2.GivenName != "Alicia" || strings.Join(m2.Groups, ",") != "Support" {
		t.Errorf("second login: %+v, first user %s", m2, m.ID)
	}
	var users int
	if err := ta.db.QueryRow(`SELECT COUNT(*) FROM acme_users`).Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users != 1 {
		t.Errorf("%d users after two logins of one identity, want 1", users)
	}
}

func TestMeWithoutSessionIs401(t *testing.T) {
	ta := newTestApp(t, "")
	res := newClient(t, ta.url).get("/me")
	if res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, `"error": "not signed in"`) {
		t.Errorf("/me = %d %s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

// TestRequireSSOReturnsToPage: an unauthenticated visitor of a page of an
// organization that enforces SSO is sent to sign in and lands back on the
// page asked for, query included.
func TestRequireSSOReturnsToPage(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)
	page := c.get("/orgs/org_test/?tab=notes")
	if !strings.HasPrefix(page.URL.Path, "/idpsim/") {
		t.Fatalf("visitor was not sent to the identity provider: %s %d\n%s", page.URL, page.Status, page.Body)
	}
	res := c.simulatorLogin(page, alice)
	if res.Status != http.StatusOK || res.URL.RequestURI() != "/orgs/org_test/?tab=notes" {
		t.Fatalf("after sign-in: %s %d", res.URL, res.Status)
	}
	wantContains(t, res.Body, "Your profile", "alice@example.com")
}

// TestRequireSSORedirect checks the redirect itself.
func TestRequireSSORedirect(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.http.Get(ta.url + "/orgs/org_test/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSeeOther || loc.Path != "/sso/login" ||
		loc.Query().Get("organization_id") != testOrgID || loc.Query().Get("return_to") != "/orgs/org_test/" {
		t.Errorf("GET /orgs/org_test/ = %d Location %s", res.StatusCode, loc)
	}
}

// TestSignInFailures: the simulator's error outcomes, through both
// protocols, end on the app's own error page with the kit's code, and
// nobody is signed in.
func TestSignInFailures(t *testing.T) {
	tests := []struct {
		name       string
		connection string
		outcome    idpsim.Outcome
		wantStatus int
		wantCode   string
		wantText   string
	}{
		{"OIDC refusal", simOIDCName, idpsim.OutcomeRefuse, http.StatusForbidden, "access_denied", "The sign-in was refused"},
		{"OIDC expired", simOIDCName, idpsim.OutcomeExpired, http.StatusUnauthorized, "token_invalid (expired)", "had expired"},
		{"OIDC wrong audience", simOIDCName, idpsim.OutcomeWrongAudience, http.StatusUnauthorized, "token_invalid (bad_audience)", "did not pass our checks"},
		{"SAML refusal", simSAMLName, idpsim.OutcomeRefuse, http.StatusForbidden, "access_denied (status)", "The sign-in was refused"},
		{"SAML expired", simSAMLName, idpsim.OutcomeExpired, http.StatusUnauthorized, "token_invalid (expired)", "had expired"},
		{"SAML unsigned", simSAMLName, idpsim.OutcomeUnsigned, http.StatusUnauthorized, "token_invalid (unsigned_assertion)", "did not pass our checks"},
	}
	ta := newTestApp(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, ta.url)
			u := alice
			u.Outcome = tt.outcome
			res := c.signIn(u, tt.connection)
			if res.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d", res.Status, tt.wantStatus)
			}
			wantContains(t, res.Body, "<h1>Sign-in failed</h1>", `<code id="error-code">`+tt.wantCode+`</code>`, tt.wantText, "Acme Notes")
			if status, _ := c.me(); status != http.StatusUnauthorized {
				t.Errorf("/me after a failed sign-in = %d, want 401", status)
			}
		})
	}
}

func TestSignInSAML(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)
	bob := simUser{Email: "bob@example.org", GivenName: "Bob", FamilyName: "Builder", Groups: "Sales"}
	res := c.signIn(bob, simSAMLName)
	if res.Status != http.StatusOK || res.URL.Path != "/orgs/org_test/" {
		t.Fatalf("after sign-in: %s %d\n%s", res.URL, res.Status, res.Body)
	}
	wantContains(t, res.Body, "bob@example.org", "Bob Builder", "<li>Sales</li>", simSAMLName, "SAML 2.0")
	status, m := c.me()
	if status != http.StatusOK || m.Email != "bob@example.org" || m.Connection.Type != "saml" ||
		m.Organization.ID != testOrgID || strings.Join(m.Groups, ",") != "Sales" {
		t.Errorf("/me = %d %+v", status, m)
	}
}

var appsFormRE = regexp.MustCompile(`<form method="get" action="([^"]+)">\s*<input type="hidden" name="sp" value="([^"]+)">`)

// TestIdPInitiatedSAML starts from the simulator's application list: the
// unsolicited response logs nobody in by itself; the kit turns it into an
// ordinary SP-initiated login (a second trip to the IdP), which does.
func TestIdPInitiatedSAML(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)
	apps := c.get("/idpsim/saml/apps")
	m := appsFormRE.FindStringSubmatch(apps.Body)
	if m == nil || !strings.Contains(apps.Body, "Sign in to "+simAppName) {
		t.Fatalf("the app is not on the simulator's application list:\n%s", apps.Body)
	}
	page := c.get(html.UnescapeString(m[1]) + "?" + url.Values{"sp": {html.UnescapeString(m[2])}}.Encode())
	res := c.simulatorLogin(page, alice)
	// The unsolicited response was verified and converted: the browser is
	// back at the IdP for the solicited login, signed in nowhere yet.
	if !strings.HasPrefix(res.URL.Path, "/idpsim/") {
		t.Fatalf("after the unsolicited response: %s %d\n%s", res.URL, res.Status, res.Body)
	}
	if status, _ := c.me(); status != http.StatusUnauthorized {
		t.Errorf("/me after the unsolicited response alone = %d, want 401", status)
	}
	wantContains(t, res.Body, `value="alice@example.com"`) // the login hint carried over
	res = c.simulatorLogin(res, alice)
	if res.Status != http.StatusOK || res.URL.Path != "/orgs/org_test/" {
		t.Fatalf("after the solicited login: %s %d\n%s", res.URL, res.Status, res.Body)
	}
	wantContains(t, res.Body, "alice@example.com", "SAML 2.0")
}

func TestLogout(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)
	c.signIn(alice, simOIDCName)
	if status, _ := c.me(); status != http.StatusOK {
		t.Fatalf("/me before logout = %d", status)
	}
	res := c.post("/sso/logout", url.Values{"return_to": {"/signed-out"}})
	if res.Status != http.StatusOK || res.URL.Path != "/signed-out" {
		t.Fatalf("logout ended at %s %d\n%s", res.URL, res.Status, res.Body)
	}
	wantContains(t, res.Body, "You are signed out")
	if status, _ := c.me(); status != http.StatusUnauthorized {
		t.Errorf("/me after logout = %d, want 401", status)
	}
	// The organization's pages ask for sign-in again.
	if page := c.get("/orgs/org_test/"); !strings.HasPrefix(page.URL.Path, "/idpsim/") {
		t.Errorf("after logout the dashboard went to %s, want the identity provider", page.URL)
	}
}

func TestNotes(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)
	c.signIn(alice, simOIDCName)

	res := c.post("/orgs/org_test/notes", url.Values{"body": {"Ship <the> quickstart"}})
	if res.Status != http.StatusOK || res.URL.Path != "/orgs/org_test/" {
		t.Fatalf("add note: %s %d", res.URL, res.Status)
	}
	wantContains(t, res.Body, "Ship &lt;the&gt; quickstart", "Alice Liddell")

	res = c.post("/orgs/org_test/notes", url.Values{"body": {"   "}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty note: %d, want 422", res.Status)
	}
	wantContains(t, res.Body, "Write a note of 1 to 2000 characters.")

	if res := newClient(t, ta.url).post("/orgs/org_test/notes", url.Values{"body": {"x"}}); res.Status != http.StatusUnauthorized {
		t.Errorf("signed-out note post: %d, want 401", res.Status)
	}

	// Members of one organization do not see another's notes: Alice gets
	// 403 on a second organization (one that does not enforce SSO, so
	// RequireSSO lets her through to the membership check).
	ctx := t.Context()
	if err := ta.store.CreateOrganization(ctx, &ssokit.Organization{ID: "org_other", Name: "Other Inc"}); err != nil {
		t.Fatal(err)
	}
	if err := ta.notes.add(ctx, "org_other", mustUserID(t, c), "other's secret"); err != nil {
		t.Fatal(err)
	}
	res = c.get("/orgs/org_other/")
	if res.Status != http.StatusForbidden || strings.Contains(res.Body, "other's secret") {
		t.Errorf("non-member GET /orgs/org_other/ = %d\n%s", res.Status, res.Body)
	}
	wantContains(t, res.Body, "You are not a member of Other Inc.")
}

func mustUserID(t *testing.T, c *client) string {
	t.Helper()
	status, m := c.me()
	if status != http.StatusOK {
		t.Fatalf("/me = %d", status)
	}
	return m.ID
}

func TestUnknownOrganizationAndDomain(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)
	if res := c.get("/orgs/org_nope/"); res.Status != http.StatusNotFound {
		t.Errorf("unknown organization: %d, want 404", res.Status)
	}
	res := c.post("/signin", url.Values{"email": {"eve@elsewhere.test"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown domain: %d, want 422", res.Status)
	}
	wantContains(t, res.Body, "No organization uses single sign-on for this address", `value="eve@elsewhere.test"`)
}

func TestHomePage(t *testing.T) {
	ta := newTestApp(t, "")
	c := newClient(t, ta.url)
	res := c.get("/")
	if res.Status != http.StatusOK {
		t.Fatalf("GET / = %d", res.Status)
	}
	wantContains(t, res.Body, "Sign in to Acme Notes", "Development mode", `action="/signin"`, "/idpsim/saml/apps")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	// Signed in, / goes to the organization.
	c.signIn(alice, simOIDCName)
	if res := c.get("/"); res.URL.Path != "/orgs/org_test/" {
		t.Errorf("signed-in GET / ended at %s", res.URL)
	}
}
