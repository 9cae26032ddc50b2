package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/store"
)

func testPortalLinks(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	l := &store.PortalLink{OrganizationID: "o1", TokenHash: []byte("hash-1"), Features: []string{"sso", "dsync"},
		ExpiresAt: clk.Now().Add(time.Hour)}
	must(t, s.CreatePortalLink(ctx, l))
	if !ids.HasPrefix(l.ID, ids.PortalLink) || !l.CreatedAt.Equal(clk.Now()) {
		t.Errorf("created link id %q at %v", l.ID, l.CreatedAt)
	}
	wantConflict(t, "hash in use", s.CreatePortalLink(ctx, &store.PortalLink{OrganizationID: "o1", TokenHash: l.TokenHash, ExpiresAt: l.ExpiresAt}))
	wantNotFound(t, "link of a missing organization", s.CreatePortalLink(ctx, &store.PortalLink{OrganizationID: "nope", TokenHash: []byte("h"), ExpiresAt: l.ExpiresAt}))
	if err := s.CreatePortalLink(ctx, &store.PortalLink{OrganizationID: "o1", TokenHash: []byte("h")}); err == nil {
		t.Error("CreatePortalLink without ExpiresAt: no error")
	}

	got, err := s.PortalLinkByHash(ctx, []byte("hash-1"))
	must(t, err)
	equal(t, "link by hash", got, l)

	clk.Advance(time.Minute)
	used, err := s.UsePortalLink(ctx, l.ID)
	must(t, err)
	l.UsedAt = clk.Now()
	equal(t, "used link", used, l)
	_, err = s.UsePortalLink(ctx, l.ID)
	wantNotFound(t, "link used twice", err)
	_, err = s.PortalLinkByHash(ctx, []byte("hash-1"))
	wantNotFound(t, "used link by hash", err)

	clk.Advance(time.Second)
	l2 := &store.PortalLink{OrganizationID: "o1", TokenHash: []byte("hash-2"), ExpiresAt: clk.Now().Add(time.Minute)}
	must(t, s.CreatePortalLink(ctx, l2))
	list, err := s.PortalLinks(ctx, "o1")
	must(t, err)
	equal(t, "links", list, []*store.PortalLink{l, l2})
	clk.Advance(time.Minute)
	_, err = s.PortalLinkByHash(ctx, []byte("hash-2"))
	wantNotFound(t, "expired link by hash", err)
	_, err = s.UsePortalLink(ctx, l2.ID)
	wantNotFound(t, "use of an expired link", err)

	must(t, s.DeletePortalLink(ctx, l2.ID))
	wantNotFound(t, "link deleted twice", s.DeletePortalLink(ctx, l2.ID))
}
