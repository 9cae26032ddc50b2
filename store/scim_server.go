package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// The methods of scimkit.Store that the SCIM server (scimkit.Server)
// needs beyond the records themselves: a transaction, the outbox in it,
// index lookups, counted and filtered listings and membership deltas.

// SCIMTx runs fn in one transaction, as [Store.Tx] does; fn receives the
// Store bound to it and the *sql.Tx itself (for a host's
// scimkit.TxUserStore).
func (s *Store) SCIMTx(ctx context.Context, fn func(tx scimkit.Store, sqlTx *sql.Tx) error) error {
	return s.Tx(ctx, func(tx *Store) error { return fn(tx, tx.tx) })
}

// AppendDirectoryEvent appends a scimkit event to the outbox (see
// [Store.AppendEvent]).
func (s *Store) AppendDirectoryEvent(ctx context.Context, e *scimkit.Event) error {
	return s.AppendEvent(ctx, &webhookkit.Event{
		Type: e.Type, OrganizationID: e.OrganizationID, Data: e.Data, OccurredAt: e.OccurredAt,
	})
}

// qualify prefixes each column of a column list with alias.
func qualify(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

var (
	userColumnsU  = qualify("u", userColumns)
	groupColumnsG = qualify("g", groupColumns)
)

// UsersByExternalID lists up to limit users of the directory whose
// externalId is externalID (case-exact), in id order.
func (s *Store) UsersByExternalID(ctx context.Context, directoryID, externalID string, limit int) ([]*scimkit.DirectoryUser, error) {
	return s.queryUsers(ctx, "list users by externalId", `SELECT `+userColumns+` FROM gatehouse_directory_users
		WHERE directory_id = $1 AND external_id = $2 ORDER BY id LIMIT $3`, directoryID, externalID, pageLimit(limit))
}

// UsersByEmail lists up to limit users of the directory with the email
// among their emails, compared case-insensitively, in id order: the
// primary email (the indexed email column) or another one (the index kept
// by [Store.SetUserEmails]).
func (s *Store) UsersByEmail(ctx context.Context, directoryID, email string, limit int) ([]*scimkit.DirectoryUser, error) {
	return s.queryUsers(ctx, "list users by email", `SELECT `+userColumns+` FROM gatehouse_directory_users
		WHERE directory_id = $1 AND (email = $2 OR id IN (SELECT user_id FROM gatehouse_directory_user_emails
			WHERE directory_id = $1 AND email_key = $2))
		ORDER BY id LIMIT $3`, directoryID, foldKey(email), pageLimit(limit))
}

// SetUserEmails replaces the index entries of a user's emails other than
// the primary one (which the user's email column holds) by emails, in one
// statement each for the removal and the insertion.
func (s *Store) SetUserEmails(ctx context.Context, directoryID, userID string, emails []string) error {
	const op = "set user emails"
	if _, err := s.exec(ctx, op, `DELETE FROM gatehouse_directory_user_emails
		WHERE user_id = $1 AND directory_id = $2`, userID, directoryID); err != nil {
		return err
	}
	if len(emails) == 0 {
		return nil
	}
	var sb strings.Builder
	sb.WriteString(`INSERT INTO gatehouse_directory_user_emails (directory_id, user_id, email_key) VALUES `)
	args := []any{directoryID, userID}
	for i, e := range emails {
		if i > 0 {
			sb.WriteByte(',')
		}
		args = append(args, foldKey(e))
		sb.WriteString("($1, $2, $" + strconv.Itoa(len(args)) + ")")
	}
	sb.WriteString(" ON CONFLICT DO NOTHING")
	_, err := s.exec(ctx, op, sb.String(), args...)
	return err
}

// GroupsByExternalID lists up to limit groups of the directory whose
// externalId is externalID, in id order.
func (s *Store) GroupsByExternalID(ctx context.Context, directoryID, externalID string, limit int) ([]*scimkit.DirectoryGroup, error) {
	return s.queryGroups(ctx, "list groups by externalId", `SELECT `+groupColumns+` FROM gatehouse_directory_groups
		WHERE directory_id = $1 AND external_id = $2 ORDER BY id LIMIT $3`, directoryID, externalID, pageLimit(limit))
}

// where builds the conditions of a scimkit.Query on a table aliased t,
// starting after the directory id ($1).
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(w.args))))
}

