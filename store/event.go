package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

const eventColumns = `id, type, organization_id, data, occurred_at, delivered_at`

func scanEvent(row scanner) (*webhookkit.Event, error) {
	var e webhookkit.Event
	var data sql.NullString
	var occurred, delivered sql.NullInt64
	if err := row.Scan(&e.ID, &e.Type, &e.OrganizationID, &data, &occurred, &delivered); err != nil {
		return nil, err
	}
	e.Data = fromRawText(data)
	e.OccurredAt, e.DeliveredAt = fromMicros(occurred), fromMicros(delivered)
	return &e, nil
}

// AppendEvent adds e to the outbox, assigning ID and OccurredAt when empty.
// An ID in use is ErrConflict. Call it through [Store.Tx] to commit the
// event with the change it describes.
func (s *Store) AppendEvent(ctx context.Context, e *webhookkit.Event) error {
	now := s.clock()
	id, occurred := e.ID, e.OccurredAt
	if id == "" {
		id = ids.NewAt(ids.Event, now)
	}
	if occurred.IsZero() {
		occurred = now
	}
	err := s.insert(ctx, "append event", `INSERT INTO gatehouse_events (`+eventColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		id, e.Type, e.OrganizationID, rawText(e.Data), occurred.UnixMicro(), micros(e.DeliveredAt))
	if err != nil {
		return err
	}
	e.ID, e.OccurredAt = id, occurred
	return nil
}

// PendingEvents lists up to limit undelivered events, oldest first. A limit
// of zero or less means [DefaultPageLimit].
func (s *Store) PendingEvents(ctx context.Context, limit int) ([]*webhookkit.Event, error) {
	const op = "list pending events"
	return queryAll(ctx, s, s.r(), op, scanEvent, `SELECT `+eventColumns+` FROM gatehouse_events
		WHERE delivered_at IS NULL ORDER BY occurred_at, id LIMIT $1`, pageLimit(limit))
}

// Event returns the event with the given ID.
func (s *Store) Event(ctx context.Context, id string) (*webhookkit.Event, error) {
	e, err := scanEvent(s.r().QueryRowContext(ctx, `SELECT `+eventColumns+` FROM gatehouse_events
		WHERE id = $1`, id))
	if err != nil {
		return nil, s.fail(ctx, "get event", err)
	}
	return e, nil
}

// MarkDelivered records that the event was delivered at at. Marking it
// again keeps the first time. A missing event is ErrNotFound.
func (s *Store) MarkDelivered(ctx context.Context, id string, at time.Time) error {
	if at.IsZero() {
		at = s.clock()
	}
	return s.execOne(ctx, "mark event delivered", `UPDATE gatehouse_events
		SET delivered_at = COALESCE(delivered_at, $2) WHERE id = $1`, id, at.UnixMicro())
}
