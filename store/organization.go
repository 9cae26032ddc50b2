package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// CreateOrganization stores o under the ID the caller chose (the host's
// tenant id; empty is an error) and sets its timestamps. A taken ID is
// ErrConflict.
func (s *Store) CreateOrganization(ctx context.Context, o *ssokit.Organization) error {
	const op = "create organization"
	if o.ID == "" {
		return errors.New("store: create organization: empty ID")
	}
	now := s.clock()
	err := s.insert(ctx, op, `INSERT INTO gatehouse_organizations
		(id, name, sso_enforced, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`,
		o.ID, o.Name, o.SSOEnforced, now.UnixMicro(), now.UnixMicro())
	if err != nil {
		return err
	}
	o.CreatedAt, o.UpdatedAt = now, now
	return nil
}

const organizationColumns = `id, name, sso_enforced, created_at, updated_at`

func scanOrganization(row scanner) (*ssokit.Organization, error) {
	var o ssokit.Organization
	var created, updated sql.NullInt64
	if err := row.Scan(&o.ID, &o.Name, &o.SSOEnforced, &created, &updated); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &o, nil
}

// Organization returns the organization with the given ID.
func (s *Store) Organization(ctx context.Context, id string) (*ssokit.Organization, error) {
	o, err := scanOrganization(s.r().QueryRowContext(ctx,
		`SELECT `+organizationColumns+` FROM gatehouse_organizations WHERE id = $1`, id))
	if err != nil {
		return nil, s.fail(ctx, "get organization", err)
	}
	return o, nil
}

// Organizations lists every organization, by ID. It is for operators'
// tools: a host with many tenants pages through its own tenant table.
func (s *Store) Organizations(ctx context.Context) ([]*ssokit.Organization, error) {
	const op = "list organizations"
	return queryAll(ctx, s, s.r(), op, scanOrganization, `SELECT `+organizationColumns+` FROM gatehouse_organizations ORDER BY id`)
}

// UpdateOrganization writes o's name and SSO enforcement and sets its
// UpdatedAt (and CreatedAt from the stored record).
func (s *Store) UpdateOrganization(ctx context.Context, o *ssokit.Organization) error {
	now := s.clock()
	var created sql.NullInt64
	err := s.w().QueryRowContext(ctx, `UPDATE gatehouse_organizations
		SET name = $2, sso_enforced = $3, updated_at = $4 WHERE id = $1 RETURNING created_at`,
		o.ID, o.Name, o.SSOEnforced, now.UnixMicro()).Scan(&created)
	if err != nil {
		return s.fail(ctx, "update organization", err)
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), now
	return nil
}

// DeleteOrganization deletes the organization with everything that belongs
// to it: domains, connections and their keys, directories with their
// resources, and portal links. Its events stay in the outbox.
func (s *Store) DeleteOrganization(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete organization", `DELETE FROM gatehouse_organizations WHERE id = $1`, id)
}
