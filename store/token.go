package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/scimkit"
)

const tokenColumns = `id, directory_id, hash, created_at, expires_at, last_used_at`

func scanToken(row scanner) (*scimkit.DirectoryToken, error) {
	var t scimkit.DirectoryToken
	var created, expires, used sql.NullInt64
	if err := row.Scan(&t.ID, &t.DirectoryID, &t.Hash, &created, &expires, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt = fromMicros(created), fromMicros(expires), fromMicros(used)
	return &t, nil
}

// CreateToken stores t with a new ID and sets CreatedAt. A hash in use is
// ErrConflict; a missing directory is ErrNotFound.
func (s *Store) CreateToken(ctx context.Context, t *scimkit.DirectoryToken) error {
	if len(t.Hash) == 0 {
		return errors.New("store: create token: empty hash")
	}
	now := s.clock()
	id := ids.NewAt(ids.Token, now)
	err := s.insert(ctx, "create token", `INSERT INTO gatehouse_directory_tokens (`+tokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		id, t.DirectoryID, t.Hash, now.UnixMicro(), micros(t.ExpiresAt), micros(t.LastUsedAt))
	if err != nil {
		return err
	}
	t.ID, t.CreatedAt = id, now
	return nil
}

// TokenByHash finds a token by its SHA-256 hash; one that has expired at
// now is ErrNotFound.
func (s *Store) TokenByHash(ctx context.Context, hash []byte, now time.Time) (*scimkit.DirectoryToken, error) {
	t, err := scanToken(s.r().QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM gatehouse_directory_tokens
		WHERE hash = $1 AND (expires_at IS NULL OR expires_at > $2)`, hash, now.UnixMicro()))
	if err != nil {
		return nil, s.fail(ctx, "get token by hash", err)
	}
	return t, nil
}

// Tokens lists a directory's tokens, expired ones included, oldest first.
func (s *Store) Tokens(ctx context.Context, directoryID string) ([]*scimkit.DirectoryToken, error) {
	const op = "list tokens"
	return queryAll(ctx, s, s.r(), op, scanToken, `SELECT `+tokenColumns+` FROM gatehouse_directory_tokens
		WHERE directory_id = $1 ORDER BY created_at, id`, directoryID)
}

// UpdateToken writes t's ExpiresAt and LastUsedAt; the other fields never
// change. To record a use, call [Store.TouchToken]: a whole-token write
// from a stale read would undo a concurrent revocation.
func (s *Store) UpdateToken(ctx context.Context, t *scimkit.DirectoryToken) error {
	return s.execOne(ctx, "update token", `UPDATE gatehouse_directory_tokens
		SET expires_at = $2, last_used_at = $3 WHERE id = $1`,
		t.ID, micros(t.ExpiresAt), micros(t.LastUsedAt))
}

// TouchToken sets the LastUsedAt of the token with the given ID to at,
// leaving its expiry alone (a zero at clears it). A missing token is
// ErrNotFound.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, "touch token", `UPDATE gatehouse_directory_tokens
		SET last_used_at = $2 WHERE id = $1`, id, micros(at))
}

// DeleteToken deletes the token with the given ID.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete token", `DELETE FROM gatehouse_directory_tokens WHERE id = $1`, id)
}
