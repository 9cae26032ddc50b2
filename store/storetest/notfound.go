package storetest

import (
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
)

// testNotFound calls every getter, updater and deleter with ids that do not
// exist, in an otherwise populated store.
func testNotFound(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d := newDirectory(t, s, "o1")
	u := newUser(t, s, d.ID, "u")
	g := newGroup(t, s, d.ID, "g")
	now := clk.Now()
	tests := []struct {
		name string
		call func() error
	}{
		{"Organization", func() error { _, err := s.Organization(ctx, "missing"); return err }},
		{"UpdateOrganization", func() error { return s.UpdateOrganization(ctx, &ssokit.Organization{ID: "missing"}) }},
		{"DeleteOrganization", func() error { return s.DeleteOrganization(ctx, "missing") }},
		{"Domain", func() error { _, err := s.Domain(ctx, "dom_missing"); return err }},
		{"DomainByName", func() error { _, err := s.DomainByName(ctx, "missing.example"); return err }},
		{"UpdateDomain", func() error { return s.UpdateDomain(ctx, &ssokit.Domain{ID: "dom_missing", Name: "m.example"}) }},
		{"DeleteDomain", func() error { return s.DeleteDomain(ctx, "dom_missing") }},
		{"Connection", func() error { _, err := s.Connection(ctx, "conn_missing"); return err }},
		{"UpdateConnection", func() error { return s.UpdateConnection(ctx, &ssokit.Connection{ID: "conn_missing"}) }},
		{"DeleteConnection", func() error { return s.DeleteConnection(ctx, "conn_missing") }},
		{"TakeFlow", func() error { _, err := s.TakeFlow(ctx, "missing"); return err }},
		{"DeleteSigningKey", func() error { return s.DeleteSigningKey(ctx, "key_missing") }},
		{"Directory", func() error { _, err := s.Directory(ctx, "dir_missing"); return err }},
		{"UpdateDirectory", func() error { return s.UpdateDirectory(ctx, &scimkit.Directory{ID: "dir_missing"}) }},
		{"DeleteDirectory", func() error { return s.DeleteDirectory(ctx, "dir_missing") }},
		{"TokenByHash", func() error { _, err := s.TokenByHash(ctx, []byte("missing"), now); return err }},
		{"UpdateToken", func() error { return s.UpdateToken(ctx, &scimkit.DirectoryToken{ID: "dtok_missing"}) }},
		{"TouchToken", func() error { return s.TouchToken(ctx, "dtok_missing", now) }},
		{"DeleteToken", func() error { return s.DeleteToken(ctx, "dtok_missing") }},
		{"User", func() error { _, err := s.User(ctx, d.ID, "diru_missing"); return err }},
		{"User in a missing directory", func() error { _, err := s.User(ctx, "dir_missing", u.ID); return err }},
		{"UserByUserName", func() error { _, err := s.UserByUserName(ctx, d.ID, "missing"); return err }},
		{"UpdateUser", func() error {
			return s.UpdateUser(ctx, &scimkit.DirectoryUser{ID: "diru_missing", DirectoryID: d.ID, UserName: "m", Version: 1})
		}},
		{"DeleteUser", func() error { return s.DeleteUser(ctx, d.ID, "diru_missing") }},
		{"Group", func() error { _, err := s.Group(ctx, d.ID, "dirg_missing"); return err }},
		{"GroupByDisplayName", func() error { _, err := s.GroupByDisplayName(ctx, d.ID, "missing"); return err }},
		{"UpdateGroup", func() error {
			return s.UpdateGroup(ctx, &scimkit.DirectoryGroup{ID: "dirg_missing", DirectoryID: d.ID, DisplayName: "m", Version: 1})
		}},
		{"DeleteGroup", func() error { return s.DeleteGroup(ctx, d.ID, "dirg_missing") }},
		{"Members", func() error { _, err := s.Members(ctx, d.ID, "dirg_missing", scimkit.Page{}); return err }},
		{"UserGroups", func() error { _, err := s.UserGroups(ctx, d.ID, "diru_missing"); return err }},
		{"AddMember", func() error { return s.AddMember(ctx, d.ID, g.ID, "diru_missing") }},
		{"RemoveMember", func() error { return s.RemoveMember(ctx, d.ID, "dirg_missing", u.ID) }},
		{"Event", func() error { _, err := s.Event(ctx, "evt_missing"); return err }},
		{"MarkDelivered", func() error { return s.MarkDelivered(ctx, "evt_missing", now) }},
		{"PortalLinkByHash", func() error { _, err := s.PortalLinkByHash(ctx, []byte("missing")); return err }},
		{"UsePortalLink", func() error { _, err := s.UsePortalLink(ctx, "plink_missing"); return err }},
		{"DeletePortalLink", func() error { return s.DeletePortalLink(ctx, "plink_missing") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantNotFound(t, tt.name, tt.call())
		})
	}
}
