package patch

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// FuzzParsePath resolves arbitrary PATCH paths: it must return a path or an
// *Error, never panic.
func FuzzParsePath(f *testing.F) {
	for _, file := range fixtureFiles(f) {
		fx := loadFixture(f, file)
		ops, err := ParseRequest(fx.Request, Limits{})
		if err != nil {
			f.Fatal(err)
		}
		for _, op := range ops {
			f.Add(op.Path)
		}
	}
	for _, s := range []string{`emails[type eq "work"].value`, `members[value eq "a" or value eq "b"]`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, `addresses[type eq "work"].streetAddress`,
		`urn:ietf:params:scim:schemas:extension:acme:2.0:User:x[y eq 1].z`, `emails[`, `]`, `a.b.c`,
		schema.UserSchemaURN, schema.GroupSchemaURN, `urn:ietf:params:scim:schemas:core:2.0`, schema.GroupSchemaURN + `:password`} {
		f.Add(s)
	}
	user, group := schema.UserResourceType(), schema.GroupResourceType()
	f.Fuzz(func(t *testing.T, s string) {
		for _, rt := range []*schema.ResourceType{user, group} {
			p, err := parsePath(s, rt)
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) {
					t.Fatalf("parsePath(%q) error %T %v", s, err, err)
				}
				continue
			}
			if p.core != rt.IsCoreSchema(strings.TrimSpace(s)) {
				t.Fatalf("parsePath(%q) core = %v", s, p.core)
			}
			if !p.core && p.ref.Attr == nil && p.ref.Extension == "" {
				t.Fatalf("parsePath(%q) resolved to nothing", s)
			}
		}
	})
}

// FuzzApply parses arbitrary PATCH bodies and applies them to a fixed user
// and a fixed group: no panic, input untouched, the result JSON-encodable
// and free of password, and MemberOps agreeing with Apply on membership.
func FuzzApply(f *testing.F) {
	for _, file := range fixtureFiles(f) {
		f.Add([]byte(loadFixture(f, file).Request))
	}
	f.Add(body(`{"op":"add","path":"emails[type eq \"work\"].primary","value":true},{"op":"add","path":"password","value":"x"}`))
	f.Add(body(`{"op":"replace","value":{"members":[{"value":"a"}],"displayName":"x","password":"p"}}`))
	// Attributes nested under the core schema URN (a password once stored
	// that way, as an unknown extension).
	for _, core := range []string{schema.UserSchemaURN, schema.GroupSchemaURN} {
		f.Add(body(`{"op":"add","value":{"` + core + `":{"password":"secretpw3","displayName":"x"}}}`))
		f.Add(body(`{"op":"replace","path":"` + core + `","value":{"password":"secretpw3","members":[{"value":"a"}]}}`))
	}
	f.Add(body(`{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"x":[{"Password":"p"}]}}}`))
	user, group := schema.UserResourceType(), schema.GroupResourceType()
	f.Fuzz(func(t *testing.T, b []byte) {
		ops, err := ParseRequest(b, Limits{})
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("ParseRequest error %T %v", err, err)
			}
			return
		}
		u := decode(t, baseUser)
		check(t, u, ops, user, baseUser)
		g := decode(t, fuzzGroup)
		out := check(t, g, ops, group, fuzzGroup)
		delta, rest, err := MemberOps(ops, group)
		if err != nil || out == nil {
			return
		}
		// A server with a membership table reaches the same members.
		members := map[string]bool{}
		if !delta.Replace {
			for _, m := range elements(decode(t, fuzzGroup)["members"]) {
				members[m.(map[string]any)["value"].(string)] = true
			}
		}
		for _, id := range delta.Removed {
			delete(members, id)
		}
		for _, id := range delta.Added {
			members[id] = true
		}
		want := map[string]bool{}
		for _, m := range elements(out["members"]) {
			if id, ok := m.(map[string]any)["value"].(string); ok {
				want[id] = true
			}
		}
		if !reflect.DeepEqual(members, want) {
			t.Fatalf("MemberOps members %v, Apply members %v", members, want)
		}
		noMembers := decode(t, fuzzGroup)
		delete(noMembers, "members")
		if _, err := Apply(noMembers, rest, group); err != nil {
			t.Fatalf("Apply succeeded on the group but not on the rest of MemberOps: %v", err)
		}
	})
}

const fuzzGroup = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"G",
	"members":[{"value":"a"},{"value":"b","display":"B"}]}`

func check(t *testing.T, in map[string]any, ops []Operation, rt *schema.ResourceType, orig string) map[string]any {
	t.Helper()
	out, err := Apply(in, ops, rt)
	if !reflect.DeepEqual(in, decode(t, orig)) {
		t.Fatal("Apply modified its input")
	}
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) || out != nil {
			t.Fatalf("Apply = %v, %T %v", out, err, err)
		}
		return nil
	}
	if _, err := json.Marshal(out); err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
	if p := passwordAt(out, ""); p != "" {
		t.Fatalf("password at %s in result: %v", p, out)
	}
	return out
}
