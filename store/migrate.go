package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles holds the versioned schema of each dialect:
// migrations/<dialect>/NNNNN_name.sql in goose's SQL format.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// versionTable records the applied migrations. It is not goose's default
// name so that a host using goose for its own schema in the same database
// keeps its own table.
const versionTable = "gatehouse_schema_version"

// postgresMigrationLock is the advisory lock id that serializes migrations
// of several instances starting at once ("gatehous" in ASCII).
const postgresMigrationLock int64 = 0x6761746568_6f7573

// migrate applies the pending migrations of dialect to db.
func migrate(ctx context.Context, dialect Dialect, db *sql.DB) error {
	dir, err := fs.Sub(migrationFiles, "migrations/"+string(dialect))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	opts := []goose.ProviderOption{
		goose.WithTableName(versionTable),
		goose.WithDisableGlobalRegistry(true), // ignore the host's own Go migrations
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	}
	gd := goose.DialectSQLite3
	if dialect == Postgres {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(postgresMigrationLock))
		if err != nil {
			return fmt.Errorf("store: migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db, dir, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: apply migrations: %w", err)
	}
	return nil
}
