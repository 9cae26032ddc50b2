package store

import (
	"context"
	"database/sql"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/scimkit"
)

const groupColumns = `id, directory_id, external_id, display_name, resource, version, created_at, updated_at`

func scanGroup(row scanner) (*scimkit.DirectoryGroup, error) {
	var g scimkit.DirectoryGroup
	var resource sql.NullString
	var created, updated sql.NullInt64
	if err := row.Scan(&g.ID, &g.DirectoryID, &g.ExternalID, &g.DisplayName, &resource, &g.Version,
		&created, &updated); err != nil {
		return nil, err
	}
	g.Resource = fromRawText(resource)
	g.CreatedAt, g.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &g, nil
}

// CreateGroup stores g with a new ID, Version 1 and its timestamps. A
// displayName the directory already has, in any case, is ErrConflict; a
// missing directory is ErrNotFound.
func (s *Store) CreateGroup(ctx context.Context, g *scimkit.DirectoryGroup) error {
	now := s.clock()
	id := ids.NewAt(ids.Group, now)
	err := s.insert(ctx, "create group", `INSERT INTO gatehouse_directory_groups (`+groupColumns+`, display_name_key)
		VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7) ON CONFLICT DO NOTHING`,
		id, g.DirectoryID, g.ExternalID, g.DisplayName, rawText(g.Resource), now.UnixMicro(), foldKey(g.DisplayName))
	if err != nil {
		return err
	}
	g.ID, g.Version, g.CreatedAt, g.UpdatedAt = id, 1, now, now
	return nil
}

// Group returns the group with the given ID in the directory.
func (s *Store) Group(ctx context.Context, directoryID, id string) (*scimkit.DirectoryGroup, error) {
	g, err := scanGroup(s.r().QueryRowContext(ctx, `SELECT `+groupColumns+` FROM gatehouse_directory_groups
		WHERE id = $1 AND directory_id = $2`, id, directoryID))
	if err != nil {
		return nil, s.fail(ctx, "get group", err)
	}
	return g, nil
}

// GroupByDisplayName finds a group of the directory by displayName,
// case-insensitively.
func (s *Store) GroupByDisplayName(ctx context.Context, directoryID, displayName string) (*scimkit.DirectoryGroup, error) {
	g, err := scanGroup(s.r().QueryRowContext(ctx, `SELECT `+groupColumns+` FROM gatehouse_directory_groups
		WHERE directory_id = $1 AND display_name_key = $2`, directoryID, foldKey(displayName)))
	if err != nil {
		return nil, s.fail(ctx, "get group by displayName", err)
	}
	return g, nil
}

// Groups lists a page of the directory's groups in id order. A Limit of
// zero or less means [DefaultPageLimit].
func (s *Store) Groups(ctx context.Context, directoryID string, p scimkit.Page) ([]*scimkit.DirectoryGroup, error) {
	const op = "list groups"
	return queryAll(ctx, s, s.r(), op, scanGroup, `SELECT `+groupColumns+` FROM gatehouse_directory_groups
		WHERE directory_id = $1 AND id > $2 ORDER BY id LIMIT $3`, directoryID, p.After, pageLimit(p.Limit))
}

// UpdateGroup is [Store.UpdateUser] for groups: it writes g (not its
// members) if its Version is the stored one and bumps it.
func (s *Store) UpdateGroup(ctx context.Context, g *scimkit.DirectoryGroup) error {
	const op = "update group"
	now := s.clock()
	var version int64
	var created sql.NullInt64
	err := s.w().QueryRowContext(ctx, `UPDATE gatehouse_directory_groups
		SET external_id = $4, display_name = $5, display_name_key = $6, resource = $7,
			version = version + 1, updated_at = $8
		WHERE id = $1 AND directory_id = $2 AND version = $3
		RETURNING version, created_at`,
		g.ID, g.DirectoryID, g.Version, g.ExternalID, g.DisplayName, foldKey(g.DisplayName),
		rawText(g.Resource), now.UnixMicro()).Scan(&version, &created)
	if err != nil {
		return s.versionFail(ctx, op, err, `SELECT 1 FROM gatehouse_directory_groups WHERE id = $1 AND directory_id = $2`,
			g.ID, g.DirectoryID)
	}
	g.Version, g.CreatedAt, g.UpdatedAt = version, fromMicros(created), now
	return nil
}

// DeleteGroup deletes the group of the directory and its memberships.
func (s *Store) DeleteGroup(ctx context.Context, directoryID, id string) error {
	return s.execOne(ctx, "delete group", `DELETE FROM gatehouse_directory_groups
		WHERE id = $1 AND directory_id = $2`, id, directoryID)
}
