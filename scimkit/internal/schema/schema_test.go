package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func TestResolveName(t *testing.T) {
	rt := UserResourceType()
	tests := []struct {
		name, in, want string
		leafType       Type
	}{
		{"plain", "userName", "userName", TypeString},
		{"case-insensitive", "USERNAME", "userName", TypeString},
		{"sub-attribute", "name.GivenName", "name.givenName", TypeString},
		{"core urn", "urn:ietf:params:scim:schemas:core:2.0:User:userName", "userName", TypeString},
		{"core urn any case", "URN:IETF:params:scim:schemas:core:2.0:user:active", "active", TypeBoolean},
		{"common id", "id", "id", TypeString},
		{"meta sub", "meta.lastModified", "meta.lastModified", TypeDateTime},
		{"multi-valued sub", "emails.value", "emails.value", TypeString},
		{"entra colon form", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
			EnterpriseUserSchemaURN + ":employeeNumber", TypeString},
		{"extension sub", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
			EnterpriseUserSchemaURN + ":manager.value", TypeString},
		{"extension unqualified", "department", EnterpriseUserSchemaURN + ":department", TypeString},
		{"whole extension", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user", EnterpriseUserSchemaURN, ""},
		{"unknown extension", "urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge",
			"urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge", TypeAny},
		{"$ref", "groups.$ref", "groups.$ref", TypeReference},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, err := rt.ResolveName(tt.in)
			if err != nil {
				t.Fatalf("ResolveName(%q): %v", tt.in, err)
			}
			if got := ref.String(); got != tt.want {
				t.Errorf("ResolveName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if ref.Attr != nil && ref.Leaf().Type != tt.leafType {
				t.Errorf("leaf type = %q, want %q", ref.Leaf().Type, tt.leafType)
			}
		})
	}
}

func TestResolveNameErrors(t *testing.T) {
	rt := UserResourceType()
	for _, in := range []string{"", "nope", "name.nope", "userName.x", "name.givenName.x", "1abc",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nope", "x y", "emails[type eq \"work\"]"} {
		t.Run(in, func(t *testing.T) {
			_, err := rt.ResolveName(in)
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("ResolveName(%q) error = %v, want *PathError", in, err)
			}
		})
	}
}

func TestAttributeFlags(t *testing.T) {
	u := UserResourceType()
	g := GroupResourceType()
	check := func(rt *ResourceType, name string, readOnly, secret, caseExact bool) {
		t.Helper()
		ref, err := rt.ResolveName(name)
		if err != nil {
			t.Fatal(err)
		}
		a := ref.Leaf()
		if a.ReadOnly() != readOnly || a.Secret() != secret || a.CaseExact != caseExact {
			t.Errorf("%s: readOnly=%v secret=%v caseExact=%v, want %v %v %v", name, a.ReadOnly(), a.Secret(), a.CaseExact, readOnly, secret, caseExact)
		}
	}
	check(u, "id", true, false, true)
	check(u, "meta", true, false, false)
	check(u, "groups", true, false, false)
	check(u, "password", false, true, false)
	check(u, "userName", false, false, false)
	check(u, "externalId", false, false, true)
	check(g, "displayName", false, false, false)
	check(g, "members.value", false, false, true)
	if _, err := g.ResolveName("userName"); err == nil {
		t.Error("Group resolved userName")
	}
}

