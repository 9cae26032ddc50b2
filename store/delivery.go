package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/webhookkit"
)

const deliveryColumns = `attempts, next_attempt_at, done_targets, dead_at, last_error`

func scanPendingEvent(row scanner) (*webhookkit.PendingEvent, error) {
	var e webhookkit.Event
	var st webhookkit.DeliveryState
	var data, done, lastErr sql.NullString
	var occurred, delivered, next, dead sql.NullInt64
	if err := row.Scan(&e.ID, &e.Type, &e.OrganizationID, &data, &occurred, &delivered,
		&st.Attempts, &next, &done, &dead, &lastErr); err != nil {
		return nil, err
	}
	e.Data = fromRawText(data)
	e.OccurredAt, e.DeliveredAt = fromMicros(occurred), fromMicros(delivered)
	st.NextAttemptAt, st.DeadAt, st.LastError = fromMicros(next), fromMicros(dead), lastErr.String
	if done.Valid && done.String != "" {
		if err := json.Unmarshal([]byte(done.String), &st.Done); err != nil {
			return nil, fmt.Errorf("done_targets of event %s: %w", e.ID, err)
		}
	}
	return &webhookkit.PendingEvent{Event: &e, State: st}, nil
}

// ClaimEvents implements [webhookkit.StatefulOutbox]: it holds up to limit
// due, undelivered, live events until leaseUntil and returns them oldest
// first. On PostgreSQL concurrent claims skip each other's rows (FOR UPDATE
// SKIP LOCKED) and the claimed ids are matched by primary key; on SQLite
// the single writer serializes claims. A limit of zero or less means
// [DefaultPageLimit].
func (s *Store) ClaimEvents(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*webhookkit.PendingEvent, error) {
	const op = "claim events"
	due := `SELECT id FROM gatehouse_events
			WHERE delivered_at IS NULL AND dead_at IS NULL
				AND COALESCE(next_attempt_at, 0) <= $1 AND COALESCE(lease_until, 0) <= $1
			ORDER BY occurred_at, id LIMIT $3`
	match := `id IN (` + due + `)`
	if s.dialect == Postgres {
		// ARRAY(…) runs the locking subquery once, and the outer match is
		// a primary-key lookup rather than a join over the whole outbox.
		match = `id = ANY(ARRAY(` + due + ` FOR UPDATE SKIP LOCKED))`
	}
	list, err := queryAll(ctx, s, s.w(), op, scanPendingEvent, `UPDATE gatehouse_events SET lease_until = $2
		WHERE `+match+`
		RETURNING `+eventColumns+`, `+deliveryColumns,
		now.UnixMicro(), leaseUntil.UnixMicro(), pageLimit(limit))
	if err != nil {
		return nil, err
	}
	// RETURNING keeps no order.
	slices.SortFunc(list, func(a, b *webhookkit.PendingEvent) int {
		if c := a.Event.OccurredAt.Compare(b.Event.OccurredAt); c != 0 {
			return c
		}
		return strings.Compare(a.Event.ID, b.Event.ID)
	})
	return list, nil
}

// SaveDeliveryState implements [webhookkit.StatefulOutbox]: it records st
// for the undelivered event id and ends its claim, if the claim that held
// it until claimedUntil still does. A missing or delivered event, or one
// whose claim was lost (it was redelivered by hand, or claimed again after
// the lease ended), is ErrNotFound.
func (s *Store) SaveDeliveryState(ctx context.Context, id string, claimedUntil time.Time, st webhookkit.DeliveryState) error {
	var done any
	if len(st.Done) > 0 {
		b, err := json.Marshal(st.Done)
		if err != nil {
			return fmt.Errorf("store: save delivery state: %w", err)
		}
		done = string(b)
	}
	var lastErr any
	if st.LastError != "" {
		lastErr = st.LastError
	}
	return s.execOne(ctx, "save delivery state", `UPDATE gatehouse_events
		SET attempts = $2, next_attempt_at = $3, done_targets = $4, dead_at = $5, last_error = $6, lease_until = NULL
		WHERE id = $1 AND delivered_at IS NULL AND lease_until = $7`,
		id, st.Attempts, micros(st.NextAttemptAt), done, micros(st.DeadAt), lastErr, claimedUntil.UnixMicro())
}

// Redeliver makes the event id due at once with a fresh schedule: a
// dead-lettered event lives again, and a delivered one is pending again and
// goes to every target anew (an undelivered one keeps the targets that
// have it). This is manual redelivery, for operators. It ends any claim on
// the event, so a worker that holds it cannot save its older state over
// the reset (that worker may still send its copy: at least once).
func (s *Store) Redeliver(ctx context.Context, id string) error {
	return s.execOne(ctx, "redeliver event", `UPDATE gatehouse_events
		SET done_targets = CASE WHEN delivered_at IS NULL THEN done_targets ELSE NULL END,
			delivered_at = NULL, attempts = 0, next_attempt_at = NULL, dead_at = NULL,
			last_error = NULL, lease_until = NULL
		WHERE id = $1`, id)
}

// DeadEvents lists up to limit dead-lettered events with their delivery
// state, oldest dead letter first. A limit of zero or less means
// [DefaultPageLimit].
func (s *Store) DeadEvents(ctx context.Context, limit int) ([]*webhookkit.PendingEvent, error) {
	const op = "list dead events"
	return queryAll(ctx, s, s.r(), op, scanPendingEvent, `SELECT `+eventColumns+`, `+deliveryColumns+` FROM gatehouse_events
		WHERE dead_at IS NOT NULL AND delivered_at IS NULL ORDER BY dead_at, id LIMIT $1`, pageLimit(limit))
}

var _ webhookkit.StatefulOutbox = (*Store)(nil)
