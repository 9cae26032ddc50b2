package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/scimkit"
)

const userColumns = `id, directory_id, external_id, user_name, active, email, given_name, family_name,
	display_name, resource, version, created_at, updated_at`

func scanUser(row scanner) (*scimkit.DirectoryUser, error) {
	var u scimkit.DirectoryUser
	var resource sql.NullString
	var created, updated sql.NullInt64
	if err := row.Scan(&u.ID, &u.DirectoryID, &u.ExternalID, &u.UserName, &u.Active, &u.Email,
		&u.GivenName, &u.FamilyName, &u.DisplayName, &resource, &u.Version, &created, &updated); err != nil {
		return nil, err
	}
	u.Resource = fromRawText(resource)
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &u, nil
}

// CreateUser stores u with a new ID, Version 1 and its timestamps. A
// userName the directory already has, in any case, is ErrConflict; a
// missing directory is ErrNotFound.
func (s *Store) CreateUser(ctx context.Context, u *scimkit.DirectoryUser) error {
	now := s.clock()
	id := ids.NewAt(ids.User, now)
	err := s.insert(ctx, "create user", `INSERT INTO gatehouse_directory_users (`+userColumns+`, user_name_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11, $12) ON CONFLICT DO NOTHING`,
		id, u.DirectoryID, u.ExternalID, u.UserName, u.Active, u.Email, u.GivenName, u.FamilyName,
		u.DisplayName, rawText(u.Resource), now.UnixMicro(), foldKey(u.UserName))
	if err != nil {
		return err
	}
	u.ID, u.Version, u.CreatedAt, u.UpdatedAt = id, 1, now, now
	return nil
}

// User returns the user with the given ID in the directory.
func (s *Store) User(ctx context.Context, directoryID, id string) (*scimkit.DirectoryUser, error) {
	u, err := scanUser(s.r().QueryRowContext(ctx, `SELECT `+userColumns+` FROM gatehouse_directory_users
		WHERE id = $1 AND directory_id = $2`, id, directoryID))
	if err != nil {
		return nil, s.fail(ctx, "get user", err)
	}
	return u, nil
}

// UserByUserName finds a user of the directory by userName,
// case-insensitively.
func (s *Store) UserByUserName(ctx context.Context, directoryID, userName string) (*scimkit.DirectoryUser, error) {
	u, err := scanUser(s.r().QueryRowContext(ctx, `SELECT `+userColumns+` FROM gatehouse_directory_users
		WHERE directory_id = $1 AND user_name_key = $2`, directoryID, foldKey(userName)))
	if err != nil {
		return nil, s.fail(ctx, "get user by userName", err)
	}
	return u, nil
}

// Users lists a page of the directory's users in id order. A Limit of zero
// or less means [DefaultPageLimit].
func (s *Store) Users(ctx context.Context, directoryID string, p scimkit.Page) ([]*scimkit.DirectoryUser, error) {
	const op = "list users"
	return queryAll(ctx, s, s.r(), op, scanUser, `SELECT `+userColumns+` FROM gatehouse_directory_users
		WHERE directory_id = $1 AND id > $2 ORDER BY id LIMIT $3`, directoryID, p.After, pageLimit(p.Limit))
}

// UpdateUser writes u if its Version is the stored one, bumps Version and
// sets UpdatedAt (and CreatedAt from the stored record). Another Version is
// ErrConflict (a concurrent writer won), as is a userName taken by another
// user; a user missing from the directory is ErrNotFound.
func (s *Store) UpdateUser(ctx context.Context, u *scimkit.DirectoryUser) error {
	const op = "update user"
	now := s.clock()
	var version int64
	var created sql.NullInt64
	err := s.w().QueryRowContext(ctx, `UPDATE gatehouse_directory_users
		SET external_id = $4, user_name = $5, user_name_key = $6, active = $7, email = $8,
			given_name = $9, family_name = $10, display_name = $11, resource = $12,
			version = version + 1, updated_at = $13
		WHERE id = $1 AND directory_id = $2 AND version = $3
		RETURNING version, created_at`,
		u.ID, u.DirectoryID, u.Version, u.ExternalID, u.UserName, foldKey(u.UserName), u.Active, u.Email,
		u.GivenName, u.FamilyName, u.DisplayName, rawText(u.Resource), now.UnixMicro()).Scan(&version, &created)
	if err != nil {
		return s.versionFail(ctx, op, err, `SELECT 1 FROM gatehouse_directory_users WHERE id = $1 AND directory_id = $2`,
			u.ID, u.DirectoryID)
	}
	u.Version, u.CreatedAt, u.UpdatedAt = version, fromMicros(created), now
	return nil
}

// versionFail explains an optimistic update that changed no row: the
// record exists (ErrConflict) or not (ErrNotFound).
func (s *Store) versionFail(ctx context.Context, op string, err error, existsQuery string, args ...any) error {
	err = s.fail(ctx, op, err)
	var se *Error
	if !errors.As(err, &se) || se.Kind != ErrNotFound || se.Err != nil {
		return err
	}
	found, ferr := s.exists(ctx, op, existsQuery, args...)
	if ferr != nil {
		return ferr
	}
	if found {
		return conflict(op)
	}
	return err
}

// DeleteUser deletes the user of the directory and its memberships.
func (s *Store) DeleteUser(ctx context.Context, directoryID, id string) error {
	return s.execOne(ctx, "delete user", `DELETE FROM gatehouse_directory_users
		WHERE id = $1 AND directory_id = $2`, id, directoryID)
}
