package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// The kit storage contracts that a *Store satisfies.
var (
	_ ssokit.Store      = (*Store)(nil)
	_ scimkit.Store     = (*Store)(nil)
	_ webhookkit.Outbox = (*Store)(nil)
)

// Dialect names the SQL database under a [Store].
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"   // modernc.org/sqlite; see package store/sqlite
	Postgres Dialect = "postgres" // jackc/pgx; see package store/postgres
)

// Backend is the database a [Store] runs on. The sqlite and postgres
// packages build it with the pool settings each database needs; a host that
// configures its own *sql.DB may build it too.
type Backend struct {
	// Dialect selects the migrations. Required.
	Dialect Dialect
	// DB runs writes and transactions, and reads when ReadDB is nil.
	// Required. On SQLite it must begin transactions with BEGIN IMMEDIATE
	// (modernc DSN "_txlock=immediate"), and a pool of one connection
	// keeps writers from ever meeting SQLITE_BUSY.
	DB *sql.DB
	// ReadDB, when set, runs the reads made outside a transaction, so
	// that they need not wait for the writer. Default: DB.
	ReadDB *sql.DB
}

// Options tune a [Store].
type Options struct {
	// Now returns the current time; it stamps records and decides expiry.
	// Default: time.Now.
	Now func() time.Time
}

// Store keeps the kit's state in one SQL database: it implements
// [ssokit.Store], [scimkit.Store] and [webhookkit.Outbox], and portal links.
//
// A Store is safe for concurrent use, except one bound to a transaction by
// [Store.Tx], which belongs to the goroutine running the transaction.
type Store struct {
	db      *sql.DB // writes and transactions
	read    *sql.DB // reads outside a transaction
	dialect Dialect
	now     func() time.Time
	tx      *sql.Tx // non-nil when bound to a transaction
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Open applies the pending migrations of b.Dialect to the database and
// returns a Store over it. The Store owns the handles in b: [Store.Close]
// closes them. When Open fails, they remain the caller's to close.
func Open(ctx context.Context, b Backend, opts Options) (*Store, error) {
	if b.DB == nil {
		return nil, errors.New("store: Backend.DB is nil")
	}
	if b.Dialect != SQLite && b.Dialect != Postgres {
		return nil, fmt.Errorf("store: unknown Backend.Dialect %q", b.Dialect)
	}
	s := &Store{db: b.DB, read: b.ReadDB, dialect: b.Dialect, now: opts.Now}
	if s.read == nil {
		s.read = b.DB
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := migrate(ctx, b.Dialect, b.DB); err != nil {
		return nil, err
	}
	return s, nil
}

// DB returns the handle that runs writes and transactions, for hosts that
// want to share it. On SQLite it is a pool of one connection: holding a
// connection or transaction of it blocks every writer of the Store.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect reports the database the Store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the database handles. It is an error to call it on a Store
// bound to a transaction.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("store: Close called on a transaction-bound Store")
	}
	err := s.db.Close()
	if s.read != s.db {
		err = errors.Join(err, s.read.Close())
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Tx runs fn in one database transaction. The *Store fn receives is bound to
// the transaction: every method of it reads and writes through it. Tx
// commits when fn returns nil, and rolls back when fn returns an error (which
// Tx returns unchanged) or panics (the panic continues after the rollback).
// On a Store already bound to a transaction, Tx runs fn in that
// transaction.
//
// fn must use only the Store it is given and only on its own goroutine.
// Writing through the outer Store from inside fn waits for the transaction
// on SQLite, whose single writer connection fn holds: a deadlock until ctx
// ends. On PostgreSQL a failed statement aborts the transaction, so after a
// store error inside fn, return it rather than carry on.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, "begin transaction", err)
	}
	bound := *s
	bound.tx = sqlTx
	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback() // the error that brought us here is the one to report
		}
	}()
	if err := fn(&bound); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		committed = true // a failed commit leaves nothing to roll back
		return s.fail(ctx, "commit transaction", err)
	}
	committed = true
	return nil
}

// w is the querier for writes, r the one for reads.
func (s *Store) w() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db
}

func (s *Store) r() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.read
}

// clock returns the current time as the store keeps it: UTC, whole
// microseconds.
func (s *Store) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// exec runs a statement and returns the number of rows it changed.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	res, err := s.w().ExecContext(ctx, query, args...)
	if err != nil {
		return 0, s.fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail(ctx, op, err)
	}
	return n, nil
}

// execOne runs a statement that must change one row; none is ErrNotFound.
func (s *Store) execOne(ctx context.Context, op, query string, args ...any) error {
	n, err := s.exec(ctx, op, query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(op)
	}
	return nil
}

// insert runs an INSERT … ON CONFLICT DO NOTHING; no row inserted is
// ErrConflict. Avoiding the unique violation keeps a PostgreSQL transaction
// usable after a conflict.
func (s *Store) insert(ctx context.Context, op, query string, args ...any) error {
	n, err := s.exec(ctx, op, query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return conflict(op)
	}
	return nil
}

// exists reports whether query returns a row.
func (s *Store) exists(ctx context.Context, op, query string, args ...any) (bool, error) {
	var one int
	err := s.r().QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, s.fail(ctx, op, err)
	}
	return true, nil
}
