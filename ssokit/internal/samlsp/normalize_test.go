package samlsp

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		provider  string
		nameID    string
		attrs     map[string][]string
		overrides map[string]string
		want      Profile
	}{
		{name: "okta", provider: "okta", nameID: "ada@acme.example",
			attrs: map[string][]string{"email": {"ada@acme.example"}, "firstName": {"Ada"}, "lastName": {"Lovelace"},
				"groups": {"Everyone", "Engineering"}},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
				Groups: []string{"Everyone", "Engineering"}}},
		{name: "entra", provider: "entra", nameID: "ada@acme.example",
			attrs: map[string][]string{
				claimEmail: {"ada@acme.example"}, claimGivenName: {"Ada"}, claimSurname: {"Lovelace"},
				claimDisplayName: {"Ada L."}, claimName: {"ada@acme.onmicrosoft.com"},
				claimGroups: {"5f0c3a1e-0000-4000-8000-000000000001"}, claimRole: {"Admin"},
			},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada L.",
				Username: "ada@acme.onmicrosoft.com", Groups: []string{"5f0c3a1e-0000-4000-8000-000000000001", "Admin"}}},
		{name: "adfs with upn and Group claim", provider: "adfs", nameID: `ACME\ada`,
			attrs: map[string][]string{
				claimEmail: {"ada@acme.example"}, claimGivenName: {"Ada"}, claimSurname: {"Lovelace"},
				claimUPN: {"ada@acme.local"}, claimADFSGroup: {"Domain Users", "Engineering"},
			},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
				Username: "ada@acme.local", Groups: []string{"Domain Users", "Engineering"}}},
		{name: "google", provider: "google", nameID: "ada@acme.example",
			attrs: map[string][]string{"first_name": {"Ada"}, "last_name": {"Lovelace"}, "groups": {"eng@acme.example"}},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
				Groups: []string{"eng@acme.example"}}},
		{name: "jumpcloud", provider: "jumpcloud", nameID: "ada@acme.example",
			attrs: map[string][]string{"email": {"ada@acme.example"}, "firstname": {"Ada"}, "lastname": {"Lovelace"},
				"memberOf": {"engineering"}},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
				Groups: []string{"engineering"}}},
		{name: "onelogin", provider: "onelogin", nameID: "ada@acme.example",
			attrs: map[string][]string{"User.email": {"ada@acme.example"}, "User.FirstName": {"Ada"}, "User.LastName": {"Lovelace"},
				"memberOf": {"Engineering;Admins"}},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
				Groups: []string{"Engineering;Admins"}}},
		{name: "ping with LDAP names", provider: "ping", nameID: "ada",
			attrs: map[string][]string{"mail": {"ada@acme.example"}, "givenName": {"Ada"}, "sn": {"Lovelace"},
				"uid": {"ada"}, "memberOf": {"cn=eng,ou=groups,dc=acme"}},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
				Username: "ada", Groups: []string{"cn=eng,ou=groups,dc=acme"}}},
		{name: "keycloak with roles", provider: "keycloak", nameID: "ada",
			attrs: map[string][]string{"email": {"ada@acme.example"}, "firstName": {"Ada"}, "lastName": {"Lovelace"},
				"Role": {"offline_access", "admin"}},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
				Groups: []string{"offline_access", "admin"}}},
		{name: "keycloak x500 oids", provider: "keycloak", nameID: "ada",
			attrs: map[string][]string{oidEmail: {"ada@acme.example"}, oidGivenName: {"Ada"}, oidSurname: {"Lovelace"}},
			want:  Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace"}},
		{name: "simulator", provider: "simulator", nameID: "ada@acme.example",
			attrs: map[string][]string{"email": {"ada@acme.example"}, "firstName": {"Ada"}, "lastName": {"Lovelace"},
				"groups": {"a", "b"}},
			want: Profile{Email: "ada@acme.example", GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
				Groups: []string{"a", "b"}}},
		{name: "generic names, case-insensitive", provider: "something-else", nameID: "opaque-id",
			attrs: map[string][]string{"Mail": {"ada@acme.example"}, "GivenName": {"Ada"}, "SN": {"Lovelace"},
				"displayName": {"Countess"}, "memberof": {"x", "x", " y "}, "email_verified": {"true"}},
			want: Profile{Email: "ada@acme.example", EmailVerified: true, GivenName: "Ada", FamilyName: "Lovelace",
				Name: "Countess", Groups: []string{"x", "y"}}},
		{name: "email from NameID when no attribute", provider: "okta", nameID: " ada@acme.example ",
			want: Profile{Email: "ada@acme.example"}},
		{name: "NameID that is not an email is not used", provider: "okta", nameID: "ada@",
			want: Profile{}},
		{name: "NameID with two @ is not used", provider: "generic", nameID: "a@b@c.example",
			want: Profile{}},
		{name: "overrides win and are exclusive", provider: "okta", nameID: "ada@acme.example",
			attrs: map[string][]string{"email": {"ada@acme.example"}, "workEmail": {"ada@work.example"},
				"groups": {"ignored"}, "teams": {"t1"}, "firstName": {"Ada"}},
			overrides: map[string]string{FieldEmail: "workEmail", FieldGroups: "teams", FieldGivenName: "nickname"},
			want:      Profile{Email: "ada@work.example", Groups: []string{"t1"}}},
		{name: "override to a missing email falls back to the NameID", provider: "okta", nameID: "ada@acme.example",
			attrs:     map[string][]string{"email": {"other@acme.example"}},
			overrides: map[string]string{FieldEmail: "mailPrimary"},
			want:      Profile{Email: "ada@acme.example"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Normalize(tc.provider, tc.nameID, tc.attrs, tc.overrides)
			if got.Email != tc.want.Email || got.EmailVerified != tc.want.EmailVerified ||
				got.GivenName != tc.want.GivenName || got.FamilyName != tc.want.FamilyName ||
				got.Name != tc.want.Name || got.Username != tc.want.Username || !slices.Equal(got.Groups, tc.want.Groups) {
				t.Errorf("Normalize =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}
