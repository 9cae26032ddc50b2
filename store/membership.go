package store

import (
	"context"

	"github.com/gatehouse-go/gatehouse/scimkit"
)

// Memberships are rows of (directory, group, user): adding one member to a
// large group writes one row. The foreign keys hold the group and the user
// to the membership's directory.

// AddMember adds the user to the group; adding a member twice is a no-op. A
// group or user missing from the directory is ErrNotFound.
func (s *Store) AddMember(ctx context.Context, directoryID, groupID, userID string) error {
	const op = "add member"
	n, err := s.exec(ctx, op, `INSERT INTO gatehouse_directory_members (directory_id, group_id, user_id, created_at)
		SELECT g.directory_id, g.id, u.id, $4
		FROM gatehouse_directory_groups g JOIN gatehouse_directory_users u ON u.directory_id = g.directory_id
		WHERE g.directory_id = $1 AND g.id = $2 AND u.id = $3
		ON CONFLICT DO NOTHING`,
		directoryID, groupID, userID, s.clock().UnixMicro())
	if err != nil || n > 0 {
		return err
	}
	return s.checkMembers(ctx, op, directoryID, groupID, userID)
}

// RemoveMember removes the user from the group; removing a non-member is a
// no-op. A group or user missing from the directory is ErrNotFound.
func (s *Store) RemoveMember(ctx context.Context, directoryID, groupID, userID string) error {
	const op = "remove member"
	n, err := s.exec(ctx, op, `DELETE FROM gatehouse_directory_members
		WHERE directory_id = $1 AND group_id = $2 AND user_id = $3`, directoryID, groupID, userID)
	if err != nil || n > 0 {
		return err
	}
	return s.checkMembers(ctx, op, directoryID, groupID, userID)
}

// checkMembers explains a membership change that changed nothing: nil when
// the group and the user are in the directory, else ErrNotFound.
func (s *Store) checkMembers(ctx context.Context, op, directoryID, groupID, userID string) error {
	return s.mustExist(ctx, op, `SELECT 1 FROM gatehouse_directory_groups g, gatehouse_directory_users u
		WHERE g.directory_id = $1 AND g.id = $2 AND u.directory_id = $1 AND u.id = $3`,
		directoryID, groupID, userID)
}

// Members lists a page of the user ids of a group in id order. A Limit of
// zero or less means [DefaultPageLimit]. A group missing from the directory
// is ErrNotFound.
func (s *Store) Members(ctx context.Context, directoryID, groupID string, p scimkit.Page) ([]string, error) {
	const op = "list members"
	list, err := queryAll(ctx, s, s.r(), op, scanString, `SELECT user_id FROM gatehouse_directory_members
		WHERE group_id = $1 AND directory_id = $2 AND user_id > $3 ORDER BY user_id LIMIT $4`,
		groupID, directoryID, p.After, pageLimit(p.Limit))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		if err := s.mustExist(ctx, op, `SELECT 1 FROM gatehouse_directory_groups WHERE id = $1 AND directory_id = $2`,
			groupID, directoryID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// UserGroups lists the ids of the groups a user belongs to, in id order. A
// user missing from the directory is ErrNotFound.
func (s *Store) UserGroups(ctx context.Context, directoryID, userID string) ([]string, error) {
	const op = "list user groups"
	list, err := queryAll(ctx, s, s.r(), op, scanString, `SELECT group_id FROM gatehouse_directory_members
		WHERE user_id = $1 AND directory_id = $2 ORDER BY group_id`, userID, directoryID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		if err := s.mustExist(ctx, op, `SELECT 1 FROM gatehouse_directory_users WHERE id = $1 AND directory_id = $2`,
			userID, directoryID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

func scanString(row scanner) (string, error) {
	var v string
	err := row.Scan(&v)
	return v, err
}

// mustExist returns ErrNotFound unless query returns a row.
func (s *Store) mustExist(ctx context.Context, op, query string, args ...any) error {
	found, err := s.exists(ctx, op, query, args...)
	if err != nil {
		return err
	}
	if !found {
		return notFound(op)
	}
	return nil
}
