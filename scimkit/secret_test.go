package scimkit_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

const (
	coreUserURN  = "urn:ietf:params:scim:schemas:core:2.0:User"
	coreGroupURN = "urn:ietf:params:scim:schemas:core:2.0:Group"
	acmeURN      = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
	// leakedSecret is the password the attacks below send; it must appear
	// nowhere the kit writes.
	leakedSecret = "secretpw3"
)

// TestPasswordNeverKept sends passwords nested under the core schema URN
// (once stored as an unknown extension "urn:…:core:2.0" with attribute
// "User") and deep inside unknown extensions, through POST, PUT and PATCH
// with and without path, and looks for the password in the response, a
// later GET, the database rows, the host's UserStore and the outbox. The
// core attributes sent beside it in the container must be applied.
func TestPasswordNeverKept(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := newEnv(t, envOptions{backend: backend})
			c := e.directory("org_pw", "generic")
			member := c.user("member")

			type step struct {
				name   string
				run    func(t *testing.T) (r *resp, path string) // the response and the resource to GET
				status int
				check  func(t *testing.T, r *resp) // on the response and on the later GET
			}
			title := func(want string) func(t *testing.T, r *resp) {
				return func(t *testing.T, r *resp) {
					t.Helper()
					eq(t, r.str("title"), want)
				}
			}
			patchUser := func(userName string, op map[string]any) func(t *testing.T) (*resp, string) {
				return func(t *testing.T) (*resp, string) {
					id := c.user(userName)
					return c.do("PATCH", "/Users/"+id, patchBody(op)), "/Users/" + id
				}
			}
			steps := []step{
				{"POST the reported body", func(t *testing.T) (*resp, string) {
					r := c.do("POST", "/Users", `{"userName":"carol","`+coreUserURN+`":{"password":"`+leakedSecret+`"}}`)
					return r, "/Users/" + r.str("id")
				}, 201, func(t *testing.T, r *resp) { eq(t, r.str("userName"), "carol") }},
				{"POST with core attributes in the container", func(t *testing.T) (*resp, string) {
					r := c.do("POST", "/Users", map[string]any{"userName": "carol2", coreUserURN: map[string]any{
						"password": leakedSecret, "title": "CTO", "name": map[string]any{"givenName": "Carol"}, "id": "spoofed"}})
					return r, "/Users/" + r.str("id")
				}, 201, func(t *testing.T, r *resp) {
					eq(t, r.str("title"), "CTO")
					eq(t, r.str("name.givenName"), "Carol")
				}},
				{"POST with a password deep in an unknown extension", func(t *testing.T) (*resp, string) {
					r := c.do("POST", "/Users", map[string]any{"userName": "carol3", acmeURN: map[string]any{
						"badge": "7", "creds": map[string]any{"Password": leakedSecret}, "list": []any{map[string]any{"PASSWORD": leakedSecret}}}})
					return r, "/Users/" + r.str("id")
				}, 201, func(t *testing.T, r *resp) { eq(t, r.json[acmeURN].(map[string]any)["badge"], "7") }},
				{"PUT with the container", func(t *testing.T) (*resp, string) {
					id := c.user("dave")
					return c.do("PUT", "/Users/"+id, map[string]any{"userName": "dave",
						"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER": map[string]any{"password": leakedSecret, "title": "CFO"}}), "/Users/" + id
				}, 200, title("CFO")},
				{"PATCH without path", patchUser("erin", map[string]any{"op": "add", "value": map[string]any{
					coreUserURN: map[string]any{"password": leakedSecret, "title": "COO"}}}), 200, title("COO")},
				{"PATCH replace without path", patchUser("erin2", map[string]any{"op": "replace", "value": map[string]any{
					coreUserURN: map[string]any{"Password": leakedSecret, "title": "CIO", "active": "False"}}}), 200,
					func(t *testing.T, r *resp) {
						eq(t, r.str("title"), "CIO")
						eq(t, r.get("active"), false)
					}},
				{"PATCH with the core URN as path", patchUser("frank", map[string]any{"op": "replace", "path": coreUserURN,
					"value": map[string]any{"password": leakedSecret, "title": "CEO"}}), 200, title("CEO")},
				{"PATCH into an unknown extension", patchUser("grace", map[string]any{"op": "add", "value": map[string]any{
					acmeURN: map[string]any{"badge": "9", "creds": map[string]any{"password": leakedSecret}}}}), 200,
					func(t *testing.T, r *resp) { eq(t, r.json[acmeURN].(map[string]any)["badge"], "9") }},
				{"PATCH into another core schema", patchUser("heidi", map[string]any{"op": "add",
					"path": coreGroupURN + ":displayName", "value": leakedSecret}), 400,
					func(t *testing.T, r *resp) { eq(t, r.str("scimType"), "invalidPath") }},
				{"POST group with the container", func(t *testing.T) (*resp, string) {
					r := c.do("POST", "/Groups", map[string]any{coreGroupURN: map[string]any{
						"displayName": "Admins", "password": leakedSecret, "members": []any{map[string]any{"value": member}}}})
					return r, "/Groups/" + r.str("id")
				}, 201, func(t *testing.T, r *resp) {
					eq(t, r.str("displayName"), "Admins")
					eq(t, r.str("members.0.value"), member)
				}},
				{"PATCH group with the container", func(t *testing.T) (*resp, string) {
					id := c.group("Ops")
					return c.do("PATCH", "/Groups/"+id+"?attributes=members", patchBody(map[string]any{"op": "add", "value": map[string]any{
							coreGroupURN: map[string]any{"password": leakedSecret, "members": []any{map[string]any{"value": member}}}}})),
						"/Groups/" + id
				}, 200, func(t *testing.T, r *resp) { eq(t, r.str("members.0.value"), member) }},
			}
			for _, s := range steps {
				t.Run(s.name, func(t *testing.T) {
					r, path := s.run(t)
					r.must(t, s.status)
					s.check(t, r)
					noSecret(t, "response", string(r.body))
					if s.status >= 300 {
						return
					}
					noCoreKeys(t, r)
					g := c.do("GET", path, nil).must(t, 200)
					noSecret(t, "later GET", string(g.body))
					noCoreKeys(t, g)
					s.check(t, g)
				})
			}

			ctx := context.Background()
			for _, table := range []string{"gatehouse_directory_users", "gatehouse_directory_groups"} {
				rows, err := e.st.DB().QueryContext(ctx, `SELECT id, resource FROM `+table)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id, res string
					if err := rows.Scan(&id, &res); err != nil {
						t.Fatal(err)
					}
					noSecret(t, table+" row "+id, res)
					if strings.Contains(strings.ToLower(res), "urn:ietf:params:scim:schemas:core:") {
						t.Errorf("%s row %s stores a core URN: %s", table, id, res)
					}
				}
				if err := rows.Close(); err != nil {
					t.Fatal(err)
				}
			}
			e.host.mu.Lock()
			hostState, err := json.Marshal(map[string]any{"users": e.host.users, "groups": e.host.groups})
			e.host.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(hostState), `"user_name":"carol2"`) {
				t.Fatalf("the host did not receive the users: %s", hostState)
			}
			noSecret(t, "host UserStore", string(hostState))
			evs, err := e.st.PendingEvents(ctx, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 {
				t.Fatal("no events")
			}
			for _, ev := range evs {
				noSecret(t, "event "+ev.Type, string(ev.Data))
			}
		})
	}
}

