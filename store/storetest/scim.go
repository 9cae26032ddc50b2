package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
)

func newDirectory(t *testing.T, s *store.Store, org string) *scimkit.Directory {
	t.Helper()
	d := &scimkit.Directory{OrganizationID: org, Name: "Directory of " + org, Dialect: "generic", Enabled: true}
	must(t, s.CreateDirectory(ctxOf(t), d))
	return d
}

func newUser(t *testing.T, s *store.Store, dir, userName string) *scimkit.DirectoryUser {
	t.Helper()
	u := &scimkit.DirectoryUser{DirectoryID: dir, UserName: userName, Active: true,
		Resource: json.RawMessage(`{"userName":"` + userName + `"}`)}
	must(t, s.CreateUser(ctxOf(t), u))
	return u
}

func newGroup(t *testing.T, s *store.Store, dir, name string) *scimkit.DirectoryGroup {
	t.Helper()
	g := &scimkit.DirectoryGroup{DirectoryID: dir, DisplayName: name}
	must(t, s.CreateGroup(ctxOf(t), g))
	return g
}

func testDirectories(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d1 := &scimkit.Directory{OrganizationID: "o1", Name: "Okta", Dialect: "okta", Enabled: true}
	must(t, s.CreateDirectory(ctx, d1))
	if !ids.HasPrefix(d1.ID, ids.Directory) {
		t.Errorf("directory id %q lacks prefix %q", d1.ID, ids.Directory)
	}
	got, err := s.Directory(ctx, d1.ID)
	must(t, err)
	equal(t, "directory", got, d1)
	clk.Advance(time.Second)
	d2 := &scimkit.Directory{OrganizationID: "o1", Name: "Entra", Dialect: "entra"}
	must(t, s.CreateDirectory(ctx, d2))
	list, err := s.Directories(ctx, "o1")
	must(t, err)
	equal(t, "directories", list, []*scimkit.Directory{d1, d2})
	wantNotFound(t, "directory of a missing organization", s.CreateDirectory(ctx, &scimkit.Directory{OrganizationID: "nope"}))

	clk.Advance(time.Second)
	d1.Name, d1.Enabled, d1.Dialect = "Okta (old)", false, "generic"
	must(t, s.UpdateDirectory(ctx, d1))
	got, err = s.Directory(ctx, d1.ID)
	must(t, err)
	equal(t, "updated directory", got, d1)
	must(t, s.DeleteDirectory(ctx, d1.ID))
	_, err = s.Directory(ctx, d1.ID)
	wantNotFound(t, "deleted directory", err)
}

