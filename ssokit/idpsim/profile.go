package idpsim

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// profile is the user the tester typed on the login page.
type profile struct {
	Email      string
	GivenName  string
	FamilyName string
	Groups     []string
}

// Limits on the login form's fields.
const (
	maxFieldLen = 256
	maxGroups   = 100
)

// subject is the stable user identifier of the profile: derived from the
// lower-cased email, so one email is one subject across logins, restarts and
// both protocols, and opaque, as real IdPs make it.
func (p profile) subject() string {
	sum := sha256.Sum256([]byte(strings.ToLower(p.Email)))
	return "idpsim_" + hex.EncodeToString(sum[:12])
}

// name is the display name: the given and family names.
func (p profile) name() string {
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}

// groupsText is the comma-separated form of the groups field.
func (p profile) groupsText() string { return strings.Join(p.Groups, ", ") }

// parseGroups splits a comma-separated list, trimming blanks and dropping
// empty and duplicate names.
func parseGroups(s string) []string {
	groups := []string{}
	seen := map[string]bool{}
	for g := range strings.SplitSeq(s, ",") {
		g = strings.TrimSpace(g)
		if g == "" || seen[g] {
			continue
		}
		seen[g] = true
		groups = append(groups, g)
	}
	return groups
}

// fieldErrors maps a form field name to what is wrong with it.
type fieldErrors map[string]string

// check validates the profile the way the login form shows it.
func (p profile) check() fieldErrors {
	errs := fieldErrors{}
	at := strings.LastIndexByte(p.Email, '@')
	switch {
	case p.Email == "":
		errs["email"] = "Enter an email address."
	case at < 1 || at == len(p.Email)-1 || strings.ContainsAny(p.Email, " \t\r\n<>\",;"):
		errs["email"] = "Enter an email address like alice@example.com."
	case len(p.Email) > 254:
		errs["email"] = "An email address has at most 254 characters."
	}
	if len(p.GivenName) > maxFieldLen {
		errs["given_name"] = "At most 256 characters."
	}
	if len(p.FamilyName) > maxFieldLen {
		errs["family_name"] = "At most 256 characters."
	}
	if len(p.Groups) > maxGroups {
		errs["groups"] = "At most 100 groups."
	}
	for _, g := range p.Groups {
		if len(g) > maxFieldLen {
			errs["groups"] = "A group name has at most 256 characters."
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
