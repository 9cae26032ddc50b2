package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/pressly/goose/v3"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// VersionTable is the table where Migrate records the applied migrations.
const VersionTable = "gatehouse_sessionstore_version"

// BusyTimeout is the busy timeout, in milliseconds, that [DSN] sets.
const BusyTimeout = 10000

// DSN returns the modernc.org/sqlite data source name of the database file
// at path, with the settings this package recommends: WAL journal,
// synchronous NORMAL, a busy timeout of [BusyTimeout] ms, and transactions
// that begin IMMEDIATE.
func DSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) && !strings.HasPrefix(p, "/") { // Windows: file:///C:/…
		p = "/" + p
	}
	u := url.URL{Scheme: "file", Opaque: p, RawQuery: q.Encode()}
	if strings.HasPrefix(p, "/") {
		u = url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	}
	return u.String()
}

// Config configures a [Backend]. DB is required.
type Config struct {
	// DB is the SQLite database, opened with the "sqlite" driver (which
	// this package registers), preferably with [DSN]. Required. The
	// Backend does not close it.
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
		return nil, errors.New("sqlitestore: Config.DB is nil")
	}
	b := &Backend{db: cfg.DB, now: cfg.Now}
	if b.now == nil {
		b.now = time.Now
	}
	return b, nil
}

// Migrate creates or upgrades the table. Call it at start-up, before the
// first request.
func (b *Backend) Migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, b.db, dir,
		goose.WithTableName(VersionTable),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	return nil
}

func (b *Backend) clock() int64 { return b.now().UnixMicro() }

// Find implements [sessionstore.Backend].
func (b *Backend) Find(ctx context.Context, id string) ([]byte, bool, error) {
	var data []byte
	err := b.db.QueryRowContext(ctx,
		`SELECT data FROM gatehouse_sessions WHERE id = ? AND expires_at > ?`, id, b.clock()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlitestore: find: %w", err)
	}
	return data, true, nil
}

// Commit implements [sessionstore.Backend] with an upsert, or a delete
// when expiry has passed.
func (b *Backend) Commit(ctx context.Context, id string, data []byte, expiry time.Time) error {
	if data == nil {
		data = []byte{}
	}
	exp := expiry.UnixMicro()
	var err error
	if exp > b.clock() {
		_, err = b.db.ExecContext(ctx,
			`INSERT INTO gatehouse_sessions (id, data, expires_at) VALUES (?, ?, ?)
			 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
			id, data, exp)
	} else {
		_, err = b.db.ExecContext(ctx, `DELETE FROM gatehouse_sessions WHERE id = ?`, id)
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: commit: %w", err)
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
		`UPDATE gatehouse_sessions SET data = ?, expires_at = ? WHERE id = ? AND expires_at > ?`,
		data, expiry.UnixMicro(), id, b.clock())
	if err != nil {
		return false, fmt.Errorf("sqlitestore: update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlitestore: update: %w", err)
	}
	return n > 0, nil
}

// Delete implements [sessionstore.Backend].
func (b *Backend) Delete(ctx context.Context, id string) error {
	if _, err := b.db.ExecContext(ctx, `DELETE FROM gatehouse_sessions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlitestore: delete: %w", err)
	}
	return nil
}

// Sweep deletes the expired rows and returns how many it deleted.
func (b *Backend) Sweep(ctx context.Context) (int64, error) {
	res, err := b.db.ExecContext(ctx, `DELETE FROM gatehouse_sessions WHERE expires_at <= ?`, b.clock())
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: sweep: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: sweep: %w", err)
	}
	return n, nil
}
