package oidcrp

import (
	"errors"
	"strings"
	"time"
)

// Identity is the normalized result of a verified OIDC login.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	GivenName     string
	FamilyName    string
	Name          string
	Username      string
	Groups        []string
	GroupsOverage bool
	AuthTime      time.Time      // auth_time, or zero
	Raw           map[string]any // every claim of the ID token, plus userinfo claims it lacked
}

// claimMap names, per normalized field, the claims tried in order.
type claimMap map[string][]string

// defaultClaimMap returns the claim names of an identity provider.
func defaultClaimMap(provider string) claimMap {
	m := claimMap{
		"email":          {"email"},
		"email_verified": {"email_verified"},
		"given_name":     {"given_name"},
		"family_name":    {"family_name"},
		"name":           {"name"},
		"username":       {"preferred_username", "email"},
		"groups":         {"groups"},
	}
	switch provider {
	case "okta":
		// Okta sends the login as preferred_username and groups only when
		// a groups claim is configured on the authorization server.
	case "entra":
		// Entra ID: email is optional and not verified by default
		// (nOAuth); xms_edov says the email's domain is verified by the
		// tenant. upn and preferred_username carry the sign-in name.
		m["email"] = []string{"email", "upn", "preferred_username"}
		m["email_verified"] = []string{"xms_edov"}
		m["username"] = []string{"preferred_username", "upn", "email"}
		m["groups"] = []string{"groups", "roles"}
	case "google":
		// Google: email_verified is reliable; hd is the Workspace domain
		// (checked against the organization by ssokit).
		m["username"] = []string{"email"}
	}
	return m
}

// needsUserinfo reports whether the ID token lacks claims that userinfo may
// carry.
func needsUserinfo(conn *Connection, claims map[string]any) bool {
	m := effectiveMap(conn)
	for _, f := range []string{"email", "given_name", "family_name", "name"} {
		if first(claims, m[f]) == "" {
			return true
		}
	}
	return false
}

func effectiveMap(conn *Connection) claimMap {
	m := defaultClaimMap(conn.Provider)
	for field, claim := range conn.ClaimMap {
		if claim != "" {
			m[field] = []string{claim}
		}
	}
	return m
}

// mapClaims builds the Identity of verified claims.
func mapClaims(conn *Connection, claims map[string]any) (*Identity, error) {
	m := effectiveMap(conn)
	sub, _ := claims["sub"].(string)
	if sub == "" {
		return nil, tokenErr("missing_sub", errors.New("sub is missing"))
	}
	iss, _ := claims["iss"].(string)
	id := &Identity{
		Issuer:     iss,
		Subject:    sub,
		Email:      strings.ToLower(strings.TrimSpace(first(claims, m["email"]))),
		GivenName:  first(claims, m["given_name"]),
		FamilyName: first(claims, m["family_name"]),
		Name:       first(claims, m["name"]),
		Username:   first(claims, m["username"]),
		Groups:     strings2(claims, m["groups"]),
	}
	if !strings.Contains(id.Email, "@") {
		id.Email = "" // upn or a username that is not an address
	}
	for _, k := range m["email_verified"] {
		if b, ok := boolClaim(claims[k]); ok {
			id.EmailVerified = b
			break
		}
	}
	if _, ok := claims[groupsOverageClaim]; ok {
		id.GroupsOverage = true
		delete(claims, groupsOverageClaim)
	}
	if _, ok := claims["hasgroups"]; ok { // Entra implicit-flow overage marker
		id.GroupsOverage = true
	}
	if at, ok := claims["auth_time"].(float64); ok && at > 0 {
		id.AuthTime = time.Unix(int64(at), 0)
	}
	if id.Name == "" && (id.GivenName != "" || id.FamilyName != "") {
		id.Name = strings.TrimSpace(id.GivenName + " " + id.FamilyName)
	}
	id.Raw = claims
	return id, nil
}

func first(claims map[string]any, names []string) string {
	for _, n := range names {
		if s, ok := claims[n].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func strings2(claims map[string]any, names []string) []string {
	for _, n := range names {
		switch v := claims[n].(type) {
		case string:
			if v != "" {
				return []string{v}
			}
		case []any:
			var out []string
			for _, e := range v {
				if s, ok := e.(string); ok && s != "" {
					out = append(out, s)
				}
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	return nil
}

// boolClaim reads a boolean that some providers send as a string.
func boolClaim(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		switch strings.ToLower(b) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}