func testTokens(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d := newDirectory(t, s, "o1")
	tok := &scimkit.DirectoryToken{DirectoryID: d.ID, Hash: []byte("0123456789abcdef0123456789abcdef")}
	must(t, s.CreateToken(ctx, tok))
	if !ids.HasPrefix(tok.ID, ids.Token) {
		t.Errorf("token id %q lacks prefix %q", tok.ID, ids.Token)
	}
	wantConflict(t, "hash in use", s.CreateToken(ctx, &scimkit.DirectoryToken{DirectoryID: d.ID, Hash: tok.Hash}))
	wantNotFound(t, "token of a missing directory", s.CreateToken(ctx, &scimkit.DirectoryToken{DirectoryID: "dir_missing", Hash: []byte("x")}))

	got, err := s.TokenByHash(ctx, tok.Hash, clk.Now())
	must(t, err)
	equal(t, "token by hash", got, tok)

	// Rotation: the old token ends in an hour; a new one takes over.
	clk.Advance(time.Second)
	tok.ExpiresAt = clk.Now().Add(time.Hour)
	tok.LastUsedAt = clk.Now()
	must(t, s.UpdateToken(ctx, tok))
	tok2 := &scimkit.DirectoryToken{DirectoryID: d.ID, Hash: []byte("fedcba9876543210fedcba9876543210")}
	must(t, s.CreateToken(ctx, tok2))
	got, err = s.TokenByHash(ctx, tok.Hash, clk.Now())
	must(t, err)
	equal(t, "token with last use and expiry", got, tok)
	_, err = s.TokenByHash(ctx, tok.Hash, tok.ExpiresAt)
	wantNotFound(t, "expired token", err)
	_, err = s.TokenByHash(ctx, []byte("unknown"), clk.Now())
	wantNotFound(t, "unknown hash", err)

	// TouchToken records a use and nothing else: an expiry written after
	// the token was read (a revocation racing a request) stays.
	clk.Advance(time.Second)
	stale, err := s.TokenByHash(ctx, tok2.Hash, clk.Now())
	must(t, err)
	tok2.ExpiresAt = clk.Now().Add(time.Minute)
	must(t, s.UpdateToken(ctx, tok2))
	must(t, s.TouchToken(ctx, stale.ID, clk.Now()))
	tok2.LastUsedAt = clk.Now()
	got, err = s.TokenByHash(ctx, tok2.Hash, clk.Now())
	must(t, err)
	equal(t, "touched token", got, tok2)
	_, err = s.TokenByHash(ctx, tok2.Hash, tok2.ExpiresAt)
	wantNotFound(t, "touched token after its expiry", err)
	got, err = s.TokenByHash(ctx, tok.Hash, clk.Now())
	must(t, err)
	equal(t, "other token untouched", got, tok)

	list, err := s.Tokens(ctx, d.ID)
	must(t, err)
	equal(t, "tokens", list, []*scimkit.DirectoryToken{tok, tok2})
	must(t, s.DeleteToken(ctx, tok.ID))
	_, err = s.TokenByHash(ctx, tok.Hash, clk.Now())
	wantNotFound(t, "deleted token", err)
}

