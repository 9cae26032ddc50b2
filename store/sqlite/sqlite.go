// Package sqlite opens a [store.Store] on a SQLite database file through
// modernc.org/sqlite, a pure-Go SQLite: nothing to install, no cgo.
//
//	s, err := sqlite.Open(ctx, "data/gatehouse.db", store.Options{})
//
// The database runs in WAL mode with synchronous=NORMAL, foreign keys on and
// a busy timeout. The store writes through a pool of one connection whose
// transactions begin IMMEDIATE, so writers of this process queue in Go and
// never meet SQLITE_BUSY ("database is locked"); reads outside transactions
// go to a second pool of several read-only connections and run alongside
// the writer, as WAL allows. The busy timeout covers other processes that
// open the same file. One process should own the file: run PostgreSQL (see
// package store/postgres) when the application runs on several instances.
//
// An in-memory database (":memory:") is not accepted: each connection of a
// pool would see its own empty database. Use a file, such as one under
// t.TempDir() in tests.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gatehouse-go/gatehouse/store"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// BusyTimeout is how long, in milliseconds, a connection waits for a lock
// held by another process before it gives up with SQLITE_BUSY.
const BusyTimeout = 10000

// Open opens (creating it and its directory if missing) the SQLite database
// file at path, applies the store's migrations and returns the Store. The
// Store owns the database: close it with [store.Store.Close].
func Open(ctx context.Context, path string, opts store.Options) (*store.Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open: %q is not a file path (an in-memory database cannot be shared by a pool)", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}

	// The writer: one connection, so writes queue in database/sql.
	writer, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// Connect the writer first: it switches the file to WAL mode.
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}

	reader, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	n := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)

	s, err := store.Open(ctx, store.Backend{Dialect: store.SQLite, DB: writer, ReadDB: reader}, opts)
	if err != nil {
		err = errors.Join(err, writer.Close(), reader.Close())
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	return s, nil
}

// dsn is the modernc.org/sqlite data source name for the file at abs.
func dsn(abs string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	if !strings.HasPrefix(u.Path, "/") { // Windows: file:///C:/…
		u.Path = "/" + u.Path
	}
	return u.String()
}
