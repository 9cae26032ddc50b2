package store

import (
	"context"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// SAMLConnections lists every SAML connection of every organization, oldest
// first; it implements [ssokit.SAMLConnectionLister] for the metadata
// refresh. It reads the whole table once per refresh (every few hours), so
// it needs no index of its own.
func (s *Store) SAMLConnections(ctx context.Context) ([]*ssokit.Connection, error) {
	const op = "list saml connections"
	return queryAll(ctx, s, s.r(), op, scanConnection, `SELECT `+connectionColumns+` FROM gatehouse_connections
		WHERE type = $1 ORDER BY created_at, id`, string(ssokit.ConnectionSAML))
}

// AppendSSOEvent adds an SSO event to the outbox; it implements
// [ssokit.EventAppender]. An ID in use is ErrConflict (the kit chooses the
// ID of events that must be written once).
func (s *Store) AppendSSOEvent(ctx context.Context, e *ssokit.Event) error {
	we := &webhookkit.Event{ID: e.ID, Type: e.Type, OrganizationID: e.OrganizationID, Data: e.Data, OccurredAt: e.OccurredAt}
	if err := s.AppendEvent(ctx, we); err != nil {
		return err
	}
	e.ID, e.OccurredAt = we.ID, we.OccurredAt
	return nil
}

var (
	_ ssokit.SAMLConnectionLister = (*Store)(nil)
	_ ssokit.EventAppender        = (*Store)(nil)
)
