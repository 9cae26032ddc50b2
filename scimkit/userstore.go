package scimkit

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// User is a provisioned user as the host receives it: the attributes most
// applications keep in their own user table, typed, plus the whole SCIM
// resource in Raw for anything else. It is also the data of the
// organization.directory.user_* events.
type User struct {
	// ID is the SCIM id the kit assigned ("diru_…"). With DirectoryID it is
	// the stable key of the user: every call for the same user carries
	// the same pair.
	ID             string  `json:"id"`
	DirectoryID    string  `json:"directory_id"`
	OrganizationID string  `json:"organization_id"`
	ExternalID     string  `json:"external_id,omitempty"` // the IdP's own id, if it sent one
	UserName       string  `json:"user_name"`             // unique per directory, case-insensitively
	Active         bool    `json:"active"`
	Name           Name    `json:"name"`
	DisplayName    string  `json:"display_name,omitempty"`
	Emails         []Email `json:"emails,omitempty"`
	// Extensions holds the objects of schema extensions, keyed by schema
	// URN, such as
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
	// Raw is the SCIM resource as the kit stores and serves it (with id,
	// without meta). password never appears in it.
	Raw       json.RawMessage `json:"raw,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// PrimaryEmail returns the value of the email marked primary, else of the
// first "work" email, else of the first email, else "".
func (u *User) PrimaryEmail() string {
	for _, e := range u.Emails {
		if e.Primary {
			return e.Value
		}
	}
	for _, e := range u.Emails {
		if e.Type == "work" {
			return e.Value
		}
	}
	if len(u.Emails) > 0 {
		return u.Emails[0].Value
	}
	return ""
}

// Name is a user's name (RFC 7643 §4.1.1).
type Name struct {
	Formatted  string `json:"formatted,omitempty"`
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
}

// Email is one of a user's email addresses.
type Email struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"` // "work", "home", "other" or the IdP's own
	Primary bool   `json:"primary,omitempty"`
}

// Group is a provisioned group as the host receives it, without its
// members (they come through [UserStore.AddGroupMembers] and
// [UserStore.RemoveGroupMembers]). It is also the data of the
// organization.directory.group_* events.
type Group struct {
	ID             string          `json:"id"` // the SCIM id ("dirg_…"); with DirectoryID the stable key
	DirectoryID    string          `json:"directory_id"`
	OrganizationID string          `json:"organization_id"`
	ExternalID     string          `json:"external_id,omitempty"`
	DisplayName    string          `json:"display_name"`  // unique per directory, case-insensitively
	Raw            json.RawMessage `json:"raw,omitempty"` // the SCIM resource without members and meta
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// UserStore is where provisioning writes in the host application: its own
// users (and, if it has them, groups). The kit calls it for every change an
// identity provider pushes, after it has validated the request and inside
// the database transaction that stores the SCIM resource and its event: an
// error from any method rolls the whole change back, and the identity
// provider receives an error and retries later.
//
// Every call is keyed by the directory id and the SCIM id the kit assigned;
// identity providers retry, so every method must be idempotent: a repeated
// call with the same key converges to the same row and returns nil.
// Return [ErrConflict] (wrapped or not) when the change collides with data
// the host holds (for example an email that another account owns): the
// identity provider receives 409. Any other error is a 500 to the identity
// provider and goes to [Config.OnError].
//
// Calls happen inside a transaction of the kit's store; on SQLite that
// transaction holds the only writer, so keep the methods fast and do not
// call the kit's store from them. Methods may be called concurrently for
// different resources.
type UserStore interface {
	// CreateUser adds a user the identity provider assigned to the
	// application. A user that already exists under the same key is
	// updated to u and nil is returned.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser writes a changed user (PUT or PATCH), including a user
	// reactivated with Active true. A missing user should be created (the
	// kit holds the resource, so the host may have lost it): return nil.
	UpdateUser(ctx context.Context, u *User) error
	// DeactivateUser is called instead of UpdateUser when a change sets
	// Active to false (Okta and Entra deprovision this way before, or
	// instead of, deleting): the host should end the user's sessions and
	// refuse further sign-ins. u carries the full new state. A missing user
	// is a no-op returning nil.
	DeactivateUser(ctx context.Context, u *User) error
	// DeleteUser removes the user (and its group memberships). A missing
	// user is a no-op returning nil.
	DeleteUser(ctx context.Context, directoryID, userID string) error

	// CreateGroup adds a group; an existing one under the same key is
	// updated and nil is returned.
	CreateGroup(ctx context.Context, g *Group) error
	// UpdateGroup writes a changed group (its name or attributes; members
	// come through the membership methods). A missing group should be
	// created: return nil.
	UpdateGroup(ctx context.Context, g *Group) error
	// DeleteGroup removes the group and its memberships; a missing group is
	// a no-op returning nil.
	DeleteGroup(ctx context.Context, directoryID, groupID string) error
	// AddGroupMembers adds the users to the group. Users already members
	// are skipped; the kit only passes users and groups it has told the
	// host about.
	AddGroupMembers(ctx context.Context, directoryID, groupID string, userIDs []string) error
	// RemoveGroupMembers removes the users from the group; users who are
	// not members are skipped.
	RemoveGroupMembers(ctx context.Context, directoryID, groupID string, userIDs []string) error
}

// TxUserStore is an optional ability of a [UserStore] whose data lives in
// the same database as the kit's store: the kit passes the open transaction,
// and the host writes its rows through it so that they commit, or roll
// back, with the SCIM resource and its event. The returned UserStore must
// do all its work through tx and must not commit or roll it back.
type TxUserStore interface {
	UserStore
	WithTx(tx *sql.Tx) UserStore
}
