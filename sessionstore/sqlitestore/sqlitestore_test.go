package sqlitestore_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/sqlitestore"
	"github.com/gatehouse-go/gatehouse/sessionstore/storetest"
)

// openDB opens a migrated database file under the test's temporary
// directory.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqlitestore.DSN(filepath.Join(t.TempDir(), "sessions.db")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b, err := sqlitestore.New(sqlitestore.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestBackend(t *testing.T) {
	db := openDB(t) // one file, several pooled connections; the suite's ids are random
	storetest.TestBackend(t, func(t *testing.T) sessionstore.Backend {
		b, err := sqlitestore.New(sqlitestore.Config{DB: db})
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// TestBackendInMemory: an in-memory database works with a pool of one
// connection, as the package doc says.
func TestBackendInMemory(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the suite's parallel subtests
	db.SetMaxOpenConns(1)
	b, err := sqlitestore.New(sqlitestore.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	storetest.TestBackend(t, func(t *testing.T) sessionstore.Backend { return b })
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

// TestExpiryAndSweep: the injected clock decides expiry, to the
// microsecond; Sweep deletes exactly the expired rows.
func TestExpiryAndSweep(t *testing.T) {
	ctx := t.Context()
	db := openDB(t)
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b, err := sqlitestore.New(sqlitestore.Config{DB: db, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx, "short", []byte("s"), clk.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx, "long", []byte("l"), clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute - time.Microsecond)
	if _, found, err := b.Find(ctx, "short"); err != nil || !found {
		t.Fatalf("Find 1µs before expiry = %v, %v", found, err)
	}
	if n, err := b.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("Sweep before expiry = %d, %v; want 0", n, err)
	}
	clk.Add(time.Microsecond)
	if _, found, err := b.Find(ctx, "short"); err != nil || found {
		t.Fatalf("Find at expiry = %v, %v; want not found", found, err)
	}
	if found, err := b.Update(ctx, "short", []byte("x"), clk.Now().Add(time.Hour)); err != nil || found {
		t.Fatalf("Update of an expired row = %v, %v; want false", found, err)
	}
	var rows int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM gatehouse_sessions`).Scan(&rows); err != nil || rows != 2 {
		t.Fatalf("rows before Sweep = %d, %v; want 2 (expired rows stay until swept)", rows, err)
	}
	if n, err := b.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1", n, err)
	}
	if _, found, _ := b.Find(ctx, "long"); !found {
		t.Fatal("Sweep deleted a live row")
	}
}

// TestDSN: the DSN opens the file in WAL mode with the busy timeout, for
// absolute and relative paths, and Migrate is idempotent.
func TestDSN(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, path := range []string{filepath.Join(dir, "abs.db"), "rel.db"} {
		t.Run(path, func(t *testing.T) {
			db, err := sql.Open("sqlite", sqlitestore.DSN(path))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			b, _ := sqlitestore.New(sqlitestore.Config{DB: db})
			for range 2 {
				if err := b.Migrate(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			var mode string
			var timeout int
			if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
				t.Fatalf("journal_mode = %q, %v", mode, err)
			}
			if err := db.QueryRow(`PRAGMA busy_timeout`).Scan(&timeout); err != nil || timeout != sqlitestore.BusyTimeout {
				t.Fatalf("busy_timeout = %d, %v", timeout, err)
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.Base(path))); err != nil {
				t.Fatalf("the database file is not where the path says: %v", err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	if _, err := sqlitestore.New(sqlitestore.Config{}); err == nil || !strings.Contains(err.Error(), "Config.DB") {
		t.Fatalf("New without DB = %v", err)
	}
}

func BenchmarkBackend(b *testing.B) {
	db, err := sql.Open("sqlite", sqlitestore.DSN(filepath.Join(b.TempDir(), "sessions.db")))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	backend, err := sqlitestore.New(sqlitestore.Config{DB: db})
	if err != nil {
		b.Fatal(err)
	}
	if err := backend.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkBackend(b, backend)
}
