package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
)

// expiryWait bounds how long the expiry test polls for a record to expire
// after its expiry time has passed.
const expiryWait = 10 * time.Second

// TestBackend runs the conformance suite against the backends newBackend
// returns. Each subtest calls newBackend once, with its own *testing.T, and
// may run in parallel with the others; the backends must read the real
// clock (the suite checks expiry in real time) and must not share records
// across calls with ids that collide (ids are random, so a shared database
// is fine). The [sessionstore.Updater] subtests run when the backend
// implements it.
func TestBackend(t *testing.T, newBackend func(t *testing.T) sessionstore.Backend) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, b sessionstore.Backend)
	}{
		{"FindMissing", testFindMissing},
		{"CommitFind", testCommitFind},
		{"EmptyData", testEmptyData},
		{"Overwrite", testOverwrite},
		{"DataCopied", testDataCopied},
		{"ExpiredOnCommit", testExpiredOnCommit},
		{"Expiry", testExpiry},
		{"Delete", testDelete},
		{"Isolation", testIsolation},
		{"ConcurrentCommits", testConcurrentCommits},
		{"LargeValue", testLargeValue},
		{"CancelledContext", testCancelledContext},
		{"Update", testUpdate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newBackend(t)
			if b == nil {
				t.Fatal("newBackend returned nil")
			}
			tc.run(t, b)
		})
	}
}

// newID returns a random id of the shape sessionstore uses.
func newID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func later() time.Time { return time.Now().Add(time.Hour) }

func mustCommit(t *testing.T, b sessionstore.Backend, id string, data []byte, expiry time.Time) {
	t.Helper()
	if err := b.Commit(t.Context(), id, data, expiry); err != nil {
		t.Fatalf("Commit(%s): %v", id, err)
	}
}

func wantFound(t *testing.T, b sessionstore.Backend, id string, want []byte) {
	t.Helper()
	got, found, err := b.Find(t.Context(), id)
	if err != nil {
		t.Fatalf("Find(%s): %v", id, err)
	}
	if !found {
		t.Fatalf("Find(%s): not found, want %q", id, abbrev(want))
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Find(%s) = %q, want %q", id, abbrev(got), abbrev(want))
	}
}

func wantMissing(t *testing.T, b sessionstore.Backend, id string) {
	t.Helper()
	got, found, err := b.Find(t.Context(), id)
	if err != nil {
		t.Fatalf("Find(%s): %v", id, err)
	}
	if found {
		t.Fatalf("Find(%s) = %q, found; want no record", id, abbrev(got))
	}
}

func abbrev(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%s… (%d bytes)", b[:64], len(b))
	}
	return string(b)
}

func testFindMissing(t *testing.T, b sessionstore.Backend) {
	wantMissing(t, b, newID(t))
}

func testCommitFind(t *testing.T, b sessionstore.Backend) {
	id := newID(t)
	mustCommit(t, b, id, []byte("values"), later())
	wantFound(t, b, id, []byte("values"))
	// Binary data: NUL bytes and invalid UTF-8 come back unchanged.
	bin := []byte{0, 1, 2, 0xff, 0xfe, 0, 'x', 0x80}
	id2 := newID(t)
	mustCommit(t, b, id2, bin, later())
	wantFound(t, b, id2, bin)
}

func testEmptyData(t *testing.T, b sessionstore.Backend) {
	id := newID(t)
	mustCommit(t, b, id, []byte{}, later())
	got, found, err := b.Find(t.Context(), id)
	if err != nil || !found || len(got) != 0 {
		t.Fatalf("Find after an empty Commit = %q, %v, %v; want empty, true, nil", got, found, err)
	}
}

func testOverwrite(t *testing.T, b sessionstore.Backend) {
	id := newID(t)
	mustCommit(t, b, id, []byte("first"), later())
	mustCommit(t, b, id, []byte("second, longer than the first"), later())
	wantFound(t, b, id, []byte("second, longer than the first"))
	// The expiry is replaced too: a past expiry ends the record.
	mustCommit(t, b, id, []byte("third"), time.Now().Add(-time.Minute))
	wantMissing(t, b, id)
	// And a record can be written again after that.
	mustCommit(t, b, id, []byte("fourth"), later())
	wantFound(t, b, id, []byte("fourth"))
}

func testDataCopied(t *testing.T, b sessionstore.Backend) {
	id := newID(t)
	data := []byte("original")
	mustCommit(t, b, id, data, later())
	copy(data, "XXXXXXXX") // the caller reuses its buffer
	wantFound(t, b, id, []byte("original"))
	got, _, err := b.Find(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		got[0] = 'Y' // the caller changes what Find returned
	}
	wantFound(t, b, id, []byte("original"))
}

func testExpiredOnCommit(t *testing.T, b sessionstore.Backend) {
	id := newID(t)
	mustCommit(t, b, id, []byte("stale"), time.Now().Add(-time.Second))
	wantMissing(t, b, id)
}

