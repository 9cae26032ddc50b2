package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
)

// testSweep moves the clock past expiry, sweeps, and moves it back: what
// the sweep deleted is gone even for a clock at which it would be valid,
// and what it kept is still there.
func testSweep(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	short, long := clk.Now().Add(time.Minute), clk.Now().Add(time.Hour)
	must(t, s.PutFlow(ctx, &ssokit.Flow{ID: "old", Kind: "login", ExpiresAt: short}))
	must(t, s.PutFlow(ctx, &ssokit.Flow{ID: "new", Kind: "login", ExpiresAt: long}))
	must(t, s.Remember(ctx, "old", short))
	must(t, s.Remember(ctx, "new", long))
	expiring := &store.PortalLink{OrganizationID: "o1", TokenHash: []byte("expiring"), ExpiresAt: short}
	used := &store.PortalLink{OrganizationID: "o1", TokenHash: []byte("used"), ExpiresAt: long}
	fresh := &store.PortalLink{OrganizationID: "o1", TokenHash: []byte("fresh"), ExpiresAt: long}
	for _, l := range []*store.PortalLink{expiring, used, fresh} {
		must(t, s.CreatePortalLink(ctx, l))
	}
	_, err := s.UsePortalLink(ctx, used.ID)
	must(t, err)

	clk.Advance(2 * time.Minute)
	must(t, s.Sweep(ctx))
	clk.Advance(-2 * time.Minute)

	_, err = s.TakeFlow(ctx, "old")
	wantNotFound(t, "swept flow", err)
	_, err = s.TakeFlow(ctx, "new")
	must(t, err)
	must(t, s.Remember(ctx, "old", short)) // the swept key is free
	wantConflict(t, "kept replay key", s.Remember(ctx, "new", long))
	links, err := s.PortalLinks(ctx, "o1")
	must(t, err)
	if len(links) != 1 || links[0].ID != fresh.ID {
		t.Errorf("links after sweep = %s, want only %s", deref(links), fresh.ID)
	}
}
