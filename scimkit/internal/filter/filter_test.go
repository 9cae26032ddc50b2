package filter

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

func loadUser(t testing.TB) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/user.json")
	if err != nil {
		t.Fatal(err)
	}
	var u map[string]any
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMatch(t *testing.T) {
	user := loadUser(t)
	rt := schema.UserResourceType()
	tests := []struct {
		filter string
		want   bool
	}{
		// eq and caseExact
		{`userName eq "test.user@okta.local"`, true}, // userName is caseExact=false
		{`USERNAME eq "TEST.USER@OKTA.LOCAL"`, true},
		{`userName eq "other@okta.local"`, false},
		{`id eq "diru_01J9ZQ4W8K"`, true},
		{`id eq "DIRU_01J9ZQ4W8K"`, false}, // id is caseExact=true
		{`externalId eq "00UJL29U0LE5T6AJ10H7"`, false},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "test.user@okta.local"`, true},
		// ne
		{`userName ne "x"`, true},
		{`userName ne "test.user@okta.local"`, false},
		{`nickName ne "x"`, true}, // absent attribute is "ne" anything
		{`emails.value ne "test.user@okta.local"`, false},
		// co sw ew
		{`userName co "USER@"`, true},
		{`userName sw "test."`, true},
		{`userName ew ".local"`, true},
		{`userName ew ".com"`, false},
		{`title co "President"`, true},
		// gt ge lt le on strings
		{`userName gt "a"`, true},
		{`userName lt "a"`, false},
		{`userName ge "test.user@okta.local"`, true},
		{`userName le "test.user@okta.local"`, true},
		// pr
		{`title pr`, true},
		{`nickName pr`, false},
		{`name.middleName pr`, false}, // empty string is not present
		{`name pr`, true},
		{`emails pr`, true},
		{`ims pr`, false},
		// null
		{`nickName eq null`, true},
		{`title eq null`, false},
		{`title ne null`, true},
		// booleans
		{`active eq true`, true},
		{`active eq false`, false},
		{`active ne false`, true},
		{`active eq "True"`, true}, // Entra's string booleans
		// dateTime
		{`meta.lastModified gt "2026-01-01T00:00:00Z"`, true},
		{`meta.lastModified gt "2026-03-01T10:00:00.4Z"`, true},
		{`meta.lastModified gt "2026-03-01T10:00:00.5Z"`, false},
		{`meta.lastModified ge "2026-03-01T11:00:00.5+01:00"`, true},
		{`meta.created lt "2026-01-23T04:56:23Z"`, true},
		{`meta.created le "2026-01-23T04:56:21Z"`, false},
		{`meta.created eq "2026-01-23T05:56:22+01:00"`, true},
		{`meta.created sw "2026-01"`, true},
		// multi-valued
		{`emails.value eq "tu+home@example.com"`, true},
		{`emails co "example.com"`, true},
		{`emails.type eq "other"`, false},
		{`emails.primary eq true`, true},
		{`emails[type eq "work" and value co "@okta"]`, true},
		{`emails[type eq "home" and value co "@okta"]`, false},
		{`emails[type eq "home" or primary eq true]`, true},
		{`emails[not (type eq "work")]`, true},
		{`emails[type eq "work"].value eq "test.user@okta.local"`, true},
		{`emails[type eq "home"].value eq "test.user@okta.local"`, false},
		{`emails[type eq "work"].primary eq true`, true},
		{`emails[type eq "work"].value pr`, true},
		{`addresses[type eq "work"].streetAddress co "Universal"`, true},
		{`addresses.locality eq "hollywood"`, true},
		{`phoneNumbers.value sw "+1"`, true},
		{`x509Certificates.value sw "MIID"`, true},
		{`x509Certificates.value sw "miid"`, false}, // binary is caseExact
		// extension, fully qualified
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "diru_01BOSS"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "tour"`, true},
		{`department eq "Tour Operations"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter pr`, false},
		// unknown extension: values compared by JSON type
		{`urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge ge 7`, true},
		{`urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge gt 7`, false},
		{`urn:ietf:params:scim:schemas:extension:acme:2.0:User:remote eq false`, true},
		{`urn:ietf:params:scim:schemas:extension:acme:2.0:User:site eq "hq"`, true},
		// logic and grouping
		{`title pr and userType eq "Employee"`, true},
		{`title pr and userType eq "Intern"`, false},
		{`title pr or userType eq "Intern"`, true},
		{`userType eq "Intern" or (active eq true and emails[type eq "work"])`, true},
		{`not (emails co "example.com" or emails.value co "example.org")`, false},
		{`not (userName eq "x")`, true},
		{`((((userName pr))))`, true},
		{`userName eq "x" or userName eq "y" or displayName eq "Test User"`, true},
		// escapes
		{`displayName eq "Test\u0020User"`, true},
		{`userName eq "a\"b" or userName eq "1\" or \"1\" eq \"1"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := Parse(tt.filter, rt, Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := f.Match(user); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchNumbers(t *testing.T) {
	// An integer attribute of a schema the kit defines, with values decoded
	// both ways encoding/json can.
	rt := &schema.ResourceType{ID: "Thing", Schema: &schema.Schema{ID: "urn:example:Thing", Attributes: []*schema.Attribute{
		{Name: "size", Type: schema.TypeInteger}, {Name: "ratio", Type: schema.TypeDecimal},
	}}}
	for _, res := range []map[string]any{
		{"size": float64(10), "ratio": 0.5},
		{"size": json.Number("10"), "ratio": json.Number("0.5")},
	} {
		for filter, want := range map[string]bool{
			`size eq 10`: true, `size gt 9`: true, `size ge 10`: true, `size lt 10`: false, `size le 10`: true, `size ne 10`: false,
			`ratio lt 0.75`: true, `ratio gt 5e-1`: false, `ratio eq 0.5`: true,
		} {
			f, err := Parse(filter, rt, Limits{})
			if err != nil {
				t.Fatalf("Parse(%q): %v", filter, err)
			}
			if got := f.Match(res); got != want {
				t.Errorf("%q on %v = %v, want %v", filter, res, got, want)
			}
		}
	}
}

func TestMatchGroup(t *testing.T) {
	rt := schema.GroupResourceType()
	group := map[string]any{"displayName": "Engineering", "members": []any{
		map[string]any{"value": "u1", "display": "Ann"}, map[string]any{"value": "u2"},
	}}
	for filter, want := range map[string]bool{
		`displayName eq "engineering"`: true,
		`members[value eq "u2"]`:       true,
		`members[value eq "U2"]`:       false, // members.value is caseExact
		`members.value eq "u1"`:        true,
		`members eq "u3"`:              false,
	} {
		f, err := Parse(filter, rt, Limits{})
		if err != nil {
			t.Fatalf("Parse(%q): %v", filter, err)
		}
		if got := f.Match(group); got != want {
			t.Errorf("%q = %v, want %v", filter, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	rt := schema.UserResourceType()
	tests := []struct {
		name, filter string
		is           error
	}{
		{"empty", ``, nil},
		{"blank", `   `, nil},
		{"syntax", `userName eq`, nil},
		{"unquoted", `userName eq x`, nil},
		{"bad operator", `userName xx "a"`, nil},
		{"unknown attribute", `nope eq "a"`, nil},
		{"unknown sub-attribute", `name.nope eq "a"`, nil},
		{"unknown schema", `foo:bar eq "a"`, nil},
		{"unknown core attribute qualified", `urn:ietf:params:scim:schemas:core:2.0:User:nope eq "a"`, nil},
		{"password", `password eq "secret"`, nil},
		{"password pr", `password pr`, nil},
		{"password qualified", `urn:ietf:params:scim:schemas:core:2.0:User:password eq "x"`, nil},
		{"boolean gt", `active gt true`, nil},
		{"boolean co", `active co "t"`, nil},
		{"boolean not a boolean", `active eq "yes"`, nil},
		{"boolean number", `active eq 1`, nil},
		{"dateTime not a date", `meta.lastModified gt "yesterday"`, nil},
		{"dateTime number", `meta.lastModified gt 5`, nil},
		{"binary ordering", `x509Certificates.value gt "a"`, nil},
		{"complex without value", `name eq "x"`, nil},
		{"complex addresses co", `addresses co "x"`, nil},
		{"null ordering", `title gt null`, nil},
		{"string bool", `title eq true`, nil},
		{"value path on simple", `userName[value eq "x"]`, nil},
		{"value path unknown sub", `emails[nope eq "x"]`, nil},
		{"value path three terms", `emails[type eq "work" and value co "@x" and primary eq true]`, nil},
		{"invalid utf-8", "userName eq \"\xff\"", nil},
		{"too long", `userName eq "` + strings.Repeat("x", DefaultMaxLength) + `"`, ErrTooLong},
		{"too deep", strings.Repeat("(", 65) + `userName pr` + strings.Repeat(")", 65), ErrTooDeep},
		{"too deep not", strings.Repeat("not(", 65) + `userName pr` + strings.Repeat(")", 65), ErrTooDeep},
		{"too many terms", strings.TrimSuffix(strings.Repeat(`userName pr or `, 101), " or "), ErrTooManyTerms},
		{"1000 nested parentheses", strings.Repeat("(", 1000) + `a pr` + strings.Repeat(")", 1000), ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.filter, rt, Limits{})
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) = %v, %v; want *Error", tt.filter, f, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			if !strings.HasPrefix(err.Error(), "filter: ") {
				t.Errorf("message %q lacks the package prefix", err)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	rt := schema.UserResourceType()
	three := `userName pr and title pr and active pr`
	if _, err := Parse(three, rt, Limits{MaxTerms: 3}); err != nil {
		t.Errorf("3 terms with MaxTerms 3: %v", err)
	}
	if _, err := Parse(three, rt, Limits{MaxTerms: 2}); !errors.Is(err, ErrTooManyTerms) {
		t.Errorf("3 terms with MaxTerms 2: %v", err)
	}
	if _, err := Parse(`((userName pr))`, rt, Limits{MaxDepth: 1}); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth 2 with MaxDepth 1: %v", err)
	}
	if _, err := Parse(`userName pr`, rt, Limits{MaxLength: 5}); !errors.Is(err, ErrTooLong) {
		t.Errorf("MaxLength 5: %v", err)
	}
	// "and"/"or" inside strings do not count as terms.
	if _, err := Parse(`userName eq "a and b or c and d"`, rt, Limits{MaxTerms: 1}); err != nil {
		t.Errorf("words in strings counted: %v", err)
	}
}

func TestNoDoubleDecoding(t *testing.T) {
	// The server decodes the query once; what is left is literal.
	f, err := Parse(`userName eq "dale.mohr%40romaguera.uk"`, schema.UserResourceType(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := f.Lookup(); l.Value != "dale.mohr%40romaguera.uk" {
		t.Errorf("value = %q, want it untouched", l.Value)
	}
	if f.Match(map[string]any{"userName": "dale.mohr@romaguera.uk"}) {
		t.Error("matched a decoded value")
	}
}

func TestLookup(t *testing.T) {
	user, group := schema.UserResourceType(), schema.GroupResourceType()
	tests := []struct {
		rt     *schema.ResourceType
		filter string
		want   Lookup
		ok     bool
	}{
		{user, `userName eq "Bjensen"`, Lookup{"userName", "Bjensen", false}, true},
		{user, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "b"`, Lookup{"userName", "b", false}, true},
		{user, `externalId eq "00ujl29u0le5T6Aj10h7"`, Lookup{"externalId", "00ujl29u0le5T6Aj10h7", true}, true},
		{user, `id eq "diru_1"`, Lookup{"id", "diru_1", true}, true},
		{user, `emails.value eq "a@x"`, Lookup{"emails.value", "a@x", false}, true},
		{user, `emails eq "a@x"`, Lookup{"emails.value", "a@x", false}, true},
		{user, `emails[value eq "a@x"]`, Lookup{"emails.value", "a@x", false}, true},
		{user, `emails[type eq "work"].value eq "a@x"`, Lookup{"emails.value", "a@x", false}, true},
		{user, `emails[type eq "work" and value eq "a@x"]`, Lookup{"emails.value", "a@x", false}, true},
		{user, `active eq true and userName eq "b"`, Lookup{"userName", "b", false}, true},
		{user, `emails.value eq "a@x" and userName eq "b" and id eq "i"`, Lookup{"id", "i", true}, true},
		{user, `externalId eq "e" and userName eq "b"`, Lookup{"userName", "b", false}, true},
		{user, `userName eq "a" or userName eq "b"`, Lookup{}, false},
		{user, `not (userName eq "a")`, Lookup{}, false},
		{user, `userName co "a"`, Lookup{}, false},
		{user, `userName eq null`, Lookup{}, false},
		{user, `displayName eq "Babs"`, Lookup{}, false},
		{user, `emails[type eq "work" or value eq "a@x"]`, Lookup{}, false},
		{user, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`, Lookup{}, false},
		{group, `displayName eq "Engineering"`, Lookup{"displayName", "Engineering", false}, true},
		{group, `externalId eq "x" and displayName eq "E"`, Lookup{"externalId", "x", true}, true},
		{group, `members[value eq "u1"]`, Lookup{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := Parse(tt.filter, tt.rt, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got, ok := f.Lookup()
			if ok != tt.ok || got != tt.want {
				t.Errorf("Lookup = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestValueFilter(t *testing.T) {
	emails := schema.UserSchema().Attribute("emails")
	f, err := ParseValueFilter(`type eq "work" and primary eq true`, emails, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(map[string]any{"Type": "WORK", "primary": true}) || f.Match(map[string]any{"type": "work"}) {
		t.Error("value filter matched wrongly")
	}
	eq, ok := f.Equalities()
	if !ok || eq["type"] != "work" || eq["primary"] != true || len(eq) != 2 {
		t.Errorf("Equalities = %v, %v", eq, ok)
	}
	if _, ok := mustValueFilter(t, `type co "w"`, emails).Equalities(); ok {
		t.Error("Equalities accepted co")
	}
	members := schema.GroupSchema().Attribute("members")
	ids, ok := mustValueFilter(t, `value eq "a" or value eq "b" or VALUE eq "c"`, members).EqualsAny("value")
	if !ok || strings.Join(ids, ",") != "a,b,c" {
		t.Errorf("EqualsAny = %v, %v", ids, ok)
	}
	if _, ok := mustValueFilter(t, `value eq "a" and display eq "b"`, members).EqualsAny("value"); ok {
		t.Error("EqualsAny accepted and")
	}
	for _, bad := range []string{`urn:x:y:value eq "a"`, `value.x eq "a"`, `nope eq "a"`, `emails[value eq "a"]`} {
		if _, err := ParseValueFilter(bad, emails, Limits{}); err == nil {
			t.Errorf("ParseValueFilter(%q) succeeded", bad)
		}
	}
	if _, err := ParseValueFilter(`value eq "a"`, schema.UserSchema().Attribute("userName"), Limits{}); err == nil {
		t.Error("ParseValueFilter on a simple attribute succeeded")
	}
}

func mustValueFilter(t *testing.T, s string, a *schema.Attribute) *Filter {
	t.Helper()
	f, err := ParseValueFilter(s, a, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func BenchmarkParse(b *testing.B) {
	rt := schema.UserResourceType()
	for b.Loop() {
		if _, err := Parse(`userName eq "test.user@okta.local" and emails[type eq "work" and value co "@okta"]`, rt, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseWorstCase(b *testing.B) {
	rt := schema.UserResourceType()
	s := strings.TrimSuffix(strings.Repeat(`(userName pr) or `, 100), " or ")
	for b.Loop() {
		if _, err := Parse(s, rt, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	user := loadUser(b)
	f, err := Parse(`userName eq "test.user@okta.local" and emails[type eq "work" and value co "@okta"]`, schema.UserResourceType(), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f.Match(user)
	}
}