// testExpiry commits a record that lives 300 ms and polls until Find stops
// returning it. Before its expiry, Find must return it; after, it must
// stop within expiryWait (a backend's expiry is never exact: Redis expires
// keys on access or by sampling).
func testExpiry(t *testing.T, b sessionstore.Backend) {
	id := newID(t)
	expiry := time.Now().Add(300 * time.Millisecond)
	mustCommit(t, b, id, []byte("short"), expiry)
	for {
		_, found, err := b.Find(t.Context(), id)
		now := time.Now()
		if err != nil {
			t.Fatalf("Find: %v", err)
		}
		if !found {
			if now.Before(expiry) {
				t.Fatalf("Find: record gone %v before its expiry", expiry.Sub(now))
			}
			break
		}
		if now.After(expiry.Add(expiryWait)) {
			t.Fatalf("Find: record still there %v after its expiry", now.Sub(expiry))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// An expired record can be committed again.
	mustCommit(t, b, id, []byte("again"), later())
	wantFound(t, b, id, []byte("again"))
}

func testDelete(t *testing.T, b sessionstore.Backend) {
	ctx := t.Context()
	id := newID(t)
	mustCommit(t, b, id, []byte("values"), later())
	if err := b.Delete(ctx, id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantMissing(t, b, id)
	if err := b.Delete(ctx, id); err != nil {
		t.Fatalf("Delete of a deleted record: %v, want nil", err)
	}
	if err := b.Delete(ctx, newID(t)); err != nil {
		t.Fatalf("Delete of a record that never existed: %v, want nil", err)
	}
	expired := newID(t)
	mustCommit(t, b, expired, []byte("stale"), time.Now().Add(-time.Second))
	if err := b.Delete(ctx, expired); err != nil {
		t.Fatalf("Delete of an expired record: %v, want nil", err)
	}
}

func testIsolation(t *testing.T, b sessionstore.Backend) {
	a, c := newID(t), newID(t)
	mustCommit(t, b, a, []byte("a"), later())
	mustCommit(t, b, c, []byte("c"), later())
	if err := b.Delete(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	wantMissing(t, b, a)
	wantFound(t, b, c, []byte("c"))
}

// testConcurrentCommits writes from several goroutines at once: each to its
// own id, and all to one shared id. Every write succeeds, each own id holds
// its writer's last value, and the shared id holds one whole value that
// some writer wrote.
func testConcurrentCommits(t *testing.T, b sessionstore.Backend) {
	const writers, rounds = 8, 10
	ctx := t.Context()
	shared := newID(t)
	own := make([]string, writers)
	for i := range own {
		own[i] = newID(t)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds*3)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				v := fmt.Appendf(nil, "writer %d round %d", w, r)
				if err := b.Commit(ctx, own[w], v, later()); err != nil {
					errs <- err
				}
				if err := b.Commit(ctx, shared, v, later()); err != nil {
					errs <- err
				}
				if _, _, err := b.Find(ctx, shared); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	for w := range writers {
		wantFound(t, b, own[w], fmt.Appendf(nil, "writer %d round %d", w, rounds-1))
	}
	got, found, err := b.Find(ctx, shared)
	if err != nil || !found {
		t.Fatalf("Find(shared) = %v, %v", found, err)
	}
	var w, r int
	if n, err := fmt.Sscanf(string(got), "writer %d round %d", &w, &r); err != nil || n != 2 || w >= writers || r >= rounds ||
		string(got) != fmt.Sprintf("writer %d round %d", w, r) {
		t.Fatalf("Find(shared) = %q: not a value any writer wrote", got)
	}
}

func testLargeValue(t *testing.T, b sessionstore.Backend) {
	big := make([]byte, 1<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	id := newID(t)
	mustCommit(t, b, id, big, later())
	wantFound(t, b, id, big)
}

func testCancelledContext(t *testing.T, b sessionstore.Backend) {
	id := newID(t)
	mustCommit(t, b, id, []byte("kept"), later())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, found, err := b.Find(ctx, id); err == nil {
		t.Errorf("Find with a cancelled context: found=%v, nil error", found)
	}
	other := newID(t)
	if err := b.Commit(ctx, other, []byte("x"), later()); err == nil {
		t.Error("Commit with a cancelled context: nil error")
	}
	if err := b.Delete(ctx, id); err == nil {
		t.Error("Delete with a cancelled context: nil error")
	}
	if u, ok := b.(sessionstore.Updater); ok {
		if _, err := u.Update(ctx, id, []byte("changed"), later()); err == nil {
			t.Error("Update with a cancelled context: nil error")
		}
	}
	// Nothing was done.
	wantFound(t, b, id, []byte("kept"))
	wantMissing(t, b, other)
}

func testUpdate(t *testing.T, b sessionstore.Backend) {
	u, ok := b.(sessionstore.Updater)
	if !ok {
		t.Skip("the backend does not implement sessionstore.Updater")
	}
	ctx := t.Context()
	tests := []struct {
		name      string
		setup     func(t *testing.T, id string)
		wantFound bool
	}{
		{"missing", func(t *testing.T, id string) {}, false},
		{"live", func(t *testing.T, id string) { mustCommit(t, b, id, []byte("old"), later()) }, true},
		{"expired", func(t *testing.T, id string) {
			mustCommit(t, b, id, []byte("old"), time.Now().Add(-time.Second))
		}, false},
		{"deleted", func(t *testing.T, id string) {
			mustCommit(t, b, id, []byte("old"), later())
			if err := b.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := newID(t)
			tc.setup(t, id)
			found, err := u.Update(ctx, id, []byte("new"), later())
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if found != tc.wantFound {
				t.Fatalf("Update found = %v, want %v", found, tc.wantFound)
			}
			if tc.wantFound {
				wantFound(t, b, id, []byte("new"))
			} else {
				wantMissing(t, b, id) // Update never creates a record
			}
		})
	}
	t.Run("pastExpiry", func(t *testing.T) {
		id := newID(t)
		mustCommit(t, b, id, []byte("old"), later())
		found, err := u.Update(ctx, id, []byte("new"), time.Now().Add(-time.Second))
		if err != nil || !found {
			t.Fatalf("Update = %v, %v; want true, nil", found, err)
		}
		wantMissing(t, b, id)
	})
}
