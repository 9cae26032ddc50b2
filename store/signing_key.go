package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/ssokit"
)

const signingKeyColumns = `id, key_use, connection_id, algorithm, private_key, certificate,
	created_at, not_before, expires_at`

func scanSigningKey(row scanner) (*ssokit.SigningKey, error) {
	var k ssokit.SigningKey
	var conn sql.NullString
	var created, notBefore, expires sql.NullInt64
	if err := row.Scan(&k.ID, &k.Use, &conn, &k.Algorithm, &k.PrivateKey, &k.Certificate,
		&created, &notBefore, &expires); err != nil {
		return nil, err
	}
	k.ConnectionID = conn.String
	k.CreatedAt, k.NotBefore, k.ExpiresAt = fromMicros(created), fromMicros(notBefore), fromMicros(expires)
	return &k, nil
}

// CreateSigningKey stores k with a new ID (unless the caller set one, since
// the ID is also the JWT kid) and sets CreatedAt. A missing connection is
// ErrNotFound; a taken ID is ErrConflict.
func (s *Store) CreateSigningKey(ctx context.Context, k *ssokit.SigningKey) error {
	now := s.clock()
	id := k.ID
	if id == "" {
		id = ids.NewAt(ids.SigningKey, now)
	}
	err := s.insert(ctx, "create signing key", `INSERT INTO gatehouse_signing_keys (`+signingKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
		id, string(k.Use), nullString(k.ConnectionID), k.Algorithm, k.PrivateKey, k.Certificate,
		now.UnixMicro(), micros(k.NotBefore), micros(k.ExpiresAt))
	if err != nil {
		return err
	}
	k.ID, k.CreatedAt = id, now
	return nil
}

// SigningKeys lists the keys for a use and connection ("" for shared keys)
// that have not expired at now, oldest first.
func (s *Store) SigningKeys(ctx context.Context, use ssokit.KeyUse, connectionID string, now time.Time) ([]*ssokit.SigningKey, error) {
	const op = "list signing keys"
	q := `SELECT ` + signingKeyColumns + ` FROM gatehouse_signing_keys
		WHERE key_use = $1 AND connection_id = $2 AND (expires_at IS NULL OR expires_at > $3)
		ORDER BY created_at, id`
	args := []any{string(use), connectionID, now.UnixMicro()}
	if connectionID == "" {
		q = `SELECT ` + signingKeyColumns + ` FROM gatehouse_signing_keys
		WHERE key_use = $1 AND connection_id IS NULL AND (expires_at IS NULL OR expires_at > $2)
		ORDER BY created_at, id`
		args = []any{string(use), now.UnixMicro()}
	}
	return queryAll(ctx, s, s.r(), op, scanSigningKey, q, args...)
}

// DeleteSigningKey deletes the key with the given ID.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete signing key", `DELETE FROM gatehouse_signing_keys WHERE id = $1`, id)
}
