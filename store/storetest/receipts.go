package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/store"
)

// testDeduper: the store's webhook Deduper follows the Deduper contract
// (new ids claimed, held ids refused and extended, expired ids claimable,
// Forget), one of many concurrent claims of an id wins, and Sweep drops
// expired ids.
func testDeduper(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	d := s.Deduper()
	claim := func(id string, ttl time.Duration) bool {
		t.Helper()
		ok, err := d.Claim(ctx, id, ttl)
		must(t, err)
		return ok
	}
	for _, step := range []struct {
		name    string
		advance time.Duration
		id      string
		want    bool
	}{
		{"first claim", 0, "msg_a", true},
		{"second claim", 0, "msg_a", false},
		{"other id", 0, "msg_b", true},
		{"before expiry; extends b to 15 min", 5 * time.Minute, "msg_b", false},
		{"at expiry", 5 * time.Minute, "msg_a", true},
		{"extended record expired", 5 * time.Minute, "msg_b", true},
	} {
		clk.Advance(step.advance)
		if got := claim(step.id, 10*time.Minute); got != step.want {
			t.Errorf("%s: Claim(%q) = %v, want %v", step.name, step.id, got, step.want)
		}
	}
	must(t, d.Forget(ctx, "msg_a"))
	if !claim("msg_a", time.Minute) {
		t.Error("Claim after Forget = false, want true")
	}
	must(t, d.Forget(ctx, "msg_never"))

	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			ok, err := d.Claim(ctx, "msg_race", time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Errorf("%d of 50 concurrent claims won, want 1", n)
	}

	// Sweep with the clock past the short ids, then move the clock back:
	// a swept id is new again even at a time it would have been held, and
	// a kept one is still held.
	for i := range 3 {
		claim(fmt.Sprintf("msg_short_%d", i), time.Minute)
	}
	claim("msg_long", time.Hour)
	clk.Advance(2 * time.Minute)
	must(t, s.Sweep(ctx))
	clk.Advance(-2 * time.Minute)
	if !claim("msg_short_0", time.Minute) {
		t.Error("a swept id is still held")
	}
	if claim("msg_long", time.Hour) {
		t.Error("the sweep dropped an id that had not expired")
	}
}
