package store

import "context"

// Sweep deletes what can no longer be used: expired flow records, expired
// replay-cache entries, portal links that were used or have expired, and
// expired webhook-ids of [Store.Deduper].
// Reads already treat such rows as missing, so Sweep only reclaims space;
// run it every few minutes (one instance suffices, several are harmless).
func (s *Store) Sweep(ctx context.Context) error {
	now := s.clock().UnixMicro()
	for _, q := range []string{
		`DELETE FROM gatehouse_flows WHERE expires_at <= $1`,
		`DELETE FROM gatehouse_replay WHERE expires_at <= $1`,
		`DELETE FROM gatehouse_portal_links WHERE used_at IS NOT NULL OR expires_at <= $1`,
		`DELETE FROM gatehouse_webhook_receipts WHERE expires_at <= $1`,
	} {
		if _, err := s.exec(ctx, "sweep", q, now); err != nil {
			return err
		}
	}
	return nil
}
