package samlsp

import (
	"maps"
	"slices"
	"strings"
)

// Profile is a user's identity attributes in one shape, whatever the IdP
// called them.
type Profile struct {
	// Email is the user's email address, from the attributes or, when none
	// is sent, from a NameID that looks like an email address. The kit must
	// still check its domain against the organization's verified domains
	// before trusting it.
	Email string
	// EmailVerified reports an explicit IdP attribute saying so
	// (email_verified / emailVerified = true). Most SAML IdPs send none.
	EmailVerified bool
	// GivenName and FamilyName are the first and last names.
	GivenName, FamilyName string
	// Name is the display name; when none is sent, given and family name
	// joined by a space.
	Name string
	// Username is the IdP login name (UPN, uid, login), if sent.
	Username string
	// Groups are group and role names, in attribute order, without
	// duplicates.
	Groups []string
}

// Profile fields that overrides may name.
const (
	FieldEmail         = "email"
	FieldEmailVerified = "email_verified"
	FieldGivenName     = "given_name"
	FieldFamilyName    = "family_name"
	FieldName          = "name"
	FieldUsername      = "username"
	FieldGroups        = "groups"
)

// Well-known claim URIs of Microsoft identity platforms and X.500 OIDs.
const (
	claimEmail       = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
	claimGivenName   = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
	claimSurname     = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"
	claimName        = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
	claimUPN         = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
	claimDisplayName = "http://schemas.microsoft.com/identity/claims/displayname"
	claimGroups      = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
	claimRole        = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
	claimADFSGroup   = "http://schemas.xmlsoap.org/claims/Group"

	oidMail        = "urn:oid:0.9.2342.19200300.100.1.3"
	oidEmail       = "urn:oid:1.2.840.113549.1.9.1"
	oidGivenName   = "urn:oid:2.5.4.42"
	oidSurname     = "urn:oid:2.5.4.4"
	oidDisplayName = "urn:oid:2.16.840.1.113730.3.1.241"
	oidUID         = "urn:oid:0.9.2342.19200300.100.1.1"
	oidMemberOf    = "urn:oid:1.3.6.1.4.1.5923.1.5.1.1"
)

// attrMap lists, per profile field, the attribute names to try in order.
type attrMap struct {
	email, emailVerified, givenName, familyName, name, username, groups []string
}

// genericMap holds the common names most IdPs use when an admin types them.
func genericMap() attrMap {
	return attrMap{
		email:         []string{"email", "mail", "emailAddress", "email_address", "Email", claimEmail, oidMail, oidEmail},
		emailVerified: []string{"email_verified", "emailVerified"},
		givenName:     []string{"firstName", "givenName", "given_name", "first_name", claimGivenName, oidGivenName},
		familyName:    []string{"lastName", "sn", "surname", "familyName", "family_name", "last_name", claimSurname, oidSurname},
		name:          []string{"displayName", "name", "cn", "fullName", claimDisplayName, oidDisplayName},
		username:      []string{"username", "userName", "uid", "login", "preferred_username", oidUID},
		groups:        []string{"groups", "memberOf", "member", "roles", "role", oidMemberOf},
	}
}

