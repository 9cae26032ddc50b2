package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/postgres"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// TestSCIMServerMethods covers the methods of scimkit.Store that
// store/scim_server.go adds, on SQLite and PostgreSQL.
func TestSCIMServerMethods(t *testing.T) {
	open := map[string]func(t *testing.T) *store.Store{
		"sqlite": func(t *testing.T) *store.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"postgres": func(t *testing.T) *store.Store {
			s, err := postgres.Open(context.Background(), testenv.PostgresSchema(t), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			s := open[name](t)
			defer s.Close()
			testSCIMServerMethods(t, s)
		})
	}
}

func testSCIMServerMethods(t *testing.T, s *store.Store) {
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateOrganization(ctx, &ssokit.Organization{ID: "org_s", Name: "S"}))
	d1 := &scimkit.Directory{OrganizationID: "org_s", Name: "one", Dialect: "generic", Enabled: true}
	d2 := &scimkit.Directory{OrganizationID: "org_s", Name: "two", Dialect: "okta", Enabled: true}
	must(s.CreateDirectory(ctx, d1))
	must(s.CreateDirectory(ctx, d2))
	user := func(dir, name, ext, email string) *scimkit.DirectoryUser {
		u := &scimkit.DirectoryUser{DirectoryID: dir, UserName: name, ExternalID: ext, Email: email, Active: true, DisplayName: "D " + name}
		must(s.CreateUser(ctx, u))
		return u
	}
	a := user(d1.ID, "a", "ext-1", "a@x.example")
	time.Sleep(2 * time.Millisecond)
	b := user(d1.ID, "b", "ext-1", "b@x.example")
	time.Sleep(2 * time.Millisecond)
	c := user(d1.ID, "c", "ext-3", "c@x.example")
	other := user(d2.ID, "a", "ext-1", "a@x.example")
	ids := func(us []*scimkit.DirectoryUser, err error) []string {
		t.Helper()
		must(err)
		var out []string
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}

	t.Run("lookups", func(t *testing.T) {
		if got := ids(s.UsersByExternalID(ctx, d1.ID, "ext-1", 10)); !slices.Equal(got, []string{a.ID, b.ID}) {
			t.Errorf("by externalId %q", got)
		}
		must(s.SetUserEmails(ctx, d1.ID, c.ID, []string{"shared@x.example", "c2@x.example"}))
		must(s.SetUserEmails(ctx, d1.ID, c.ID, []string{"shared@x.example"}))
		if got := ids(s.UsersByEmail(ctx, d1.ID, "SHARED@x.example", 10)); !slices.Equal(got, []string{c.ID}) {
			t.Errorf("by other email %q", got)
		}
		if got := ids(s.UsersByEmail(ctx, d1.ID, "c2@x.example", 10)); len(got) != 0 {
			t.Errorf("replaced email still found %q", got)
		}
		if got := ids(s.UsersByEmail(ctx, d1.ID, "A@x.example", 10)); !slices.Equal(got, []string{a.ID}) {
			t.Errorf("by primary email %q", got)
		}
	})

	g := &scimkit.DirectoryGroup{DirectoryID: d1.ID, DisplayName: "G", ExternalID: "gx"}
	must(s.CreateGroup(ctx, g))
	t.Run("members", func(t *testing.T) {
		added, err := s.AddMembers(ctx, d1.ID, g.ID, []scimkit.Member{{UserID: a.ID, Display: "Ay"}, {UserID: b.ID}})
		must(err)
		if !slices.Equal(added, []string{a.ID, b.ID}) {
			t.Errorf("added %q", added)
		}
		added, err = s.AddMembers(ctx, d1.ID, g.ID, []scimkit.Member{{UserID: a.ID}})
		must(err)
		if len(added) != 0 {
			t.Errorf("re-added %q", added)
		}
		if _, err := s.AddMembers(ctx, d1.ID, g.ID, []scimkit.Member{{UserID: other.ID}}); !errors.Is(err, scimkit.ErrNotFound) {
			t.Errorf("member of another directory: %v", err)
		}
		ms, err := s.GroupMembers(ctx, d1.ID, g.ID, scimkit.Page{})
		must(err)
		want := map[string]string{a.ID: "Ay", b.ID: "D b"}
		if len(ms) != 2 || ms[0].Display != want[ms[0].UserID] || ms[1].Display != want[ms[1].UserID] {
			t.Errorf("members %+v", ms)
		}
		if _, err := s.GroupMembers(ctx, d2.ID, g.ID, scimkit.Page{}); !errors.Is(err, scimkit.ErrNotFound) {
			t.Errorf("members through another directory: %v", err)
		}
		removed, err := s.RemoveMembers(ctx, d1.ID, g.ID, []string{b.ID, c.ID})
		must(err)
		if !slices.Equal(removed, []string{b.ID}) {
			t.Errorf("removed %q", removed)
		}
	})

	t.Run("queries and counts", func(t *testing.T) {
		if got := ids(s.QueryUsers(ctx, d1.ID, scimkit.Query{Offset: 1, Limit: 1})); !slices.Equal(got, []string{b.ID}) {
			t.Errorf("offset %q", got)
		}
		if got := ids(s.QueryUsers(ctx, d1.ID, scimkit.Query{After: a.ID})); !slices.Equal(got, []string{b.ID, c.ID}) {
			t.Errorf("after %q", got)
		}
		if got := ids(s.QueryUsers(ctx, d1.ID, scimkit.Query{GroupID: g.ID})); !slices.Equal(got, []string{a.ID}) {
			t.Errorf("group %q", got)
		}
		if got := ids(s.QueryUsers(ctx, d1.ID, scimkit.Query{UpdatedAfter: b.UpdatedAt})); !slices.Equal(got, []string{c.ID}) {
			t.Errorf("updated after %q", got)
		}
		n, err := s.CountUsers(ctx, d1.ID, scimkit.Query{})
		must(err)
		m, err := s.CountUsers(ctx, d1.ID, scimkit.Query{GroupID: g.ID})
		must(err)
		if n != 3 || m != 1 {
			t.Errorf("counts %d %d", n, m)
		}
		gs, err := s.QueryGroups(ctx, d1.ID, scimkit.Query{UserID: a.ID})
		must(err)
		ng, err := s.CountGroups(ctx, d1.ID, scimkit.Query{UserID: b.ID})
		must(err)
		if len(gs) != 1 || ng != 0 {
			t.Errorf("groups of a user: %d %d", len(gs), ng)
		}
		byExt, err := s.GroupsByExternalID(ctx, d1.ID, "gx", 5)
		must(err)
		if len(byExt) != 1 || byExt[0].ID != g.ID {
			t.Errorf("groups by externalId %+v", byExt)
		}
	})

	t.Run("lock and transaction", func(t *testing.T) {
		boom := errors.New("boom")
		err := s.SCIMTx(ctx, func(tx scimkit.Store, sqlTx *sql.Tx) error {
			if sqlTx == nil {
				t.Error("no *sql.Tx")
			}
			locked, err := tx.LockGroup(ctx, d1.ID, g.ID)
			if err != nil {
				return err
			}
			if locked.Version != g.Version+1 {
				t.Errorf("locked version %d", locked.Version)
			}
			if err := tx.AppendDirectoryEvent(ctx, &scimkit.Event{Type: scimkit.EventGroupUpdated, OrganizationID: "org_s", Data: []byte(`{}`)}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("tx: %v", err)
		}
		got, err := s.Group(ctx, d1.ID, g.ID)
		must(err)
		evs, err := s.PendingEvents(ctx, 10)
		must(err)
		if got.Version != g.Version || len(evs) != 0 {
			t.Errorf("rolled back transaction left version %d, %d events", got.Version, len(evs))
		}
		if _, err := s.LockGroup(ctx, d2.ID, g.ID); !errors.Is(err, scimkit.ErrNotFound) {
			t.Errorf("lock through another directory: %v", err)
		}
		must(s.AppendDirectoryEvent(ctx, &scimkit.Event{Type: scimkit.EventUserCreated, OrganizationID: "org_s", Data: []byte(`{"id":"x"}`)}))
		evs, err = s.PendingEvents(ctx, 10)
		must(err)
		if len(evs) != 1 || evs[0].Type != scimkit.EventUserCreated || evs[0].ID == "" {
			t.Errorf("events %+v", evs)
		}
	})
}
