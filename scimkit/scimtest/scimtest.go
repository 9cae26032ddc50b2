// Package scimtest is a conformance suite for a host's [scimkit.UserStore]:
// run it from the host's tests so that what provisioning writes into the
// host's own tables keeps the contract the kit relies on.
//
//	func TestSCIMUsers(t *testing.T) {
//		scimtest.TestUserStore(t, func(t *testing.T) scimkit.UserStore { return newMyUsers(t) })
//	}
//
// The suite calls the store the way the kit does, with the values the kit
// passes in ([scimkit.User] and [scimkit.Group] keyed by directory id and
// SCIM id), and checks what the method docs promise and nothing stricter:
//
//   - idempotency: a retried CreateUser, UpdateUser, DeactivateUser,
//     DeleteUser, CreateGroup, UpdateGroup, DeleteGroup, AddGroupMembers or
//     RemoveGroupMembers returns nil and converges to one record;
//   - not found: UpdateUser and UpdateGroup of a missing key create it;
//     DeactivateUser, DeleteUser and DeleteGroup of a missing key are
//     no-ops returning nil; the key is the pair (directory, SCIM id), so a
//     call with another directory's id touches nothing;
//   - conflict: changes that collide with nothing (retries, distinct users,
//     a user rewriting its own userName and email) never return
//     [scimkit.ErrConflict]. Which collisions a host refuses is its own
//     policy, so the suite does not provoke one;
//   - deactivate vs delete: a deactivated user is kept, inactive, and is
//     active again after an UpdateUser with Active true; a deleted user is
//     gone, with its group memberships;
//   - membership: adding a member twice or removing a non-member is a
//     no-op; deleting a group keeps its users;
//   - concurrency: calls for different users may run at once.
//
// [scimkit.UserStore] has write methods only. The suite sees the host's
// state when the store under test also implements [UserObserver] (and
// [GroupObserver] for hosts that keep groups), which the host writes in its
// test over its own tables; otherwise it checks the returned errors only,
// and says so in the test log. The suite never reads a database itself.
//
// The suite does not exercise [scimkit.TxUserStore.WithTx]: it holds no
// transaction of the host's database. A host that implements it can run
// the suite a second time on a UserStore that opens a transaction per
// call, binds the store to it with WithTx and commits.
package scimtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit"
)

// TestUserStore runs the suite. newStore returns a store for one subtest;
// it may share a database with other subtests, since every subtest works in
// directories of its own.
func TestUserStore(t *testing.T, newStore func(t *testing.T) scimkit.UserStore) {
	t.Helper()
	probe := newStore(t)
	if _, ok := probe.(UserObserver); !ok {
		t.Log("scimtest: the store is no UserObserver: checking returned errors, not the host's state")
	}
	for _, tc := range userCases {
		t.Run(tc.name, func(t *testing.T) { tc.run(newHarness(t, newStore(t))) })
	}
	for _, tc := range groupCases {
		t.Run(tc.name, func(t *testing.T) { tc.run(newHarness(t, newStore(t))) })
	}
}

type testCase struct {
	name string
	run  func(h *harness)
}

