// Package postgres opens a [store.Store] on PostgreSQL through
// github.com/jackc/pgx/v5 (its database/sql driver).
//
//	s, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), store.Options{})
//
// Use it when the application runs on several instances: every instance
// shares the state, and single-use records (flows, replay entries, portal
// links) stay single-use across them. The kit's tables are prefixed
// "gatehouse_", so they can live beside the application's own; put them in
// a schema of their own with the URL parameter search_path if you prefer.
// Migrations take an advisory lock, so instances starting together apply
// them once.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gatehouse-go/gatehouse/store"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value DSN), applies the store's migrations and returns the Store. The
// Store owns the connection pool (at most 20 open connections, 5 idle):
// close it with [store.Store.Close]; tune it through [store.Store.DB].
func Open(ctx context.Context, url string, opts store.Options) (*store.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(5)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s, err := store.Open(ctx, store.Backend{Dialect: store.Postgres, DB: db}, opts)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", errors.Join(err, db.Close()))
	}
	return s, nil
}