func testUsers(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d := newDirectory(t, s, "o1")
	other := newDirectory(t, s, "o1")
	u := &scimkit.DirectoryUser{
		DirectoryID: d.ID, ExternalID: "00u1", UserName: "Alice@Example.com", Active: true,
		Email: "alice@example.com", GivenName: "Alice", FamilyName: "Liddell", DisplayName: "Alice Liddell",
		Resource: json.RawMessage(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Alice@Example.com","name":{"givenName":"Alice"}}`),
	}
	must(t, s.CreateUser(ctx, u))
	if !ids.HasPrefix(u.ID, ids.User) || u.Version != 1 {
		t.Errorf("created user id %q version %d", u.ID, u.Version)
	}
	got, err := s.User(ctx, d.ID, u.ID)
	must(t, err)
	equal(t, "user", got, u)
	got, err = s.UserByUserName(ctx, d.ID, "alice@EXAMPLE.COM")
	must(t, err)
	equal(t, "user by userName in other case", got, u)

	wantConflict(t, "userName differing only in case",
		s.CreateUser(ctx, &scimkit.DirectoryUser{DirectoryID: d.ID, UserName: "ALICE@example.com"}))
	must(t, s.CreateUser(ctx, &scimkit.DirectoryUser{DirectoryID: other.ID, UserName: "alice@example.com"}))
	wantNotFound(t, "user of a missing directory",
		s.CreateUser(ctx, &scimkit.DirectoryUser{DirectoryID: "dir_missing", UserName: "x"}))

	// Update with the current version bumps it; a stale version conflicts.
	clk.Advance(time.Minute)
	stale := *u
	u.Active, u.DisplayName = false, "Alice L."
	u.Resource = json.RawMessage(`{"userName":"Alice@Example.com","active":false}`)
	must(t, s.UpdateUser(ctx, u))
	if u.Version != 2 || !u.UpdatedAt.Equal(clk.Now()) {
		t.Errorf("after update: version %d, updated %v", u.Version, u.UpdatedAt)
	}
	got, err = s.User(ctx, d.ID, u.ID)
	must(t, err)
	equal(t, "updated user", got, u)
	stale.DisplayName = "lost update"
	wantConflict(t, "update with a stale version", s.UpdateUser(ctx, &stale))
	got, err = s.User(ctx, d.ID, u.ID)
	must(t, err)
	equal(t, "user after a rejected update", got, u)

	bob := newUser(t, s, d.ID, "bob@example.com")
	bob.UserName = "ALICE@EXAMPLE.COM"
	wantConflict(t, "rename onto a taken userName", s.UpdateUser(ctx, bob))
	// Renaming to another case of one's own name is fine.
	u.UserName = "alice@example.com"
	must(t, s.UpdateUser(ctx, u))

	must(t, s.DeleteUser(ctx, d.ID, u.ID))
	_, err = s.User(ctx, d.ID, u.ID)
	wantNotFound(t, "deleted user", err)
	wantNotFound(t, "update of a deleted user", s.UpdateUser(ctx, u))
	// The userName is free again.
	newUser(t, s, d.ID, "Alice@example.com")
}

func testGroups(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d := newDirectory(t, s, "o1")
	other := newDirectory(t, s, "o1")
	g := &scimkit.DirectoryGroup{DirectoryID: d.ID, ExternalID: "00g1", DisplayName: "Engineering",
		Resource: json.RawMessage(`{"displayName":"Engineering"}`)}
	must(t, s.CreateGroup(ctx, g))
	if !ids.HasPrefix(g.ID, ids.Group) || g.Version != 1 {
		t.Errorf("created group id %q version %d", g.ID, g.Version)
	}
	got, err := s.Group(ctx, d.ID, g.ID)
	must(t, err)
	equal(t, "group", got, g)
	got, err = s.GroupByDisplayName(ctx, d.ID, "ENGINEERING")
	must(t, err)
	equal(t, "group by displayName in other case", got, g)
	wantConflict(t, "displayName differing only in case", s.CreateGroup(ctx, &scimkit.DirectoryGroup{DirectoryID: d.ID, DisplayName: "engineering"}))
	newGroup(t, s, other.ID, "engineering")

	clk.Advance(time.Minute)
	stale := *g
	g.DisplayName = "Platform Engineering"
	must(t, s.UpdateGroup(ctx, g))
	if g.Version != 2 {
		t.Errorf("version after update = %d", g.Version)
	}
	got, err = s.Group(ctx, d.ID, g.ID)
	must(t, err)
	equal(t, "updated group", got, g)
	wantConflict(t, "update with a stale version", s.UpdateGroup(ctx, &stale))
	newGroup(t, s, d.ID, "Sales")
	g.DisplayName = "sales"
	wantConflict(t, "rename onto a taken displayName", s.UpdateGroup(ctx, g))

	must(t, s.DeleteGroup(ctx, d.ID, g.ID))
	_, err = s.Group(ctx, d.ID, g.ID)
	wantNotFound(t, "deleted group", err)
}

func testMemberships(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d := newDirectory(t, s, "o1")
	other := newDirectory(t, s, "o1")
	var users []*scimkit.DirectoryUser
	for i := range 7 {
		users = append(users, newUser(t, s, d.ID, fmt.Sprintf("user%d", i)))
		clk.Advance(time.Millisecond) // ids sort by creation time
	}
	g := newGroup(t, s, d.ID, "All")
	g2 := newGroup(t, s, d.ID, "Some")
	for _, u := range users {
		must(t, s.AddMember(ctx, d.ID, g.ID, u.ID))
	}
	must(t, s.AddMember(ctx, d.ID, g.ID, users[0].ID)) // twice: a no-op
	must(t, s.AddMember(ctx, d.ID, g2.ID, users[0].ID))

	// Users and Members page through in id order.
	var pageUsers []string
	after := ""
	for {
		page, err := s.Users(ctx, d.ID, scimkit.Page{After: after, Limit: 3})
		must(t, err)
		if len(page) == 0 {
			break
		}
		if len(page) > 3 {
			t.Fatalf("page of %d users, limit 3", len(page))
		}
		for _, u := range page {
			pageUsers = append(pageUsers, u.ID)
		}
		after = page[len(page)-1].ID
	}
	var want []string
	for _, u := range users {
		want = append(want, u.ID)
	}
	equal(t, "users paged", pageUsers, want)

	var members []string
	after = ""
	for {
		page, err := s.Members(ctx, d.ID, g.ID, scimkit.Page{After: after, Limit: 2})
		must(t, err)
		if len(page) == 0 {
			break
		}
		members = append(members, page...)
		after = page[len(page)-1]
	}
	equal(t, "members paged", members, want)
	all, err := s.Members(ctx, d.ID, g.ID, scimkit.Page{})
	must(t, err)
	equal(t, "members with the default limit", all, want)

	groups, err := s.UserGroups(ctx, d.ID, users[0].ID)
	must(t, err)
	wantGroups := []string{g.ID, g2.ID}
	if g2.ID < g.ID {
		wantGroups = []string{g2.ID, g.ID}
	}
	equal(t, "groups of user0", groups, wantGroups)
	groups, err = s.UserGroups(ctx, d.ID, users[1].ID)
	must(t, err)
	equal(t, "groups of user1", groups, []string{g.ID})

	must(t, s.RemoveMember(ctx, d.ID, g2.ID, users[0].ID))
	must(t, s.RemoveMember(ctx, d.ID, g2.ID, users[0].ID)) // a non-member: no-op
	groups, err = s.UserGroups(ctx, d.ID, users[0].ID)
	must(t, err)
	equal(t, "groups of user0 after removal", groups, []string{g.ID})
	list, err := s.Members(ctx, d.ID, g2.ID, scimkit.Page{})
	must(t, err)
	equal(t, "members of an empty group", list, []string{})

	// Deleting a user or a group removes its memberships.
	must(t, s.DeleteUser(ctx, d.ID, users[3].ID))
	all, err = s.Members(ctx, d.ID, g.ID, scimkit.Page{Limit: 100})
	must(t, err)
	equal(t, "members after a user's deletion", all, append(append([]string{}, want[:3]...), want[4:]...))
	must(t, s.DeleteGroup(ctx, d.ID, g.ID))
	groups, err = s.UserGroups(ctx, d.ID, users[1].ID)
	must(t, err)
	equal(t, "groups after the group's deletion", groups, []string{})

	// References that do not resolve in the directory.
	stranger := newUser(t, s, other.ID, "stranger")
	otherGroup := newGroup(t, s, other.ID, "Other")
	tests := []struct {
		name         string
		dir, grp, us string
	}{
		{"user of another directory", d.ID, g2.ID, stranger.ID},
		{"group of another directory", d.ID, otherGroup.ID, users[0].ID},
		{"missing user", d.ID, g2.ID, "diru_missing"},
		{"missing group", d.ID, "dirg_missing", users[0].ID},
		{"deleted group", d.ID, g.ID, users[0].ID},
		{"missing directory", "dir_missing", g2.ID, users[0].ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantNotFound(t, "AddMember", s.AddMember(ctx, tt.dir, tt.grp, tt.us))
			wantNotFound(t, "RemoveMember", s.RemoveMember(ctx, tt.dir, tt.grp, tt.us))
		})
	}
	_, err = s.Members(ctx, d.ID, otherGroup.ID, scimkit.Page{})
	wantNotFound(t, "members of another directory's group", err)
	_, err = s.UserGroups(ctx, d.ID, stranger.ID)
	wantNotFound(t, "groups of another directory's user", err)
}