func queryWhere(alias, directoryID string, q scimkit.Query, users bool) *where {
	w := &where{}
	w.add(alias+".directory_id = ?", directoryID)
	if q.After != "" {
		w.add(alias+".id > ?", q.After)
	}
	if !q.UpdatedAfter.IsZero() {
		w.add(alias+".updated_at > ?", q.UpdatedAfter.UnixMicro())
	}
	if users && q.GroupID != "" {
		w.add(`EXISTS (SELECT 1 FROM gatehouse_directory_members m
			WHERE m.group_id = ? AND m.user_id = `+alias+`.id AND m.directory_id = `+alias+`.directory_id)`, q.GroupID)
	}
	if !users && q.UserID != "" {
		w.add(`EXISTS (SELECT 1 FROM gatehouse_directory_members m
			WHERE m.user_id = ? AND m.group_id = `+alias+`.id AND m.directory_id = `+alias+`.directory_id)`, q.UserID)
	}
	return w
}

func (w *where) sql() string { return strings.Join(w.conds, " AND ") }

// page appends ORDER BY, LIMIT and OFFSET.
func (w *where) page(alias string, q scimkit.Query) string {
	w.args = append(w.args, pageLimit(q.Limit))
	s := " ORDER BY " + alias + ".id LIMIT $" + strconv.Itoa(len(w.args))
	if q.Offset > 0 {
		w.args = append(w.args, q.Offset)
		s += " OFFSET $" + strconv.Itoa(len(w.args))
	}
	return s
}

// QueryUsers lists the users of the directory that q selects, in id order.
func (s *Store) QueryUsers(ctx context.Context, directoryID string, q scimkit.Query) ([]*scimkit.DirectoryUser, error) {
	w := queryWhere("u", directoryID, q, true)
	query := `SELECT ` + userColumnsU + ` FROM gatehouse_directory_users u WHERE ` + w.sql()
	query += w.page("u", q)
	return s.queryUsers(ctx, "query users", query, w.args...)
}

// CountUsers counts the users of the directory that q selects (Offset and
// Limit aside).
func (s *Store) CountUsers(ctx context.Context, directoryID string, q scimkit.Query) (int, error) {
	w := queryWhere("u", directoryID, q, true)
	return s.count(ctx, "count users", `SELECT COUNT(*) FROM gatehouse_directory_users u WHERE `+w.sql(), w.args...)
}

// QueryGroups lists the groups of the directory that q selects, in id
// order.
func (s *Store) QueryGroups(ctx context.Context, directoryID string, q scimkit.Query) ([]*scimkit.DirectoryGroup, error) {
	w := queryWhere("g", directoryID, q, false)
	query := `SELECT ` + groupColumnsG + ` FROM gatehouse_directory_groups g WHERE ` + w.sql()
	query += w.page("g", q)
	return s.queryGroups(ctx, "query groups", query, w.args...)
}

// CountGroups counts the groups of the directory that q selects.
func (s *Store) CountGroups(ctx context.Context, directoryID string, q scimkit.Query) (int, error) {
	w := queryWhere("g", directoryID, q, false)
	return s.count(ctx, "count groups", `SELECT COUNT(*) FROM gatehouse_directory_groups g WHERE `+w.sql(), w.args...)
}

func (s *Store) count(ctx context.Context, op, query string, args ...any) (int, error) {
	var n int
	if err := s.r().QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, s.fail(ctx, op, err)
	}
	return n, nil
}

func (s *Store) queryUsers(ctx context.Context, op, query string, args ...any) ([]*scimkit.DirectoryUser, error) {
	return queryAll(ctx, s, s.r(), op, scanUser, query, args...)
}

