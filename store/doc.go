// Package store keeps the kit's own state in one SQL database: the
// organizations (the host's tenants as the kit sees them), their domains,
// SSO connections and signing keys, the short-lived flow records and replay
// cache of logins, the SCIM directories with their tokens, users, groups and
// memberships, the webhook event outbox, and admin-portal links.
//
// A [Store] implements [ssokit.Store], [scimkit.Store] and
// [webhookkit.Outbox] on the same database, so a SCIM change and the event
// that announces it commit in one transaction ([Store.Tx]). Connection
// changes announce themselves: CreateConnection, a status change through
// UpdateConnection, and DeleteConnection append the organization.sso_*
// events of package webhookkit in their own transaction. The kit packages
// do not import this one; the host (or the admin portal) passes the *Store
// to each of them.
//
// # Opening
//
// A host opens a store with package store/sqlite or store/postgres, which
// configure the driver and apply the embedded migrations:
//
//	s, err := sqlite.Open(ctx, "data/gatehouse.db", store.Options{})
//	// or: s, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), store.Options{})
//	defer s.Close()
//
// SQLite (modernc.org/sqlite, pure Go) is the default: nothing to install,
// one file, right for an application on one instance. Use PostgreSQL
// (jackc/pgx) when the application runs on several instances: single-use
// records stay single-use across them and every instance sees the same
// state. A host with its own *sql.DB may call [Open] with a [Backend].
//
// Migrations are versioned SQL files embedded in the binary, one directory
// per dialect (migrations/sqlite, migrations/postgres), applied at open by
// goose into the table gatehouse_schema_version; re-opening applies only
// what is new. The kit's tables are prefixed "gatehouse_" so that they can
// share a database with the application's own.
//
// # Decisions
//
// Times are stored as unix microseconds in BIGINT columns (UTC), and the
// zero time as NULL, on both databases. SQLite has no time type and drivers
// disagree on how to encode one; integers compare, index and round-trip the
// same everywhere, so expiry checks behave identically on both. Times come
// back in UTC, truncated to the microsecond. JSON documents (connection
// settings, SCIM resources, event data) are TEXT.
//
// Case-insensitive keys (a domain name, a user's userName, a group's
// displayName) are folded to lower case by the store (strings.ToLower) into
// *_key columns with unique indexes, rather than by SQL lower(), which
// folds only ASCII on SQLite but all of Unicode on PostgreSQL.
//
// Expiry is decided by [Options.Now]: a flow record, replay entry or portal
// link is valid while now is before its ExpiresAt (tokens and signing keys
// take now as an argument). Expired rows read as missing; [Store.Sweep]
// deletes them.
//
// On SQLite, writes go through a pool of one connection whose transactions
// begin IMMEDIATE, so writers queue in Go instead of failing with "database
// is locked"; reads go through a separate read-only pool and run alongside
// (WAL).
//
// # Errors
//
// A missing record (including one of another directory, and an expired
// one) yields an error that matches [ErrNotFound], [ssokit.ErrNotFound] and
// [scimkit.ErrNotFound] under errors.Is; a taken unique key or a stale
// Version yields one that matches [ErrConflict] and the kit conflicts. Both
// are of type [*Error]. A reference to a missing record (a user of another
// directory in AddMember, a connection of a missing organization) is
// ErrNotFound. Other failures are wrapped database errors; when the context
// ended, the error wraps ctx.Err(). Messages start with "store: ".
//
// A call whose context ends returns at once, but the database decides the
// fate of a statement already sent. SQLite never starts a write that is
// still waiting for the writer; PostgreSQL may still run a single-statement
// write that was waiting on a row lock if the lock is released before the
// cancel request reaches the server. Treat such a write as one of unknown
// outcome (it is applied whole or not at all), as with a lost connection;
// [Store.Tx] writes are rolled back when their context ends before commit.
//
// # Concurrency
//
// A *Store is safe for concurrent use. Single-use operations
// ([Store.TakeFlow], [Store.Remember], [Store.UsePortalLink]) are single
// statements: of any number of concurrent callers exactly one succeeds.
// Users and groups carry a Version for optimistic concurrency: UpdateUser
// and UpdateGroup write only over the version they read.
package store