var userCases = []testCase{
	{"CreateUser", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		h.wantUsers(h.dirA, u)
	}},
	{"CreateUser/retried", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		h.ok("CreateUser (retry)", h.s.CreateUser(h.ctx, clone(u)))
		h.ok("CreateUser (retry)", h.s.CreateUser(h.ctx, clone(u)))
		h.wantUsers(h.dirA, u)
	}},
	{"CreateUser/existing key is updated", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		v := renamed(u, "ada.lovelace")
		h.ok("CreateUser (same key, new attributes)", h.s.CreateUser(h.ctx, v))
		h.wantUsers(h.dirA, v)
	}},
	{"CreateUser/distinct users", func(h *harness) {
		a, b, c := h.user(h.dirA, "ada"), h.user(h.dirA, "grace"), h.user(h.dirB, "ada")
		for _, u := range []*scimkit.User{a, b, c} {
			h.ok("CreateUser "+u.UserName, h.s.CreateUser(h.ctx, u))
		}
		h.wantUsers(h.dirA, a, b)
		h.wantUsers(h.dirB, c)
	}},
	{"UpdateUser", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		v := renamed(u, "ada.lovelace")
		h.ok("UpdateUser", h.s.UpdateUser(h.ctx, v))
		h.wantUsers(h.dirA, v)
	}},
	{"UpdateUser/retried", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		v := renamed(u, "ada.lovelace")
		h.ok("UpdateUser", h.s.UpdateUser(h.ctx, v))
		h.ok("UpdateUser (retry)", h.s.UpdateUser(h.ctx, clone(v)))
		h.wantUsers(h.dirA, v)
	}},
	{"UpdateUser/missing user is created", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("UpdateUser of a missing user", h.s.UpdateUser(h.ctx, u))
		h.ok("UpdateUser (retry)", h.s.UpdateUser(h.ctx, clone(u)))
		h.wantUsers(h.dirA, u)
	}},
	{"DeactivateUser/keeps the user inactive", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		off := deactivated(u)
		h.ok("DeactivateUser", h.s.DeactivateUser(h.ctx, off))
		h.wantUsers(h.dirA, off)
		h.ok("DeactivateUser (retry)", h.s.DeactivateUser(h.ctx, clone(off)))
		h.wantUsers(h.dirA, off)
	}},
	{"DeactivateUser/missing user is a no-op", func(h *harness) {
		other := h.user(h.dirA, "grace")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, other))
		h.ok("DeactivateUser of a missing user", h.s.DeactivateUser(h.ctx, deactivated(h.user(h.dirA, "ada"))))
		h.wantUsers(h.dirA, other)
	}},
	{"UpdateUser/reactivates", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		h.ok("DeactivateUser", h.s.DeactivateUser(h.ctx, deactivated(u)))
		on := clone(u)
		on.UpdatedAt = on.UpdatedAt.Add(2 * time.Minute)
		h.ok("UpdateUser (Active true)", h.s.UpdateUser(h.ctx, on))
		h.wantUsers(h.dirA, on)
	}},
	{"DeleteUser", func(h *harness) {
		u, other := h.user(h.dirA, "ada"), h.user(h.dirA, "grace")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		h.ok("CreateUser", h.s.CreateUser(h.ctx, other))
		h.ok("DeleteUser", h.s.DeleteUser(h.ctx, u.DirectoryID, u.ID))
		h.wantUsers(h.dirA, other)
		h.ok("DeleteUser (retry)", h.s.DeleteUser(h.ctx, u.DirectoryID, u.ID))
		h.wantUsers(h.dirA, other)
	}},
	{"DeleteUser/missing user is a no-op", func(h *harness) {
		other := h.user(h.dirA, "grace")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, other))
		h.ok("DeleteUser of a missing user", h.s.DeleteUser(h.ctx, h.dirA, newSCIMID("diru")))
		h.wantUsers(h.dirA, other)
	}},
	{"DeleteUser/after DeactivateUser", func(h *harness) {
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		h.ok("DeactivateUser", h.s.DeactivateUser(h.ctx, deactivated(u)))
		h.ok("DeleteUser", h.s.DeleteUser(h.ctx, u.DirectoryID, u.ID))
		h.wantUsers(h.dirA)
	}},
	{"keys are per directory", func(h *harness) {
		a, b := h.user(h.dirA, "ada"), h.user(h.dirB, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, a))
		h.ok("CreateUser", h.s.CreateUser(h.ctx, b))
		// a's SCIM id under directory B is a missing user there.
		h.ok("DeleteUser of another directory's id", h.s.DeleteUser(h.ctx, h.dirB, a.ID))
		wrong := deactivated(a)
		wrong.DirectoryID = h.dirB
		h.ok("DeactivateUser of another directory's id", h.s.DeactivateUser(h.ctx, wrong))
		h.wantUsers(h.dirA, a)
		h.wantUsers(h.dirB, b)
	}},
	{"concurrent calls for different users", func(h *harness) {
		const n = 8
		users := make([]*scimkit.User, n)
		for i := range users {
			users[i] = h.user(h.dirA, fmt.Sprintf("user%d", i))
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, u := range users {
			wg.Go(func() {
				if err := h.s.CreateUser(h.ctx, u); err != nil {
					errs[i] = fmt.Errorf("CreateUser %s: %w", u.UserName, err)
					return
				}
				users[i] = renamed(u, fmt.Sprintf("user%d.renamed", i))
				if err := h.s.UpdateUser(h.ctx, users[i]); err != nil {
					errs[i] = fmt.Errorf("UpdateUser %s: %w", u.UserName, err)
				}
			})
		}
		wg.Wait()
		h.ok("concurrent calls", errors.Join(errs...))
		h.wantUsers(h.dirA, users...)
	}},
}

