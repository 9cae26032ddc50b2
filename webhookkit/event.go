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
