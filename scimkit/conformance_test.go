package scimkit_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit"
)

const (
	userURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

func TestDiscovery(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := e.directory("org_a", "generic")
	tests := []struct {
		name, path string
		status     int
		check      func(t *testing.T, r *resp)
	}{
		{"ServiceProviderConfig", "/ServiceProviderConfig", 200, func(t *testing.T, r *resp) {
			if r.get("patch.supported") != true || r.get("etag.supported") != true || r.get("sort.supported") != true || r.num("filter.maxResults") != 100 {
				t.Errorf("body %s", r.body)
			}
		}},
		{"serviceConfiguration alias", "/serviceConfiguration", 200, func(t *testing.T, r *resp) {
			if r.get("patch.supported") != true {
				t.Errorf("body %s", r.body)
			}
		}},
		{"ResourceTypes", "/ResourceTypes", 200, func(t *testing.T, r *resp) {
			if r.num("totalResults") != 2 || r.str("Resources.0.endpoint") != "/Users" || r.str("Resources.1.endpoint") != "/Groups" {
				t.Errorf("body %s", r.body)
			}
		}},
		{"ResourceType User", "/ResourceTypes/User", 200, func(t *testing.T, r *resp) {
			if r.str("schemaExtensions.0.schema") != enterpriseURN {
				t.Errorf("body %s", r.body)
			}
		}},
		{"ResourceType unknown", "/ResourceTypes/Printer", 404, nil},
		{"Schemas", "/Schemas", 200, func(t *testing.T, r *resp) {
			if r.num("totalResults") != 3 || !strings.Contains(string(r.body), "User Account") {
				t.Errorf("body %s", r.body)
			}
		}},
		{"Schema enterprise", "/Schemas/" + enterpriseURN, 200, func(t *testing.T, r *resp) {
			if r.str("id") != enterpriseURN {
				t.Errorf("body %s", r.body)
			}
		}},
		{"Schema unknown", "/Schemas/urn:x", 404, nil},
		{"unknown endpoint", "/Printers", 404, nil},
		{"Bulk", "/Bulk", 501, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("GET", tt.path, nil).must(t, tt.status)
			if ct := r.header.Get("Content-Type"); ct != "application/scim+json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.status >= 400 && (r.str("status") != fmt.Sprint(tt.status) || r.get("schemas.0") != scimkit.ErrorSchemaURN) {
				t.Errorf("error body %s", r.body)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestUserLifecycle(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := newEnv(t, envOptions{backend: backend})
			c := e.directory("org_a", "generic")
			r := c.do("POST", "/Users", map[string]any{
				"schemas": []string{userURN, enterpriseURN}, "userName": "Alice@Example.com", "password": "hunter2",
				"id": "spoofed", "meta": map[string]any{"version": "W/\"99\""}, "groups": []any{map[string]any{"value": "g"}},
				"name":        map[string]any{"givenName": "Alice", "familyName": "Liddell"},
				"emails":      []any{map[string]any{"value": "alice@example.com", "type": "work", "primary": true}},
				enterpriseURN: map[string]any{"department": "Wonder", "manager": map[string]any{"value": "m1"}},
			}).must(t, 201)
			id := r.str("id")
			if id == "spoofed" || !strings.HasPrefix(id, "diru_") {
				t.Fatalf("id %q", id)
			}
			if strings.Contains(string(r.body), "hunter2") || strings.Contains(string(r.body), "password") {
				t.Errorf("password echoed: %s", r.body)
			}
			if r.get("active") != true || r.str("meta.version") != `W/"1"` || r.header.Get("ETag") != `W/"1"` ||
				r.header.Get("Location") != "https://app.example/scim/v2/Users/"+id || r.get("groups") != nil {
				t.Errorf("create response %v %s", r.header, r.body)
			}
			if ext, _ := r.json[enterpriseURN].(map[string]any); ext["department"] != "Wonder" {
				t.Errorf("enterprise extension lost: %s", r.body)
			}
			stored, err := e.st.User(context.Background(), c.dir.ID, id)
			if err != nil || strings.Contains(string(stored.Resource), "hunter2") {
				t.Fatalf("stored %s, %v", stored.Resource, err)
			}

			c.do("GET", "/Users/"+id, nil).must(t, 200)
			dup := c.do("POST", "/Users", map[string]any{"userName": "alice@EXAMPLE.com"}).must(t, 409)
			if dup.str("scimType") != "uniqueness" || dup.str("detail") == "" {
				t.Errorf("duplicate: %s", dup.body)
			}
			c.do("POST", "/Users", map[string]any{"displayName": "no userName"}).must(t, 400)

			put := c.do("PUT", "/Users/"+id, map[string]any{"userName": "alice2", "name": map[string]any{"givenName": "Al"}}).must(t, 200)
			if put.str("userName") != "alice2" || put.get("emails") != nil || put.get("active") != true || put.str("meta.version") != `W/"2"` {
				t.Errorf("put: %s", put.body)
			}
			c.do("PUT", "/Users/"+id, map[string]any{"name": map[string]any{"givenName": "Al"}}).must(t, 400)
			c.do("PUT", "/Users/diru_missing", map[string]any{"userName": "x"}).must(t, 404)

			c.do("DELETE", "/Users/"+id, nil).must(t, 204)
			nf := c.do("GET", "/Users/"+id, nil).must(t, 404)
			if nf.str("status") != "404" || nf.str("detail") == "" {
				t.Errorf("404 body %s", nf.body)
			}
			c.do("DELETE", "/Users/"+id, nil).must(t, 404)
			want := []string{"CreateUser Alice@Example.com", "UpdateUser alice2", "DeleteUser"}
			if got := e.host.Calls(); !slices.Equal(got, want) {
				t.Errorf("host calls %q, want %q", got, want)
			}
			evs, err := e.st.PendingEvents(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, ev := range evs {
				types = append(types, ev.Type)
				if strings.Contains(string(ev.Data), "hunter2") {
					t.Errorf("password in event %s", ev.Data)
				}
			}
			if !slices.Equal(types, []string{scimkit.EventUserCreated, scimkit.EventUserUpdated, scimkit.EventUserDeleted}) {
				t.Errorf("events %q", types)
			}
		})
	}
}

func TestRequestErrors(t *testing.T) {
	e := newEnv(t, envOptions{cfg: func(c *scimkit.Config) { c.MaxBodyBytes = 2048; c.MaxJSONDepth = 8 }})
	c := e.directory("org_a", "generic")
	id := c.user("bob")
	deep := strings.Repeat(`{"a":`, 20) + "1" + strings.Repeat("}", 20)
	tests := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		scimType           string
	}{
		{"wrong content type", "POST", "/Users", `{"userName":"x"}`, []string{"Content-Type", "text/plain"}, 415, ""},
		{"json content type accepted", "POST", "/Users", `{"userName":"x1"}`, []string{"Content-Type", "application/json"}, 201, ""},
		{"body too large", "POST", "/Users", `{"userName":"` + strings.Repeat("x", 4000) + `"}`, nil, 413, ""},
		{"invalid json", "POST", "/Users", `{"userName": tru`, nil, 400, "invalidSyntax"},
		{"not an object", "POST", "/Users", `["x"]`, nil, 400, "invalidSyntax"},
		{"too deep", "POST", "/Users", deep, nil, 400, "invalidSyntax"},
		{"trailing data", "POST", "/Users", `{"userName":"y"} {}`, nil, 400, "invalidSyntax"},
		{"bad value type", "POST", "/Users", `{"userName":"z","active":"maybe"}`, nil, 400, "invalidValue"},
		{"method not allowed", "DELETE", "/Users", nil, nil, 405, ""},
		{"method not allowed by id", "POST", "/Users/" + id, `{}`, nil, 405, ""},
		{"nested path", "GET", "/Users/" + id + "/x", nil, nil, 404, ""},
		{"bad startIndex", "GET", "/Users?startIndex=abc", nil, nil, 400, "invalidValue"},
		{"bad sortBy", "GET", "/Users?sortBy=shoeSize", nil, nil, 400, "invalidValue"},
		{"patch without operations", "PATCH", "/Users/" + id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, nil, 400, "invalidSyntax"},
		{"patch unknown user", "PATCH", "/Users/diru_nope", patchBody(map[string]any{"op": "replace", "path": "active", "value": false}), nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(tt.method, tt.path, tt.body, tt.headers...).must(t, tt.status)
			if tt.status >= 400 {
				if r.str("status") != fmt.Sprint(tt.status) || r.get("schemas.0") != scimkit.ErrorSchemaURN || r.str("scimType") != tt.scimType {
					t.Errorf("error body %s", r.body)
				}
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := e.directory("org_a", "generic")
	c.user("carol")
	tests := []struct {
		name    string
		mutate  func(c *client) *client
		path    string
		status  int
		wantErr string
	}{
		{"no token", func(c *client) *client { c.token = ""; return c }, "/Users", 401, "required"},
		{"wrong token", func(c *client) *client { c.token = "ghscim_nope"; return c }, "/Users", 401, "invalid"},
		{"token in query", func(c *client) *client { return c }, "/Users?access_token=" + url.QueryEscape(c.token), 401, "query"},
		{"discovery needs a token too", func(c *client) *client { c.token = ""; return c }, "/ServiceProviderConfig", 401, "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			r := tt.mutate(&cc).do("GET", tt.path, nil).must(t, tt.status)
			if r.header.Get("WWW-Authenticate") != `Bearer realm="scim"` || r.str("status") != "401" || !strings.Contains(r.str("detail"), tt.wantErr) {
				t.Errorf("headers %v body %s", r.header, r.body)
			}
		})
	}
	t.Run("Authorization scheme other than Bearer", func(t *testing.T) {
		cc := *c
		cc.token = ""
		cc.do("GET", "/Users", nil, "Authorization", "Basic "+c.token).must(t, 401)
	})
	t.Run("disabled directory", func(t *testing.T) {
		ctx := context.Background()
		if err := e.srv.SetDirectoryEnabled(ctx, c.dir.ID, false); err != nil {
			t.Fatal(err)
		}
		c.do("GET", "/Users", nil).must(t, 403)
		if err := e.srv.SetDirectoryEnabled(ctx, c.dir.ID, true); err != nil {
			t.Fatal(err)
		}
		c.do("GET", "/Users", nil).must(t, 200)
	})
}

func TestTokenRotation(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	old := e.directory("org_a", "generic")
	old.do("GET", "/Users", nil).must(t, 200)
	tokens, err := e.st.Tokens(ctx, old.dir.ID)
	if err != nil || len(tokens) != 1 || !tokens[0].LastUsedAt.Equal(e.clock.Now()) {
		t.Fatalf("tokens %+v %v", tokens, err)
	}
	if string(tokens[0].Hash) == old.token || strings.Contains(string(tokens[0].Hash), "ghscim_") {
		t.Fatal("token stored in the clear")
	}
	// last_used_at is written at most once per TokenUseInterval.
	first := tokens[0].LastUsedAt
	e.clock.Add(30e9)
	old.do("GET", "/Users", nil).must(t, 200)
	tokens, _ = e.st.Tokens(ctx, old.dir.ID)
	if !tokens[0].LastUsedAt.Equal(first) {
		t.Errorf("last used written within the interval: %v", tokens[0].LastUsedAt)
	}
	e.clock.Add(31e9)
	old.do("GET", "/Users", nil).must(t, 200)
	tokens, _ = e.st.Tokens(ctx, old.dir.ID)
	if !tokens[0].LastUsedAt.Equal(e.clock.Now()) {
		t.Errorf("last used not written after the interval: %v", tokens[0].LastUsedAt)
	}

	newToken, err := e.srv.RotateToken(ctx, old.dir.ID, 3600e9)
	if err != nil {
		t.Fatal(err)
	}
	fresh := *old
	fresh.token = newToken
	old.do("GET", "/Users", nil).must(t, 200)
	fresh.do("GET", "/Users", nil).must(t, 200)
	e.clock.Add(3601e9)
	old.do("GET", "/Users", nil).must(t, 401)
	fresh.do("GET", "/Users", nil).must(t, 200)

	if err := e.srv.RevokeTokens(ctx, old.dir.ID); err != nil {
		t.Fatal(err)
	}
	fresh.do("GET", "/Users", nil).must(t, 401)
}

func TestHostErrorsRollBack(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := newEnv(t, envOptions{backend: backend})
			c := e.directory("org_a", "generic")
			ctx := context.Background()
			uid := c.user("dave")
			before, _ := e.st.PendingEvents(ctx, 1000)

			e.host.setFail(errors.New("host database down"))
			c.do("POST", "/Users", map[string]any{"userName": "erin"}).must(t, 500)
			c.do("PATCH", "/Users/"+uid, patchBody(map[string]any{"op": "replace", "path": "active", "value": false})).must(t, 500)
			c.do("POST", "/Groups", map[string]any{"displayName": "g", "members": []any{map[string]any{"value": uid}}}).must(t, 500)
			e.host.setFail(fmt.Errorf("email taken: %w", scimkit.ErrConflict))
			c.do("DELETE", "/Users/"+uid, nil).must(t, 409)
			e.host.setFail(nil)

			n, err := e.st.CountUsers(ctx, c.dir.ID, scimkit.Query{})
			if err != nil || n != 1 {
				t.Errorf("users %d %v", n, err)
			}
			u, err := e.st.User(ctx, c.dir.ID, uid)
			if err != nil || !u.Active || u.Version != 1 {
				t.Errorf("user changed: %+v %v", u, err)
			}
			if g, _ := e.st.CountGroups(ctx, c.dir.ID, scimkit.Query{}); g != 0 {
				t.Errorf("groups %d", g)
			}
			after, _ := e.st.PendingEvents(ctx, 1000)
			if len(after) != len(before) {
				t.Errorf("events %d, want %d", len(after), len(before))
			}
		})
	}
}