func (s *Store) queryGroups(ctx context.Context, op, query string, args ...any) ([]*scimkit.DirectoryGroup, error) {
	return queryAll(ctx, s, s.r(), op, scanGroup, query, args...)
}

func scanMember(row scanner) (scimkit.Member, error) {
	var m scimkit.Member
	err := row.Scan(&m.UserID, &m.Display)
	return m, err
}

// GroupMembers lists a page of a group's members in user id order, with
// the display text the identity provider sent, else the user's
// displayName, else its userName. A group missing from the directory is
// ErrNotFound.
func (s *Store) GroupMembers(ctx context.Context, directoryID, groupID string, p scimkit.Page) ([]scimkit.Member, error) {
	const op = "list group members"
	list, err := queryAll(ctx, s, s.r(), op, scanMember, `SELECT m.user_id,
			COALESCE(NULLIF(m.display, ''), NULLIF(u.display_name, ''), u.user_name)
		FROM gatehouse_directory_members m
		JOIN gatehouse_directory_users u ON u.id = m.user_id AND u.directory_id = m.directory_id
		WHERE m.group_id = $1 AND m.directory_id = $2 AND m.user_id > $3
		ORDER BY m.user_id LIMIT $4`, groupID, directoryID, p.After, pageLimit(p.Limit))
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

// AddMembers adds users to a group, each with its display text, and
// returns the ids that were not members before (in the order given). A
// user or group missing from the directory is ErrNotFound; call it in a
// transaction ([Store.SCIMTx]) so that nothing stays added then.
func (s *Store) AddMembers(ctx context.Context, directoryID, groupID string, members []scimkit.Member) ([]string, error) {
	const op = "add members"
	now := s.clock().UnixMicro()
	var added []string
	for _, m := range members {
		n, err := s.exec(ctx, op, `INSERT INTO gatehouse_directory_members (directory_id, group_id, user_id, created_at, display)
			SELECT g.directory_id, g.id, u.id, $4, $5
			FROM gatehouse_directory_groups g JOIN gatehouse_directory_users u ON u.directory_id = g.directory_id
			WHERE g.directory_id = $1 AND g.id = $2 AND u.id = $3
			ON CONFLICT DO NOTHING`, directoryID, groupID, m.UserID, now, nullString(m.Display))
		if err != nil {
			return nil, err
		}
		if n > 0 {
			added = append(added, m.UserID)
			continue
		}
		if err := s.checkMembers(ctx, op, directoryID, groupID, m.UserID); err != nil {
			return nil, err
		}
	}
	return added, nil
}

// RemoveMembers removes users from a group and returns the ids that were
// members. Ids that are not members are skipped.
func (s *Store) RemoveMembers(ctx context.Context, directoryID, groupID string, userIDs []string) ([]string, error) {
	const op = "remove members"
	var removed []string
	for _, id := range userIDs {
		n, err := s.exec(ctx, op, `DELETE FROM gatehouse_directory_members
			WHERE directory_id = $1 AND group_id = $2 AND user_id = $3`, directoryID, groupID, id)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			removed = append(removed, id)
		}
	}
	return removed, nil
}

// LockGroup bumps a group's Version and UpdatedAt and returns the group as
// now stored. In a transaction the update holds the group's row until the
// end, so that concurrent changes of one group's membership queue instead
// of conflicting. A group missing from the directory is ErrNotFound.
func (s *Store) LockGroup(ctx context.Context, directoryID, groupID string) (*scimkit.DirectoryGroup, error) {
	g, err := scanGroup(s.w().QueryRowContext(ctx, `UPDATE gatehouse_directory_groups
		SET version = version + 1, updated_at = $3
		WHERE id = $1 AND directory_id = $2
		RETURNING `+groupColumns, groupID, directoryID, s.clock().UnixMicro()))
	if err != nil {
		return nil, s.fail(ctx, "lock group", err)
	}
	return g, nil
}
