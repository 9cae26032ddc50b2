package pgstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

//go:embed migrations/*.sql
var migrations embed.FS

// VersionTable is the table where Migrate records the applied migrations.
const VersionTable = "gatehouse_sessionstore_version"

// migrationLock is the advisory lock id that serializes Migrate across
// instances ("ghsessio" in ASCII).
const migrationLock int64 = 0x6768_7365_7373_696f

// Config configures a [Backend]. DB is required.
type Config struct {
	// DB is the PostgreSQL database, opened with the "pgx" driver (which
	// this package registers). Required. The Backend does not close it.
	DB *sql.DB
	// Now returns the current time; it decides which rows are live.
	// Default: time.Now.
	Now func() time.Time
}

// Backend keeps session records in the table gatehouse_sessions. It is safe
// for concurrent use.
type Backend struct {
	db  *sql.DB
	now func() time.Time
}

var (
	_ sessionstore.Backend = (*Backend)(nil)
	_ sessionstore.Updater = (*Backend)(nil)
)

// New validates cfg and returns a Backend. It does no I/O.
func New(cfg Config) (*Backend, error) {
	if cfg.DB == nil {
		return nil, errors.New("pgstore: Config.DB is nil")
	}
	b := &Backend{db: cfg.DB, now: cfg.Now}
	if b.now == nil {
		b.now = time.Now
	}
	return b, nil
}

// Migrate creates or upgrades the table, holding a PostgreSQL advisory lock
// so that instances starting together apply each migration once. Call it
// at start-up, before the first request.
func (b *Backend) Migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLock))
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, b.db, dir,
		goose.WithTableName(VersionTable),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker),
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return nil
}

// clock returns Now in UTC, at the microsecond precision PostgreSQL keeps.
func (b *Backend) clock() time.Time { return b.now().UTC().Truncate(time.Microsecond) }

// Find implements [sessionstore.Backend].
func (b *Backend) Find(ctx context.Context, id string) ([]byte, bool, error) {
	var data []byte
	err := b.db.QueryRowContext(ctx,
		`SELECT data FROM gatehouse_sessions WHERE id = $1 AND expires_at > $2`, id, b.clock()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("pgstore: find: %w", err)
	}
	return data, true, nil
}

// Commit implements [sessionstore.Backend] with an upsert, or a delete
// when expiry has passed.
func (b *Backend) Commit(ctx context.Context, id string, data []byte, expiry time.Time) error {
	if data == nil {
		data = []byte{}
	}
	var err error
	if expiry.After(b.clock()) {
		_, err = b.db.ExecContext(ctx,
			`INSERT INTO gatehouse_sessions (id, data, expires_at) VALUES ($1, $2, $3)
			 ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
			id, data, expiry.UTC())
	} else {
		_, err = b.db.ExecContext(ctx, `DELETE FROM gatehouse_sessions WHERE id = $1`, id)
	}
	if err != nil {
		return fmt.Errorf("pgstore: commit: %w", err)
	}
	return nil
}

// Update implements [sessionstore.Updater]: one UPDATE of the row if it is
// live.
func (b *Backend) Update(ctx context.Context, id string, data []byte, expiry time.Time) (bool, error) {
	if data == nil {
		data = []byte{}
	}
	res, err := b.db.ExecContext(ctx,
		`UPDATE gatehouse_sessions SET data = $2, expires_at = $3 WHERE id = $1 AND expires_at > $4`,
		id, data, expiry.UTC(), b.clock())
	if err != nil {
		return false, fmt.Errorf("pgstore: update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("pgstore: update: %w", err)
	}
	return n > 0, nil
}

// Delete implements [sessionstore.Backend].
func (b *Backend) Delete(ctx context.Context, id string) error {
	if _, err := b.db.ExecContext(ctx, `DELETE FROM gatehouse_sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("pgstore: delete: %w", err)
	}
	return nil
}

// Sweep deletes the expired rows and returns how many it deleted.
func (b *Backend) Sweep(ctx context.Context) (int64, error) {
	res, err := b.db.ExecContext(ctx, `DELETE FROM gatehouse_sessions WHERE expires_at <= $1`, b.clock())
	if err != nil {
		return 0, fmt.Errorf("pgstore: sweep: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("pgstore: sweep: %w", err)
	}
	return n, nil
}
