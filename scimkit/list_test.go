package scimkit_test

import (
	"context"
	"github.com/gatehouse-go/gatehouse/scimkit"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// seedPeople creates five users with varied attributes and returns the
// client.
func seedPeople(t testing.TB, e *env, dialect string) *client {
	c := e.directory("org_list", dialect)
	people := []struct {
		userName, given, family, email, title string
		active                                bool
		extra                                 map[string]any
	}{
		{"ada", "Ada", "Lovelace", "ada@math.example", "Countess", true, map[string]any{"externalId": "ext-ada"}},
		{"alan", "Alan", "Turing", "alan@bletchley.example", "Fellow", true, map[string]any{"externalId": "ext-alan"}},
		{"grace", "Grace", "Hopper", "grace@navy.example", "Admiral", false, nil},
		{"edsger", "Edsger", "Dijkstra", "ewd@tue.example", "", true, map[string]any{"emails": []any{
			map[string]any{"value": "ewd@tue.example", "type": "work", "primary": true},
			map[string]any{"value": "edsger+home@home.example", "type": "home"},
		}}},
		{"barbara", "Barbara", "Liskov", "liskov@mit.example", "Professor", true, map[string]any{
			enterpriseURN: map[string]any{"department": "CSAIL", "employeeNumber": "42"}}},
	}
	for _, p := range people {
		extra := map[string]any{
			"name":   map[string]any{"givenName": p.given, "familyName": p.family},
			"emails": []any{map[string]any{"value": p.email, "type": "work", "primary": true}},
			"active": p.active,
		}
		if p.title != "" {
			extra["title"] = p.title
		}
		for k, v := range p.extra {
			extra[k] = v
		}
		c.user(p.userName, extra)
	}
	return c
}

func userNames(r *resp) []string {
	var out []string
	list, _ := r.get("Resources").([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		out = append(out, m["userName"].(string))
	}
	return out
}

func TestFilters(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := newEnv(t, envOptions{backend: backend})
			c := seedPeople(t, e, "generic")
			tests := []struct {
				filter string
				want   []string
			}{
				{`userName eq "ada"`, []string{"ada"}},
				{`userName eq "ADA"`, []string{"ada"}},
				{`userName ne "ada"`, []string{"alan", "grace", "edsger", "barbara"}},
				{`userName co "a"`, []string{"ada", "alan", "grace", "barbara"}},
				{`userName sw "a"`, []string{"ada", "alan"}},
				{`userName ew "ce"`, []string{"grace"}},
				{`userName gt "edsger"`, []string{"grace"}},
				{`userName ge "edsger"`, []string{"grace", "edsger"}},
				{`userName lt "alan"`, []string{"ada"}},
				{`userName le "alan"`, []string{"ada", "alan"}},
				{`title pr`, []string{"ada", "alan", "grace", "barbara"}},
				{`not (title pr)`, []string{"edsger"}},
				{`active eq false`, []string{"grace"}},
				{`active eq true and name.familyName sw "L"`, []string{"ada", "barbara"}},
				{`name.givenName eq "Alan" or name.givenName eq "Grace"`, []string{"alan", "grace"}},
				{`externalId eq "ext-alan"`, []string{"alan"}},
				{`emails.value eq "edsger+home@home.example"`, []string{"edsger"}},
				{`emails eq "GRACE@navy.example"`, []string{"grace"}},
				{`emails[type eq "work" and value co "mit"]`, []string{"barbara"}},
				{`emails[type eq "work"].value eq "ada@math.example"`, []string{"ada"}},
				{`emails[type eq "home"]`, []string{"edsger"}},
				{enterpriseURN + `:department eq "CSAIL"`, []string{"barbara"}},
				{`meta.created gt "2000-01-01T00:00:00Z"`, []string{"ada", "alan", "grace", "edsger", "barbara"}},
				{`meta.lastModified lt "2000-01-01T00:00:00Z"`, nil},
				{`id eq "diru_unknown"`, nil},
				{`userName eq "nobody"`, nil},
				{`(userName eq "ada" or userName eq "alan") and not (externalId eq "ext-ada")`, []string{"alan"}},
			}
			for _, tt := range tests {
				t.Run(tt.filter, func(t *testing.T) {
					r := c.do("GET", "/Users?filter="+url.QueryEscape(tt.filter), nil).must(t, 200)
					got := userNames(r)
					slices.Sort(got)
					want := slices.Clone(tt.want)
					slices.Sort(want)
					if !slices.Equal(got, want) || r.num("totalResults") != len(tt.want) {
						t.Errorf("got %q (total %d), want %q", got, r.num("totalResults"), tt.want)
					}
				})
			}
		})
	}
}

