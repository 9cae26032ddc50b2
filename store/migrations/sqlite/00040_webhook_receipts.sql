-- The webhook-ids a receiving application accepted (SQLite), for the
-- Deduper that Store.Deduper returns: shared by every instance, each id
-- kept until expires_at (unix microseconds).

-- +goose Up
CREATE TABLE gatehouse_webhook_receipts (
    id         TEXT    NOT NULL PRIMARY KEY,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX gatehouse_webhook_receipts_expires ON gatehouse_webhook_receipts (expires_at);

-- +goose Down
DROP TABLE gatehouse_webhook_receipts;
