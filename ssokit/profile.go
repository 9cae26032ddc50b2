package ssokit

import (
	"context"
	"time"
)

// Profile is the normalized identity a connection asserted, the same shape
// for SAML and OpenID Connect and for every identity provider.
type Profile struct {
	// ID is the stable key of this identity: ConnectionID + ";" + Subject,
	// e.g. "conn_01j…;00u1abcd". Use it (or the pair) as the JIT key.
	ID      string
	Subject string // the IdP's subject: OIDC sub, SAML NameID
	Email   string // lower-cased
	// EmailVerified reports that the identity provider vouches for the
	// email (OIDC email_verified; Entra ID: xms_edov; SAML: the kit treats
	// SAML emails as verified only where the connection is documented to).
	EmailVerified bool
	// EmailDomainVerified reports that the email's domain is a verified
	// domain of the organization. The kit computes it; see [UserStore] for
	// the only case in which a host may link by email.
	EmailDomainVerified bool
	GivenName           string
	FamilyName          string
	Name                string // display name
	Username            string // preferred_username, upn, or the email
	Groups              []string
	// GroupsOverage reports that the identity provider left groups out of
	// the token because there were too many (Entra ID's _claim_names), so
	// Groups is incomplete: read them through SCIM or Graph instead.
	GroupsOverage  bool
	OrganizationID string
	ConnectionID   string
	// ConnectionType is "oidc" or "saml".
	ConnectionType ConnectionType
	Provider       string // the connection's Provider ("okta", "entra", …)
	// Raw holds every claim (OIDC, JSON types as decoded by encoding/json:
	// string, float64, bool, []any, map[string]any) or attribute (SAML:
	// name → []any of string) the identity provider sent, for host-specific
	// mappings. Treat it as untrusted input.
	Raw      map[string]any
	AuthTime time.Time // when the user authenticated at the IdP (auth_time, AuthnInstant), else the login time
}

// UserStore is implemented by the host: it is where logins write users.
type UserStore interface {
	// UpsertSSOUser finds or creates the host's user for p and returns its
	// id. It is called once per successful login, after every check of the
	// kit passed.
	//
	// It must be idempotent, keyed by (p.ConnectionID, p.Subject) — that
	// is p.ID: the same identity always yields the same user, and a retry
	// converges to the same row. Update the stored names and email from p.
	//
	// Linking to an existing user found by email (rather than by the key)
	// is allowed only when p.EmailVerified && p.EmailDomainVerified: the
	// identity provider vouches for the address and the organization has
	// proven it owns the domain. Anything else would let one tenant's IdP
	// take over another's accounts (the nOAuth class of attack).
	//
	// The user belongs to p.OrganizationID. Return an error wrapping
	// [ErrUserDenied] to refuse the user (the login fails with
	// CodeAccessDenied); any other error fails it with CodeServerError.
	UpsertSSOUser(ctx context.Context, p *Profile) (userID string, err error)
}
