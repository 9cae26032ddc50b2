package storetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/ssokit"
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

// testConnectionEvents: creating a connection, changing its status and
// deleting it append the organization.sso_* events in the transaction of
// the change; other updates append none, and a failed change appends
// nothing. The payload names the connection and never carries its IdP
// settings.
func testConnectionEvents(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	c := &ssokit.Connection{OrganizationID: "o1", Type: ssokit.ConnectionOIDC, Provider: "okta", Name: "Okta",
		Status: ssokit.ConnectionDraft, OIDC: &ssokit.OIDCConfig{Issuer: "https://idp.example.com", ClientID: "id", ClientSecret: "s3cret-value"}}
	must(t, s.CreateConnection(ctx, c))
	clk.Advance(time.Second)
	c.Name = "Okta (renamed)"
	must(t, s.UpdateConnection(ctx, c)) // no status change: no event
	for _, st := range []ssokit.ConnectionStatus{ssokit.ConnectionActive, ssokit.ConnectionActive, ssokit.ConnectionInactive, ssokit.ConnectionActive} {
		clk.Advance(time.Second)
		c.Status = st
		must(t, s.UpdateConnection(ctx, c))
	}
	clk.Advance(time.Second)
	must(t, s.DeleteConnection(ctx, c.ID))
	// Failed changes append nothing.
	wantNotFound(t, "create in a missing organization", s.CreateConnection(ctx, &ssokit.Connection{OrganizationID: "o_missing",
		Type: ssokit.ConnectionOIDC, Status: ssokit.ConnectionActive}))
	wantNotFound(t, "update a deleted connection", s.UpdateConnection(ctx, c))
	wantNotFound(t, "delete a deleted connection", s.DeleteConnection(ctx, c.ID))

	pending, err := s.PendingEvents(ctx, 100)
	must(t, err)
	var got []string
	for _, e := range pending {
		if e.OrganizationID != "o1" {
			t.Errorf("event %s for organization %q", e.Type, e.OrganizationID)
		}
		if strings.Contains(string(e.Data), "s3cret") {
			t.Errorf("event %s carries the client secret: %s", e.Type, e.Data)
		}
		var d struct{ ID, Status string }
		must(t, json.Unmarshal(e.Data, &d))
		if d.ID != c.ID {
			t.Errorf("event %s names connection %q, want %q", e.Type, d.ID, c.ID)
		}
		got = append(got, e.Type+":"+d.Status)
	}
	equal(t, "connection events", got, []string{
		webhookkit.EventSSOCreated + ":draft",
		webhookkit.EventSSOEnabled + ":active",
		webhookkit.EventSSODisabled + ":inactive",
		webhookkit.EventSSOEnabled + ":active",
		webhookkit.EventSSODeleted + ":active",
	})
}
