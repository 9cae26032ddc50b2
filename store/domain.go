package store

import (
	"context"
	"database/sql"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/ssokit"
)

const domainColumns = `id, organization_id, name, state, verification_token, verified_at, created_at, updated_at`

func scanDomain(row scanner) (*ssokit.Domain, error) {
	var d ssokit.Domain
	var verified, created, updated sql.NullInt64
	if err := row.Scan(&d.ID, &d.OrganizationID, &d.Name, &d.State, &d.VerificationToken,
		&verified, &created, &updated); err != nil {
		return nil, err
	}
	d.VerifiedAt, d.CreatedAt, d.UpdatedAt = fromMicros(verified), fromMicros(created), fromMicros(updated)
	return &d, nil
}

// CreateDomain stores d with a new ID and sets its timestamps. A name that
// another domain has, in any case, is ErrConflict; a missing organization
// is ErrNotFound.
func (s *Store) CreateDomain(ctx context.Context, d *ssokit.Domain) error {
	now := s.clock()
	id := ids.NewAt(ids.Domain, now)
	err := s.insert(ctx, "create domain", `INSERT INTO gatehouse_domains (`+domainColumns+`, name_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
		id, d.OrganizationID, d.Name, string(d.State), d.VerificationToken, micros(d.VerifiedAt),
		now.UnixMicro(), now.UnixMicro(), foldKey(d.Name))
	if err != nil {
		return err
	}
	d.ID, d.CreatedAt, d.UpdatedAt = id, now, now
	return nil
}

// Domain returns the domain with the given ID.
func (s *Store) Domain(ctx context.Context, id string) (*ssokit.Domain, error) {
	d, err := scanDomain(s.r().QueryRowContext(ctx,
		`SELECT `+domainColumns+` FROM gatehouse_domains WHERE id = $1`, id))
	if err != nil {
		return nil, s.fail(ctx, "get domain", err)
	}
	return d, nil
}

// DomainByName finds a domain by its name, case-insensitively.
func (s *Store) DomainByName(ctx context.Context, name string) (*ssokit.Domain, error) {
	d, err := scanDomain(s.r().QueryRowContext(ctx,
		`SELECT `+domainColumns+` FROM gatehouse_domains WHERE name_key = $1`, foldKey(name)))
	if err != nil {
		return nil, s.fail(ctx, "get domain by name", err)
	}
	return d, nil
}

// Domains lists an organization's domains, oldest first.
func (s *Store) Domains(ctx context.Context, organizationID string) ([]*ssokit.Domain, error) {
	const op = "list domains"
	return queryAll(ctx, s, s.r(), op, scanDomain, `SELECT `+domainColumns+` FROM gatehouse_domains
		WHERE organization_id = $1 ORDER BY created_at, id`, organizationID)
}

// UpdateDomain writes d's name, state, verification token and verification
// time, and sets its UpdatedAt (and CreatedAt from the stored record).
func (s *Store) UpdateDomain(ctx context.Context, d *ssokit.Domain) error {
	now := s.clock()
	var created sql.NullInt64
	err := s.w().QueryRowContext(ctx, `UPDATE gatehouse_domains
		SET name = $2, name_key = $3, state = $4, verification_token = $5, verified_at = $6, updated_at = $7
		WHERE id = $1 RETURNING created_at`,
		d.ID, d.Name, foldKey(d.Name), string(d.State), d.VerificationToken, micros(d.VerifiedAt),
		now.UnixMicro()).Scan(&created)
	if err != nil {
		return s.fail(ctx, "update domain", err)
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), now
	return nil
}

// DeleteDomain deletes the domain with the given ID.
func (s *Store) DeleteDomain(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete domain", `DELETE FROM gatehouse_domains WHERE id = $1`, id)
}
