package scimkit_test

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/store"
)

// Benchmarks run only with -bench. Large directories are seeded by bulk
// INSERTs straight into the store's tables, not through HTTP.

// seedUsers inserts n users named prefix-<i> into the directory and returns
// their ids.
func seedUsers(b *testing.B, st *store.Store, dirID, prefix string, n int) []string {
	b.Helper()
	ctx := context.Background()
	const batch = 500
	out := make([]string, 0, n)
	now := time.Now().UnixMicro()
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		var sb strings.Builder
		sb.WriteString(`INSERT INTO gatehouse_directory_users (id, directory_id, external_id, user_name, user_name_key, active,
				email, given_name, family_name, display_name, resource, version, created_at, updated_at) VALUES `)
		args := make([]any, 0, (end-start)*7)
		for i := start; i < end; i++ {
			id := ids.New(ids.User)
			out = append(out, id)
			name := prefix + "-" + strconv.Itoa(i)
			if i > start {
				sb.WriteByte(',')
			}
			k := len(args)
			fmt.Fprintf(&sb, "($%d, $%d, '', $%d, $%d, $%d, $%d, 'Bench', 'User', '', $%d, 1, %d, %d)", k+1, k+2, k+3, k+3, k+4, k+5, k+6, now, now)
			args = append(args, id, dirID, name, true, name+"@bench.example", `{"userName":"`+name+`","active":true}`)
		}
		if _, err := st.DB().ExecContext(ctx, sb.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// seedMembers inserts memberships of users in a group.
func seedMembers(b *testing.B, st *store.Store, dirID, groupID string, users []string) {
	b.Helper()
	ctx := context.Background()
	const batch = 1000
	for start := 0; start < len(users); start += batch {
		end := min(start+batch, len(users))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO gatehouse_directory_members (directory_id, group_id, user_id, created_at) VALUES `)
		args := []any{dirID, groupID}
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteByte(',')
			}
			args = append(args, users[i])
			fmt.Fprintf(&sb, "($1, $2, $%d, 1)", len(args))
		}
		if _, err := st.DB().ExecContext(ctx, sb.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
}

// analyze refreshes the planner statistics after a bulk load, as an
// operator would after importing a large directory.
func analyze(b *testing.B, st *store.Store) {
	b.Helper()
	if _, err := st.DB().ExecContext(context.Background(), "ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCreateUser creates users through POST /Users over HTTP, one at a
// time (run with -benchtime=10000x for the 10,000-user figure).
func BenchmarkCreateUser(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			e := newEnv(b, envOptions{backend: backend})
			c := e.directory("org_bench", "generic")
			i := 0
			for b.Loop() {
				i++
				c.do("POST", "/Users", map[string]any{"userName": "create-" + strconv.Itoa(i), "name": map[string]any{"givenName": "B"},
					"emails": []any{map[string]any{"value": "c" + strconv.Itoa(i) + "@bench.example", "primary": true}}}).must(b, 201)
			}
		})
	}
}

// BenchmarkFilterUserName measures GET /Users?filter=userName eq "…" at
// 1,000 and 100,000 users: an index lookup, so the two should be close.
func BenchmarkFilterUserName(b *testing.B) {
	for _, backend := range backends {
		for _, n := range []int{1000, 100000} {
			b.Run(fmt.Sprintf("%s/users=%d", backend, n), func(b *testing.B) {
				e := newEnv(b, envOptions{backend: backend})
				c := e.directory("org_bench", "generic")
				seedUsers(b, e.st, c.dir.ID, "u", n)
				analyze(b, e.st)
				i := 0
				for b.Loop() {
					i = (i + 7919) % n
					r := c.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "u-`+strconv.Itoa(i)+`"`), nil)
					if r.status != 200 || r.num("totalResults") != 1 {
						b.Fatalf("status %d %s", r.status, r.body)
					}
				}
			})
		}
	}
}

// BenchmarkAddMember measures a PATCH adding one member to a group of
// 1,000 and of 100,000 members: one membership row either way.
func BenchmarkAddMember(b *testing.B) {
	for _, backend := range backends {
		for _, n := range []int{1000, 100000} {
			b.Run(fmt.Sprintf("%s/members=%d", backend, n), func(b *testing.B) {
				e := newEnv(b, envOptions{backend: backend})
				c := e.directory("org_bench", "generic")
				gid := c.group("big")
				seedMembers(b, e.st, c.dir.ID, gid, seedUsers(b, e.st, c.dir.ID, "m", n))
				extra := seedUsers(b, e.st, c.dir.ID, "x", 5000)
				analyze(b, e.st)
				i := 0
				for b.Loop() {
					if i >= len(extra) {
						b.Fatal("out of users to add: use -benchtime=Nx with N <= 5000")
					}
					c.do("PATCH", "/Groups/"+gid, patchBody(map[string]any{"op": "add", "path": "members",
						"value": []any{map[string]any{"value": extra[i]}}})).must(b, 204)
					i++
				}
			})
		}
	}
}

// BenchmarkCreateThroughput creates users over real HTTP on SQLite from 4
// concurrent clients and reports creates per second.
func BenchmarkCreateThroughput(b *testing.B) {
	e := newEnv(b, envOptions{})
	c := e.directory("org_bench", "generic")
	var seq atomic.Int64
	b.SetParallelism(max(1, 4/testingProcs()))
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			r := c.do("POST", "/Users", map[string]any{"userName": "tp-" + strconv.FormatInt(i, 10), "active": true,
				"emails": []any{map[string]any{"value": "tp" + strconv.FormatInt(i, 10) + "@bench.example", "primary": true}}})
			if r.status != 201 {
				b.Errorf("status %d %s", r.status, r.body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "creates/s")
}

// testingProcs is GOMAXPROCS, which RunParallel multiplies by the
// parallelism: 4 clients on any machine whose GOMAXPROCS divides 4.
func testingProcs() int { return runtime.GOMAXPROCS(0) }
