package scimkit

import (
	"context"
	"database/sql"
	"time"
)

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

// serverStore is the part of the store the server needs beyond Store.
type serverStore interface {
	Store
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
	// emails (any of them, case-insensitively), in id order.
	UsersByEmail(ctx context.Context, directoryID, email string, limit int) ([]*DirectoryUser, error)
	// SetUserEmails replaces the email index entries of a user by emails
	// (lower-cased by the caller).
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
	// missing from the directory is ErrNotFound and nothing is added.
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
