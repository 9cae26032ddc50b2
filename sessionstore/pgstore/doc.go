// Package pgstore is a [sessionstore.Backend] on PostgreSQL, through
// jackc/pgx/v5's database/sql driver ("pgx"), for applications that run
// several instances and already have PostgreSQL.
//
//	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
//	backend, err := pgstore.New(pgstore.Config{DB: db})
//	err = backend.Migrate(ctx) // at start-up: creates the table
//
// Sessions are rows of the table gatehouse_sessions (id, data, expires_at),
// created by an embedded goose migration that [Backend.Migrate] applies; its
// version is kept in gatehouse_sessionstore_version, apart from the kit's
// store and the host's own goose table, and an advisory lock makes
// instances that start together apply it once. Put the table in a schema of
// its own with the URL parameter search_path if you like.
//
// Expiry is decided by the application's clock ([Config.Now]), which is
// passed to every query, not by the database's. Find ignores expired rows;
// they stay on disk until [Backend.Sweep] deletes them: run it
// periodically (say every few minutes, from one instance or all: it is
// idempotent).
//
// New does no I/O; Migrate is the first call that reaches the database.
// The host owns db (and closes it).
package pgstore
