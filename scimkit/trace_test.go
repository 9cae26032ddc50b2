package scimkit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// traceRequest is a recorded request of an identity provider, with the
// resources it needs created first. {{alias}} in path and body is replaced
// by the id of the resource created under that alias.
type traceRequest struct {
	Note  string `json:"note"`
	Setup struct {
		Users  map[string]map[string]any `json:"users"`
		Groups map[string]struct {
			DisplayName string   `json:"displayName"`
			Members     []string `json:"members"`
		} `json:"groups"`
	} `json:"setup"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
}

// traceResponse is the expected answer: the status and a subset of the
// body (null: the member must be absent), and optionally a GET whose body
// must contain a subset afterwards.
type traceResponse struct {
	Status int            `json:"status"`
	Body   map[string]any `json:"body"`
	Then   *struct {
		Path string         `json:"path"`
		Body map[string]any `json:"body"`
	} `json:"then"`
}

// TestIdPTraces replays the request/response pairs of
// testdata/idp/<dialect>/ against a directory of that dialect.
func TestIdPTraces(t *testing.T) {
	files, err := filepath.Glob("testdata/idp/*/*.request.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no traces: %v", err)
	}
	for _, f := range files {
		dialect := filepath.Base(filepath.Dir(f))
		name := dialect + "/" + strings.TrimSuffix(filepath.Base(f), ".request.json")
		t.Run(name, func(t *testing.T) {
			var req traceRequest
			var want traceResponse
			readJSON(t, f, &req)
			readJSON(t, strings.TrimSuffix(f, ".request.json")+".response.json", &want)
			e := newEnv(t, envOptions{})
			c := e.directory("org_trace", dialect)
			ids := map[string]string{}
			for alias, body := range req.Setup.Users {
				ids[alias] = c.do("POST", "/Users", body).must(t, 201).str("id")
			}
			for alias, g := range req.Setup.Groups {
				var members []string
				for _, m := range g.Members {
					members = append(members, ids[m])
				}
				ids[alias] = c.group(g.DisplayName, members...)
			}
			subst := func(s string) string {
				for alias, id := range ids {
					s = strings.ReplaceAll(s, "{{"+alias+"}}", id)
				}
				return s
			}
			var body any
			if len(req.Body) > 0 {
				body = subst(string(req.Body))
			}
			r := c.do(req.Method, subst(req.Path), body).must(t, want.Status)
			if want.Body != nil {
				var exp map[string]any
				_ = json.Unmarshal([]byte(subst(mustJSON(t, want.Body))), &exp)
				if msg := subset(exp, r.json); msg != "" {
					t.Errorf("%s: response %s: %s", req.Note, r.body, msg)
				}
			}
			if want.Then != nil {
				g := c.do("GET", subst(want.Then.Path), nil).must(t, 200)
				var exp map[string]any
				_ = json.Unmarshal([]byte(subst(mustJSON(t, want.Then.Body))), &exp)
				if msg := subset(exp, g.json); msg != "" {
					t.Errorf("%s: then %s: %s", req.Note, g.body, msg)
				}
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// subset reports how actual fails to contain expected ("" when it does):
// objects by member (a null member must be absent), lists of the same
// length whose expected elements each match some actual element, other
// values by equality.
func subset(expected, actual any) string {
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return "not an object"
		}
		for k, v := range e {
			av, present := a[k]
			if v == nil {
				if present {
					return k + " present"
				}
				continue
			}
			if !present {
				return k + " missing"
			}
			if msg := subset(v, av); msg != "" {
				return k + ": " + msg
			}
		}
		return ""
	case []any:
		a, ok := actual.([]any)
		if !ok || len(a) != len(e) {
			return "list length differs"
		}
		for i, ev := range e {
			found := false
			for _, av := range a {
				if subset(ev, av) == "" {
					found = true
					break
				}
			}
			if !found {
				return "element " + string(rune('0'+i)) + " not found"
			}
		}
		return ""
	}
	if !reflect.DeepEqual(expected, actual) {
		return "value differs"
	}
	return ""
}
