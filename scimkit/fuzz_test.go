package scimkit_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds returns the request bodies and filters of the IdP traces.
func fuzzSeeds(f *testing.F) (bodies, filters []string) {
	files, _ := filepath.Glob("testdata/idp/*/*.request.json")
	for _, p := range files {
		var req traceRequest
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if err := json.Unmarshal(b, &req); err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		if len(req.Body) > 0 {
			bodies = append(bodies, string(req.Body))
		}
		if u, err := url.Parse(req.Path); err == nil && u.Query().Has("filter") {
			filters = append(filters, u.Query().Get("filter"))
		}
	}
	return bodies, filters
}

func serveOne(h http.Handler, token, method, target, body string) int {
	code, _ := serveBody(h, token, method, target, body)
	return code
}

func serveBody(h http.Handler, token, method, target, body string) (int, []byte) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// passwordKey returns the path of a "password" key (any case, any depth)
// in a JSON document, or "".
func passwordKey(doc []byte) string {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return ""
	}
	var find func(v any, at string) string
	find = func(v any, at string) string {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if strings.EqualFold(k, "password") {
					return at + "/" + k
				}
				if p := find(e, at+"/"+k); p != "" {
					return p
				}
			}
		case []any:
			for _, e := range t {
				if p := find(e, at+"/[]"); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return find(v, "")
}

// FuzzFilterHandler sends filters through the HTTP handler: never a 5xx,
// never a panic.
func FuzzFilterHandler(f *testing.F) {
	_, filters := fuzzSeeds(f)
	for _, s := range append(filters,
		`userName eq "a"`, `emails[type eq "work" and value co "@"]`, `not (active eq true) or title pr`,
		`meta.created gt "2020-01-01T00:00:00Z"`, `userName sw a`, `members[value eq "x"]`, `((((`, `a eq "\"`, "\x00") {
		f.Add(s)
	}
	e := newEnv(f, envOptions{})
	generic, entra := seedPeople(f, e, "generic"), e.directory("org_fuzz_entra", "entra")
	entra.user("someone")
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, filter string) {
		for _, c := range []*client{generic, entra} {
			for _, p := range []string{"/Users", "/Groups"} {
				if code := serveOne(h, c.token, "GET", p+"?filter="+url.QueryEscape(filter)+"&sortBy=userName", ""); code >= 500 {
					t.Fatalf("%s %s filter %q: status %d", c.dir.Dialect, p, filter, code)
				}
			}
		}
	})
}

// FuzzPatchHandler sends PATCH bodies to a user and a group through the
// HTTP handler: never a 5xx, never a panic, never a password in the
// resource afterwards. testdata/fuzz/FuzzPatchHandler holds bodies that
// once stored a password (nested under the core schema URN).
func FuzzPatchHandler(f *testing.F) {
	bodies, _ := fuzzSeeds(f)
	for _, b := range append(bodies,
		`{"Operations":[{"op":"add","path":"members","value":[{"value":"x"}]}]}`,
		`{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"a@b"}]}`,
		`{"Operations":[{"op":"remove","path":"members[value eq \"a\" or value eq \"b\"]"}]}`,
		`{"Operations":[{"op":"replace","value":{"active":"False","name.givenName":1}}]}`,
		`{"Operations":[]}`, `[]`, `{"Operations":[{"op":"add","path":"[","value":{}}]}`) {
		f.Add(b)
	}
	e := newEnv(f, envOptions{})
	c := e.directory("org_fuzz", "entra")
	u := c.user("fuzz")
	g := c.group("fuzzers", u)
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range []string{"/Users/" + u, "/Groups/" + g} {
			if code := serveOne(h, c.token, "PATCH", p, body); code >= 500 {
				t.Fatalf("PATCH %s %q: status %d", p, body, code)
			}
			code, doc := serveBody(h, c.token, "GET", p, "")
			if code != http.StatusOK {
				t.Fatalf("GET %s after PATCH %q: status %d", p, body, code)
			}
			if at := passwordKey(doc); at != "" {
				t.Fatalf("PATCH %s %q: password at %s: %s", p, body, at, doc)
			}
		}
	})
}

// FuzzResourceHandler sends POST and PUT bodies for users and groups
// through the HTTP handler: never a 5xx, never a panic, never a password in
// a response. testdata/fuzz/FuzzResourceHandler holds bodies that once
// stored a password (nested under the core schema URN).
func FuzzResourceHandler(f *testing.F) {
	bodies, _ := fuzzSeeds(f)
	for _, b := range append(bodies,
		`{"userName":"a","password":"p","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D"}}`,
		`{"displayName":"g","members":[{"value":"x"}]}`, `{}`, `[]`, `null`) {
		f.Add(b)
	}
	e := newEnv(f, envOptions{})
	c := e.directory("org_fuzz_put", "generic")
	u := c.user("fuzz")
	g := c.group("fuzzers", u)
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, req := range [][2]string{{"POST", "/Users"}, {"PUT", "/Users/" + u}, {"POST", "/Groups"}, {"PUT", "/Groups/" + g}} {
			code, doc := serveBody(h, c.token, req[0], req[1], body)
			if code >= 500 {
				t.Fatalf("%s %s %q: status %d", req[0], req[1], body, code)
			}
			if at := passwordKey(doc); at != "" {
				t.Fatalf("%s %s %q: password at %s: %s", req[0], req[1], body, at, doc)
			}
			// Free the names for the next input.
			if code == http.StatusCreated && req[0] == "POST" {
				var res struct{ ID string }
				if err := json.Unmarshal(doc, &res); err == nil && res.ID != "" {
					serveOne(h, c.token, "DELETE", req[1]+"/"+res.ID, "")
				}
			}
		}
	})
}
