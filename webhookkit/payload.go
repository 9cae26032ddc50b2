package webhookkit

import (
	"encoding/json"
	"time"
)

// Payload is the JSON body of every webhook and the value in-process
// subscribers receive (DESIGN §6):
//
//	{"id":"evt_…","type":"organization.directory.user_created",
//	 "occurred_at":"2026-11-28T17:00:00Z","organization_id":"org_…",
//	 "environment":"production","data":{…}}
//
// ID is also the webhook-id header: receivers dedupe on it.
type Payload struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	OccurredAt     time.Time       `json:"occurred_at"`
	OrganizationID string          `json:"organization_id"`
	Environment    string          `json:"environment"`
	Data           json.RawMessage `json:"data"`
}

// NewPayload returns the payload of an outbox event for the given
// environment (such as "production"; the host names it). Empty data
// becomes {}; OccurredAt is in UTC.
func NewPayload(e *Event, environment string) Payload {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	return Payload{
		ID:             e.ID,
		Type:           e.Type,
		OccurredAt:     e.OccurredAt.UTC(),
		OrganizationID: e.OrganizationID,
		Environment:    environment,
		Data:           data,
	}
}
