package scimkit

import (
	"encoding/json"
	"time"
)

// Directory is one SCIM endpoint of an organization: the identity provider
// pushes its users and groups into it with a bearer token.
type Directory struct {
	ID             string // "dir_…", assigned by the store
	OrganizationID string
	Name           string
	// Dialect names the SCIM client whose quirks the directory accepts:
	// "generic" (RFC 7644 only), "entra" or "okta".
	Dialect   string
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DirectoryToken is a bearer token of a directory. Only its SHA-256 hash is
// kept; the token itself is shown once when it is made.
type DirectoryToken struct {
	ID          string // "dtok_…", assigned by the store
	DirectoryID string
	Hash        []byte // SHA-256 of the token
	CreatedAt   time.Time
	ExpiresAt   time.Time // zero: does not expire; set to end a rotation overlap
	LastUsedAt  time.Time
}

// DirectoryUser is a SCIM User resource as the kit stores it: the indexed
// attributes in fields and the whole resource, as last written, in Resource.
type DirectoryUser struct {
	ID          string // "diru_…", assigned by the store; the SCIM id
	DirectoryID string
	ExternalID  string
	UserName    string // unique per directory, case-insensitively
	Active      bool
	Email       string // the primary (or first work) email, lower-case
	GivenName   string
	FamilyName  string
	DisplayName string
	Resource    json.RawMessage // the SCIM resource without id and meta
	Version     int64           // bumped on every write; the ETag
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DirectoryGroup is a SCIM Group resource as the kit stores it. Members are
// kept in a membership table, not in Resource.
type DirectoryGroup struct {
	ID          string // "dirg_…", assigned by the store; the SCIM id
	DirectoryID string
	ExternalID  string
	DisplayName string          // unique per directory, case-insensitively
	Resource    json.RawMessage // the SCIM resource without id, meta and members
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
