package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

const connectionColumns = `id, organization_id, type, provider, name, status, allow_idp_initiated,
	attribute_map, saml, oidc, created_at, updated_at`

func scanConnection(row scanner) (*ssokit.Connection, error) {
	var c ssokit.Connection
	var attrs, saml, oidc sql.NullString
	var created, updated sql.NullInt64
	if err := row.Scan(&c.ID, &c.OrganizationID, &c.Type, &c.Provider, &c.Name, &c.Status,
		&c.AllowIDPInitiated, &attrs, &saml, &oidc, &created, &updated); err != nil {
		return nil, err
	}
	if attrs.Valid {
		if err := json.Unmarshal([]byte(attrs.String), &c.AttributeMap); err != nil {
			return nil, fmt.Errorf("connection %s: attribute map: %w", c.ID, err)
		}
	}
	if saml.Valid {
		c.SAML = new(ssokit.SAMLConfig)
		if err := json.Unmarshal([]byte(saml.String), c.SAML); err != nil {
			return nil, fmt.Errorf("connection %s: saml settings: %w", c.ID, err)
		}
	}
	if oidc.Valid {
		c.OIDC = new(ssokit.OIDCConfig)
		if err := json.Unmarshal([]byte(oidc.String), c.OIDC); err != nil {
			return nil, fmt.Errorf("connection %s: oidc settings: %w", c.ID, err)
		}
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// connectionDocs encodes the JSON columns of c.
func connectionDocs(c *ssokit.Connection) (attrs, saml, oidc any, err error) {
	if attrs, err = jsonText(c.AttributeMap); err != nil {
		return nil, nil, nil, err
	}
	if saml, err = jsonText(c.SAML); err != nil {
		return nil, nil, nil, err
	}
	if oidc, err = jsonText(c.OIDC); err != nil {
		return nil, nil, nil, err
	}
	return attrs, saml, oidc, nil
}

// CreateConnection stores c with a new ID and sets its timestamps, and
// appends an organization.sso_created event in the same transaction. A
// missing organization is ErrNotFound.
func (s *Store) CreateConnection(ctx context.Context, c *ssokit.Connection) error {
	const op = "create connection"
	attrs, saml, oidc, err := connectionDocs(c)
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	now := s.clock()
	id := ids.NewAt(ids.Connection, now)
	err = s.Tx(ctx, func(tx *Store) error {
		err := tx.insert(ctx, op, `INSERT INTO gatehouse_connections (`+connectionColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
			id, c.OrganizationID, string(c.Type), c.Provider, c.Name, string(c.Status), c.AllowIDPInitiated,
			attrs, saml, oidc, now.UnixMicro(), now.UnixMicro())
		if err != nil {
			return err
		}
		return tx.appendConnectionEvent(ctx, webhookkit.EventSSOCreated, id, c)
	})
	if err != nil {
		return err
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, now, now
	return nil
}

// Connection returns the connection with the given ID.
func (s *Store) Connection(ctx context.Context, id string) (*ssokit.Connection, error) {
	c, err := scanConnection(s.r().QueryRowContext(ctx,
		`SELECT `+connectionColumns+` FROM gatehouse_connections WHERE id = $1`, id))
	if err != nil {
		return nil, s.fail(ctx, "get connection", err)
	}
	return c, nil
}

// Connections lists an organization's connections, oldest first.
func (s *Store) Connections(ctx context.Context, organizationID string) ([]*ssokit.Connection, error) {
	const op = "list connections"
	return queryAll(ctx, s, s.r(), op, scanConnection, `SELECT `+connectionColumns+` FROM gatehouse_connections
		WHERE organization_id = $1 ORDER BY created_at, id`, organizationID)
}

// UpdateConnection writes every field of c except its organization and
// creation time, and sets its UpdatedAt (and CreatedAt from the stored
// record). A change of Status to active or inactive appends an
// organization.sso_enabled or organization.sso_disabled event in the same
// transaction; other changes append none.
func (s *Store) UpdateConnection(ctx context.Context, c *ssokit.Connection) error {
	const op = "update connection"
	attrs, saml, oidc, err := connectionDocs(c)
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	now := s.clock()
	var created sql.NullInt64
	err = s.Tx(ctx, func(tx *Store) error {
		// The status before, with the row locked until commit (a no-op
		// write), so that two concurrent updates cannot both see the old
		// status and both report the change.
		var before string
		if err := tx.w().QueryRowContext(ctx, `UPDATE gatehouse_connections SET status = status
			WHERE id = $1 RETURNING status`, c.ID).Scan(&before); err != nil {
			return tx.fail(ctx, op, err)
		}
		err := tx.w().QueryRowContext(ctx, `UPDATE gatehouse_connections
			SET type = $2, provider = $3, name = $4, status = $5, allow_idp_initiated = $6,
				attribute_map = $7, saml = $8, oidc = $9, updated_at = $10
			WHERE id = $1 RETURNING created_at, organization_id`,
			c.ID, string(c.Type), c.Provider, c.Name, string(c.Status), c.AllowIDPInitiated,
			attrs, saml, oidc, now.UnixMicro()).Scan(&created, &c.OrganizationID)
		if err != nil {
			return tx.fail(ctx, op, err)
		}
		switch {
		case before == string(c.Status):
			return nil
		case c.Status == ssokit.ConnectionActive:
			return tx.appendConnectionEvent(ctx, webhookkit.EventSSOEnabled, c.ID, c)
		case c.Status == ssokit.ConnectionInactive:
			return tx.appendConnectionEvent(ctx, webhookkit.EventSSODisabled, c.ID, c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), now
	return nil
}

// DeleteConnection deletes the connection with the given ID and its
// signing keys, and appends an organization.sso_deleted event in the same
// transaction.
func (s *Store) DeleteConnection(ctx context.Context, id string) error {
	const op = "delete connection"
	return s.Tx(ctx, func(tx *Store) error {
		var c ssokit.Connection
		var typ, status string
		err := tx.w().QueryRowContext(ctx, `DELETE FROM gatehouse_connections WHERE id = $1
			RETURNING organization_id, type, provider, name, status`, id).
			Scan(&c.OrganizationID, &typ, &c.Provider, &c.Name, &status)
		if err != nil {
			return tx.fail(ctx, op, err)
		}
		c.Type, c.Status = ssokit.ConnectionType(typ), ssokit.ConnectionStatus(status)
		return tx.appendConnectionEvent(ctx, webhookkit.EventSSODeleted, id, &c)
	})
}

// connectionEventData is the payload of the organization.sso_* events: what
// the connection is, never its IdP settings (an OIDC client secret lives
// there).
type connectionEventData struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id"`
	Type           string `json:"type"`
	Provider       string `json:"provider,omitempty"`
	Name           string `json:"name,omitempty"`
	Status         string `json:"status"`
}

func (s *Store) appendConnectionEvent(ctx context.Context, typ, id string, c *ssokit.Connection) error {
	data, err := json.Marshal(connectionEventData{ID: id, OrganizationID: c.OrganizationID, Type: string(c.Type),
		Provider: c.Provider, Name: c.Name, Status: string(c.Status)})
	if err != nil {
		return fmt.Errorf("store: %s event: %w", typ, err)
	}
	return s.AppendEvent(ctx, &webhookkit.Event{Type: typ, OrganizationID: c.OrganizationID, Data: data})
}
