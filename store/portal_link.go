package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
)

// PortalLink is a single-use magic link that lets an organization's IT
// admin into the admin portal. Only the hash of its token is kept.
type PortalLink struct {
	ID             string   // "plink_…", assigned by the store
	OrganizationID string   // the organization the admin may configure
	TokenHash      []byte   // SHA-256 of the token in the link; unique
	Features       []string // the portal sections the link opens, e.g. "sso", "dsync"
	ExpiresAt      time.Time
	UsedAt         time.Time // zero until the link is used
	CreatedAt      time.Time
}

const portalLinkColumns = `id, organization_id, token_hash, features, expires_at, used_at, created_at`

func scanPortalLink(row scanner) (*PortalLink, error) {
	var l PortalLink
	var features sql.NullString
	var expires, used, created sql.NullInt64
	if err := row.Scan(&l.ID, &l.OrganizationID, &l.TokenHash, &features, &expires, &used, &created); err != nil {
		return nil, err
	}
	if features.Valid {
		if err := json.Unmarshal([]byte(features.String), &l.Features); err != nil {
			return nil, fmt.Errorf("portal link %s: features: %w", l.ID, err)
		}
	}
	l.ExpiresAt, l.UsedAt, l.CreatedAt = fromMicros(expires), fromMicros(used), fromMicros(created)
	return &l, nil
}

// CreatePortalLink stores l with a new ID and sets CreatedAt. TokenHash and
// ExpiresAt are required. A hash in use is ErrConflict; a missing
// organization is ErrNotFound.
func (s *Store) CreatePortalLink(ctx context.Context, l *PortalLink) error {
	const op = "create portal link"
	if len(l.TokenHash) == 0 || l.ExpiresAt.IsZero() {
		return errors.New("store: create portal link: TokenHash and ExpiresAt are required")
	}
	features, err := jsonText(l.Features)
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	now := s.clock()
	id := ids.NewAt(ids.PortalLink, now)
	err = s.insert(ctx, op, `INSERT INTO gatehouse_portal_links (`+portalLinkColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		id, l.OrganizationID, l.TokenHash, features, l.ExpiresAt.UnixMicro(), micros(l.UsedAt), now.UnixMicro())
	if err != nil {
		return err
	}
	l.ID, l.CreatedAt = id, now
	return nil
}

// PortalLinkByHash finds a usable link by its token hash: one that has been
// used or has expired is ErrNotFound. Looking a link up does not use it.
func (s *Store) PortalLinkByHash(ctx context.Context, hash []byte) (*PortalLink, error) {
	l, err := scanPortalLink(s.r().QueryRowContext(ctx, `SELECT `+portalLinkColumns+` FROM gatehouse_portal_links
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, hash, s.clock().UnixMicro()))
	if err != nil {
		return nil, s.fail(ctx, "get portal link by hash", err)
	}
	return l, nil
}

// PortalLinks lists an organization's links, used and expired ones
// included (until [Store.Sweep] removes them), oldest first.
func (s *Store) PortalLinks(ctx context.Context, organizationID string) ([]*PortalLink, error) {
	const op = "list portal links"
	return queryAll(ctx, s, s.r(), op, scanPortalLink, `SELECT `+portalLinkColumns+` FROM gatehouse_portal_links
		WHERE organization_id = $1 ORDER BY created_at, id`, organizationID)
}

// UsePortalLink marks the link used and returns it, in one statement: of
// any number of concurrent callers exactly one succeeds. A link that is
// missing, expired or already used is ErrNotFound.
func (s *Store) UsePortalLink(ctx context.Context, id string) (*PortalLink, error) {
	now := s.clock().UnixMicro()
	l, err := scanPortalLink(s.w().QueryRowContext(ctx, `UPDATE gatehouse_portal_links SET used_at = $2
		WHERE id = $1 AND used_at IS NULL AND expires_at > $2
		RETURNING `+portalLinkColumns, id, now))
	if err != nil {
		return nil, s.fail(ctx, "use portal link", err)
	}
	return l, nil
}

// DeletePortalLink deletes the link with the given ID.
func (s *Store) DeletePortalLink(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete portal link", `DELETE FROM gatehouse_portal_links WHERE id = $1`, id)
}
