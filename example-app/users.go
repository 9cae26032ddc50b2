package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// appSchema is the app's own tables, beside the kit's gatehouse_* tables
// in the same database. The statements run on SQLite and PostgreSQL alike.
// (A real application would version them, as the kit's store does with
// goose; CREATE … IF NOT EXISTS keeps the example short.)
var appSchema = []string{
	// A person. Email is not unique: two identity providers may assert the
	// same address, and the app links them only when the kit says it may.
	`CREATE TABLE IF NOT EXISTS acme_users (
		id TEXT PRIMARY KEY,
		email TEXT NOT NULL,
		given_name TEXT NOT NULL DEFAULT '',
		family_name TEXT NOT NULL DEFAULT '',
		name TEXT NOT NULL DEFAULT '',
		created_at BIGINT NOT NULL,
		updated_at BIGINT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS acme_users_email ON acme_users (email)`,
	// An SSO identity: the JIT key (connection, IdP subject) → user, with
	// the groups of the last login.
	`CREATE TABLE IF NOT EXISTS acme_identities (
		connection_id TEXT NOT NULL,
		subject TEXT NOT NULL,
		user_id TEXT NOT NULL REFERENCES acme_users (id) ON DELETE CASCADE,
		organization_id TEXT NOT NULL,
		groups_json TEXT NOT NULL DEFAULT '[]',
		last_login_at BIGINT NOT NULL,
		PRIMARY KEY (connection_id, subject))`,
	`CREATE INDEX IF NOT EXISTS acme_identities_user ON acme_identities (user_id)`,
	// Who belongs to which organization (the kit's organization id is the
	// app's tenant id).
	`CREATE TABLE IF NOT EXISTS acme_memberships (
		user_id TEXT NOT NULL REFERENCES acme_users (id) ON DELETE CASCADE,
		organization_id TEXT NOT NULL,
		role TEXT NOT NULL DEFAULT 'member',
		created_at BIGINT NOT NULL,
		PRIMARY KEY (user_id, organization_id))`,
	`CREATE TABLE IF NOT EXISTS acme_notes (
		id TEXT PRIMARY KEY,
		organization_id TEXT NOT NULL,
		author_id TEXT NOT NULL REFERENCES acme_users (id) ON DELETE CASCADE,
		body TEXT NOT NULL,
		created_at BIGINT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS acme_notes_organization ON acme_notes (organization_id, created_at)`,
}

// migrateApp creates the app's tables: its users, memberships and notes,
// and the mapping of SCIM-provisioned users and groups (scimSchema), which
// sign-in consults too (a deprovisioned user stays out).
func migrateApp(ctx context.Context, db *sql.DB) error {
	for _, q := range slices.Concat(appSchema, scimSchema) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("creating the app's tables: %w", err)
		}
	}
	return nil
}

// user is a row of acme_users.
type user struct {
	ID         string
	Email      string
	GivenName  string
	FamilyName string
	Name       string
}

// userStore is the app's users, memberships and SSO identities. It
// implements ssokit.UserStore.
type userStore struct {
	db  *sql.DB
	now func() time.Time
}

var _ ssokit.UserStore = (*userStore)(nil)

// UpsertSSOUser is the JIT step of a login, keyed by (connection, IdP
// subject): the first login creates the user (or links an existing one by
// email where the kit allows it), every later one finds the same user and
// refreshes the names, email and groups. It also makes the user a member
// of the profile's organization. It runs in one transaction, so a retry
// converges to the same row.
func (u *userStore) UpsertSSOUser(ctx context.Context, p *ssokit.Profile) (string, error) {
	groups := p.Groups
	if groups == nil {
		groups = []string{}
	}
	groupsJSON, err := json.Marshal(groups)
	if err != nil {
		return "", err
	}
	now := u.now().UnixMicro()
	tx, err := u.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("jit: %w", err)
	}
	defer tx.Rollback()

	var userID string
	err = tx.QueryRowContext(ctx, `SELECT user_id FROM acme_identities WHERE connection_id = $1 AND subject = $2`,
		p.ConnectionID, p.Subject).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		userID, err = u.newIdentity(ctx, tx, p, now)
	}
	if err != nil {
		return "", fmt.Errorf("jit: %w", err)
	}
	// A user the organization's directory deprovisioned (SCIM active=false)
	// does not get back in through SSO: the IdP may still hold a session
	// for them, but the organization has said they are out.
	var deprovisioned bool
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM acme_scim_users
		WHERE user_id = $1 AND organization_id = $2 AND NOT active)`, userID, p.OrganizationID).Scan(&deprovisioned)
	if err != nil {
		return "", fmt.Errorf("jit: %w", err)
	}
	if deprovisioned {
		return "", fmt.Errorf("jit: user %s is deprovisioned in organization %s: %w", userID, p.OrganizationID, ssokit.ErrUserDenied)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE acme_users SET email = $2, given_name = $3, family_name = $4, name = $5, updated_at = $6 WHERE id = $1`,
			[]any{userID, p.Email, p.GivenName, p.FamilyName, p.Name, now}},
		{`UPDATE acme_identities SET groups_json = $3, organization_id = $4, last_login_at = $5
			WHERE connection_id = $1 AND subject = $2`,
			[]any{p.ConnectionID, p.Subject, string(groupsJSON), p.OrganizationID, now}},
		{`INSERT INTO acme_memberships (user_id, organization_id, role, created_at) VALUES ($1, $2, 'member', $3)
			ON CONFLICT (user_id, organization_id) DO NOTHING`,
			[]any{userID, p.OrganizationID, now}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return "", fmt.Errorf("jit: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("jit: %w", err)
	}
	return userID, nil
}

