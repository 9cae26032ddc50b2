-- Server-side sessions of package sessionstore (SQLite). expires_at is unix
-- microseconds.

-- +goose Up
CREATE TABLE gatehouse_sessions (
    id         TEXT    NOT NULL PRIMARY KEY,
    data       BLOB    NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX gatehouse_sessions_expires_at ON gatehouse_sessions (expires_at);

-- +goose Down
DROP TABLE gatehouse_sessions;
