package scimkit_test

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit"
)

// snapshot is everything the store holds for a directory.
type snapshot struct {
	users, groups []string // id, version, resource
	members       []string
}

func takeSnapshot(t *testing.T, e *env, dirID string) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	us, err := e.st.QueryUsers(ctx, dirID, scimkit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		s.users = append(s.users, u.ID+"|"+string(rune('0'+u.Version))+"|"+string(u.Resource))
	}
	gs, err := e.st.QueryGroups(ctx, dirID, scimkit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		s.groups = append(s.groups, g.ID+"|"+string(rune('0'+g.Version))+"|"+string(g.Resource))
		ms, err := e.st.GroupMembers(ctx, dirID, g.ID, scimkit.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			s.members = append(s.members, g.ID+"|"+m.UserID)
		}
	}
	return s
}

// TestTenantIsolation: each of three directories' tokens tries every
// endpoint on the others' resources. Every attempt is 404 (or 400 for a
// member of another directory), nothing is read, and nothing is written.
func TestTenantIsolation(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := newEnv(t, envOptions{backend: backend})
			ctx := context.Background()
			type tenant struct {
				c          *client
				user, grp  string
				userName   string
				groupName  string
				externalID string
			}
			var ts []*tenant
			for i, org := range []string{"org_1", "org_2", "org_3"} {
				c := e.directory(org, []string{"generic", "entra", "okta"}[i])
				name := "person-" + org
				u := c.user(name, map[string]any{"externalId": "ext-" + org})
				g := c.group("team-"+org, u)
				ts = append(ts, &tenant{c: c, user: u, grp: g, userName: name, groupName: "team-" + org, externalID: "ext-" + org})
			}
			before := map[string]snapshot{}
			for _, tn := range ts {
				before[tn.c.dir.ID] = takeSnapshot(t, e, tn.c.dir.ID)
			}
			evBefore, _ := e.st.PendingEvents(ctx, 10000)
			q := url.QueryEscape
			for _, a := range ts {
				for _, b := range ts {
					if a == b {
						continue
					}
					c := a.c
					attempts := []struct {
						method, path string
						body         any
						status       []int
					}{
						{"GET", "/Users/" + b.user, nil, []int{404}},
						{"PUT", "/Users/" + b.user, map[string]any{"userName": "hijack"}, []int{404}},
						{"PATCH", "/Users/" + b.user, patchBody(map[string]any{"op": "replace", "path": "active", "value": false}), []int{404}},
						{"DELETE", "/Users/" + b.user, nil, []int{404}},
						{"GET", "/Groups/" + b.grp, nil, []int{404}},
						{"PUT", "/Groups/" + b.grp, map[string]any{"displayName": "hijack"}, []int{404}},
						{"PATCH", "/Groups/" + b.grp, patchBody(map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": a.user}}}), []int{404}},
						{"DELETE", "/Groups/" + b.grp, nil, []int{404}},
						// Another directory's user as a member of one's own group.
						{"PATCH", "/Groups/" + a.grp, patchBody(map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": b.user}}}), []int{400, 204}},
						{"PUT", "/Groups/" + a.grp, map[string]any{"displayName": a.groupName, "members": []any{map[string]any{"value": a.user}, map[string]any{"value": b.user}}}, []int{400, 200}},
						{"POST", "/Groups", map[string]any{"displayName": "x-" + a.groupName, "members": []any{map[string]any{"value": b.user}}}, []int{400, 201}},
					}
					for _, at := range attempts {
						r := c.do(at.method, at.path, at.body)
						if !slices.Contains(at.status, r.status) {
							t.Errorf("%s→%s %s %s: status %d %s", a.c.dir.Dialect, b.c.dir.Dialect, at.method, at.path, r.status, r.body)
						}
						if r.status == 201 {
							// The entra dialect skips unknown members: the group
							// is created without b's user. Remove it again.
							c.do("DELETE", "/Groups/"+r.str("id"), nil).must(t, 204)
						}
					}
					for _, f := range []string{
						`userName eq "` + b.userName + `"`, `id eq "` + b.user + `"`, `externalId eq "` + b.externalID + `"`,
						`emails.value eq "` + b.userName + `@example.com"`, `userName pr`,
					} {
						r := c.do("GET", "/Users?filter="+q(f), nil).must(t, 200)
						for _, res := range r.get("Resources").([]any) {
							if res.(map[string]any)["id"] != a.user {
								t.Errorf("filter %s leaked %v", f, res)
							}
						}
					}
					for _, f := range []string{`displayName eq "` + b.groupName + `"`, `id eq "` + b.grp + `"`, `members[value eq "` + b.user + `"]`} {
						r := c.do("GET", "/Groups?filter="+q(f), nil).must(t, 200)
						eq(t, r.num("totalResults"), 0)
					}
					list := c.do("GET", "/Users", nil).must(t, 200)
					eq(t, list.num("totalResults"), 1)
				}
			}
			// A token of no directory.
			stranger := *ts[0].c
			stranger.token = "ghscim_" + ts[0].c.token[len("ghscim_"):len(ts[0].c.token)-1] + "x"
			stranger.do("GET", "/Users/"+ts[0].user, nil).must(t, 401)

			// Verify the store: no user and no membership changed. (The entra
			// tenant's PUTs of its own group rewrote it unchanged.)
			for _, tn := range ts {
				after := takeSnapshot(t, e, tn.c.dir.ID)
				b := before[tn.c.dir.ID]
				if !slices.Equal(after.users, b.users) {
					t.Errorf("%s users changed:\n%q\n%q", tn.c.dir.Dialect, b.users, after.users)
				}
				if !slices.Equal(after.members, b.members) {
					t.Errorf("%s members changed:\n%q\n%q", tn.c.dir.Dialect, b.members, after.members)
				}
			}
			evAfter, _ := e.st.PendingEvents(ctx, 10000)
			for _, ev := range evAfter[len(evBefore):] {
				// Only the entra tenant's own group created and deleted again
				// (and its version bumps) may appear; never another directory.
				if ev.OrganizationID != ts[1].c.dir.OrganizationID {
					t.Errorf("event in %s: %s %s", ev.OrganizationID, ev.Type, ev.Data)
				}
			}
		})
	}
}
