package scimtest_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/scimkit/scimtest"
)

// sqliteUsers is a small host user table on SQLite, the reference
// implementation the suite runs against: users keyed by (directory, SCIM
// id), groups likewise, and membership rows. The email of an active user
// is unique across the whole table (one account per address), the kind of
// rule for which a host returns scimkit.ErrConflict.
type sqliteUsers struct{ db *sql.DB }

var (
	_ scimkit.UserStore      = (*sqliteUsers)(nil)
	_ scimtest.UserObserver  = (*sqliteUsers)(nil)
	_ scimtest.GroupObserver = (*sqliteUsers)(nil)
)

var sqliteSchema = []string{
	`CREATE TABLE users (
		directory_id TEXT NOT NULL,
		scim_id TEXT NOT NULL,
		user_name TEXT NOT NULL,
		email TEXT NOT NULL,
		given_name TEXT NOT NULL,
		family_name TEXT NOT NULL,
		active INTEGER NOT NULL,
		PRIMARY KEY (directory_id, scim_id))`,
	`CREATE UNIQUE INDEX users_active_email ON users (lower(email)) WHERE active AND email <> ''`,
	`CREATE TABLE groups (
		directory_id TEXT NOT NULL,
		scim_id TEXT NOT NULL,
		display_name TEXT NOT NULL,
		PRIMARY KEY (directory_id, scim_id))`,
	`CREATE TABLE memberships (
		directory_id TEXT NOT NULL,
		group_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		PRIMARY KEY (directory_id, group_id, user_id),
		FOREIGN KEY (directory_id, group_id) REFERENCES groups (directory_id, scim_id) ON DELETE CASCADE,
		FOREIGN KEY (directory_id, user_id) REFERENCES users (directory_id, scim_id) ON DELETE CASCADE)`,
}

func openSQLiteUsers(t *testing.T) *sqliteUsers {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "host.db") + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range sqliteSchema {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return &sqliteUsers{db: db}
}

// tx runs fn in a transaction.
func (s *sqliteUsers) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// conflict turns a unique-index violation into scimkit.ErrConflict.
func conflict(err error) error {
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("host users: %w: %w", scimkit.ErrConflict, err)
	}
	return err
}

func (s *sqliteUsers) upsertUser(ctx context.Context, u *scimkit.User) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (directory_id, scim_id, user_name, email, given_name, family_name, active)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (directory_id, scim_id) DO UPDATE SET user_name = excluded.user_name, email = excluded.email,
			given_name = excluded.given_name, family_name = excluded.family_name, active = excluded.active`,
		u.DirectoryID, u.ID, u.UserName, u.PrimaryEmail(), u.Name.GivenName, u.Name.FamilyName, u.Active)
	return conflict(err)
}

func (s *sqliteUsers) CreateUser(ctx context.Context, u *scimkit.User) error {
	return s.upsertUser(ctx, u)
}

func (s *sqliteUsers) UpdateUser(ctx context.Context, u *scimkit.User) error {
	return s.upsertUser(ctx, u)
}

func (s *sqliteUsers) DeactivateUser(ctx context.Context, u *scimkit.User) error {
	_, err := s.db.ExecContext(ctx, `UPDATE users SET user_name = ?, email = ?, given_name = ?, family_name = ?, active = 0
		WHERE directory_id = ? AND scim_id = ?`,
		u.UserName, u.PrimaryEmail(), u.Name.GivenName, u.Name.FamilyName, u.DirectoryID, u.ID)
	return conflict(err)
}

func (s *sqliteUsers) DeleteUser(ctx context.Context, directoryID, userID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM users WHERE directory_id = ? AND scim_id = ?`, directoryID, userID)
	return err
}

func (s *sqliteUsers) upsertGroup(ctx context.Context, g *scimkit.Group) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO groups (directory_id, scim_id, display_name) VALUES (?, ?, ?)
		ON CONFLICT (directory_id, scim_id) DO UPDATE SET display_name = excluded.display_name`,
		g.DirectoryID, g.ID, g.DisplayName)
	return err
}

func (s *sqliteUsers) CreateGroup(ctx context.Context, g *scimkit.Group) error {
	return s.upsertGroup(ctx, g)
}

func (s *sqliteUsers) UpdateGroup(ctx context.Context, g *scimkit.Group) error {
	return s.upsertGroup(ctx, g)
}

func (s *sqliteUsers) DeleteGroup(ctx context.Context, directoryID, groupID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM groups WHERE directory_id = ? AND scim_id = ?`, directoryID, groupID)
	return err
}

func (s *sqliteUsers) AddGroupMembers(ctx context.Context, directoryID, groupID string, userIDs []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range userIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (directory_id, group_id, user_id) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, directoryID, groupID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *sqliteUsers) RemoveGroupMembers(ctx context.Context, directoryID, groupID string, userIDs []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range userIDs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE directory_id = ? AND group_id = ? AND user_id = ?`,
				directoryID, groupID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *sqliteUsers) ObservedUsers(ctx context.Context, directoryID string) ([]scimtest.ObservedUser, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scim_id, user_name, active FROM users WHERE directory_id = ?`, directoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scimtest.ObservedUser
	for rows.Next() {
		var u scimtest.ObservedUser
		if err := rows.Scan(&u.ID, &u.UserName, &u.Active); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s *sqliteUsers) ObservedGroups(ctx context.Context, directoryID string) ([]scimtest.ObservedGroup, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.scim_id, g.display_name, m.user_id FROM groups g
		LEFT JOIN memberships m ON m.directory_id = g.directory_id AND m.group_id = g.scim_id
		WHERE g.directory_id = ? ORDER BY g.scim_id`, directoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scimtest.ObservedGroup
	for rows.Next() {
		var id, name string
		var member sql.NullString
		if err := rows.Scan(&id, &name, &member); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, scimtest.ObservedGroup{ID: id, DisplayName: name})
		}
		if member.Valid {
			out[len(out)-1].Members = append(out[len(out)-1].Members, member.String)
		}
	}
	return out, rows.Err()
}

func TestSQLiteReference(t *testing.T) {
	scimtest.TestUserStore(t, func(t *testing.T) scimkit.UserStore { return openSQLiteUsers(t) })
}

// TestSQLiteReferenceConflict shows the one thing the suite leaves to the
// host: which collisions it refuses. Here an address that another active
// account owns is ErrConflict, as the contract asks.
func TestSQLiteReferenceConflict(t *testing.T) {
	s := openSQLiteUsers(t)
	ctx := t.Context()
	a := &scimkit.User{ID: "diru_a", DirectoryID: "dir_1", UserName: "ada", Active: true,
		Emails: []scimkit.Email{{Value: "ada@example.test", Primary: true}}}
	b := &scimkit.User{ID: "diru_b", DirectoryID: "dir_1", UserName: "ada2", Active: true,
		Emails: []scimkit.Email{{Value: "ADA@example.test", Primary: true}}}
	if err := s.CreateUser(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, b); !errors.Is(err, scimkit.ErrConflict) {
		t.Errorf("second account with the same email: %v, want ErrConflict", err)
	}
}
