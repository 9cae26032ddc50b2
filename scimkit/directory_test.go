package scimkit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit"
)

func TestDirectoryAPI(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	c := e.directory("org_api", "okta")
	second := e.directory("org_api", "entra")
	var all []string
	for _, n := range []string{"p1", "p2", "p3", "p4", "p5"} {
		all = append(all, c.user(n, map[string]any{"password": "never"}))
	}
	gid := c.group("api group", all[1], all[3])

	ds, err := e.srv.Directories(ctx, "org_api")
	if err != nil || len(ds) != 2 {
		t.Fatalf("directories %v %v", ds, err)
	}
	primary, err := e.srv.PrimaryDirectory(ctx, "org_api")
	if err != nil || primary.ID != c.dir.ID {
		t.Errorf("primary %v %v", primary, err)
	}
	if err := e.srv.SetDirectoryEnabled(ctx, c.dir.ID, false); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.srv.PrimaryDirectory(ctx, "org_api"); p.ID != second.dir.ID {
		t.Errorf("primary with the first disabled: %s", p.ID)
	}
	if _, err := e.srv.PrimaryDirectory(ctx, "org_none"); !errors.Is(err, scimkit.ErrNotFound) {
		t.Errorf("no directory: %v", err)
	}

	var got []string
	token := ""
	pages := 0
	for {
		page, err := e.srv.ListUsers(ctx, c.dir.ID, scimkit.ListOptions{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range page.Users {
			got = append(got, u.ID)
			if u.Raw != nil || u.OrganizationID != "org_api" || u.PrimaryEmail() == "" {
				t.Errorf("user %+v", u)
			}
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	eq(t, pages, 3)
	eq(t, len(got), 5)

	members, err := e.srv.ListUsers(ctx, c.dir.ID, scimkit.ListOptions{GroupID: gid, IncludeDetail: true})
	if err != nil || len(members.Users) != 2 || members.Users[0].Raw == nil {
		t.Fatalf("members %+v %v", members, err)
	}
	if string(members.Users[0].Raw) == "" || strings.Contains(string(members.Users[0].Raw), "never") {
		t.Errorf("raw %s", members.Users[0].Raw)
	}
	groups, err := e.srv.ListGroups(ctx, c.dir.ID, scimkit.ListOptions{UserID: all[3]})
	if err != nil || len(groups.Groups) != 1 || groups.Groups[0].ID != gid {
		t.Errorf("groups of a user %+v %v", groups, err)
	}
	u, err := e.srv.GetUser(ctx, c.dir.ID, all[0])
	if err != nil {
		t.Fatal(err)
	}
	later, err := e.srv.ListUsers(ctx, c.dir.ID, scimkit.ListOptions{UpdatedAfter: u.UpdatedAt})
	if err != nil || len(later.Users) > 4 {
		t.Errorf("updated after %d %v", len(later.Users), err)
	}
	if _, err := e.srv.ListUsers(ctx, c.dir.ID, scimkit.ListOptions{PageToken: "garbage"}); !errors.Is(err, scimkit.ErrInvalidPageToken) {
		t.Errorf("bad token: %v", err)
	}
	if _, err := e.srv.ListUsers(ctx, "dir_missing", scimkit.ListOptions{}); !errors.Is(err, scimkit.ErrNotFound) {
		t.Errorf("missing directory: %v", err)
	}
	evs, _ := e.st.PendingEvents(ctx, 1000)
	last := evs[len(evs)-1]
	eq(t, last.Type, scimkit.EventDirectoryDisabled)
}

func TestNewValidates(t *testing.T) {
	st := openStore(t, "sqlite")
	for _, tt := range []struct {
		name string
		cfg  scimkit.Config
	}{
		{"no store", scimkit.Config{}},
		{"relative base URL", scimkit.Config{Store: st, BaseURL: "/scim/v2"}},
		{"negative limit", scimkit.Config{Store: st, MaxCount: -1}},
	} {
		if _, err := scimkit.New(tt.cfg); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if _, err := scimkit.New(scimkit.Config{Store: st}); err != nil {
		t.Error(err)
	}
}
