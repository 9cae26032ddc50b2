package storetest

import (
	"errors"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// writeAll writes one record of several kinds through s.
func writeAll(t *testing.T, s *store.Store, org string) (*scimkit.Directory, *scimkit.DirectoryUser) {
	t.Helper()
	ctx := ctxOf(t)
	must(t, s.CreateOrganization(ctx, &ssokit.Organization{ID: org, Name: org}))
	d := &scimkit.Directory{OrganizationID: org, Name: "d"}
	must(t, s.CreateDirectory(ctx, d))
	u := &scimkit.DirectoryUser{DirectoryID: d.ID, UserName: "u"}
	must(t, s.CreateUser(ctx, u))
	g := &scimkit.DirectoryGroup{DirectoryID: d.ID, DisplayName: "g"}
	must(t, s.CreateGroup(ctx, g))
	must(t, s.AddMember(ctx, d.ID, g.ID, u.ID))
	must(t, s.AppendEvent(ctx, &webhookkit.Event{Type: "organization.directory.user_created", OrganizationID: org}))
	// The transaction reads its own writes.
	if _, err := s.User(ctx, d.ID, u.ID); err != nil {
		t.Errorf("read own write: %v", err)
	}
	return d, u
}

// wantNothing checks that nothing of writeAll(org) is in s.
func wantNothing(t *testing.T, s *store.Store, org string, d *scimkit.Directory, u *scimkit.DirectoryUser) {
	t.Helper()
	ctx := ctxOf(t)
	_, err := s.Organization(ctx, org)
	wantNotFound(t, "organization of a rolled back transaction", err)
	_, err = s.Directory(ctx, d.ID)
	wantNotFound(t, "directory of a rolled back transaction", err)
	_, err = s.User(ctx, d.ID, u.ID)
	wantNotFound(t, "user of a rolled back transaction", err)
	events, err := s.PendingEvents(ctx, 10)
	must(t, err)
	if len(events) != 0 {
		t.Errorf("%d events of a rolled back transaction", len(events))
	}
}

func testTxCommit(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	var d *scimkit.Directory
	var u *scimkit.DirectoryUser
	must(t, s.Tx(ctx, func(tx *store.Store) error {
		d, u = writeAll(t, tx, "o1")
		return nil
	}))
	got, err := s.User(ctx, d.ID, u.ID)
	must(t, err)
	equal(t, "committed user", got, u)
	groups, err := s.UserGroups(ctx, d.ID, u.ID)
	must(t, err)
	if len(groups) != 1 {
		t.Errorf("committed memberships = %d, want 1", len(groups))
	}
	events, err := s.PendingEvents(ctx, 10)
	must(t, err)
	if len(events) != 1 {
		t.Errorf("committed events = %d, want 1", len(events))
	}
}

func testTxRollback(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	errBoom := errors.New("boom")
	var d *scimkit.Directory
	var u *scimkit.DirectoryUser
	err := s.Tx(ctx, func(tx *store.Store) error {
		d, u = writeAll(t, tx, "o1")
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Tx returned %v, want fn's error", err)
	}
	wantNothing(t, s, "o1", d, u)
	// The store is usable afterwards.
	must(t, s.CreateOrganization(ctx, &ssokit.Organization{ID: "o1"}))
}

func testTxPanic(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	var d *scimkit.Directory
	var u *scimkit.DirectoryUser
	func() {
		defer func() {
			if r := recover(); r != "kaboom" {
				t.Errorf("recovered %v, want the panic to continue", r)
			}
		}()
		_ = s.Tx(ctx, func(tx *store.Store) error {
			d, u = writeAll(t, tx, "o1")
			panic("kaboom")
		})
	}()
	wantNothing(t, s, "o1", d, u)
	must(t, s.CreateOrganization(ctx, &ssokit.Organization{ID: "o1"}))
}

func testTxNested(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	errBoom := errors.New("boom")
	var d *scimkit.Directory
	var u *scimkit.DirectoryUser
	err := s.Tx(ctx, func(tx *store.Store) error {
		must(t, tx.CreateOrganization(ctx, &ssokit.Organization{ID: "outer"}))
		if err := tx.Tx(ctx, func(inner *store.Store) error {
			d, u = writeAll(t, inner, "o1")
			return nil
		}); err != nil {
			return err
		}
		// The inner transaction's writes are part of this one.
		if _, err := tx.Organization(ctx, "o1"); err != nil {
			t.Errorf("inner write inside the outer transaction: %v", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Tx returned %v, want fn's error", err)
	}
	wantNothing(t, s, "o1", d, u)
	_, err = s.Organization(ctx, "outer")
	wantNotFound(t, "outer organization", err)
}
