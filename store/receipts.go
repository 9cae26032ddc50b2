package store

import (
	"context"
	"time"

	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// Deduper returns a [webhookkit.Deduper] on this store: the webhook-ids a
// [webhookkit.Verifier]'s Handler accepted, shared by every instance of the
// application, so a message replayed or redelivered to another instance is
// processed once. Expired ids go with [Store.Sweep]. Times follow the
// store's clock (Options.Now).
func (s *Store) Deduper() webhookkit.Deduper { return receipts{s} }

type receipts struct{ s *Store }

// Claim implements [webhookkit.Deduper] in two statements, each atomic: an
// insert that also takes over an expired record (of two concurrent claims
// of one id, one inserts and the other conflicts), then, for an id already
// held, the extension of its expiry.
func (r receipts) Claim(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	const op = "claim webhook id"
	now := r.s.clock()
	until := now.Add(ttl).UnixMicro()
	n, err := r.s.exec(ctx, op, `INSERT INTO gatehouse_webhook_receipts (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET expires_at = $2 WHERE gatehouse_webhook_receipts.expires_at <= $3`,
		id, until, now.UnixMicro())
	if err != nil {
		return false, err
	}
	if n == 1 {
		return true, nil
	}
	_, err = r.s.exec(ctx, op, `UPDATE gatehouse_webhook_receipts SET expires_at = $2
		WHERE id = $1 AND expires_at < $2`, id, until)
	return false, err
}

// Forget implements [webhookkit.Deduper].
func (r receipts) Forget(ctx context.Context, id string) error {
	_, err := r.s.exec(ctx, "forget webhook id", `DELETE FROM gatehouse_webhook_receipts WHERE id = $1`, id)
	return err
}
