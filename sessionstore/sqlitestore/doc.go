// Package sqlitestore is a [sessionstore.Backend] on SQLite, through
// modernc.org/sqlite (pure Go, no cgo), for an application that runs as one
// instance and wants its sessions to survive a restart.
//
//	db, err := sql.Open("sqlite", sqlitestore.DSN("data/sessions.db"))
//	backend, err := sqlitestore.New(sqlitestore.Config{DB: db})
//	err = backend.Migrate(ctx) // at start-up: creates the table
//
// Sessions are rows of the table gatehouse_sessions (id, data, expires_at
// in unix microseconds), created by an embedded goose migration that
// [Backend.Migrate] applies (version table gatehouse_sessionstore_version);
// the file may be the kit store's own. [DSN] gives the recommended
// settings: WAL, so reads do not wait for writes, and a busy timeout, so
// concurrent writers queue instead of failing with SQLITE_BUSY. An
// in-memory database needs db.SetMaxOpenConns(1), or each pooled
// connection sees its own empty database.
//
// Find ignores expired rows ([Config.Now] decides); [Backend.Sweep]
// deletes them: run it periodically. New does no I/O; Migrate is the first
// call that touches the file. The host owns db (and closes it).
//
// Several instances behind a load balancer cannot share a SQLite file: use
// pgstore or redisstore there.
package sqlitestore
