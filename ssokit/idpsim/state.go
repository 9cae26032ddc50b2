package idpsim

import (
	"errors"
	"sync"
	"time"
)

// errStateFull is returned when an in-memory table holds maxEntries live
// entries: a flood of abandoned logins cannot grow the process without bound.
var errStateFull = errors.New("idpsim: too many pending requests, try again later")

// maxEntries bounds each in-memory table.
const maxEntries = 10000

// table is a goroutine-safe map whose entries expire. Expired entries are
// never returned and are swept when a new entry is added. The simulator keeps
// all of its state (pending logins, codes, access tokens) in tables, which is
// why it must run as a single instance.
type table[T any] struct {
	mu        sync.Mutex
	entries   map[string]tableEntry[T]
	lastSweep time.Time
}

type tableEntry[T any] struct {
	value   T
	expires time.Time
}

func newTable[T any]() *table[T] {
	return &table[T]{entries: make(map[string]tableEntry[T])}
}

// put stores value under key until expires.
func (t *table[T]) put(key string, value T, now, expires time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.entries) >= maxEntries || now.Sub(t.lastSweep) > time.Minute {
		for k, e := range t.entries {
			if !now.Before(e.expires) {
				delete(t.entries, k)
			}
		}
		t.lastSweep = now
	}
	if len(t.entries) >= maxEntries {
		return errStateFull
	}
	t.entries[key] = tableEntry[T]{value: value, expires: expires}
	return nil
}

// get returns the live value under key.
func (t *table[T]) get(key string, now time.Time) (T, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[key]
	if !ok || !now.Before(e.expires) {
		var zero T
		return zero, false
	}
	return e.value, true
}

// take removes the value under key and returns it if it was live. Of several
// concurrent takes of one key, at most one succeeds.
func (t *table[T]) take(key string, now time.Time) (T, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[key]
	delete(t.entries, key)
	if !ok || !now.Before(e.expires) {
		var zero T
		return zero, false
	}
	return e.value, true
}

// remove deletes key.
func (t *table[T]) remove(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}
