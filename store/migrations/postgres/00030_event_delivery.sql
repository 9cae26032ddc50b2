-- Delivery state of outbox events (PostgreSQL), so that webhook workers on
-- several instances share the work and a restart loses no schedule: failed
-- attempts so far, when the next one is due (NULL: at once), the targets
-- that already have the event (a JSON array of target keys), when it was
-- dead-lettered and why, and until when a worker holds it.

-- +goose Up
ALTER TABLE gatehouse_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gatehouse_events ADD COLUMN next_attempt_at BIGINT;
ALTER TABLE gatehouse_events ADD COLUMN done_targets TEXT;
ALTER TABLE gatehouse_events ADD COLUMN dead_at BIGINT;
ALTER TABLE gatehouse_events ADD COLUMN last_error TEXT;
ALTER TABLE gatehouse_events ADD COLUMN lease_until BIGINT;
CREATE INDEX gatehouse_events_dead ON gatehouse_events (dead_at, id) WHERE dead_at IS NOT NULL;

-- +goose Down
DROP INDEX gatehouse_events_dead;
ALTER TABLE gatehouse_events DROP COLUMN lease_until;
ALTER TABLE gatehouse_events DROP COLUMN last_error;
ALTER TABLE gatehouse_events DROP COLUMN dead_at;
ALTER TABLE gatehouse_events DROP COLUMN done_targets;
ALTER TABLE gatehouse_events DROP COLUMN next_attempt_at;
ALTER TABLE gatehouse_events DROP COLUMN attempts;