func testDirectoryIsolation(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	newOrg(t, s, "o2")
	a := newDirectory(t, s, "o1")
	b := newDirectory(t, s, "o2")
	u := newUser(t, s, a.ID, "shared@example.com")
	g := newGroup(t, s, a.ID, "Admins")
	must(t, s.AddMember(ctx, a.ID, g.ID, u.ID))
	newUser(t, s, b.ID, "shared@example.com") // same userName, other directory: fine

	_, err := s.User(ctx, b.ID, u.ID)
	wantNotFound(t, "user of A through B", err)
	_, err = s.Group(ctx, b.ID, g.ID)
	wantNotFound(t, "group of A through B", err)
	_, err = s.GroupByDisplayName(ctx, b.ID, "Admins")
	wantNotFound(t, "group of A by name through B", err)
	moved := *u
	moved.DirectoryID = b.ID
	wantNotFound(t, "update of A's user through B", s.UpdateUser(ctx, &moved))
	movedGroup := *g
	movedGroup.DirectoryID = b.ID
	wantNotFound(t, "update of A's group through B", s.UpdateGroup(ctx, &movedGroup))
	wantNotFound(t, "delete of A's user through B", s.DeleteUser(ctx, b.ID, u.ID))
	wantNotFound(t, "delete of A's group through B", s.DeleteGroup(ctx, b.ID, g.ID))
	_, err = s.Members(ctx, b.ID, g.ID, scimkit.Page{})
	wantNotFound(t, "members of A's group through B", err)
	list, err := s.Users(ctx, b.ID, scimkit.Page{})
	must(t, err)
	if len(list) != 1 || list[0].DirectoryID != b.ID {
		t.Errorf("users of B = %s", deref(list))
	}
	// A is untouched.
	got, err := s.User(ctx, a.ID, u.ID)
	must(t, err)
	equal(t, "A's user", got, u)
	members, err := s.Members(ctx, a.ID, g.ID, scimkit.Page{})
	must(t, err)
	equal(t, "A's members", members, []string{u.ID})
}

