package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
)

// DefaultSweepInterval is the default of [Config.SweepInterval].
const DefaultSweepInterval = time.Minute

// Config configures a [Backend]. Every field has a default.
type Config struct {
	// SweepInterval is the least time between two sweeps that Commit runs
	// to drop expired records. Default: [DefaultSweepInterval]. Negative
	// turns the automatic sweep off (call [Backend.Sweep] yourself).
	SweepInterval time.Duration
	// Now returns the current time; it decides expiry. Default: time.Now.
	Now func() time.Time
}

type record struct {
	data   []byte
	expiry time.Time
}

// Backend keeps session records in a map. It is safe for concurrent use.
type Backend struct {
	now           func() time.Time
	sweepInterval time.Duration

	mu        sync.RWMutex
	records   map[string]record
	lastSweep time.Time
}

var (
	_ sessionstore.Backend = (*Backend)(nil)
	_ sessionstore.Updater = (*Backend)(nil)
)

// New returns an empty Backend.
func New(cfg Config) (*Backend, error) {
	b := &Backend{now: cfg.Now, sweepInterval: cfg.SweepInterval, records: map[string]record{}}
	if b.now == nil {
		b.now = time.Now
	}
	if b.sweepInterval == 0 {
		b.sweepInterval = DefaultSweepInterval
	}
	b.lastSweep = b.now()
	return b, nil
}

func check(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	return nil
}

// Find implements [sessionstore.Backend].
func (b *Backend) Find(ctx context.Context, id string) ([]byte, bool, error) {
	if err := check(ctx, "find"); err != nil {
		return nil, false, err
	}
	now := b.now()
	b.mu.RLock()
	rec, ok := b.records[id]
	b.mu.RUnlock()
	if !ok || !rec.expiry.After(now) {
		return nil, false, nil
	}
	return append([]byte(nil), rec.data...), true, nil
}

// Commit implements [sessionstore.Backend].
func (b *Backend) Commit(ctx context.Context, id string, data []byte, expiry time.Time) error {
	if err := check(ctx, "commit"); err != nil {
		return err
	}
	if id == "" {
		return errors.New("memstore: commit: id is empty")
	}
	now := b.now()
	rec := record{data: append([]byte(nil), data...), expiry: expiry}
	b.mu.Lock()
	defer b.mu.Unlock()
	if expiry.After(now) {
		b.records[id] = rec
	} else {
		delete(b.records, id)
	}
	if b.sweepInterval > 0 && now.Sub(b.lastSweep) >= b.sweepInterval {
		b.sweepLocked(now)
	}
	return nil
}

// Update implements [sessionstore.Updater].
func (b *Backend) Update(ctx context.Context, id string, data []byte, expiry time.Time) (bool, error) {
	if err := check(ctx, "update"); err != nil {
		return false, err
	}
	now := b.now()
	rec := record{data: append([]byte(nil), data...), expiry: expiry}
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.records[id]
	if !ok || !old.expiry.After(now) {
		return false, nil
	}
	if expiry.After(now) {
		b.records[id] = rec
	} else {
		delete(b.records, id)
	}
	return true, nil
}

// Delete implements [sessionstore.Backend].
func (b *Backend) Delete(ctx context.Context, id string) error {
	if err := check(ctx, "delete"); err != nil {
		return err
	}
	b.mu.Lock()
	delete(b.records, id)
	b.mu.Unlock()
	return nil
}

// Sweep removes the expired records now and returns how many it removed.
func (b *Backend) Sweep(ctx context.Context) (int64, error) {
	if err := check(ctx, "sweep"); err != nil {
		return 0, err
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sweepLocked(now), nil
}

// Len returns the number of records held, expired ones included until they
// are swept.
func (b *Backend) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.records)
}

func (b *Backend) sweepLocked(now time.Time) int64 {
	var n int64
	for id, rec := range b.records {
		if !rec.expiry.After(now) {
			delete(b.records, id)
			n++
		}
	}
	b.lastSweep = now
	return n
}