func TestInvalidFilters(t *testing.T) {
	e := newEnv(t, envOptions{cfg: nil})
	c := seedPeople(t, e, "generic")
	for _, f := range []string{
		`userName eq`, `userName xx "a"`, `(userName eq "a"`, `shoeSize eq 4`, `password eq "x"`,
		`userName eq "a" or`, `active gt true`, `emails[type eq "work"`, ``, `userName sw O`,
		strings.Repeat("(", 500) + `userName eq "a"` + strings.Repeat(")", 500),
		`userName eq "` + strings.Repeat("x", 5000) + `"`,
		strings.Repeat(`userName eq "a" or `, 200) + `userName eq "b"`,
	} {
		t.Run(f[:min(len(f), 40)], func(t *testing.T) {
			r := c.do("GET", "/Users?filter="+url.QueryEscape(f), nil).must(t, 400)
			if r.str("scimType") != "invalidFilter" {
				t.Errorf("body %s", r.body)
			}
		})
	}
	t.Run("groups", func(t *testing.T) {
		c.do("GET", "/Groups?filter="+url.QueryEscape(`userName eq "x"`), nil).must(t, 400)
	})
}

func TestFilterScanLimit(t *testing.T) {
	e := newEnv(t, envOptions{cfg: nil})
	c := seedPeople(t, e, "generic")
	// A filter that no index answers scans at most MaxFilterScan users.
	e2 := newEnv(t, envOptions{cfg: func(cfg *scimkit.Config) { cfg.MaxFilterScan = 3 }})
	c2 := seedPeople(t, e2, "generic")
	c2.do("GET", "/Users?filter="+url.QueryEscape(`title pr`), nil).must(t, 400)
	c2.do("GET", "/Users?sortBy=userName", nil).must(t, 400)
	// Index lookups are not bounded by it.
	r := c2.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "ada"`), nil).must(t, 200)
	if r.num("totalResults") != 1 {
		t.Errorf("lookup: %s", r.body)
	}
	c.do("GET", "/Users?filter="+url.QueryEscape(`title pr`), nil).must(t, 200)
}

func TestEntraFilterWords(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := seedPeople(t, e, "entra")
	for _, tt := range []struct {
		filter string
		want   int
	}{
		{`userName sw a`, 2},
		{`name.FamilyName eq Lovelace and (emails.Value co example or emails.Value co nowhere)`, 1},
		{`meta.Created gt 2015-10-10T14:38:21.8617979-07:00`, 5},
		{`active eq false`, 1},
	} {
		r := c.do("GET", "/Users?filter="+url.QueryEscape(tt.filter), nil).must(t, 200)
		if r.num("totalResults") != tt.want {
			t.Errorf("%s: %s", tt.filter, r.body)
		}
	}
}

func TestPagingAndSorting(t *testing.T) {
	e := newEnv(t, envOptions{cfg: func(cfg *scimkit.Config) { cfg.MaxCount = 3 }})
	c := seedPeople(t, e, "generic")
	// Without sortBy, lists are in id order: creation order to the
	// millisecond.
	stored, err := e.st.QueryUsers(context.Background(), c.dir.ID, scimkit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var byID []string
	for _, u := range stored {
		byID = append(byID, u.UserName)
	}
	tests := []struct {
		query      string
		total      int
		startIndex int
		want       []string
	}{
		{"", 5, 1, byID[:3]},
		{"?startIndex=2&count=2", 5, 2, byID[1:3]},
		{"?startIndex=0&count=1", 5, 1, byID[:1]},
		{"?startIndex=-5&count=1", 5, 1, byID[:1]},
		{"?count=0", 5, 1, nil},
		{"?count=-3", 5, 1, nil},
		{"?count=1000000000", 5, 1, byID[:3]},
		{"?startIndex=1000000", 5, 1000000, nil},
		{"?startIndex=5", 5, 5, byID[4:]},
		{"?sortBy=userName", 5, 1, []string{"ada", "alan", "barbara"}},
		{"?sortBy=userName&sortOrder=descending", 5, 1, []string{"grace", "edsger", "barbara"}},
		{"?sortBy=name.familyName&startIndex=2&count=2", 5, 2, []string{"grace", "barbara"}},
		{"?sortBy=title", 5, 1, []string{"grace", "ada", "alan"}},
		{"?sortBy=emails&count=2", 5, 1, []string{"ada", "alan"}},
		{"?filter=" + url.QueryEscape(`active eq true`) + "&sortBy=userName&sortOrder=descending&count=2", 4, 1, []string{"edsger", "barbara"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := c.do("GET", "/Users"+tt.query, nil).must(t, 200)
			got := userNames(r)
			if !slices.Equal(got, tt.want) || r.num("totalResults") != tt.total || r.num("startIndex") != tt.startIndex || r.num("itemsPerPage") != len(tt.want) {
				t.Errorf("got %q total %d start %d items %d; want %q %d %d", got, r.num("totalResults"), r.num("startIndex"), r.num("itemsPerPage"), tt.want, tt.total, tt.startIndex)
			}
			if r.get("Resources") == nil || r.str("schemas.0") != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
				t.Errorf("shape: %s", r.body)
			}
		})
	}
	t.Run(".search", func(t *testing.T) {
		r := c.do("POST", "/Users/.search", map[string]any{
			"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
			"filter":  `userName sw "a"`, "sortBy": "userName", "sortOrder": "descending", "attributes": []string{"userName"}, "count": 5,
		}).must(t, 200)
		if got := userNames(r); !slices.Equal(got, []string{"alan", "ada"}) || r.get("Resources.0.name") != nil {
			t.Errorf("search: %s", r.body)
		}
	})
}

func TestProjection(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := seedPeople(t, e, "generic")
	ada := c.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "barbara"`), nil).str("Resources.0.id")
	tests := []struct {
		query         string
		present, gone []string
	}{
		{"?attributes=userName", []string{"id", "schemas", "userName"}, []string{"name", "emails", "meta", "active"}},
		{"?attributes=name.givenName,emails.value", []string{"id", "name", "emails"}, []string{"userName", "title"}},
		{"?attributes=" + url.QueryEscape(`emails[type eq "work"]`), []string{"emails"}, []string{"userName"}},
		{"?attributes=" + enterpriseURN + ":department", []string{enterpriseURN}, []string{"userName"}},
		{"?excludedAttributes=emails,name,id", []string{"id", "userName", "meta"}, []string{"emails", "name"}},
		{"?excludedAttributes=" + enterpriseURN, []string{"userName"}, []string{enterpriseURN}},
		{"?attributes=unknownThing", []string{"id", "schemas"}, []string{"userName"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			for _, path := range []string{"/Users/" + ada + tt.query, "/Users" + tt.query + "&filter=" + url.QueryEscape(`userName eq "barbara"`)} {
				r := c.do("GET", path, nil).must(t, 200)
				obj := r.json
				if res, ok := r.get("Resources.0").(map[string]any); ok {
					obj = res
				}
				for _, k := range tt.present {
					if _, ok := obj[k]; !ok {
						t.Errorf("%s: %s missing in %s", path, k, r.body)
					}
				}
				for _, k := range tt.gone {
					if _, ok := obj[k]; ok {
						t.Errorf("%s: %s present in %s", path, k, r.body)
					}
				}
			}
		})
	}
	t.Run("sub-attribute", func(t *testing.T) {
		r := c.do("GET", "/Users/"+ada+"?attributes=name.givenName", nil).must(t, 200)
		if r.get("name.familyName") != nil || r.str("name.givenName") != "Barbara" {
			t.Errorf("%s", r.body)
		}
	})
}

