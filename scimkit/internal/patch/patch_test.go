package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

const ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

func body(ops string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`)
}

const baseUser = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	"id": "u1", "userName": "bjensen", "active": true, "displayName": "Babs",
	"meta": {"resourceType": "User", "version": "W/\"1\""},
	"name": {"givenName": "Barbara", "familyName": "Jensen"},
	"emails": [
		{"value": "bjensen@example.com", "type": "work", "primary": true},
		{"value": "babs@jensen.org", "type": "home"}
	],
	"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood"}],
	"groups": [{"value": "g1"}]
}`

func TestApply(t *testing.T) {
	rt := schema.UserResourceType()
	tests := []struct {
		name string
		ops  string
		// check receives the result; it returns "" when all is well.
		want map[string]any // attributes that must equal (JSON) in the result
		gone []string       // attributes that must be absent
	}{
		{name: "replace simple", ops: `{"op":"replace","path":"displayName","value":"B"}`,
			want: map[string]any{"displayName": "B"}},
		{name: "replace simple case-insensitive path", ops: `{"op":"replace","path":"DISPLAYNAME","value":"B"}`,
			want: map[string]any{"displayName": "B"}},
		{name: "add simple", ops: `{"op":"add","path":"title","value":"Tour Guide"}`,
			want: map[string]any{"title": "Tour Guide"}},
		{name: "remove simple", ops: `{"op":"remove","path":"displayName"}`, gone: []string{"displayName"}},
		{name: "replace null unassigns", ops: `{"op":"replace","path":"displayName","value":null}`, gone: []string{"displayName"}},
		{name: "add null is a no-op", ops: `{"op":"add","path":"displayName","value":null}`, want: map[string]any{"displayName": "Babs"}},
		{name: "sub-attribute", ops: `{"op":"replace","path":"name.givenName","value":"Barb"}`,
			want: map[string]any{"name": map[string]any{"givenName": "Barb", "familyName": "Jensen"}}},
		{name: "add sub-attribute to absent complex", ops: `{"op":"remove","path":"name"},{"op":"add","path":"name.familyName","value":"J"}`,
			want: map[string]any{"name": map[string]any{"familyName": "J"}}},
		{name: "remove last sub-attribute removes complex", ops: `{"op":"remove","path":"name.givenName"},{"op":"remove","path":"name.familyName"}`,
			gone: []string{"name"}},
		{name: "replace complex merges", ops: `{"op":"replace","path":"name","value":{"givenName":"B"}}`,
			want: map[string]any{"name": map[string]any{"givenName": "B", "familyName": "Jensen"}}},
		{name: "add complex merges", ops: `{"op":"add","path":"name","value":{"middleName":"Jane"}}`,
			want: map[string]any{"name": map[string]any{"givenName": "Barbara", "familyName": "Jensen", "middleName": "Jane"}}},
		{name: "add multi-valued appends", ops: `{"op":"add","path":"emails","value":[{"value":"b@work2.com","type":"other"}]}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
				map[string]any{"value": "babs@jensen.org", "type": "home"},
				map[string]any{"value": "b@work2.com", "type": "other"}}}},
		{name: "add multi-valued single value wrapped", ops: `{"op":"add","path":"phoneNumbers","value":{"value":"555","type":"work"}}`,
			want: map[string]any{"phoneNumbers": []any{map[string]any{"value": "555", "type": "work"}}}},
		{name: "add duplicate merges", ops: `{"op":"add","path":"emails","value":[{"value":"BABS@jensen.org","type":"home","display":"Babs"}]}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
				map[string]any{"value": "BABS@jensen.org", "type": "home", "display": "Babs"}}}},
		{name: "add primary clears others", ops: `{"op":"add","path":"emails","value":[{"value":"new@x.com","type":"other","primary":true}]}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work", "primary": false},
				map[string]any{"value": "babs@jensen.org", "type": "home"},
				map[string]any{"value": "new@x.com", "type": "other", "primary": true}}}},
		{name: "filtered primary clears others", ops: `{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work", "primary": false},
				map[string]any{"value": "babs@jensen.org", "type": "home", "primary": true}}}},
		{name: "replace multi-valued list", ops: `{"op":"replace","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "a@x", "primary": false}, map[string]any{"value": "b@x", "primary": true}}}},
		{name: "remove multi-valued", ops: `{"op":"remove","path":"emails"}`, gone: []string{"emails"}},
		{name: "remove filtered", ops: `{"op":"remove","path":"emails[type eq \"work\"]"}`,
			want: map[string]any{"emails": []any{map[string]any{"value": "babs@jensen.org", "type": "home"}}}},
		{name: "remove filtered no match is a no-op", ops: `{"op":"remove","path":"emails[type eq \"other\"]"}`,
			want: map[string]any{"emails": decode(t, baseUser)["emails"]}},
		{name: "remove all filtered removes attribute", ops: `{"op":"remove","path":"emails[value co \"@\"]"}`, gone: []string{"emails"}},
		{name: "remove filtered sub-attribute", ops: `{"op":"remove","path":"emails[type eq \"work\"].primary"}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work"},
				map[string]any{"value": "babs@jensen.org", "type": "home"}}}},
		{name: "remove with value list", ops: `{"op":"remove","path":"emails","value":[{"value":"babs@jensen.org"}]}`,
			want: map[string]any{"emails": []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}}}},
		{name: "filtered sub-attribute replace", ops: `{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1 Main St"}`,
			want: map[string]any{"addresses": []any{map[string]any{"type": "work", "streetAddress": "1 Main St", "locality": "Hollywood"}}}},
		{name: "filtered element replace merges", ops: `{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"w@x"}}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "w@x", "type": "work", "primary": true},
				map[string]any{"value": "babs@jensen.org", "type": "home"}}}},
		{name: "filtered path creates element", ops: `{"op":"add","path":"phoneNumbers[type eq \"mobile\"].value","value":"555-1234"}`,
			want: map[string]any{"phoneNumbers": []any{map[string]any{"type": "mobile", "value": "555-1234"}}}},
		{name: "multi-valued sub without filter sets all", ops: `{"op":"replace","path":"emails.display","value":"B"}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true, "display": "B"},
				map[string]any{"value": "babs@jensen.org", "type": "home", "display": "B"}}}},
		{name: "extension colon path", ops: `{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"42"}`,
			want: map[string]any{ext: map[string]any{"employeeNumber": "42"}, "schemas": []any{schema.UserSchemaURN, ext}}},
		{name: "extension sub path", ops: `{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m1"}`,
			want: map[string]any{ext: map[string]any{"manager": map[string]any{"value": "m1"}}}},
		{name: "extension whole object", ops: `{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"department":"D","manager":"m2"}}`,
			want: map[string]any{ext: map[string]any{"department": "D", "manager": map[string]any{"value": "m2"}}}},
		{name: "extension removal empties object", ops: `{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"D"},{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}`,
			gone: []string{ext}, want: map[string]any{"schemas": []any{schema.UserSchemaURN}}},
		{name: "no path RFC extension object", ops: `{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"costCenter":"4130"}}}`,
			want: map[string]any{ext: map[string]any{"costCenter": "4130"}}},
		{name: "no path dotted keys", ops: `{"op":"replace","value":{"name.givenName":"K","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Eng"}}`,
			want: map[string]any{"name": map[string]any{"givenName": "K", "familyName": "Jensen"}, ext: map[string]any{"department": "Eng"}}},
		{name: "no path drops read-only, unknown and secret keys", ops: `{"op":"replace","value":{"id":"evil","meta":{"version":"x"},"groups":[{"value":"g9"}],"schemas":["x"],"nope":1,"password":"p","displayName":"D"}}`,
			want: map[string]any{"id": "u1", "displayName": "D", "groups": []any{map[string]any{"value": "g1"}}, "meta": map[string]any{"resourceType": "User", "version": `W/"1"`}},
			gone: []string{"nope", "password"}},
		{name: "no path add merges multi-valued", ops: `{"op":"add","value":{"emails":[{"value":"x@y","type":"other"}]}}`,
			want: map[string]any{"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
				map[string]any{"value": "babs@jensen.org", "type": "home"},
				map[string]any{"value": "x@y", "type": "other"}}}},
		{name: "unknown extension kept", ops: `{"op":"add","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge","value":7}`,
			want: map[string]any{"urn:ietf:params:scim:schemas:extension:acme:2.0:User": map[string]any{"badge": 7}}},
		{name: "unknown extension object without path", ops: `{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"badge":7}}}`,
			want: map[string]any{"urn:ietf:params:scim:schemas:extension:acme:2.0:User": map[string]any{"badge": 7},
				"schemas": []any{schema.UserSchemaURN, "urn:ietf:params:scim:schemas:extension:acme:2.0:User"}}},
		{name: "string booleans", ops: `{"op":"Replace","path":"active","value":"false"},{"op":"replace","path":"emails[type eq \"home\"].primary","value":"True"}`,
			want: map[string]any{"active": false}},
		{name: "password path dropped", ops: `{"op":"add","path":"password","value":"secret"}`, gone: []string{"password"}},
		{name: "userName change stays an update", ops: `{"op":"replace","path":"userName","value":"barbara"}`,
			want: map[string]any{"userName": "barbara", "id": "u1"}},
		{name: "ops apply in order", ops: `{"op":"replace","path":"title","value":"A"},{"op":"remove","path":"title"},{"op":"add","path":"title","value":"C"}`,
			want: map[string]any{"title": "C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParseRequest(body(tt.ops), Limits{})
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			in := decode(t, baseUser)
			got, err := Apply(in, ops, rt)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !reflect.DeepEqual(in, decode(t, baseUser)) {
				t.Error("Apply modified its input")
			}
			for k, v := range tt.want {
				if !jsonEqual(t, got[k], v) {
					g, _ := json.Marshal(got[k])
					w, _ := json.Marshal(v)
					t.Errorf("%s = %s, want %s", k, g, w)
				}
			}
			for _, k := range tt.gone {
				if _, ok := got[k]; ok {
					t.Errorf("%s still present: %v", k, got[k])
				}
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	rt := schema.UserResourceType()
	tests := []struct {
		name, ops, scimType string
		op                  int
	}{
		{"read-only id", `{"op":"replace","path":"id","value":"x"}`, Mutability, 0},
		{"read-only meta sub", `{"op":"replace","path":"meta.version","value":"x"}`, Mutability, 0},
		{"read-only groups", `{"op":"add","path":"groups","value":[{"value":"g2"}]}`, Mutability, 0},
		{"read-only manager.displayName", `{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName","value":"x"}`, Mutability, 0},
		{"unknown attribute", `{"op":"add","path":"nope","value":"x"}`, InvalidPath, 0},
		{"unknown sub-attribute", `{"op":"add","path":"name.nope","value":"x"}`, InvalidPath, 0},
		{"malformed path", `{"op":"add","path":"name givenName","value":"x"}`, InvalidPath, 0},
		{"unclosed filter", `{"op":"add","path":"emails[type eq \"work\"","value":"x"}`, InvalidPath, 0},
		{"filter on single-valued", `{"op":"add","path":"name[givenName eq \"x\"]","value":"x"}`, InvalidPath, 0},
		{"bad filter", `{"op":"add","path":"emails[type xx \"work\"].value","value":"x"}`, InvalidFilter, 0},
		{"filter on unknown sub-attribute", `{"op":"remove","path":"emails[nope eq \"x\"]"}`, InvalidFilter, 0},
		{"junk after filter", `{"op":"add","path":"emails[type eq \"work\"]value","value":"x"}`, InvalidPath, 0},
		{"unknown sub after filter", `{"op":"add","path":"emails[type eq \"work\"].nope","value":"x"}`, InvalidPath, 0},
		{"no target for non-eq filter", `{"op":"replace","path":"emails[value co \"zzz\"].type","value":"x"}`, NoTarget, 0},
		{"bad boolean", `{"op":"replace","path":"active","value":"maybe"}`, InvalidValue, 0},
		{"object for string", `{"op":"replace","path":"displayName","value":{"a":1}}`, InvalidValue, 0},
		{"list for single", `{"op":"replace","path":"displayName","value":["a","b"]}`, InvalidValue, 0},
		{"no-path value not object", `{"op":"replace","value":"x"}`, InvalidValue, 0},
		{"no-path bad type inside", `{"op":"replace","value":{"active":"nope"}}`, InvalidValue, 0},
		{"extension not an object", `{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":"x"}`, InvalidValue, 0},
		{"remove required userName", `{"op":"remove","path":"userName"}`, InvalidValue, 0},
		{"replace required with null", `{"op":"replace","path":"userName","value":null}`, InvalidValue, 0},
		{"second op fails", `{"op":"replace","path":"displayName","value":"ok"},{"op":"replace","path":"id","value":"x"}`, Mutability, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParseRequest(body(tt.ops), Limits{})
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			in := decode(t, baseUser)
			got, err := Apply(in, ops, rt)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Apply = %v, %v; want *Error", got, err)
			}
			if pe.ScimType != tt.scimType || pe.Operation != tt.op {
				t.Errorf("error %q: scimType %s op %d, want %s op %d", err, pe.ScimType, pe.Operation, tt.scimType, tt.op)
			}
			if got != nil {
				t.Error("Apply returned a resource with an error")
			}
			if !reflect.DeepEqual(in, decode(t, baseUser)) {
				t.Error("Apply modified its input")
			}
			if !strings.HasPrefix(err.Error(), "patch: ") {
				t.Errorf("message %q lacks the package prefix", err)
			}
		})
	}
}

