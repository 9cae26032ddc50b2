package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// PutFlow stores a flow record under the ID the caller chose; an ID in use
// is ErrConflict. ExpiresAt is required.
func (s *Store) PutFlow(ctx context.Context, f *ssokit.Flow) error {
	if f.ID == "" || f.ExpiresAt.IsZero() {
		return errors.New("store: put flow: ID and ExpiresAt are required")
	}
	return s.insert(ctx, "put flow", `INSERT INTO gatehouse_flows (id, kind, data, expires_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		f.ID, f.Kind, f.Data, f.ExpiresAt.UnixMicro())
}

// TakeFlow returns the flow record and deletes it in one statement: of any
// number of concurrent callers exactly one gets it. A record that has
// expired is ErrNotFound (and deleted all the same).
func (s *Store) TakeFlow(ctx context.Context, id string) (*ssokit.Flow, error) {
	const op = "take flow"
	f := ssokit.Flow{ID: id}
	var expires sql.NullInt64
	err := s.w().QueryRowContext(ctx, `DELETE FROM gatehouse_flows WHERE id = $1
		RETURNING kind, data, expires_at`, id).Scan(&f.Kind, &f.Data, &expires)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	f.ExpiresAt = fromMicros(expires)
	if !s.clock().Before(f.ExpiresAt) {
		return nil, notFound(op)
	}
	return &f, nil
}

// Remember records key until expiresAt: the replay cache. A key recorded
// before and not yet expired is ErrConflict; an expired one is replaced in
// the same statement, so of concurrent callers exactly one succeeds.
func (s *Store) Remember(ctx context.Context, key string, expiresAt time.Time) error {
	if key == "" || expiresAt.IsZero() {
		return errors.New("store: remember: key and expiry are required")
	}
	return s.insert(ctx, "remember", `INSERT INTO gatehouse_replay (replay_key, expires_at)
		VALUES ($1, $2)
		ON CONFLICT (replay_key) DO UPDATE SET expires_at = excluded.expires_at
		WHERE gatehouse_replay.expires_at <= $3`,
		key, expiresAt.UnixMicro(), s.clock().UnixMicro())
}
