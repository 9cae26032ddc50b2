package patch

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// passwordAt returns the path of the first "password" key (any case) at any
// depth of v, or "".
func passwordAt(v any, at string) string {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if strings.EqualFold(k, "password") {
				return at + "/" + k
			}
			if p := passwordAt(e, at+"/"+k); p != "" {
				return p
			}
		}
	case []any:
		for _, e := range t {
			if p := passwordAt(e, at+"/[]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// TestApplyCoreContainer covers core attributes nested under the core
// schema URN, in a path-less value object or with the URN as path: they
// are applied as core attributes, password and read-only ones dropped,
// and nothing is kept as an unknown extension.
func TestApplyCoreContainer(t *testing.T) {
	rt := schema.UserResourceType()
	const core = `"urn:ietf:params:scim:schemas:core:2.0:User"`
	tests := []struct {
		name string
		ops  string
		want map[string]any // attributes that must equal (JSON) in the result
	}{
		{"no path, password alone (the reported attack)",
			`{"op":"replace","value":{` + core + `:{"password":"secretpw3"}}}`,
			map[string]any{"userName": "bjensen", "displayName": "Babs"}},
		{"no path, add",
			`{"op":"add","value":{` + core + `:{"password":"secretpw3","title":"CTO","name.givenName":"Barb"}}}`,
			map[string]any{"title": "CTO", "name": map[string]any{"givenName": "Barb", "familyName": "Jensen"}}},
		{"no path, replace with read-only attributes",
			`{"op":"replace","value":{"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER":{"Password":"x","id":"spoof","groups":[{"value":"g9"}],"active":"False"}}}`,
			map[string]any{"id": "u1", "active": false, "groups": []any{map[string]any{"value": "g1"}}}},
		{"no path, top-level wins",
			`{"op":"replace","value":{"displayName":"Top",` + core + `:{"displayName":"Inner","nickName":"N"}}}`,
			map[string]any{"displayName": "Top", "nickName": "N"}},
		{"path is the core URN, add",
			`{"op":"add","path":` + core + `,"value":{"password":"secretpw3","title":"CTO"}}`,
			map[string]any{"title": "CTO"}},
		{"path is the core URN, replace",
			`{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:user","value":{"PASSWORD":"secretpw3","emails":[{"value":"b@x.example","primary":true}]}}`,
			map[string]any{"emails": []any{map[string]any{"value": "b@x.example", "primary": true}}}},
		{"no path, other core schemas dropped",
			`{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:Group":{"password":"pw"},"urn:ietf:params:scim:schemas:core:2.0":{"User":{"password":"pw"}}}}`,
			map[string]any{"userName": "bjensen"}},
		{"no path, password deep in an unknown extension",
			`{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"badge":7,"nested":{"Password":"pw"},"list":[{"password":"pw"}]}}}`,
			map[string]any{"urn:ietf:params:scim:schemas:extension:acme:2.0:User": map[string]any{
				"badge": float64(7), "nested": map[string]any{}, "list": []any{map[string]any{}}}}},
		{"path into an unknown extension",
			`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:creds","value":{"password":"pw","hint":"h"}}`,
			map[string]any{"urn:ietf:params:scim:schemas:extension:acme:2.0:User": map[string]any{"creds": map[string]any{"hint": "h"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParseRequest(body(tt.ops), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := Apply(decode(t, baseUser), ops, rt)
			if err != nil {
				t.Fatal(err)
			}
			if p := passwordAt(got, ""); p != "" {
				t.Errorf("password kept at %s", p)
			}
			for k, want := range tt.want {
				g, _ := json.Marshal(got[k])
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Errorf("%s = %s, want %s", k, g, w)
				}
			}
			for k := range got {
				if strings.HasPrefix(strings.ToLower(k), "urn:ietf:params:scim:schemas:core:") {
					t.Errorf("core URN kept as a key: %q", k)
				}
			}
			if s := got["schemas"].([]any); s[0] != schema.UserSchemaURN {
				t.Errorf("schemas = %v", s)
			}
			for _, s := range got["schemas"].([]any) {
				if strings.HasPrefix(s.(string), "urn:ietf:params:scim:schemas:core:2.0") && s != schema.UserSchemaURN {
					t.Errorf("bogus schema URN %q", s)
				}
			}
		})
	}
}

func TestApplyCoreContainerErrors(t *testing.T) {
	rt := schema.UserResourceType()
	const core = `"urn:ietf:params:scim:schemas:core:2.0:User"`
	for _, tt := range []struct{ name, ops, scimType string }{
		{"remove the core URN", `{"op":"remove","path":` + core + `}`, InvalidValue},
		{"core URN path with a string", `{"op":"add","path":` + core + `,"value":"secretpw3"}`, InvalidValue},
		{"core URN path with null", `{"op":"replace","path":` + core + `,"value":null}`, InvalidValue},
		{"no path, container not an object", `{"op":"add","value":{` + core + `:"secretpw3"}}`, InvalidValue},
		{"attribute of another core schema", `{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:Group:displayName","value":"x"}`, InvalidPath},
		{"core URN split at its last colon", `{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:User.password","value":"x"}`, InvalidPath},
		{"filter on the core URN", `{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:User[password eq \"x\"]","value":"x"}`, InvalidPath},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParseRequest(body(tt.ops), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := Apply(decode(t, baseUser), ops, rt)
			var pe *Error
			if !errors.As(err, &pe) || pe.ScimType != tt.scimType {
				t.Fatalf("Apply = %v, %v; want scimType %s", got, err, tt.scimType)
			}
		})
	}
}

// TestApplyScrubsStoredCoreContainer covers a row stored before the fix:
// the next PATCH drops what the attack left.
func TestApplyScrubsStoredCoreContainer(t *testing.T) {
	in := decode(t, `{"userName":"carol","schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:core:2.0"],
		"urn:ietf:params:scim:schemas:core:2.0":{"User":{"password":"secretpw3"}}}`)
	got, err := Apply(in, []Operation{{Op: Replace, Path: "title", Value: json.RawMessage(`"x"`)}}, schema.UserResourceType())
	if err != nil {
		t.Fatal(err)
	}
	want := decode(t, `{"userName":"carol","title":"x","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply = %v", got)
	}
}

func TestMemberOpsCoreContainer(t *testing.T) {
	rt := schema.GroupResourceType()
	const core = `"urn:ietf:params:scim:schemas:core:2.0:Group"`
	tests := []struct {
		name, ops string
		want      MemberDelta
		rest      int
	}{
		{"no path, members in the container", `{"op":"replace","value":{` + core + `:{"members":[{"value":"m"}],"displayName":"N"}}}`,
			MemberDelta{Replace: true, Added: []string{"m"}}, 1},
		{"no path, members only in the container", `{"op":"add","value":{` + core + `:{"members":[{"value":"m"}]}}}`,
			MemberDelta{Added: []string{"m"}}, 0},
		{"no path, members at both levels", `{"op":"add","value":{"members":[{"value":"a"}],` + core + `:{"members":[{"value":"b"}]}}}`,
			MemberDelta{Added: []string{"b", "a"}}, 0},
		{"path is the core URN", `{"op":"add","path":` + core + `,"value":{"members":[{"value":"m"}],"displayName":"N"}}`,
			MemberDelta{Added: []string{"m"}}, 1},
		{"path is the core URN without members", `{"op":"replace","path":` + core + `,"value":{"displayName":"N"}}`,
			MemberDelta{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParseRequest(body(tt.ops), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got, rest, err := MemberOps(ops, rt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("delta = %+v, want %+v", got, tt.want)
			}
			if len(rest) != tt.rest {
				t.Fatalf("rest = %v, want %d operations", rest, tt.rest)
			}
			for _, op := range rest {
				if strings.Contains(strings.ToLower(string(op.Value)), "members") {
					t.Errorf("members left in %s", op.Value)
				}
				out, err := Apply(decode(t, `{"displayName":"G"}`), []Operation{op}, rt)
				if err != nil {
					t.Fatalf("Apply(rest): %v", err)
				}
				if out["displayName"] != "N" {
					t.Errorf("displayName = %v, want N", out["displayName"])
				}
			}
		})
	}
}
