package ssokit

import "time"

// Organization is the host's tenant as the kit sees it. Its ID is the host's
// own tenant id; the kit keeps only what SSO needs of it.
type Organization struct {
	ID          string // the host's tenant id; required
	Name        string // display name shown on the kit's pages
	SSOEnforced bool   // members must sign in through SSO (see RequireSSO)
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DomainState is the verification state of a [Domain].
type DomainState string

// The states of a domain.
const (
	DomainPending  DomainState = "pending"  // not proven yet
	DomainVerified DomainState = "verified" // ownership proven (DNS TXT) or asserted by the host
	DomainFailed   DomainState = "failed"   // the last check failed
)

// Domain is an email domain that belongs to an organization. A domain name
// belongs to at most one organization.
type Domain struct {
	ID                string // "dom_…", assigned by the store
	OrganizationID    string
	Name              string // lower-case, no trailing dot, e.g. "example.com"
	State             DomainState
	VerificationToken string // value the customer publishes in a DNS TXT record
	VerifiedAt        time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// ConnectionType says which protocol a connection speaks.
type ConnectionType string

// The connection types.
const (
	ConnectionSAML ConnectionType = "saml"
	ConnectionOIDC ConnectionType = "oidc"
)

// ConnectionStatus is the lifecycle state of a connection.
type ConnectionStatus string

// The connection states. Only active connections take part in logins.
const (
	ConnectionDraft    ConnectionStatus = "draft"
	ConnectionActive   ConnectionStatus = "active"
	ConnectionInactive ConnectionStatus = "inactive"
)

// Connection is one identity provider of one organization. An organization
// may have several (subsidiaries, a migration from one IdP to another).
type Connection struct {
	ID             string // "conn_…", assigned by the store
	OrganizationID string
	Type           ConnectionType
	// Provider names the IdP product ("okta", "entra", "google",
	// "jumpcloud", "onelogin", "ping", "adfs", "keycloak", "generic" or
	// "simulator"); it selects default attribute maps and quirk handling.
	Provider string
	Name     string // display name
	Status   ConnectionStatus
	// AllowIDPInitiated accepts unsolicited SAML responses, which are then
	// converted into an ordinary SP-initiated login. Off by default.
	AllowIDPInitiated bool
	// AttributeMap overrides the provider's default mapping from normalized
	// profile fields ("email", "given_name", "groups", …) to IdP attribute
	// or claim names.
	AttributeMap map[string]string
	SAML         *SAMLConfig // set when Type is ConnectionSAML
	OIDC         *OIDCConfig // set when Type is ConnectionOIDC
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SAMLConfig holds a SAML connection's IdP settings. The IdP is described by
// metadata XML, by a metadata URL that is re-read on a schedule, or by the
// individual fields.
//
// With MetadataURL the kit fetches the document (lazily on first use, then
// on every [SSO.RefreshSAMLMetadata]) into MetadataXML. MetadataXML, when
// set, supplies the entity ID, the SSO URLs and the signing certificates;
// IDPEntityID then pins the entity (and picks it out of an aggregate),
// SSOURL overrides the SSO location, and Certificates are trusted in
// addition to the metadata's. Without metadata the three fields are
// required.
type SAMLConfig struct {
	MetadataURL string `json:"metadata_url,omitempty"`
	MetadataXML string `json:"metadata_xml,omitempty"`
	IDPEntityID string `json:"idp_entity_id,omitempty"`
	SSOURL      string `json:"sso_url,omitempty"`
	// SSOBinding is how the AuthnRequest reaches SSOURL: "redirect"
	// (HTTP-Redirect, the default) or "post" (HTTP-POST, for IdPs whose
	// endpoint accepts only POST, such as Entra ID's POST endpoint, which
	// answers AADSTS750052 otherwise). With metadata the kit picks
	// HTTP-Redirect when offered, else HTTP-POST.
	SSOBinding   string   `json:"sso_binding,omitempty"`
	Certificates []string `json:"certificates,omitempty"` // PEM; several during rotation
	// NameIDFormat requested in the AuthnRequest; empty means email
	// address, or unspecified when Provider is "adfs" (ADFS answers
	// InvalidNameIDPolicy to an email request unless a rule maps one).
	NameIDFormat string `json:"name_id_format,omitempty"`
	// SignRequests signs AuthnRequests with the SP signing key (RSA-SHA256).
	SignRequests bool `json:"sign_requests,omitempty"`
	// WantEncryptedAssertions advertises the SP encryption key in metadata.
	WantEncryptedAssertions bool `json:"want_encrypted_assertions,omitempty"`
	// AudienceAliases are further audience values accepted besides the
	// connection's SP entity ID, such as Entra's "spn:<app id>".
	AudienceAliases []string `json:"audience_aliases,omitempty"`
	// InsecureAllowSHA1 accepts SHA-1 signatures and digests. Only for IdPs
	// that cannot be configured otherwise.
	InsecureAllowSHA1 bool `json:"insecure_allow_sha1,omitempty"`
	// InsecureAllowRSA15 accepts RSA PKCS#1 v1.5 key transport for
	// encrypted assertions (open to Bleichenbacher-style attacks). Only for
	// IdPs that cannot use RSA-OAEP.
	InsecureAllowRSA15 bool `json:"insecure_allow_rsa15,omitempty"`
	// MetadataRefreshedAt is when MetadataURL was last read successfully.
	MetadataRefreshedAt time.Time `json:"metadata_refreshed_at,omitzero"`
}

// OIDCConfig holds an OpenID Connect connection's settings.
type OIDCConfig struct {
	Issuer       string   `json:"issuer"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"`
	Scopes       []string `json:"scopes,omitempty"` // default: openid email profile
	// TokenAuthMethod is "client_secret_basic" (default) or
	// "client_secret_post".
	TokenAuthMethod string `json:"token_auth_method,omitempty"`
}

// Flow is a short-lived record the kit keeps between two steps of a login:
// the state of an authorization request, a one-time code, an
// idp_initiated_login token id. Data is opaque to the store.
type Flow struct {
	ID        string // random and unguessable, chosen by the kit
	Kind      string // what the record is, e.g. "login" or "code"
	Data      []byte
	ExpiresAt time.Time
}

// KeyUse says what a [SigningKey] is for.
type KeyUse string

// The key uses.
const (
	KeyUseToken          KeyUse = "token"           // kit-issued JWTs (ID tokens, idp_initiated_login)
	KeyUseSAMLSigning    KeyUse = "saml_signing"    // signing AuthnRequests
	KeyUseSAMLEncryption KeyUse = "saml_encryption" // decrypting assertions
)

// SigningKey is a private key the kit keeps in the store so that every
// instance signs with the same keys and rotation survives restarts.
type SigningKey struct {
	ID           string // "key_…"; also the JWT kid
	Use          KeyUse
	ConnectionID string // empty for keys shared by all connections
	Algorithm    string // "RS256", …
	PrivateKey   []byte // PKCS #8, DER
	Certificate  []byte // X.509, DER; for SAML keys
	CreatedAt    time.Time
	// NotBefore is when the key starts to sign; before it the key is only
	// published, so relying parties learn it ahead of use.
	NotBefore time.Time
	// ExpiresAt is when the key stops being published and accepted.
	ExpiresAt time.Time
}