func TestApplyStripsStoredPassword(t *testing.T) {
	in := decode(t, `{"userName":"a","password":"leaked","Password":"leaked2"}`)
	got, err := Apply(in, []Operation{{Op: Replace, Path: "title", Value: json.RawMessage(`"x"`)}}, schema.UserResourceType())
	if err != nil {
		t.Fatal(err)
	}
	for k := range got {
		if strings.EqualFold(k, "password") {
			t.Errorf("password kept under %q", k)
		}
	}
}

func TestApplyCanonicalKeys(t *testing.T) {
	// A resource stored with odd key case is updated under the canonical
	// name, without leaving the old key behind.
	in := decode(t, `{"UserName":"a","DISPLAYNAME":"x"}`)
	got, err := Apply(in, []Operation{{Op: Replace, Path: "displayName", Value: json.RawMessage(`"y"`)}}, schema.UserResourceType())
	if err != nil {
		t.Fatal(err)
	}
	if got["displayName"] != "y" || got["DISPLAYNAME"] != nil || got["UserName"] != "a" {
		t.Errorf("got %v", got)
	}
}

func TestApplyGroupMembers(t *testing.T) {
	rt := schema.GroupResourceType()
	group := `{"displayName":"G","members":[{"value":"a"},{"value":"b","display":"B"}]}`
	tests := []struct {
		name, ops string
		members   []string
	}{
		{"add dedupes by value", `{"op":"add","path":"members","value":[{"value":"b"},{"value":"c","type":"User"}]}`, []string{"a", "b", "c"}},
		{"add is case-exact", `{"op":"add","path":"members","value":[{"value":"A"}]}`, []string{"a", "b", "A"}},
		{"replace", `{"op":"replace","path":"members","value":[{"value":"z"}]}`, []string{"z"}},
		{"remove filtered or", `{"op":"remove","path":"members[value eq \"a\" or value eq \"b\"]"}`, nil},
		{"remove all", `{"op":"remove","path":"members"}`, nil},
		{"remove missing is a no-op", `{"op":"remove","path":"members[value eq \"zz\"]"}`, []string{"a", "b"}},
		{"no-path add", `{"op":"add","value":{"members":[{"value":"c"}]}}`, []string{"a", "b", "c"}},
		{"rename keeps members", `{"op":"replace","value":{"displayName":"H"}}`, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParseRequest(body(tt.ops), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := Apply(decode(t, group), ops, rt)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range elements(got["members"]) {
				ids = append(ids, m.(map[string]any)["value"].(string))
			}
			if !reflect.DeepEqual(ids, tt.members) {
				t.Errorf("members = %v, want %v", ids, tt.members)
			}
		})
	}
}

