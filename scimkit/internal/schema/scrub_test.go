package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// findKey reports the path of the first key equal to name (any case) at any
// depth of v, or "".
func findKey(v any, name, at string) string {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if strings.EqualFold(k, name) {
				return at + "/" + k
			}
			if p := findKey(e, name, at+"/"+k); p != "" {
				return p
			}
		}
	case []any:
		for _, e := range t {
			if p := findKey(e, name, at+"/[]"); p != "" {
				return p
			}
		}
	}
	return ""
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

// TestNormalizeCoreContainer covers attributes nested under the core
// schema URN as an object: read as core attributes, so password and
// read-only attributes are dropped and the others kept, and never stored
// as an unknown extension.
func TestNormalizeCoreContainer(t *testing.T) {
	user, group := UserResourceType(), GroupResourceType()
	tests := []struct {
		name string
		rt   *ResourceType
		in   string
		want string
	}{
		{"password alone (the reported attack)", user,
			`{"userName":"carol","urn:ietf:params:scim:schemas:core:2.0:User":{"password":"secretpw3"}}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"carol"}`},
		{"core attributes applied, read-only and secret dropped", user,
			`{"urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"dave","PASSWORD":"pw","id":"spoof",
				"groups":[{"value":"g1"}],"name.givenName":"Dave","title":"CTO","active":"False",
				"urn:ietf:params:scim:schemas:core:2.0:User:displayName":"D"}}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dave","name":{"givenName":"Dave"},
				"title":"CTO","active":false,"displayName":"D"}`},
		{"key in any case", user,
			`{"userName":"erin","URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER":{"password":"pw","nickName":"E"}}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"erin","nickName":"E"}`},
		{"top-level attribute wins over the container", user,
			`{"userName":"top","urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"inner","title":"T"}}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"top","title":"T"}`},
		{"extensions have no place in the container", user,
			`{"userName":"f","urn:ietf:params:scim:schemas:core:2.0:User":{"department":"D",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D"},
				"urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"password":"pw"},
				"urn:ietf:params:scim:schemas:core:2.0:User":{"password":"pw"}}}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"f"}`},
		{"another core schema is no extension", user,
			`{"userName":"g","urn:ietf:params:scim:schemas:core:2.0:Group":{"password":"pw","displayName":"x"},
				"urn:ietf:params:scim:schemas:core:2.0":{"User":{"password":"pw"}},
				"urn:ietf:params:scim:schemas:core:2.0:Group:password":"pw"}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"g"}`},
		{"null container", user,
			`{"userName":"h","urn:ietf:params:scim:schemas:core:2.0:User":null}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"h"}`},
		{"password at any depth of an unknown extension", user,
			`{"userName":"i","urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"badge":7,"Password":"pw",
				"nested":{"PASSWORD":"pw","k":1},"list":[{"password":"pw","v":2},"password"]}}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:acme:2.0:User"],
				"userName":"i","urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"badge":7,"nested":{"k":1},"list":[{"v":2},"password"]}}`},
		{"group container", group,
			`{"urn:ietf:params:scim:schemas:core:2.0:Group":{"displayName":"Eng","password":"pw","id":"spoof"}}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng"}`},
		{"user container in a group", group,
			`{"displayName":"Ops","urn:ietf:params:scim:schemas:core:2.0:User":{"password":"pw"}}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rt.Normalize(decodeJSON(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if p := findKey(got, "password", ""); p != "" {
				t.Errorf("password kept at %s", p)
			}
			if want := decodeJSON(t, tt.want); !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("Normalize =\n%s\nwant\n%s", g, tt.want)
			}
		})
	}
}

func TestNormalizeCoreContainerNotAnObject(t *testing.T) {
	var ve *ValueError
	_, err := UserResourceType().Normalize(map[string]any{"userName": "a", UserSchemaURN: "password"})
	if !errors.As(err, &ve) || ve.Attribute != UserSchemaURN {
		t.Errorf("Normalize error = %v, want *ValueError for %s", err, UserSchemaURN)
	}
}

// TestResolveOtherCoreSchemas checks that URNs under the core prefix never
// resolve as unknown extensions (which would keep anything as it comes).
func TestResolveOtherCoreSchemas(t *testing.T) {
	user, group := UserResourceType(), GroupResourceType()
	for _, tt := range []struct {
		rt *ResourceType
		in string
	}{
		{user, UserSchemaURN},
		{user, "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"},
		{user, GroupSchemaURN + ":displayName"},
		{user, "urn:ietf:params:scim:schemas:core:2.0:User:password.x"},
		{user, "urn:ietf:params:scim:schemas:core:1.0:User:password"},
		{group, GroupSchemaURN},
		{group, UserSchemaURN + ":password"},
	} {
		t.Run(tt.rt.ID+" "+tt.in, func(t *testing.T) {
			ref, err := tt.rt.ResolveName(tt.in)
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("ResolveName(%q) = %v, %v; want *PathError", tt.in, ref, err)
			}
		})
	}
	if _, err := user.Resolve("urn:ietf:params:scim:schemas:core:2.0", "User", ""); err == nil {
		t.Error(`Resolve("urn:ietf:params:scim:schemas:core:2.0", "User") succeeded`)
	}
	// The core schema's own password still resolves, as the secret it is.
	ref, err := user.ResolveName(UserSchemaURN + ":password")
	if err != nil || !ref.Leaf().Secret() {
		t.Errorf("ResolveName(core password) = %v, %v; want the secret attribute", ref, err)
	}
}

func TestUnknownExtensionCorePrefix(t *testing.T) {
	rt := UserResourceType()
	for _, key := range []string{"urn:ietf:params:scim:schemas:core:2.0", GroupSchemaURN,
		"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:Thing", "urn:ietf:params:scim:schemas:core:3.0:User"} {
		if rt.UnknownExtension(key) {
			t.Errorf("UnknownExtension(%q) = true", key)
		}
	}
	urns := rt.SchemaURNs(map[string]any{"urn:ietf:params:scim:schemas:core:2.0": map[string]any{"User": map[string]any{}}})
	if !reflect.DeepEqual(urns, []any{UserSchemaURN}) {
		t.Errorf("SchemaURNs = %v", urns)
	}
}

// TestScrubStoredResource covers rows written before the fix: what
// Normalize and Apply now refuse is removed when such a row is read.
func TestScrubStoredResource(t *testing.T) {
	res := decodeJSON(t, `{"userName":"carol","password":"pw","Password":"pw",
		"urn:ietf:params:scim:schemas:core:2.0":{"User":{"password":"secretpw3"}},
		"urn:ietf:params:scim:schemas:core:2.0:User":{"password":"pw"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D"},
		"urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"k":1,"deep":[{"pAsSwOrD":"pw"}]}}`)
	UserResourceType().Scrub(res)
	want := decodeJSON(t, `{"userName":"carol",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D"},
		"urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"k":1,"deep":[{}]}}`)
	if !reflect.DeepEqual(res, want) {
		g, _ := json.Marshal(res)
		t.Errorf("Scrub =\n%s", g)
	}
}
