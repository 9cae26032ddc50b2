package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

func testEvents(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	e1 := &webhookkit.Event{Type: "organization.directory.user_created", OrganizationID: "o1",
		Data: json.RawMessage(`{"id":"diru_1","emails":[{"value":"a@example.com"}]}`)}
	must(t, s.AppendEvent(ctx, e1))
	if !ids.HasPrefix(e1.ID, ids.Event) || !e1.OccurredAt.Equal(clk.Now()) {
		t.Errorf("appended event id %q occurred %v", e1.ID, e1.OccurredAt)
	}
	clk.Advance(time.Second)
	e2 := &webhookkit.Event{ID: "evt_chosen", Type: "organization.directory.user_deleted", OrganizationID: "o1",
		OccurredAt: clk.Now().Add(-500 * time.Millisecond)}
	must(t, s.AppendEvent(ctx, e2))
	wantConflict(t, "event id in use", s.AppendEvent(ctx, &webhookkit.Event{ID: "evt_chosen", Type: "x"}))
	clk.Advance(time.Second)
	e3 := &webhookkit.Event{Type: "organization.directory.group_created", OrganizationID: "o2", Data: json.RawMessage(`{}`)}
	must(t, s.AppendEvent(ctx, e3))

	pending, err := s.PendingEvents(ctx, 10)
	must(t, err)
	equal(t, "pending events, oldest first", pending, []*webhookkit.Event{e1, e2, e3})
	pending, err = s.PendingEvents(ctx, 2)
	must(t, err)
	equal(t, "pending events with a limit", pending, []*webhookkit.Event{e1, e2})

	at := clk.Now()
	must(t, s.MarkDelivered(ctx, e1.ID, at))
	must(t, s.MarkDelivered(ctx, e1.ID, at.Add(time.Hour))) // again: keeps the first time
	e1.DeliveredAt = at
	got, err := s.Event(ctx, e1.ID)
	must(t, err)
	equal(t, "delivered event", got, e1)
	pending, err = s.PendingEvents(ctx, 10)
	must(t, err)
	equal(t, "pending events after a delivery", pending, []*webhookkit.Event{e2, e3})
	wantNotFound(t, "mark a missing event", s.MarkDelivered(ctx, "evt_missing", at))
}