var groupCases = []testCase{
	{"CreateGroup", func(h *harness) {
		g := h.group(h.dirA, "Engineering")
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, g))
		h.ok("CreateGroup (retry)", h.s.CreateGroup(h.ctx, cloneGroup(g)))
		h.wantGroups(h.dirA, g)
	}},
	{"CreateGroup/existing key is updated", func(h *harness) {
		g := h.group(h.dirA, "Engineering")
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, g))
		v := renamedGroup(g, "R&D")
		h.ok("CreateGroup (same key, new name)", h.s.CreateGroup(h.ctx, v))
		h.wantGroups(h.dirA, v)
	}},
	{"UpdateGroup", func(h *harness) {
		g := h.group(h.dirA, "Engineering")
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, g))
		v := renamedGroup(g, "R&D")
		h.ok("UpdateGroup", h.s.UpdateGroup(h.ctx, v))
		h.ok("UpdateGroup (retry)", h.s.UpdateGroup(h.ctx, cloneGroup(v)))
		h.wantGroups(h.dirA, v)
	}},
	{"UpdateGroup/missing group is created", func(h *harness) {
		g := h.group(h.dirA, "Engineering")
		h.ok("UpdateGroup of a missing group", h.s.UpdateGroup(h.ctx, g))
		h.wantGroups(h.dirA, g)
	}},
	{"DeleteGroup", func(h *harness) {
		g, other := h.group(h.dirA, "Engineering"), h.group(h.dirA, "Sales")
		u := h.user(h.dirA, "ada")
		h.ok("CreateUser", h.s.CreateUser(h.ctx, u))
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, g))
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, other))
		h.ok("AddGroupMembers", h.s.AddGroupMembers(h.ctx, h.dirA, g.ID, []string{u.ID}))
		h.ok("DeleteGroup", h.s.DeleteGroup(h.ctx, h.dirA, g.ID))
		h.ok("DeleteGroup (retry)", h.s.DeleteGroup(h.ctx, h.dirA, g.ID))
		h.wantGroups(h.dirA, other)
		h.wantUsers(h.dirA, u) // deleting a group keeps its users
	}},
	{"DeleteGroup/missing group is a no-op", func(h *harness) {
		other := h.group(h.dirA, "Sales")
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, other))
		h.ok("DeleteGroup of a missing group", h.s.DeleteGroup(h.ctx, h.dirA, newSCIMID("dirg")))
		h.ok("DeleteGroup of another directory's id", h.s.DeleteGroup(h.ctx, h.dirB, other.ID))
		h.wantGroups(h.dirA, other)
	}},
	{"AddGroupMembers", func(h *harness) {
		u := h.users(h.dirA, "ada", "grace", "alan")
		g, other := h.group(h.dirA, "Engineering"), h.group(h.dirA, "Sales")
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, g))
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, other))
		h.ok("AddGroupMembers", h.s.AddGroupMembers(h.ctx, h.dirA, g.ID, []string{u[0].ID, u[1].ID}))
		h.wantMembers(h.dirA, g.ID, u[0].ID, u[1].ID)
		h.ok("AddGroupMembers (retry)", h.s.AddGroupMembers(h.ctx, h.dirA, g.ID, []string{u[0].ID, u[1].ID}))
		h.wantMembers(h.dirA, g.ID, u[0].ID, u[1].ID)
		h.ok("AddGroupMembers (one already a member)", h.s.AddGroupMembers(h.ctx, h.dirA, g.ID, []string{u[1].ID, u[2].ID}))
		h.wantMembers(h.dirA, g.ID, u[0].ID, u[1].ID, u[2].ID)
		h.wantMembers(h.dirA, other.ID)
	}},
	{"RemoveGroupMembers", func(h *harness) {
		u := h.users(h.dirA, "ada", "grace", "alan", "barbara")
		g := h.group(h.dirA, "Engineering")
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, g))
		h.ok("AddGroupMembers", h.s.AddGroupMembers(h.ctx, h.dirA, g.ID, []string{u[0].ID, u[1].ID, u[2].ID}))
		h.ok("RemoveGroupMembers", h.s.RemoveGroupMembers(h.ctx, h.dirA, g.ID, []string{u[0].ID}))
		h.wantMembers(h.dirA, g.ID, u[1].ID, u[2].ID)
		h.ok("RemoveGroupMembers (retry)", h.s.RemoveGroupMembers(h.ctx, h.dirA, g.ID, []string{u[0].ID}))
		h.ok("RemoveGroupMembers (not a member)", h.s.RemoveGroupMembers(h.ctx, h.dirA, g.ID, []string{u[3].ID}))
		h.wantMembers(h.dirA, g.ID, u[1].ID, u[2].ID)
		h.ok("RemoveGroupMembers (one not a member)", h.s.RemoveGroupMembers(h.ctx, h.dirA, g.ID, []string{u[1].ID, u[3].ID}))
		h.wantMembers(h.dirA, g.ID, u[2].ID)
		h.wantUsers(h.dirA, u...) // removing members keeps the users
	}},
	{"DeleteUser/ends memberships", func(h *harness) {
		u := h.users(h.dirA, "ada", "grace")
		g := h.group(h.dirA, "Engineering")
		h.ok("CreateGroup", h.s.CreateGroup(h.ctx, g))
		h.ok("AddGroupMembers", h.s.AddGroupMembers(h.ctx, h.dirA, g.ID, []string{u[0].ID, u[1].ID}))
		h.ok("DeleteUser", h.s.DeleteUser(h.ctx, h.dirA, u[0].ID))
		h.wantMembers(h.dirA, g.ID, u[1].ID)
		h.wantGroups(h.dirA, g)
	}},
}