func TestMemberOps(t *testing.T) {
	rt := schema.GroupResourceType()
	tests := []struct {
		name, ops string
		want      MemberDelta
		rest      int
	}{
		{"okta push", `{"op":"remove","path":"members[value eq \"x\"]"},{"op":"add","path":"members","value":[{"value":"y","display":"Y"}]}`,
			MemberDelta{Added: []string{"y"}, Removed: []string{"x"}}, 0},
		{"entra remove without flag", `{"op":"Remove","path":"members","value":[{"value":"u1"},{"value":"u2"}]}`,
			MemberDelta{Removed: []string{"u1", "u2"}}, 0},
		{"add then remove cancels", `{"op":"add","path":"members","value":[{"value":"a"}]},{"op":"remove","path":"members[value eq \"a\"]"}`,
			MemberDelta{Removed: []string{"a"}}, 0},
		{"remove then add", `{"op":"remove","path":"members[value eq \"a\"]"},{"op":"add","path":"members","value":[{"value":"a"}]}`,
			MemberDelta{Added: []string{"a"}}, 0},
		{"replace", `{"op":"replace","path":"members","value":[{"value":"a"},{"value":"b"},{"value":"a"}]}`,
			MemberDelta{Replace: true, Added: []string{"a", "b"}}, 0},
		{"remove all then add", `{"op":"remove","path":"members"},{"op":"add","path":"members","value":[{"value":"c"}]}`,
			MemberDelta{Replace: true, Added: []string{"c"}}, 0},
		{"rename untouched", `{"op":"replace","value":{"id":"g","displayName":"New"}}`, MemberDelta{}, 1},
		{"no-path with members and name", `{"op":"replace","value":{"displayName":"New","members":[{"value":"m"}]}}`,
			MemberDelta{Replace: true, Added: []string{"m"}}, 1},
		{"no-path only members", `{"op":"add","value":{"members":[{"value":"m"}]}}`, MemberDelta{Added: []string{"m"}}, 0},
		{"displayName path kept", `{"op":"replace","path":"displayName","value":"X"}`, MemberDelta{}, 1},
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
				t.Errorf("rest = %v, want %d operations", rest, tt.rest)
			}
			for _, op := range rest {
				if strings.Contains(strings.ToLower(string(op.Value)), "members") {
					t.Errorf("members left in %s", op.Value)
				}
			}
		})
	}
	if (MemberDelta{}).Changed() || !(MemberDelta{Removed: []string{"a"}}).Changed() {
		t.Error("Changed is wrong")
	}
}

