package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

const goroutines = 50

// exactlyOne checks that one call succeeded and every other one failed
// with the expected condition (not a lock error or the like).
func exactlyOne(t *testing.T, what string, errs []error, loser func(t *testing.T, what string, err error)) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		loser(t, what, err)
	}
	if wins != 1 {
		t.Errorf("%s: %d of %d concurrent callers succeeded, want exactly 1", what, wins, len(errs))
	}
}

func testTakeFlowOnce(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	must(t, s.PutFlow(ctx, &ssokit.Flow{ID: "contested", Kind: "code", Data: []byte("profile"), ExpiresAt: clk.Now().Add(time.Minute)}))
	errs := parallel(goroutines, func(int) error {
		f, err := s.TakeFlow(ctx, "contested")
		if err == nil && string(f.Data) != "profile" {
			return fmt.Errorf("took flow with data %q", f.Data)
		}
		return err
	})
	exactlyOne(t, "TakeFlow", errs, wantNotFound)
}

func testUsePortalLinkOnce(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	l := &store.PortalLink{OrganizationID: "o1", TokenHash: []byte("contested"), ExpiresAt: clk.Now().Add(time.Minute)}
	must(t, s.CreatePortalLink(ctx, l))
	errs := parallel(goroutines, func(int) error {
		_, err := s.UsePortalLink(ctx, l.ID)
		return err
	})
	exactlyOne(t, "UsePortalLink", errs, wantNotFound)
}

func testRememberOnce(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	exp := clk.Now().Add(time.Minute)
	errs := parallel(goroutines, func(int) error { return s.Remember(ctx, "assertion", exp) })
	exactlyOne(t, "Remember of a new key", errs, wantConflict)

	// An expired key is replaced by exactly one of the callers too.
	clk.Advance(time.Minute)
	exp = clk.Now().Add(time.Minute)
	errs = parallel(goroutines, func(int) error { return s.Remember(ctx, "assertion", exp) })
	exactlyOne(t, "Remember of an expired key", errs, wantConflict)
}

// testConcurrentWriters runs many writers and readers at once: every write
// succeeds (no "database is locked"), and every write is there afterwards.
func testConcurrentWriters(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d := newDirectory(t, s, "o1")
	g := newGroup(t, s, d.ID, "Everyone")
	errs := parallel(goroutines, func(i int) error {
		u := &scimkit.DirectoryUser{DirectoryID: d.ID, UserName: fmt.Sprintf("user%02d@example.com", i), Active: true}
		if err := s.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := s.AddMember(ctx, d.ID, g.ID, u.ID); err != nil {
			return err
		}
		if _, err := s.UserByUserName(ctx, d.ID, u.UserName); err != nil {
			return err
		}
		if _, err := s.Members(ctx, d.ID, g.ID, scimkit.Page{Limit: 10}); err != nil {
			return err
		}
		return s.AppendEvent(ctx, &webhookkit.Event{Type: "organization.directory.user_created", OrganizationID: "o1"})
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	members, err := s.Members(ctx, d.ID, g.ID, scimkit.Page{Limit: 1000})
	must(t, err)
	if len(members) != goroutines {
		t.Errorf("group has %d members, want %d", len(members), goroutines)
	}
	events, err := s.PendingEvents(ctx, 1000)
	must(t, err)
	if len(events) != goroutines {
		t.Errorf("outbox holds %d events, want %d", len(events), goroutines)
	}
}

// testConcurrentTransactions runs transactions that read and then write
// the same row at once. Each retries on ErrConflict until its update lands;
// none may fail otherwise, and no update may be lost.
func testConcurrentTransactions(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d := newDirectory(t, s, "o1")
	g := newGroup(t, s, d.ID, "Counter")
	const n = 20
	errs := parallel(n, func(i int) error {
		for {
			err := s.Tx(ctx, func(tx *store.Store) error {
				cur, err := tx.Group(ctx, d.ID, g.ID)
				if err != nil {
					return err
				}
				cur.ExternalID = fmt.Sprintf("writer-%d", i)
				if err := tx.UpdateGroup(ctx, cur); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, &webhookkit.Event{Type: "organization.directory.group_updated", OrganizationID: "o1"})
			})
			if !errors.Is(err, store.ErrConflict) {
				return err
			}
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	got, err := s.Group(ctx, d.ID, g.ID)
	must(t, err)
	if got.Version != 1+n {
		t.Errorf("group version = %d after %d updates, want %d", got.Version, n, 1+n)
	}
	events, err := s.PendingEvents(ctx, 1000)
	must(t, err)
	if len(events) != n {
		t.Errorf("outbox holds %d events, want %d (one per committed transaction)", len(events), n)
	}
}

func testCancelledContext(t *testing.T, s *store.Store, clk *Clock) {
	newOrg(t, s, "o1")
	ctx, cancel := context.WithCancel(ctxOf(t))
	cancel()
	tests := []struct {
		name string
		call func() error
	}{
		{"read", func() error { _, err := s.Organization(ctx, "o1"); return err }},
		{"list", func() error { _, err := s.Connections(ctx, "o1"); return err }},
		{"write", func() error { return s.CreateOrganization(ctx, &ssokit.Organization{ID: "o2"}) }},
		{"take", func() error { _, err := s.TakeFlow(ctx, "f"); return err }},
		{"transaction", func() error {
			return s.Tx(ctx, func(tx *store.Store) error {
				return tx.CreateOrganization(ctx, &ssokit.Organization{ID: "o3"})
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want an error wrapping context.Canceled", err)
			}
		})
	}
	if _, err := s.Organization(ctxOf(t), "o2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("organization written with a cancelled context: %v", err)
	}
}

// testCancelWhileBlocked cancels a write that waits for a transaction
// holding the row (PostgreSQL: the row lock; SQLite: the writer).
func testCancelWhileBlocked(t *testing.T, s *store.Store, clk *Clock) {
	newOrg(t, s, "o1")
	holding, release := make(chan struct{}), make(chan struct{})
	txDone := make(chan error, 1)
	go func() {
		txDone <- s.Tx(ctxOf(t), func(tx *store.Store) error {
			if err := tx.UpdateOrganization(ctxOf(t), &ssokit.Organization{ID: "o1", Name: "held"}); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	select {
	case <-holding:
	case err := <-txDone:
		t.Fatalf("transaction ended early: %v", err)
	}
	ctx, cancel := context.WithCancel(ctxOf(t))
	blocked := make(chan error, 1)
	go func() {
		blocked <- s.UpdateOrganization(ctx, &ssokit.Organization{ID: "o1", Name: "blocked"})
	}()
	time.Sleep(50 * time.Millisecond) // let the write reach the lock; not an assertion
	cancel()
	err := <-blocked
	close(release)
	must(t, <-txDone)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("blocked write: got %v, want an error wrapping context.Canceled", err)
	}
	o, err := s.Organization(ctxOf(t), "o1")
	must(t, err)
	switch {
	case o.Name == "held":
	case o.Name == "blocked" && s.Dialect() == store.Postgres:
		// The statement was already at the server: when the holder
		// commits before the cancel request arrives, PostgreSQL runs it
		// (see "A call whose context ends" in the package doc). It is
		// applied whole, after the holder's write.
	default:
		t.Errorf("name = %q, want %q", o.Name, "held")
	}
}
