package scimkit

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The Directory API: what a host reads in Go about the directories of its
// organizations and what their identity providers pushed. (Hosts in other
// languages get the same through the management REST API.)

// Events of a directory's lifecycle, written by [Server.SetDirectoryEnabled].
const (
	EventDirectoryEnabled  = "organization.directory_enabled"
	EventDirectoryDisabled = "organization.directory_disabled"
)

// Default and largest page sizes of the Directory API.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// ErrInvalidPageToken is returned for a page token the server did not make.
var ErrInvalidPageToken = errors.New("scimkit: invalid page token")

// CreateDirectory stores a new directory of an organization and returns it
// with its first bearer token (shown once; see [Server.CreateToken]).
// Name defaults to "SCIM directory", Dialect to "generic"; the directory
// is created enabled.
func (s *Server) CreateDirectory(ctx context.Context, organizationID, name, dialect string) (*Directory, string, error) {
	if organizationID == "" {
		return nil, "", errors.New("scimkit: create directory: empty organization id")
	}
	if !ValidDialect(dialect) {
		return nil, "", fmt.Errorf("scimkit: create directory: unknown dialect %q", dialect)
	}
	if dialect == "" {
		dialect = DialectGeneric
	}
	if name == "" {
		name = "SCIM directory"
	}
	d := &Directory{OrganizationID: organizationID, Name: name, Dialect: dialect, Enabled: true}
	if err := s.store.CreateDirectory(ctx, d); err != nil {
		return nil, "", fmt.Errorf("scimkit: create directory: %w", err)
	}
	token, err := s.CreateToken(ctx, d.ID)
	if err != nil {
		return nil, "", err
	}
	return d, token, nil
}

// SetDirectoryEnabled enables or disables a directory and writes the
// organization.directory_enabled or _disabled event in the same
// transaction. Requests with a disabled directory's tokens get 403.
func (s *Server) SetDirectoryEnabled(ctx context.Context, directoryID string, enabled bool) error {
	err := s.store.SCIMTx(ctx, func(tx Store, _ *sql.Tx) error {
		st := tx
		d, err := st.Directory(ctx, directoryID)
		if err != nil {
			return err
		}
		if d.Enabled == enabled {
			return nil
		}
		d.Enabled = enabled
		if err := st.UpdateDirectory(ctx, d); err != nil {
			return err
		}
		typ := EventDirectoryDisabled
		if enabled {
			typ = EventDirectoryEnabled
		}
		data, err := json.Marshal(d)
		if err != nil {
			return err
		}
		return st.AppendDirectoryEvent(ctx, &Event{Type: typ, OrganizationID: d.OrganizationID, DirectoryID: d.ID, Data: data, OccurredAt: s.now().UTC()})
	})
	if err != nil {
		return fmt.Errorf("scimkit: set directory enabled: %w", err)
	}
	return nil
}

// Directories lists the directories of an organization, oldest first.
func (s *Server) Directories(ctx context.Context, organizationID string) ([]*Directory, error) {
	ds, err := s.store.Directories(ctx, organizationID)
	if err != nil {
		return nil, fmt.Errorf("scimkit: list directories: %w", err)
	}
	return ds, nil
}

// PrimaryDirectory returns the organization's primary directory: its
// oldest enabled directory, else its oldest one. An organization without
// directories is ErrNotFound.
func (s *Server) PrimaryDirectory(ctx context.Context, organizationID string) (*Directory, error) {
	ds, err := s.Directories(ctx, organizationID)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("scimkit: primary directory of %q: %w", organizationID, ErrNotFound)
	}
	for _, d := range ds {
		if d.Enabled {
			return d, nil
		}
	}
	return ds[0], nil
}