func TestMemberOpsErrors(t *testing.T) {
	rt := schema.GroupResourceType()
	for _, tt := range []struct{ ops, scimType string }{
		{`{"op":"remove","path":"members[display eq \"x\"]"}`, InvalidFilter},
		{`{"op":"remove","path":"members[value eq \"x\" and type eq \"User\"]"}`, InvalidFilter},
		{`{"op":"replace","path":"members[value eq \"x\"].display","value":"y"}`, InvalidPath},
		{`{"op":"add","path":"members[value eq \"x\"]","value":{"value":"x"}}`, InvalidPath},
		{`{"op":"add","path":"members","value":[{"display":"no value"}]}`, InvalidValue},
		{`{"op":"add","path":"members","value":[true]}`, InvalidValue},
		{`{"op":"add","path":"nope","value":"x"}`, InvalidPath},
	} {
		t.Run(tt.ops, func(t *testing.T) {
			ops, err := ParseRequest(body(tt.ops), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = MemberOps(ops, rt)
			var pe *Error
			if !errors.As(err, &pe) || pe.ScimType != tt.scimType {
				t.Errorf("MemberOps error = %v, want scimType %s", err, tt.scimType)
			}
		})
	}
}

func TestParseRequest(t *testing.T) {
	ops, err := ParseRequest([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[
		{"Op":"Add","Path":" nickName ","Value":"Babs"},{"op":"REMOVE","path":"title"},{"op":"replace","path":null,"value":{"active":false}}]}`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Operation{
		{Op: Add, Path: "nickName", Value: json.RawMessage(`"Babs"`)},
		{Op: Remove, Path: "title"},
		{Op: Replace, Value: json.RawMessage(`{"active":false}`)},
	}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("ops = %+v", ops)
	}
	// schemas may be absent.
	if _, err := ParseRequest([]byte(`{"Operations":[{"op":"replace","value":{"active":false}}]}`), Limits{}); err != nil {
		t.Errorf("without schemas: %v", err)
	}
}

func TestParseRequestErrors(t *testing.T) {
	deep := `{"Operations":[{"op":"add","path":"title","value":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}]}`
	var many strings.Builder
	many.WriteString(`{"Operations":[`)
	for i := range 1001 {
		if i > 0 {
			many.WriteByte(',')
		}
		many.WriteString(`{"op":"remove","path":"title"}`)
	}
	many.WriteString(`]}`)
	big := `{"Operations":[{"op":"add","path":"title","value":"` + strings.Repeat("x", DefaultMaxValueBytes) + `"}]}`
	tests := []struct {
		name, body, scimType string
		is                   error
	}{
		{"not json", `{`, InvalidSyntax, nil},
		{"not an object", `[]`, InvalidSyntax, nil},
		{"wrong schema", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"remove","path":"a"}]}`, InvalidSyntax, nil},
		{"schemas not strings", `{"schemas":[1],"Operations":[{"op":"remove","path":"a"}]}`, InvalidSyntax, nil},
		{"no operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, InvalidSyntax, nil},
		{"operations not a list", `{"Operations":{}}`, InvalidSyntax, nil},
		{"empty operations", `{"Operations":[]}`, InvalidSyntax, nil},
		{"operation not an object", `{"Operations":["add"]}`, InvalidSyntax, nil},
		{"null operation", `{"Operations":[null]}`, InvalidSyntax, nil},
		{"missing op", `{"Operations":[{"path":"a","value":1}]}`, InvalidSyntax, nil},
		{"unknown op", `{"Operations":[{"op":"move","path":"a","value":1}]}`, InvalidSyntax, nil},
		{"op not a string", `{"Operations":[{"op":1,"path":"a","value":1}]}`, InvalidSyntax, nil},
		{"path not a string", `{"Operations":[{"op":"add","path":1,"value":1}]}`, InvalidPath, nil},
		{"remove without path", `{"Operations":[{"op":"remove"}]}`, NoTarget, nil},
		{"remove with empty path", `{"Operations":[{"op":"Remove","path":""}]}`, NoTarget, nil},
		{"add without value", `{"Operations":[{"op":"add","path":"title"}]}`, InvalidValue, nil},
		{"too deep", deep, InvalidSyntax, ErrTooDeep},
		{"too many", many.String(), TooMany, ErrTooManyOperations},
		{"value too large", big, TooMany, ErrValueTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequest([]byte(tt.body), Limits{})
			var pe *Error
			if !errors.As(err, &pe) || pe.ScimType != tt.scimType {
				t.Fatalf("ParseRequest error = %v, want scimType %s", err, tt.scimType)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error does not wrap %v", tt.is)
			}
		})
	}
	if _, err := ParseRequest(body(`{"op":"remove","path":"a"},{"op":"remove","path":"b"}`), Limits{MaxOperations: 1}); !errors.Is(err, ErrTooManyOperations) {
		t.Errorf("MaxOperations 1: %v", err)
	}
}

func TestEveryOperationWithoutPathKeepsOtherAttributes(t *testing.T) {
	// Okta deactivation must not erase anything else.
	in := decode(t, baseUser)
	ops, err := ParseRequest([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Apply(in, ops, schema.UserResourceType())
	if err != nil {
		t.Fatal(err)
	}
	want := decode(t, baseUser)
	want["active"] = false
	if !jsonEqual(t, got, want) {
		t.Errorf("got %v", got)
	}
}

func BenchmarkApplyOktaDeactivate(b *testing.B) {
	ops := []Operation{{Op: Replace, Value: json.RawMessage(`{"active":false}`)}}
	rt := schema.UserResourceType()
	in := decode(b, baseUser)
	for b.Loop() {
		if _, err := Apply(in, ops, rt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemberOps1000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"op":"add","path":"members","value":[`)
	for i := range 1000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"value":"diru_%06d"}`, i)
	}
	sb.WriteString(`]}`)
	ops, err := ParseRequest(body(sb.String()), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	rt := schema.GroupResourceType()
	for b.Loop() {
		if _, _, err := MemberOps(ops, rt); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUnknownAttributeOfKnownExtensionDropped(t *testing.T) {
	ops := []Operation{{Op: Add, Value: json.RawMessage(`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nope":{"a":1}}`)}}
	got, err := Apply(decode(t, `{"userName":"a"}`), ops, schema.UserResourceType())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 { // userName and schemas
		t.Errorf("got %v", got)
	}
}
