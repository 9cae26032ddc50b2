-- What the SCIM server needs beyond the initial schema (SQLite): the
-- display text of a membership as the identity provider sent it, an index
-- of every email of a user (emails.value lookups), and indexes for
-- updated_after listings.

-- +goose Up
ALTER TABLE gatehouse_directory_members ADD COLUMN display TEXT;

CREATE TABLE gatehouse_directory_user_emails (
    directory_id TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    email_key    TEXT NOT NULL,
    PRIMARY KEY (user_id, email_key),
    FOREIGN KEY (directory_id, user_id) REFERENCES gatehouse_directory_users (directory_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX gatehouse_directory_user_emails_lookup ON gatehouse_directory_user_emails (directory_id, email_key);

CREATE INDEX gatehouse_directory_users_updated ON gatehouse_directory_users (directory_id, updated_at);
CREATE INDEX gatehouse_directory_groups_updated ON gatehouse_directory_groups (directory_id, updated_at);

-- +goose Down
DROP INDEX gatehouse_directory_groups_updated;
DROP INDEX gatehouse_directory_users_updated;
DROP TABLE gatehouse_directory_user_emails;
ALTER TABLE gatehouse_directory_members DROP COLUMN display;