// ListOptions select a page of users or groups of a directory.
type ListOptions struct {
	// PageSize is the most records a page holds. Default DefaultPageSize;
	// at most MaxPageSize.
	PageSize int
	// PageToken continues a listing: the NextPageToken of the previous
	// page, with the same other options. Empty for the first page.
	PageToken string
	// UpdatedAfter keeps only records changed after this time (zero: all),
	// for incremental syncs.
	UpdatedAfter time.Time
	// GroupID keeps only the members of this group (for ListUsers).
	GroupID string
	// UserID keeps only the groups of this user (for ListGroups).
	UserID string
	// IncludeDetail fills User.Raw and Group.Raw with the SCIM resource.
	IncludeDetail bool
}

// UserPage is one page of [Server.ListUsers].
type UserPage struct {
	Users         []*User
	NextPageToken string // "" on the last page
}

// GroupPage is one page of [Server.ListGroups].
type GroupPage struct {
	Groups        []*Group
	NextPageToken string // "" on the last page
}

const pageTokenVersion = "p1:"

func encodePageToken(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(pageTokenVersion + lastID))
}

func decodePageToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), pageTokenVersion) {
		return "", ErrInvalidPageToken
	}
	return strings.TrimPrefix(string(b), pageTokenVersion), nil
}

func (o ListOptions) query() (Query, error) {
	after, err := decodePageToken(o.PageToken)
	if err != nil {
		return Query{}, err
	}
	size := o.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)
	return Query{After: after, UpdatedAfter: o.UpdatedAfter, GroupID: o.GroupID, UserID: o.UserID, Limit: size + 1}, nil
}

// ListUsers lists a directory's users in creation order, one page at a
// time.
func (s *Server) ListUsers(ctx context.Context, directoryID string, o ListOptions) (*UserPage, error) {
	d, err := s.store.Directory(ctx, directoryID)
	if err != nil {
		return nil, fmt.Errorf("scimkit: list users: %w", err)
	}
	q, err := o.query()
	if err != nil {
		return nil, err
	}
	list, err := s.store.QueryUsers(ctx, directoryID, q)
	if err != nil {
		return nil, fmt.Errorf("scimkit: list users: %w", err)
	}
	page := &UserPage{}
	if len(list) == q.Limit {
		list = list[:q.Limit-1]
		page.NextPageToken = encodePageToken(list[len(list)-1].ID)
	}
	for _, u := range list {
		hu := s.hostUser(d, u)
		if !o.IncludeDetail {
			hu.Raw = nil
		}
		page.Users = append(page.Users, hu)
	}
	return page, nil
}

// ListGroups lists a directory's groups in creation order, one page at a
// time.
func (s *Server) ListGroups(ctx context.Context, directoryID string, o ListOptions) (*GroupPage, error) {
	d, err := s.store.Directory(ctx, directoryID)
	if err != nil {
		return nil, fmt.Errorf("scimkit: list groups: %w", err)
	}
	q, err := o.query()
	if err != nil {
		return nil, err
	}
	list, err := s.store.QueryGroups(ctx, directoryID, q)
	if err != nil {
		return nil, fmt.Errorf("scimkit: list groups: %w", err)
	}
	page := &GroupPage{}
	if len(list) == q.Limit {
		list = list[:q.Limit-1]
		page.NextPageToken = encodePageToken(list[len(list)-1].ID)
	}
	for _, g := range list {
		hg := s.hostGroup(d, g)
		if !o.IncludeDetail {
			hg.Raw = nil
		}
		page.Groups = append(page.Groups, hg)
	}
	return page, nil
}

// GetUser returns one user of a directory, with its raw attributes.
func (s *Server) GetUser(ctx context.Context, directoryID, userID string) (*User, error) {
	d, err := s.store.Directory(ctx, directoryID)
	if err != nil {
		return nil, fmt.Errorf("scimkit: get user: %w", err)
	}
	u, err := s.store.User(ctx, directoryID, userID)
	if err != nil {
		return nil, fmt.Errorf("scimkit: get user: %w", err)
	}
	return s.hostUser(d, u), nil
}
