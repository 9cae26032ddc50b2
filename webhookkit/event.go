package webhookkit

import (
	"context"
	"encoding/json"
	"time"
)

// Event is one entry of the kit's event outbox, such as
// "organization.directory.user_created".
type Event struct {
	ID             string // "evt_…"; the webhook-id and the idempotency key
	Type           string
	OrganizationID string
	Data           json.RawMessage // the normalized resource
	OccurredAt     time.Time
	DeliveredAt    time.Time // zero while pending
}

// Outbox is the durable event log that the store package implements. Events
// are appended in the same transaction as the change they describe.
type Outbox interface {
	// AppendEvent adds e to the outbox, assigning ID and OccurredAt when
	// empty.
	AppendEvent(ctx context.Context, e *Event) error
	// PendingEvents lists up to limit undelivered events, oldest first.
	PendingEvents(ctx context.Context, limit int) ([]*Event, error)
	// MarkDelivered records that an event was delivered.
	MarkDelivered(ctx context.Context, id string, at time.Time) error
}

// DeliveryState is the delivery progress of one pending event, which a
// [StatefulOutbox] keeps across passes, restarts and app instances.
type DeliveryState struct {
	Attempts      int       // failed attempts so far
	NextAttemptAt time.Time // when the next attempt is due; zero: at once
	Done          []string  // keys of the targets that have the event
	DeadAt        time.Time // when it was dead-lettered; zero if it was not
	LastError     string    // the last failure, for operators
}

// PendingEvent is an undelivered event with its delivery state.
type PendingEvent struct {
	Event *Event
	State DeliveryState
}

// StatefulOutbox is an [Outbox] that also keeps each event's delivery state
// and lends due events to one worker at a time. With one, a [Worker] per app
// instance shares the work, and a restart loses no schedule and no dead
// letter. Package store implements it (on PostgreSQL with FOR UPDATE SKIP
// LOCKED).
type StatefulOutbox interface {
	Outbox
	// ClaimEvents returns up to limit undelivered events, oldest first,
	// that are not dead-lettered, whose next attempt is due at now, and
	// that no other claim holds at now; it holds them until leaseUntil, so
	// no other ClaimEvents returns them before then.
	ClaimEvents(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*PendingEvent, error)
	// SaveDeliveryState records the state of an undelivered event and
	// ends its claim, provided the claim that held it until claimedUntil
	// (the leaseUntil of its ClaimEvents) still holds it. Otherwise (the
	// event was delivered, redelivered by hand, or claimed again after the
	// lease ended) it changes nothing and returns an error.
	SaveDeliveryState(ctx context.Context, id string, claimedUntil time.Time, st DeliveryState) error
}
