package scimkit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit"
)

// TestConcurrentMemberAdds: 100 concurrent PATCHes each add a distinct
// member to one group; every member is present afterwards and each has its
// event.
func TestConcurrentMemberAdds(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := newEnv(t, envOptions{backend: backend})
			c := e.directory("org_c", "generic")
			gid := c.group("crowd")
			const n = 100
			users := make([]string, n)
			for i := range users {
				users[i] = c.user(fmt.Sprintf("member-%03d", i))
			}
			var wg sync.WaitGroup
			statuses := make([]int, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := c.do("PATCH", "/Groups/"+gid, patchBody(map[string]any{
						"op": "add", "path": "members", "value": []any{map[string]any{"value": users[i]}},
					}))
					statuses[i] = r.status
				}()
			}
			wg.Wait()
			for i, s := range statuses {
				if s != 204 {
					t.Errorf("PATCH %d: status %d", i, s)
				}
			}
			got := memberIDs(t, e, c, gid)
			if len(got) != n {
				t.Fatalf("%d members, want %d", len(got), n)
			}
			evs, err := e.st.PendingEvents(context.Background(), 10000)
			if err != nil {
				t.Fatal(err)
			}
			added := 0
			for _, ev := range evs {
				if ev.Type == scimkit.EventGroupUserAdded {
					added++
				}
			}
			eq(t, added, n)
			g, err := e.st.Group(context.Background(), c.dir.ID, gid)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, g.Version, int64(1+n))
		})
	}
}
