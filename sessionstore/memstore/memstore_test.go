package memstore_test

import (
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/memstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/storetest"
)

func TestBackend(t *testing.T) {
	storetest.TestBackend(t, func(t *testing.T) sessionstore.Backend {
		b, err := memstore.New(memstore.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestExpiryAndSweep uses an injected clock: a record is live strictly
// before its expiry, and expired records are dropped by Sweep and by the
// sweep that Commit runs once per SweepInterval.
func TestExpiryAndSweep(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b, err := memstore.New(memstore.Config{Now: clk.Now, SweepInterval: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx, "short", []byte("s"), clk.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx, "long", []byte("l"), clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute - time.Nanosecond)
	if _, found, _ := b.Find(ctx, "short"); !found {
		t.Fatal("record gone before its expiry")
	}
	clk.Add(time.Nanosecond)
	if _, found, _ := b.Find(ctx, "short"); found {
		t.Fatal("record found at its expiry")
	}
	if b.Len() != 2 {
		t.Fatalf("Len = %d before any sweep, want 2 (expired records stay until swept)", b.Len())
	}
	n, err := b.Sweep(ctx)
	if err != nil || n != 1 || b.Len() != 1 {
		t.Fatalf("Sweep = %d, %v; Len %d; want 1, nil; 1", n, err, b.Len())
	}

	// The automatic sweep: not before SweepInterval has passed since the last one.
	if err := b.Commit(ctx, "short2", []byte("s"), clk.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Minute)
	if err := b.Commit(ctx, "other", []byte("o"), clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 3 {
		t.Fatalf("Len = %d, want 3: no sweep within the interval", b.Len())
	}
	clk.Add(10 * time.Minute)
	if err := b.Commit(ctx, "trigger", []byte("t"), clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 3 { // long, other, trigger
		t.Fatalf("Len = %d after the interval, want 3 (short2 swept)", b.Len())
	}
}

func BenchmarkBackend(b *testing.B) {
	backend, err := memstore.New(memstore.Config{})
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkBackend(b, backend)
}
