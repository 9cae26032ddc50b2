-- Server-side sessions of package sessionstore (PostgreSQL).

-- +goose Up
CREATE TABLE gatehouse_sessions (
    id         TEXT        NOT NULL PRIMARY KEY,
    data       BYTEA       NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX gatehouse_sessions_expires_at ON gatehouse_sessions (expires_at);

-- +goose Down
DROP TABLE gatehouse_sessions;
