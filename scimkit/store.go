package scimkit

import (
	"context"
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
	UpdateToken(ctx context.Context, t *DirectoryToken) error
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
}
