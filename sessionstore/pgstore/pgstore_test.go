package pgstore_test

import (
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/pgstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/storetest"
)

// openDB opens a fresh schema of the test database, migrated.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", testenv.PostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(10)
	t.Cleanup(func() { db.Close() })
	b, err := pgstore.New(pgstore.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestBackend(t *testing.T) {
	db := openDB(t) // one schema; the suite's ids are random
	storetest.TestBackend(t, func(t *testing.T) sessionstore.Backend {
		b, err := pgstore.New(pgstore.Config{DB: db})
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

// TestExpiryAndSweep: the application's clock decides expiry, to the
// microsecond; Sweep deletes exactly the expired rows.
func TestExpiryAndSweep(t *testing.T) {
	ctx := t.Context()
	db := openDB(t)
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b, err := pgstore.New(pgstore.Config{DB: db, Now: clk.Now})
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

// TestMigrate: Migrate is idempotent, and instances that start together
// apply it once.
func TestMigrate(t *testing.T) {
	db, err := sql.Open("pgx", testenv.PostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			b, err := pgstore.New(pgstore.Config{DB: db})
			if err == nil {
				err = b.Migrate(t.Context())
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	b, _ := pgstore.New(pgstore.Config{DB: db})
	if err := b.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	var applied int
	if err := db.QueryRowContext(t.Context(),
		`SELECT count(*) FROM `+pgstore.VersionTable+` WHERE version_id > 0`).Scan(&applied); err != nil || applied != 1 {
		t.Fatalf("applied migrations = %d, %v; want 1", applied, err)
	}
}

func TestNew(t *testing.T) {
	if _, err := pgstore.New(pgstore.Config{}); err == nil || !strings.Contains(err.Error(), "Config.DB") {
		t.Fatalf("New without DB = %v", err)
	}
	// New does no I/O: a database where nothing listens is fine until used.
	db, err := sql.Open("pgx", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b, err := pgstore.New(pgstore.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Find(t.Context(), "x"); err == nil || !strings.HasPrefix(err.Error(), "pgstore: find: ") {
		t.Fatalf("Find on an unreachable database = %v, want a pgstore error", err)
	}
}

func BenchmarkBackend(b *testing.B) {
	db, err := sql.Open("pgx", testenv.PostgresSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	backend, err := pgstore.New(pgstore.Config{DB: db})
	if err != nil {
		b.Fatal(err)
	}
	if err := backend.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkBackend(b, backend)
}