// harness is one subtest: the store, its observers (nil if it has none),
// and two fresh directories of one organization.
type harness struct {
	t          *testing.T
	ctx        context.Context
	s          scimkit.UserStore
	uobs       UserObserver
	gobs       GroupObserver
	org        string
	dirA, dirB string
	now        time.Time
}

func newHarness(t *testing.T, s scimkit.UserStore) *harness {
	h := &harness{t: t, ctx: t.Context(), s: s, org: newSCIMID("org"),
		dirA: newSCIMID("dir"), dirB: newSCIMID("dir"),
		now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	h.uobs, _ = s.(UserObserver)
	h.gobs, _ = s.(GroupObserver)
	return h
}

// newSCIMID returns an id shaped like the kit's: prefix, underscore, 26
// lower-case base32 characters.
func newSCIMID(prefix string) string { return prefix + "_" + strings.ToLower(rand.Text()) }

// user returns a user as the kit passes it in after a POST /Users of name.
// Its userName and email are unique across directories too: a host may
// refuse an address another account owns.
func (h *harness) user(dir, name string) *scimkit.User {
	id := newSCIMID("diru")
	email := name + "@" + dir[len(dir)-8:] + ".example.test"
	raw, err := json.Marshal(map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"id":       id,
		"userName": email,
		"active":   true,
		"name":     map[string]string{"givenName": name, "familyName": "Test"},
		"emails":   []map[string]any{{"value": email, "type": "work", "primary": true}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return &scimkit.User{
		ID: id, DirectoryID: dir, OrganizationID: h.org, ExternalID: "ext-" + name,
		UserName: email, Active: true,
		Name:   scimkit.Name{GivenName: name, FamilyName: "Test"},
		Emails: []scimkit.Email{{Value: email, Type: "work", Primary: true}},
		Raw:    raw, CreatedAt: h.now, UpdatedAt: h.now,
	}
}

// users creates users of the directory through the store.
func (h *harness) users(dir string, names ...string) []*scimkit.User {
	var out []*scimkit.User
	for _, n := range names {
		u := h.user(dir, n)
		h.ok("CreateUser "+u.UserName, h.s.CreateUser(h.ctx, u))
		out = append(out, u)
	}
	return out
}

// group returns a group as the kit passes it in after a POST /Groups.
func (h *harness) group(dir, name string) *scimkit.Group {
	id := newSCIMID("dirg")
	raw, err := json.Marshal(map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"id":          id,
		"displayName": name,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return &scimkit.Group{ID: id, DirectoryID: dir, OrganizationID: h.org, DisplayName: name,
		Raw: raw, CreatedAt: h.now, UpdatedAt: h.now}
}

func clone(u *scimkit.User) *scimkit.User {
	c := *u
	c.Emails = slices.Clone(u.Emails)
	c.Raw = slices.Clone(u.Raw)
	return &c
}

func cloneGroup(g *scimkit.Group) *scimkit.Group {
	c := *g
	c.Raw = slices.Clone(g.Raw)
	return &c
}

// renamed is u after a PUT that changed its userName, email and names
// (keeping the domain).
func renamed(u *scimkit.User, name string) *scimkit.User {
	c := clone(u)
	_, domain, _ := strings.Cut(u.UserName, "@")
	email := name + "@" + domain
	c.UserName = email
	c.Name.GivenName = name
	c.Emails = []scimkit.Email{{Value: email, Type: "work", Primary: true}}
	c.Raw = rewrite(c.Raw, map[string]any{"userName": email, "name": map[string]string{"givenName": name, "familyName": c.Name.FamilyName},
		"emails": []map[string]any{{"value": email, "type": "work", "primary": true}}})
	c.UpdatedAt = c.UpdatedAt.Add(time.Minute)
	return c
}

// deactivated is u after a PATCH that set active to false.
func deactivated(u *scimkit.User) *scimkit.User {
	c := clone(u)
	c.Active = false
	c.Raw = rewrite(c.Raw, map[string]any{"active": false})
	c.UpdatedAt = c.UpdatedAt.Add(time.Minute)
	return c
}

func renamedGroup(g *scimkit.Group, name string) *scimkit.Group {
	c := cloneGroup(g)
	c.DisplayName = name
	c.Raw = rewrite(c.Raw, map[string]any{"displayName": name})
	c.UpdatedAt = c.UpdatedAt.Add(time.Minute)
	return c
}

// rewrite sets attributes of a raw SCIM resource.
func rewrite(raw []byte, set map[string]any) []byte {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic("scimtest: bad fixture: " + err.Error())
	}
	for k, v := range set {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("scimtest: bad fixture: " + err.Error())
	}
	return b
}

// ok fails the subtest if a call that the contract says succeeds did not.
func (h *harness) ok(call string, err error) {
	h.t.Helper()
	if err == nil {
		return
	}
	if errors.Is(err, scimkit.ErrConflict) {
		h.t.Fatalf("%s: %v (ErrConflict where nothing collides: the identity provider would get 409)", call, err)
	}
	h.t.Fatalf("%s: %v (want nil)", call, err)
}

// wantUsers checks that the host holds exactly want for the directory:
// one record per key, with the last written userName and active flag.
func (h *harness) wantUsers(dir string, want ...*scimkit.User) {
	h.t.Helper()
	if h.uobs == nil {
		return
	}
	got, err := h.uobs.ObservedUsers(h.ctx, dir)
	if err != nil {
		h.t.Fatalf("ObservedUsers: %v", err)
	}
	seen := map[string]int{}
	for _, o := range got {
		seen[o.ID]++
	}
	for id, n := range seen {
		if n > 1 {
			h.t.Errorf("the host holds %d records for user %s of directory %s, want 1", n, id, dir)
		}
	}
	wantByID := map[string]*scimkit.User{}
	for _, u := range want {
		wantByID[u.ID] = u
		if seen[u.ID] == 0 {
			h.t.Errorf("the host holds no record for user %s (%s), want one", u.ID, u.UserName)
		}
	}
	for _, o := range got {
		u, ok := wantByID[o.ID]
		if !ok {
			h.t.Errorf("the host holds user %s (%s) in directory %s, want none", o.ID, o.UserName, dir)
			continue
		}
		if o.UserName != u.UserName || o.Active != u.Active {
			h.t.Errorf("user %s: host holds userName %q active %t, want %q active %t", o.ID, o.UserName, o.Active, u.UserName, u.Active)
		}
	}
}

// wantGroups checks that the host holds exactly want for the directory.
func (h *harness) wantGroups(dir string, want ...*scimkit.Group) {
	h.t.Helper()
	if h.gobs == nil {
		return
	}
	got := h.observedGroups(dir)
	wantByID := map[string]*scimkit.Group{}
	for _, g := range want {
		wantByID[g.ID] = g
	}
	seen := map[string]int{}
	for _, o := range got {
		seen[o.ID]++
		g, ok := wantByID[o.ID]
		switch {
		case !ok:
			h.t.Errorf("the host holds group %s (%s) in directory %s, want none", o.ID, o.DisplayName, dir)
		case seen[o.ID] == 2:
			h.t.Errorf("the host holds several records for group %s, want 1", o.ID)
		case o.DisplayName != g.DisplayName:
			h.t.Errorf("group %s: host holds displayName %q, want %q", o.ID, o.DisplayName, g.DisplayName)
		}
	}
	for _, g := range want {
		if seen[g.ID] == 0 {
			h.t.Errorf("the host holds no record for group %s (%s), want one", g.ID, g.DisplayName)
		}
	}
}

// wantMembers checks that the group has exactly the members, one
// membership record each.
func (h *harness) wantMembers(dir, groupID string, want ...string) {
	h.t.Helper()
	if h.gobs == nil {
		return
	}
	for _, o := range h.observedGroups(dir) {
		if o.ID != groupID {
			continue
		}
		got := slices.Sorted(slices.Values(o.Members))
		w := slices.Sorted(slices.Values(want))
		if !slices.Equal(got, w) {
			h.t.Errorf("members of group %s: host holds %v, want %v", groupID, got, w)
		}
		return
	}
	h.t.Errorf("the host holds no record for group %s", groupID)
}

func (h *harness) observedGroups(dir string) []ObservedGroup {
	h.t.Helper()
	got, err := h.gobs.ObservedGroups(h.ctx, dir)
	if err != nil {
		h.t.Fatalf("ObservedGroups: %v", err)
	}
	return got
}
