package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

func claimIDs(list []*webhookkit.PendingEvent) []string {
	out := make([]string, 0, len(list))
	for _, p := range list {
		out = append(out, p.Event.ID)
	}
	return out
}

// testDelivery: the delivery state the webhook worker keeps in the store.
// A claim holds due events until its lease ends; saved state comes back
// with the next claim; future retries and dead letters are not claimed;
// Redeliver revives dead and delivered events.
func testDelivery(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	var evs []*webhookkit.Event
	for range 3 {
		e := &webhookkit.Event{Type: webhookkit.EventDirectoryUserCreated, OrganizationID: "o1"}
		must(t, s.AppendEvent(ctx, e))
		evs = append(evs, e)
		clk.Advance(time.Millisecond)
	}
	now := clk.Now()
	lease := now.Add(time.Minute)

	got, err := s.ClaimEvents(ctx, now, lease, 2)
	must(t, err)
	equal(t, "first claim, oldest first", claimIDs(got), []string{evs[0].ID, evs[1].ID})
	equal(t, "fresh state", got[0].State, webhookkit.DeliveryState{})
	got, err = s.ClaimEvents(ctx, now, lease, 10)
	must(t, err)
	equal(t, "second claim skips the held ones", claimIDs(got), []string{evs[2].ID})
	got, err = s.ClaimEvents(ctx, now.Add(30*time.Second), lease, 10)
	must(t, err)
	equal(t, "nothing while the leases run", claimIDs(got), []string{})

	// evs[0]: one target done, retry in 5 s. evs[1]: dead. evs[2]: released as is.
	retry := now.Add(5 * time.Second)
	st0 := webhookkit.DeliveryState{Attempts: 1, NextAttemptAt: retry, Done: []string{"endpoint:a"}, LastError: "503"}
	wantNotFound(t, "save under another claim", s.SaveDeliveryState(ctx, evs[0].ID, lease.Add(time.Second), st0))
	must(t, s.SaveDeliveryState(ctx, evs[0].ID, lease, st0))
	wantNotFound(t, "save twice (the claim has ended)", s.SaveDeliveryState(ctx, evs[0].ID, lease, st0))
	must(t, s.SaveDeliveryState(ctx, evs[1].ID, lease, webhookkit.DeliveryState{Attempts: 8, DeadAt: now, LastError: "410"}))
	must(t, s.SaveDeliveryState(ctx, evs[2].ID, lease, webhookkit.DeliveryState{Done: []string{"endpoint:a"}}))
	wantNotFound(t, "save the state of a missing event", s.SaveDeliveryState(ctx, "evt_missing", lease, webhookkit.DeliveryState{}))

	got, err = s.ClaimEvents(ctx, now, lease, 10)
	must(t, err)
	equal(t, "released event claimable again", claimIDs(got), []string{evs[2].ID})
	equal(t, "its targets done", got[0].State.Done, []string{"endpoint:a"})
	must(t, s.MarkDelivered(ctx, evs[2].ID, now))
	wantNotFound(t, "save the state of a delivered event", s.SaveDeliveryState(ctx, evs[2].ID, lease, webhookkit.DeliveryState{}))

	got, err = s.ClaimEvents(ctx, retry.Add(-time.Microsecond), lease, 10)
	must(t, err)
	equal(t, "retry not due yet", claimIDs(got), []string{})
	got, err = s.ClaimEvents(ctx, retry, retry.Add(time.Minute), 10)
	must(t, err)
	equal(t, "retry due", claimIDs(got), []string{evs[0].ID})
	equal(t, "saved state comes back", got[0].State, st0)
	// A lease that ends is claimable again (a worker that died mid-pass),
	// and the first holder can no longer save over the second's claim.
	second := retry.Add(2 * time.Minute)
	got, err = s.ClaimEvents(ctx, retry.Add(time.Minute), second, 10)
	must(t, err)
	equal(t, "expired lease", claimIDs(got), []string{evs[0].ID})
	wantNotFound(t, "save by the holder whose lease ended", s.SaveDeliveryState(ctx, evs[0].ID, retry.Add(time.Minute), st0))
	got, err = s.ClaimEvents(ctx, retry.Add(time.Minute), second, 10)
	must(t, err)
	equal(t, "the second claim still holds", claimIDs(got), []string{})

	dead, err := s.DeadEvents(ctx, 10)
	must(t, err)
	equal(t, "dead letters", claimIDs(dead), []string{evs[1].ID})
	equal(t, "dead letter state", dead[0].State.LastError, "410")

	// Manual redelivery: the dead one lives, the delivered one is pending
	// again with no target done.
	must(t, s.Redeliver(ctx, evs[1].ID))
	must(t, s.Redeliver(ctx, evs[2].ID))
	wantNotFound(t, "redeliver a missing event", s.Redeliver(ctx, "evt_missing"))
	later := retry.Add(3 * time.Minute)
	got, err = s.ClaimEvents(ctx, later, later.Add(time.Minute), 10)
	must(t, err)
	equal(t, "redelivered events due", claimIDs(got), []string{evs[0].ID, evs[1].ID, evs[2].ID})
	for _, p := range got[1:] { // evs[2] was delivered: its targets start over
		equal(t, "fresh state after redelivery", p.State, webhookkit.DeliveryState{})
	}
	// Redelivery while a worker holds the event ends that claim: the
	// holder cannot save its older state over the reset.
	st := webhookkit.DeliveryState{Attempts: 8, DeadAt: later, LastError: "500"}
	must(t, s.Redeliver(ctx, evs[1].ID))
	wantNotFound(t, "save after a redelivery", s.SaveDeliveryState(ctx, evs[1].ID, later.Add(time.Minute), st))
	dead, err = s.DeadEvents(ctx, 10)
	must(t, err)
	equal(t, "no dead letters after redelivery", claimIDs(dead), []string{})
}

// testClaimOnce: concurrent claims never hand one event to two workers.
func testClaimOnce(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	const events, workers = 60, 8
	for range events {
		must(t, s.AppendEvent(ctx, &webhookkit.Event{Type: "x", OrganizationID: "o1"}))
	}
	now := clk.Now()
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				got, err := s.ClaimEvents(ctx, now, now.Add(time.Minute), 5)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, p := range got {
					seen[p.Event.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != events {
		t.Fatalf("claimed %d distinct events, want %d", len(seen), events)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s claimed %d times", id, n)
		}
	}
}