// providerMap returns the names to try for a provider: its own first, then
// the generic ones.
func providerMap(provider string) attrMap {
	g := genericMap()
	var p attrMap
	switch strings.ToLower(provider) {
	case "okta":
		p = attrMap{
			email:      []string{"email", "user.email"},
			givenName:  []string{"firstName", "user.firstName"},
			familyName: []string{"lastName", "user.lastName"},
			name:       []string{"displayName", "user.displayName"},
			username:   []string{"login", "user.login"},
			groups:     []string{"groups"},
		}
	case "entra", "azure", "azuread":
		p = attrMap{
			email:      []string{claimEmail},
			givenName:  []string{claimGivenName},
			familyName: []string{claimSurname},
			name:       []string{claimDisplayName},
			username:   []string{claimName},
			groups:     []string{claimGroups, claimRole},
		}
	case "adfs":
		p = attrMap{
			email:      []string{claimEmail},
			givenName:  []string{claimGivenName},
			familyName: []string{claimSurname},
			name:       []string{claimDisplayName, claimName},
			username:   []string{claimUPN, claimName},
			groups:     []string{claimGroups, claimADFSGroup, claimRole},
		}
	case "google":
		p = attrMap{
			email:      []string{"email"},
			givenName:  []string{"firstName", "first_name"},
			familyName: []string{"lastName", "last_name"},
			groups:     []string{"groups"},
		}
	case "jumpcloud":
		p = attrMap{
			email:      []string{"email"},
			givenName:  []string{"firstname", "firstName"},
			familyName: []string{"lastname", "lastName"},
			username:   []string{"username"},
			groups:     []string{"memberOf", "groups"},
		}
	case "onelogin":
		p = attrMap{
			email:      []string{"User.email", "Email"},
			givenName:  []string{"User.FirstName", "FirstName"},
			familyName: []string{"User.LastName", "LastName"},
			username:   []string{"User.Username", "Username"},
			groups:     []string{"memberOf", "MemberOf", "groups"},
		}
	case "ping", "pingfederate", "pingone":
		p = attrMap{
			email:      []string{"mail", "email"},
			givenName:  []string{"givenName", "firstName"},
			familyName: []string{"sn", "lastName"},
			name:       []string{"displayName", "cn"},
			username:   []string{"uid", "subject"},
			groups:     []string{"memberOf", "groups"},
		}
	case "keycloak":
		p = attrMap{
			email:      []string{"email", oidEmail},
			givenName:  []string{"firstName", "givenName", oidGivenName},
			familyName: []string{"lastName", "surname", oidSurname},
			username:   []string{"username"},
			groups:     []string{"groups", "Role", "member"},
		}
	case "simulator", "idpsim":
		p = attrMap{
			email:         []string{"email"},
			emailVerified: []string{"email_verified"},
			givenName:     []string{"firstName", "given_name"},
			familyName:    []string{"lastName", "family_name"},
			name:          []string{"name"},
			username:      []string{"username"},
			groups:        []string{"groups"},
		}
	}
	return attrMap{
		email:         concat(p.email, g.email),
		emailVerified: concat(p.emailVerified, g.emailVerified),
		givenName:     concat(p.givenName, g.givenName),
		familyName:    concat(p.familyName, g.familyName),
		name:          concat(p.name, g.name),
		username:      concat(p.username, g.username),
		groups:        concat(p.groups, g.groups),
	}
}

func concat(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(out, a...)
	return append(out, b...)
}

// Normalize maps an assertion's attributes to a [Profile] using the default
// names of provider ("okta", "entra", "adfs", "google", "jumpcloud",
// "onelogin", "ping", "keycloak", "simulator"; anything else is "generic").
// overrides maps a field name ([FieldEmail], [FieldGroups], …) to the
// attribute name this connection uses for it; an override is the only source
// of its field. Attribute names match exactly first, then ignoring case.
// When no email attribute is present and nameID looks like an email address,
// it becomes the email.
func Normalize(provider string, nameID string, attrs map[string][]string, overrides map[string]string) Profile {
	m := providerMap(provider)
	pick := func(field string, defaults []string) []string {
		if o, ok := overrides[field]; ok && o != "" {
			return []string{o}
		}
		return defaults
	}
	var p Profile
	p.Email = first(attrs, pick(FieldEmail, m.email))
	if p.Email == "" && looksLikeEmail(strings.TrimSpace(nameID)) {
		p.Email = strings.TrimSpace(nameID)
	}
	switch strings.ToLower(first(attrs, pick(FieldEmailVerified, m.emailVerified))) {
	case "true", "1", "yes":
		p.EmailVerified = true
	}
	p.GivenName = first(attrs, pick(FieldGivenName, m.givenName))
	p.FamilyName = first(attrs, pick(FieldFamilyName, m.familyName))
	p.Name = first(attrs, pick(FieldName, m.name))
	if p.Name == "" {
		p.Name = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
	}
	p.Username = first(attrs, pick(FieldUsername, m.username))
	p.Groups = all(attrs, pick(FieldGroups, m.groups))
	return p
}

// values finds an attribute by exact name, then ignoring case.
func values(attrs map[string][]string, name string) []string {
	if v, ok := attrs[name]; ok {
		return v
	}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if strings.EqualFold(k, name) {
			return attrs[k]
		}
	}
	return nil
}

// first returns the first non-empty value of the first listed attribute that
// has one.
func first(attrs map[string][]string, names []string) string {
	for _, n := range names {
		for _, v := range values(attrs, n) {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
	}
	return ""
}

// all returns the distinct non-empty values of every listed attribute.
func all(attrs map[string][]string, names []string) []string {
	var out []string
	seen := map[string]bool{}
	used := map[string]bool{}
	keys := slices.Sorted(maps.Keys(attrs))
	for _, n := range names {
		order := keys
		if _, ok := attrs[n]; ok {
			order = append([]string{n}, keys...) // exact match first
		}
		for _, k := range order {
			if strings.EqualFold(k, n) && !used[k] {
				used[k] = true
				for _, v := range attrs[k] {
					if v = strings.TrimSpace(v); v != "" && !seen[v] {
						seen[v] = true
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// looksLikeEmail is a shape check, not validation: one "@", a non-empty
// local part, a dotted domain, no spaces.
func looksLikeEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	domain := s[at+1:]
	dot := strings.IndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}
