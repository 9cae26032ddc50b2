package webhookkit

import (
	"context"
	"sync"
	"time"
)

// Deduper remembers the webhook-ids that [Verifier.Handler] accepted, so
// each message is processed once (Standard Webhooks: the webhook-id is the
// idempotency key). The Handler keeps an id for at least the verifier's
// tolerance, and at least until the message's timestamp falls out of it:
// after that the timestamp check refuses a replay by itself.
//
// [MemoryDeduper] serves one process. An application on several instances
// must share the Deduper (package store's Store.Deduper, a table with a
// unique key and an expiry column; or Redis SET NX PX), or a copy that
// reaches another instance is processed again.
type Deduper interface {
	// Claim records id for at least ttl from now and reports whether it
	// was new. An id already recorded and not expired yields false, and
	// its record is extended to now+ttl when that is later: a copy with a
	// newer timestamp keeps the id remembered for as long as that copy can
	// be replayed. Claim must be atomic: of two concurrent claims of one
	// id, one wins. (On Redis: SET id NX PX ttl, then PEXPIRE id ttl GT
	// when the SET did nothing.)
	Claim(ctx context.Context, id string, ttl time.Duration) (bool, error)
	// Forget removes id, so that a redelivery is processed (the Handler
	// calls it when the wrapped handler failed). A missing id is not an
	// error.
	Forget(ctx context.Context, id string) error
}

// sweepEvery is how many claims a MemoryDeduper takes between sweeps of
// expired ids.
const sweepEvery = 1024

// MemoryDeduper is a [Deduper] in process memory. Expired ids are swept as
// claims arrive, so memory is bounded by the ids received within a TTL. It
// is safe for concurrent use; it does not survive a restart and is not
// shared between processes.
type MemoryDeduper struct {
	now    func() time.Time
	mu     sync.Mutex
	until  map[string]time.Time
	claims int
}

// NewMemoryDeduper returns an empty MemoryDeduper on the clock now (nil:
// time.Now).
func NewMemoryDeduper(now func() time.Time) *MemoryDeduper {
	if now == nil {
		now = time.Now
	}
	return &MemoryDeduper{now: now, until: make(map[string]time.Time)}
}

// Claim implements [Deduper].
func (d *MemoryDeduper) Claim(_ context.Context, id string, ttl time.Duration) (bool, error) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.claims++
	if d.claims%sweepEvery == 0 {
		for k, u := range d.until {
			if !now.Before(u) {
				delete(d.until, k)
			}
		}
	}
	until := now.Add(ttl)
	if u, ok := d.until[id]; ok && now.Before(u) {
		if until.After(u) {
			d.until[id] = until
		}
		return false, nil
	}
	d.until[id] = until
	return true, nil
}

// Forget implements [Deduper].
func (d *MemoryDeduper) Forget(_ context.Context, id string) error {
	d.mu.Lock()
	delete(d.until, id)
	d.mu.Unlock()
	return nil
}
