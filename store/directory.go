package store

import (
	"context"
	"database/sql"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/scimkit"
)

const directoryColumns = `id, organization_id, name, dialect, enabled, created_at, updated_at`

func scanDirectory(row scanner) (*scimkit.Directory, error) {
	var d scimkit.Directory
	var created, updated sql.NullInt64
	if err := row.Scan(&d.ID, &d.OrganizationID, &d.Name, &d.Dialect, &d.Enabled, &created, &updated); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &d, nil
}

// CreateDirectory stores d with a new ID and sets its timestamps. A missing
// organization is ErrNotFound.
func (s *Store) CreateDirectory(ctx context.Context, d *scimkit.Directory) error {
	now := s.clock()
	id := ids.NewAt(ids.Directory, now)
	err := s.insert(ctx, "create directory", `INSERT INTO gatehouse_directories (`+directoryColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		id, d.OrganizationID, d.Name, d.Dialect, d.Enabled, now.UnixMicro(), now.UnixMicro())
	if err != nil {
		return err
	}
	d.ID, d.CreatedAt, d.UpdatedAt = id, now, now
	return nil
}

// Directory returns the directory with the given ID.
func (s *Store) Directory(ctx context.Context, id string) (*scimkit.Directory, error) {
	d, err := scanDirectory(s.r().QueryRowContext(ctx,
		`SELECT `+directoryColumns+` FROM gatehouse_directories WHERE id = $1`, id))
	if err != nil {
		return nil, s.fail(ctx, "get directory", err)
	}
	return d, nil
}

// Directories lists an organization's directories, oldest first.
func (s *Store) Directories(ctx context.Context, organizationID string) ([]*scimkit.Directory, error) {
	const op = "list directories"
	return queryAll(ctx, s, s.r(), op, scanDirectory, `SELECT `+directoryColumns+` FROM gatehouse_directories
		WHERE organization_id = $1 ORDER BY created_at, id`, organizationID)
}

// UpdateDirectory writes d's name, dialect and enabled flag, and sets its
// UpdatedAt (and CreatedAt from the stored record).
func (s *Store) UpdateDirectory(ctx context.Context, d *scimkit.Directory) error {
	now := s.clock()
	var created sql.NullInt64
	err := s.w().QueryRowContext(ctx, `UPDATE gatehouse_directories
		SET name = $2, dialect = $3, enabled = $4, updated_at = $5 WHERE id = $1 RETURNING created_at`,
		d.ID, d.Name, d.Dialect, d.Enabled, now.UnixMicro()).Scan(&created)
	if err != nil {
		return s.fail(ctx, "update directory", err)
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), now
	return nil
}

// DeleteDirectory deletes the directory with its tokens, users, groups and
// memberships.
func (s *Store) DeleteDirectory(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete directory", `DELETE FROM gatehouse_directories WHERE id = $1`, id)
}
