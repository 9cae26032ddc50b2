package scimkit

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Errors a [Store] returns (wrapped; test with errors.Is).
var (
	ErrNotFound = errors.New("scimkit: not found")
	ErrConflict = errors.New("scimkit: conflict")
)

// Page selects a slice of a list ordered by id: the records after the id
// After (empty for the first page), at most Limit of them.
type Page struct {
	After string
	Limit int
}

// Store is the kit's own state for provisioning: directories, their tokens,
// and the users, groups and memberships the identity provider pushed. The
// store package implements it on SQLite and PostgreSQL.
//
// Every method is safe for concurrent use and scoped to one directory where
// it takes a directory id: a record of another directory is ErrNotFound.
// Unique keys (a user's userName, a group's displayName, both
// case-insensitive, per directory) yield ErrConflict.
type Store interface {
	CreateDirectory(ctx context.Context, d *Directory) error
	Directory(ctx context.Context, id string) (*Directory, error)
	Directories(ctx context.Context, organizationID string) ([]*Directory, error)
	UpdateDirectory(ctx context.Context, d *Directory) error
	// DeleteDirectory deletes the directory with its tokens, users, groups
	// and memberships.
	DeleteDirectory(ctx context.Context, id string) error

	CreateToken(ctx context.Context, t *DirectoryToken) error
	// TokenByHash finds an unexpired token by its SHA-256 hash.
	TokenByHash(ctx context.Context, hash []byte, now time.Time) (*DirectoryToken, error)
	Tokens(ctx context.Context, directoryID string) ([]*DirectoryToken, error)
	// UpdateToken writes t's ExpiresAt and LastUsedAt. The server calls it
	// to rotate tokens only: a use is recorded with TouchToken.
	UpdateToken(ctx context.Context, t *DirectoryToken) error
	// TouchToken sets the LastUsedAt of the token with the given ID to at
	// and writes nothing else (above all not ExpiresAt, so that recording a
	// use can never undo a concurrent revocation or rotation). A missing
	// token is ErrNotFound.
	TouchToken(ctx context.Context, id string, at time.Time) error
	DeleteToken(ctx context.Context, id string) error

	CreateUser(ctx context.Context, u *DirectoryUser) error
	User(ctx context.Context, directoryID, id string) (*DirectoryUser, error)
	UserByUserName(ctx context.Context, directoryID, userName string) (*DirectoryUser, error)
	Users(ctx context.Context, directoryID string, p Page) ([]*DirectoryUser, error)
	// UpdateUser writes u if its Version is the stored one and bumps it;
	// otherwise it returns ErrConflict (a concurrent writer won).
	UpdateUser(ctx context.Context, u *DirectoryUser) error
	// DeleteUser deletes the user and its memberships.
	DeleteUser(ctx context.Context, directoryID, id string) error

	CreateGroup(ctx context.Context, g *DirectoryGroup) error
	Group(ctx context.Context, directoryID, id string) (*DirectoryGroup, error)
	GroupByDisplayName(ctx context.Context, directoryID, displayName string) (*DirectoryGroup, error)
	Groups(ctx context.Context, directoryID string, p Page) ([]*DirectoryGroup, error)
	// UpdateGroup is UpdateUser for groups.
	UpdateGroup(ctx context.Context, g *DirectoryGroup) error
	DeleteGroup(ctx context.Context, directoryID, id string) error

	// AddMember adds a user to a group; adding a member twice is a no-op.
	// Both must belong to the directory.
	AddMember(ctx context.Context, directoryID, groupID, userID string) error
	// RemoveMember removes a user from a group; removing a non-member is a
	// no-op.
	RemoveMember(ctx context.Context, directoryID, groupID, userID string) error
	// Members lists the user ids of a group in id order.
	Members(ctx context.Context, directoryID, groupID string, p Page) ([]string, error)
	// UserGroups lists the group ids a user belongs to.
	UserGroups(ctx context.Context, directoryID, userID string) ([]string, error)

	// What the SCIM server needs beyond the records themselves
	// (implemented by package store in store/scim_server.go).

	// SCIMTx runs fn in one database transaction. tx is the store bound to
	// it; sqlTx is the transaction itself, passed to a [TxUserStore]. The
	// transaction commits when fn returns nil and rolls back otherwise.
	SCIMTx(ctx context.Context, fn func(tx Store, sqlTx *sql.Tx) error) error
	// AppendDirectoryEvent adds e to the event outbox.
	AppendDirectoryEvent(ctx context.Context, e *Event) error

	// UsersByExternalID lists up to limit users of the directory with
	// the externalId (case-exact), in id order.
	UsersByExternalID(ctx context.Context, directoryID, externalID string, limit int) ([]*DirectoryUser, error)
	// UsersByEmail lists up to limit users having the email among their
	// emails (the primary one in DirectoryUser.Email, or one given to
	// SetUserEmails), case-insensitively, in id order.
	UsersByEmail(ctx context.Context, directoryID, email string, limit int) ([]*DirectoryUser, error)
	// SetUserEmails replaces the index entries of a user's other emails
	// (all but DirectoryUser.Email) by emails.
	SetUserEmails(ctx context.Context, directoryID, userID string, emails []string) error
	// GroupsByExternalID lists up to limit groups with the externalId.
	GroupsByExternalID(ctx context.Context, directoryID, externalID string, limit int) ([]*DirectoryGroup, error)

	// QueryUsers and QueryGroups list the records q selects.
	QueryUsers(ctx context.Context, directoryID string, q Query) ([]*DirectoryUser, error)
	QueryGroups(ctx context.Context, directoryID string, q Query) ([]*DirectoryGroup, error)
	// CountUsers and CountGroups count the records q selects, ignoring
	// Offset and Limit.
	CountUsers(ctx context.Context, directoryID string, q Query) (int, error)
	CountGroups(ctx context.Context, directoryID string, q Query) (int, error)

	// GroupMembers lists a page of a group's members in user id order.
	// A group missing from the directory is ErrNotFound.
	GroupMembers(ctx context.Context, directoryID, groupID string, p Page) ([]Member, error)
	// AddMembers adds users to a group, keeping each member's Display,
	// and returns the ids that were not members before. A user or group
	// missing from the directory is ErrNotFound; members added before it
	// was met stay added until the transaction rolls back.
	AddMembers(ctx context.Context, directoryID, groupID string, members []Member) (added []string, err error)
	// RemoveMembers removes users from a group and returns the ids that
	// were members. Ids that are not members are skipped.
	RemoveMembers(ctx context.Context, directoryID, groupID string, userIDs []string) (removed []string, err error)
	// LockGroup bumps a group's Version and UpdatedAt and returns the
	// group as now stored. Inside a transaction it holds the group's row
	// until the end, so that concurrent membership changes of one group
	// queue instead of conflicting.
	LockGroup(ctx context.Context, directoryID, groupID string) (*DirectoryGroup, error)
}

// Query selects users or groups of a directory for the list methods of
// [Store]: records in id (creation) order, optionally after a keyset
// position, updated after a time, or of one group or user; then Offset of
// them skipped and at most Limit returned.
type Query struct {
	After        string    // only ids greater than After ("" for none)
	UpdatedAfter time.Time // only records updated after this (zero: all)
	GroupID      string    // users: only members of this group
	UserID       string    // groups: only groups this user belongs to
	Offset       int       // skip this many matching records
	Limit        int       // at most this many; zero or less: the store's default page
}

// Member is one membership of a group as the server serves it.
type Member struct {
	UserID string
	// Display is the member's display text as the identity provider sent
	// it, or else the user's displayName, or else its userName.
	Display string
}