func TestETags(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := e.directory("org_a", "generic")
	id := c.user("etag")
	gid := c.group("etag group")
	r := c.do("GET", "/Users/"+id, nil).must(t, 200)
	tag := r.header.Get("ETag")
	if tag != `W/"1"` || r.str("meta.version") != tag {
		t.Fatalf("etag %q %s", tag, r.body)
	}
	c.do("GET", "/Users/"+id, nil, "If-None-Match", tag).must(t, 304)
	c.do("GET", "/Users/"+id, nil, "If-None-Match", `W/"7"`).must(t, 200)
	c.do("PUT", "/Users/"+id, map[string]any{"userName": "etag"}, "If-Match", `W/"5"`).must(t, 412)
	c.do("PATCH", "/Users/"+id, patchBody(map[string]any{"op": "replace", "path": "title", "value": "x"}), "If-Match", `W/"5"`).must(t, 412)
	c.do("DELETE", "/Users/"+id, nil, "If-Match", `W/"5"`).must(t, 412)
	p := c.do("PATCH", "/Users/"+id, patchBody(map[string]any{"op": "replace", "path": "title", "value": "x"}), "If-Match", tag).must(t, 200)
	if p.header.Get("ETag") != `W/"2"` || p.str("title") != "x" {
		t.Errorf("patch %v %s", p.header, p.body)
	}
	c.do("PUT", "/Users/"+id, map[string]any{"userName": "etag"}, "If-Match", tag).must(t, 412)
	c.do("PUT", "/Users/"+id, map[string]any{"userName": "etag"}, "If-Match", "*").must(t, 200)
	// An unchanged PATCH writes nothing: the version stays.
	same := c.do("PATCH", "/Users/"+id, patchBody(map[string]any{"op": "replace", "path": "userName", "value": "etag"})).must(t, 200)
	if same.str("meta.version") != `W/"3"` {
		t.Errorf("no-op patch bumped the version: %s", same.body)
	}
	g := c.do("GET", "/Groups/"+gid, nil).must(t, 200)
	c.do("PATCH", "/Groups/"+gid, patchBody(map[string]any{"op": "replace", "path": "displayName", "value": "y"}), "If-Match", `W/"9"`).must(t, 412)
	c.do("PATCH", "/Groups/"+gid, patchBody(map[string]any{"op": "replace", "path": "displayName", "value": "y"}), "If-Match", g.header.Get("ETag")).must(t, 204)
	c.do("DELETE", "/Groups/"+gid, nil, "If-Match", g.header.Get("ETag")).must(t, 412)
}