func TestCoerce(t *testing.T) {
	rt := UserResourceType()
	attr := func(name string) *Attribute {
		ref, err := rt.ResolveName(name)
		if err != nil {
			t.Fatal(err)
		}
		return ref.Leaf()
	}
	tests := []struct {
		name string
		attr string
		in   string
		want any
		err  bool
	}{
		{"bool", "active", `true`, true, false},
		{"entra False", "active", `"False"`, false, false},
		{"entra True", "active", `"True"`, true, false},
		{"bad bool", "active", `"yes"`, nil, true},
		{"number for bool", "active", `1`, nil, true},
		{"string", "nickName", `"Babs"`, "Babs", false},
		{"entra wrapped single value", "nickName", `[{"value":"Babs"}]`, "Babs", false},
		{"value object", "nickName", `{"value":"Babs"}`, "Babs", false},
		{"two values for single", "nickName", `["a","b"]`, nil, true},
		{"object for string", "nickName", `{"a":"b"}`, nil, true},
		{"number for string", "nickName", `42`, "42", false},
		{"null", "nickName", `null`, nil, false},
		{"empty list", "nickName", `[]`, nil, false},
		{"manager string", EnterpriseUserSchemaURN + ":manager", `"boss"`, map[string]any{"value": "boss"}, false},
		{"manager object drops readOnly displayName", EnterpriseUserSchemaURN + ":manager",
			`{"value":"boss","displayName":"B"}`, map[string]any{"value": "boss"}, false},
		{"manager wrapped", EnterpriseUserSchemaURN + ":manager", `[{"value":"boss"}]`, map[string]any{"value": "boss"}, false},
		{"single email wrapped into list", "emails", `{"value":"a@x","type":"work"}`,
			[]any{map[string]any{"value": "a@x", "type": "work"}}, false},
		{"emails canonical case and string bool", "emails", `[{"VALUE":"a@x","Primary":"True","junk":1}]`,
			[]any{map[string]any{"value": "a@x", "primary": true}}, false},
		{"email null elements dropped", "emails", `[null]`, nil, false},
		{"dateTime", "meta.lastModified", `"2026-01-02T03:04:05Z"`, "2026-01-02T03:04:05Z", false},
		{"dateTime without zone", "meta.lastModified", `"2026-01-02T03:04:05"`, "2026-01-02T03:04:05", false},
		{"bad dateTime", "meta.lastModified", `"yesterday"`, nil, true},
		{"bad sub value", "emails", `[{"value":"a","primary":"maybe"}]`, nil, true},
		{"string for complex without value", "addresses", `"Main St"`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
				t.Fatal(err)
			}
			got, err := attr(tt.attr).Coerce(v)
			if tt.err {
				var ve *ValueError
				if !errors.As(err, &ve) {
					t.Fatalf("Coerce(%s) = %v, %v; want *ValueError", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Coerce(%s): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Coerce(%s) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCoerceNumbers(t *testing.T) {
	integer := &Attribute{Name: "n", Type: TypeInteger}
	decimal := &Attribute{Name: "d", Type: TypeDecimal}
	if v, err := integer.Coerce(json.Number("42")); err != nil || v != json.Number("42") {
		t.Errorf("integer 42 = %v, %v", v, err)
	}
	if _, err := integer.Coerce(json.Number("4.2")); err == nil {
		t.Error("integer accepted 4.2")
	}
	if _, err := integer.Coerce(4.5); err == nil {
		t.Error("integer accepted float 4.5")
	}
	if v, err := decimal.Coerce(4.5); err != nil || v != 4.5 {
		t.Errorf("decimal 4.5 = %v, %v", v, err)
	}
	if _, err := decimal.Coerce("4.5"); err == nil {
		t.Error("decimal accepted a string")
	}
}

func TestNormalize(t *testing.T) {
	rt := UserResourceType()
	in := `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "spoofed", "meta": {"resourceType": "Group"},
		"UserName": "Test.User@okta.local",
		"name": {"givenName": "Test", "familyName": "User"},
		"emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
		"active": "True",
		"password": "1mz050nq",
		"groups": [{"value": "g1"}],
		"unknownThing": 1,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": "boss"},
		"urn:ietf:params:scim:schemas:extension:acme:2.0:User": {"badge": 7}
	}`
	var body map[string]any
	if err := json.Unmarshal([]byte(in), &body); err != nil {
		t.Fatal(err)
	}
	got, err := rt.Normalize(body)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"schemas":  []any{UserSchemaURN, EnterpriseUserSchemaURN, "urn:ietf:params:scim:schemas:extension:acme:2.0:User"},
		"userName": "Test.User@okta.local",
		"name":     map[string]any{"givenName": "Test", "familyName": "User"},
		"emails":   []any{map[string]any{"primary": true, "value": "test.user@okta.local", "type": "work"}},
		"active":   true,
		EnterpriseUserSchemaURN: map[string]any{
			"employeeNumber": "701984", "manager": map[string]any{"value": "boss"},
		},
		"urn:ietf:params:scim:schemas:extension:acme:2.0:User": map[string]any{"badge": float64(7)},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("Normalize =\n%s", g)
	}
	if _, ok := body["password"]; !ok {
		t.Error("Normalize modified its input")
	}
}

func TestNormalizeFlatExtensionKeys(t *testing.T) {
	rt := UserResourceType()
	body := map[string]any{
		"userName": "a",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":    "Tech",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value": "m1",
	}
	got, err := rt.Normalize(body)
	if err != nil {
		t.Fatal(err)
	}
	ext, _ := got[EnterpriseUserSchemaURN].(map[string]any)
	if ext["department"] != "Tech" || !reflect.DeepEqual(ext["manager"], map[string]any{"value": "m1"}) {
		t.Errorf("extension = %#v", ext)
	}
}

func TestNormalizeInvalid(t *testing.T) {
	rt := UserResourceType()
	for _, body := range []map[string]any{
		{"active": "maybe"},
		{EnterpriseUserSchemaURN: "x"},
		{"emails": []any{map[string]any{"primary": []any{}}}},
	} {
		var ve *ValueError
		if _, err := rt.Normalize(body); !errors.As(err, &ve) {
			t.Errorf("Normalize(%v) error = %v, want *ValueError", body, err)
		}
	}
}

func TestGoldenDocuments(t *testing.T) {
	user, group := UserResourceType(), GroupResourceType()
	docs := map[string]func() ([]byte, error){
		"schema_user.json":       func() ([]byte, error) { return SchemaJSON(user.Schema, "https://app.example/scim/v2/") },
		"schema_enterprise.json": func() ([]byte, error) { return SchemaJSON(user.Extensions[0].Schema, "https://app.example/scim/v2") },
		"schema_group.json":      func() ([]byte, error) { return SchemaJSON(group.Schema, "https://app.example/scim/v2") },
		"resourcetype_user.json": func() ([]byte, error) { return ResourceTypeJSON(user, "https://app.example/scim/v2") },
		"resourcetype_group.json": func() ([]byte, error) {
			return ResourceTypeJSON(group, "https://app.example/scim/v2")
		},
	}
	for name, render := range docs {
		t.Run(name, func(t *testing.T) {
			b, err := render()
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, b, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", "golden", name)
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("%s differs from the golden file; run with -update after checking", name)
			}
		})
	}
}

func TestSchemas(t *testing.T) {
	got := Schemas(UserResourceType(), GroupResourceType(), UserResourceType())
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	want := []string{UserSchemaURN, GroupSchemaURN, EnterpriseUserSchemaURN}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("Schemas = %v, want %v", ids, want)
	}
}

func TestUnknownExtension(t *testing.T) {
	rt := UserResourceType()
	for key, want := range map[string]bool{
		"urn:ietf:params:scim:schemas:extension:acme:2.0:User": true,
		"urn:okta:custom:group:1.0":                            true,
		EnterpriseUserSchemaURN:                                false,
		EnterpriseUserSchemaURN + ":nope":                      false,
		UserSchemaURN:                                          false,
		UserSchemaURN + ":userName":                            false,
		"userName":                                             false,
	} {
		if got := rt.UnknownExtension(key); got != want {
			t.Errorf("UnknownExtension(%q) = %v, want %v", key, got, want)
		}
	}
}