// newIdentity records the first login of an identity and returns its user.
func (u *userStore) newIdentity(ctx context.Context, tx *sql.Tx, p *ssokit.Profile, now int64) (string, error) {
	var userID string
	created := false
	// Link by email only when the identity provider vouches for the
	// address and the organization has verified its domain (the contract
	// of ssokit.UserStore): otherwise one tenant's IdP could take over
	// another tenant's users.
	if p.EmailVerified && p.EmailDomainVerified {
		err := tx.QueryRowContext(ctx, `SELECT id FROM acme_users WHERE email = $1 ORDER BY created_at, id LIMIT 1`,
			p.Email).Scan(&userID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	if userID == "" {
		userID, created = newID("usr"), true
		if _, err := tx.ExecContext(ctx, `INSERT INTO acme_users (id, email, given_name, family_name, name, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, userID, p.Email, p.GivenName, p.FamilyName, p.Name, now); err != nil {
			return "", err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO acme_identities (connection_id, subject, user_id, organization_id, last_login_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (connection_id, subject) DO NOTHING`,
		p.ConnectionID, p.Subject, userID, p.OrganizationID, now); err != nil {
		return "", err
	}
	// A concurrent first login of the same identity (PostgreSQL) may have
	// won: use its user and drop ours.
	var winner string
	if err := tx.QueryRowContext(ctx, `SELECT user_id FROM acme_identities WHERE connection_id = $1 AND subject = $2`,
		p.ConnectionID, p.Subject).Scan(&winner); err != nil {
		return "", err
	}
	if winner != userID && created {
		if _, err := tx.ExecContext(ctx, `DELETE FROM acme_users WHERE id = $1`, userID); err != nil {
			return "", err
		}
	}
	return winner, nil
}

// get returns the user with the given id, or sql.ErrNoRows.
func (u *userStore) get(ctx context.Context, id string) (*user, error) {
	var x user
	err := u.db.QueryRowContext(ctx, `SELECT id, email, given_name, family_name, name FROM acme_users WHERE id = $1`, id).
		Scan(&x.ID, &x.Email, &x.GivenName, &x.FamilyName, &x.Name)
	if err != nil {
		return nil, err
	}
	return &x, nil
}

// groups returns the groups the user's identity on a connection brought
// at its last login (none for an unknown pair).
func (u *userStore) groups(ctx context.Context, userID, connectionID string) ([]string, error) {
	var raw string
	err := u.db.QueryRowContext(ctx, `SELECT groups_json FROM acme_identities WHERE user_id = $1 AND connection_id = $2
		ORDER BY last_login_at DESC LIMIT 1`, userID, connectionID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return []string{}, nil
	}
	if err != nil {
		return nil, err
	}
	groups := []string{}
	if err := json.Unmarshal([]byte(raw), &groups); err != nil {
		return nil, fmt.Errorf("groups of user %s: %w", userID, err)
	}
	return groups, nil
}

// isMember reports whether the user belongs to the organization.
func (u *userStore) isMember(ctx context.Context, userID, orgID string) (bool, error) {
	var one int
	err := u.db.QueryRowContext(ctx, `SELECT 1 FROM acme_memberships WHERE user_id = $1 AND organization_id = $2`,
		userID, orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