func noSecret(t *testing.T, where, s string) {
	t.Helper()
	if strings.Contains(s, leakedSecret) {
		t.Errorf("password in the %s: %s", where, s)
	}
}

// noCoreKeys checks that a resource has no key or schemas entry under the
// core prefix other than its own schema URN.
func noCoreKeys(t *testing.T, r *resp) {
	t.Helper()
	for k := range r.json {
		if strings.HasPrefix(strings.ToLower(k), "urn:ietf:params:scim:schemas:core:") {
			t.Errorf("core URN %q as a key: %s", k, r.body)
		}
	}
	schemas, _ := r.get("schemas").([]any)
	for i, s := range schemas {
		if i > 0 && strings.HasPrefix(s.(string), "urn:ietf:params:scim:schemas:core:") {
			t.Errorf("bogus schemas entry %q: %s", s, r.body)
		}
	}
}

// TestStoredPasswordNeverServed covers rows written before the fix, which
// hold the password under "urn:ietf:params:scim:schemas:core:2.0" or deep
// in an unknown extension: GET, a filtered list, the next PATCH, the host
// and the events never see it, and the PATCH rewrites the row without it.
func TestStoredPasswordNeverServed(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := e.directory("org_legacy", "generic")
	id := c.user("legacy")
	ctx := context.Background()
	u, err := e.st.User(ctx, c.dir.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(u.Resource, &res); err != nil {
		t.Fatal(err)
	}
	res["urn:ietf:params:scim:schemas:core:2.0"] = map[string]any{"User": map[string]any{"password": leakedSecret}}
	res[acmeURN] = map[string]any{"badge": "1", "deep": []any{map[string]any{"Password": leakedSecret}}}
	if u.Resource, err = json.Marshal(res); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/Users/" + id, `/Users?filter=userName+eq+%22legacy%22`} {
		r := c.do("GET", path, nil).must(t, 200)
		noSecret(t, "GET "+path, string(r.body))
		if !strings.Contains(string(r.body), `"badge":"1"`) {
			t.Errorf("GET %s lost the unknown extension: %s", path, r.body)
		}
	}
	r := c.do("PATCH", "/Users/"+id, patchBody(map[string]any{"op": "replace", "path": "title", "value": "T"})).must(t, 200)
	noSecret(t, "PATCH response", string(r.body))
	noCoreKeys(t, r)
	u, err = e.st.User(ctx, c.dir.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	noSecret(t, "rewritten row", string(u.Resource))
	e.host.mu.Lock()
	host, err := json.Marshal(e.host.users)
	e.host.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(host), `"title":"T"`) {
		t.Fatalf("the host did not receive the update: %s", host)
	}
	noSecret(t, "host UserStore", string(host))
	evs, err := e.st.PendingEvents(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		noSecret(t, "event "+ev.Type, string(ev.Data))
	}
}