func testDeleteDirectoryCascades(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	d := newDirectory(t, s, "o1")
	keep := newDirectory(t, s, "o1")
	u := newUser(t, s, d.ID, "u")
	g := newGroup(t, s, d.ID, "g")
	must(t, s.AddMember(ctx, d.ID, g.ID, u.ID))
	tok := &scimkit.DirectoryToken{DirectoryID: d.ID, Hash: []byte("cascade")}
	must(t, s.CreateToken(ctx, tok))
	ku := newUser(t, s, keep.ID, "u")

	must(t, s.DeleteDirectory(ctx, d.ID))
	wantNotFound(t, "directory deleted twice", s.DeleteDirectory(ctx, d.ID))
	_, err := s.User(ctx, d.ID, u.ID)
	wantNotFound(t, "user of a deleted directory", err)
	_, err = s.Group(ctx, d.ID, g.ID)
	wantNotFound(t, "group of a deleted directory", err)
	_, err = s.TokenByHash(ctx, tok.Hash, clk.Now())
	wantNotFound(t, "token of a deleted directory", err)
	list, err := s.Users(ctx, d.ID, scimkit.Page{})
	must(t, err)
	equal(t, "users of a deleted directory", list, []*scimkit.DirectoryUser{})
	// The same ids cannot be reached through another directory either, and
	// the other directory is intact.
	got, err := s.User(ctx, keep.ID, ku.ID)
	must(t, err)
	equal(t, "user of the kept directory", got, ku)
}

func testDeleteOrganizationCascades(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	newOrg(t, s, "o2")
	must(t, s.CreateDomain(ctx, &ssokit.Domain{OrganizationID: "o1", Name: "o1.example", State: ssokit.DomainVerified}))
	conn := samlConnection("o1")
	must(t, s.CreateConnection(ctx, conn))
	d := newDirectory(t, s, "o1")
	u := newUser(t, s, d.ID, "u")
	keep := newDirectory(t, s, "o2")

	must(t, s.DeleteOrganization(ctx, "o1"))
	wantNotFound(t, "organization deleted twice", s.DeleteOrganization(ctx, "o1"))
	_, err := s.DomainByName(ctx, "o1.example")
	wantNotFound(t, "domain of a deleted organization", err)
	_, err = s.Connection(ctx, conn.ID)
	wantNotFound(t, "connection of a deleted organization", err)
	_, err = s.Directory(ctx, d.ID)
	wantNotFound(t, "directory of a deleted organization", err)
	_, err = s.User(ctx, d.ID, u.ID)
	wantNotFound(t, "user of a deleted organization", err)
	_, err = s.Directory(ctx, keep.ID)
	must(t, err)
}
