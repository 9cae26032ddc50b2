-- The kit's initial schema (PostgreSQL). Times are unix microseconds, NULL for
-- none; booleans are BOOLEAN; JSON documents are TEXT. Case-insensitive keys
-- (*_key columns) are folded by the store, so SQLite and PostgreSQL agree.

-- +goose Up
CREATE TABLE gatehouse_organizations (
    id           TEXT    NOT NULL PRIMARY KEY,
    name         TEXT    NOT NULL,
    sso_enforced BOOLEAN NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);

CREATE TABLE gatehouse_domains (
    id                 TEXT    NOT NULL PRIMARY KEY,
    organization_id    TEXT    NOT NULL REFERENCES gatehouse_organizations (id) ON DELETE CASCADE,
    name               TEXT    NOT NULL,
    name_key           TEXT    NOT NULL UNIQUE,
    state              TEXT    NOT NULL,
    verification_token TEXT    NOT NULL,
    verified_at        BIGINT,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL
);
CREATE INDEX gatehouse_domains_organization ON gatehouse_domains (organization_id, created_at);

CREATE TABLE gatehouse_connections (
    id                  TEXT    NOT NULL PRIMARY KEY,
    organization_id     TEXT    NOT NULL REFERENCES gatehouse_organizations (id) ON DELETE CASCADE,
    type                TEXT    NOT NULL,
    provider            TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    allow_idp_initiated BOOLEAN NOT NULL,
    attribute_map       TEXT,
    saml                TEXT,
    oidc                TEXT,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX gatehouse_connections_organization ON gatehouse_connections (organization_id, created_at);

CREATE TABLE gatehouse_flows (
    id         TEXT    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL,
    data       BYTEA,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX gatehouse_flows_expires ON gatehouse_flows (expires_at);

CREATE TABLE gatehouse_replay (
    replay_key TEXT    NOT NULL PRIMARY KEY,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX gatehouse_replay_expires ON gatehouse_replay (expires_at);

CREATE TABLE gatehouse_signing_keys (
    id            TEXT    NOT NULL PRIMARY KEY,
    key_use       TEXT    NOT NULL,
    connection_id TEXT    REFERENCES gatehouse_connections (id) ON DELETE CASCADE,
    algorithm     TEXT    NOT NULL,
    private_key   BYTEA   NOT NULL,
    certificate   BYTEA,
    created_at    BIGINT  NOT NULL,
    not_before    BIGINT,
    expires_at    BIGINT 
);
CREATE INDEX gatehouse_signing_keys_use ON gatehouse_signing_keys (key_use, connection_id, created_at);
CREATE INDEX gatehouse_signing_keys_connection ON gatehouse_signing_keys (connection_id);

CREATE TABLE gatehouse_directories (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES gatehouse_organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    dialect         TEXT    NOT NULL,
    enabled         BOOLEAN NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX gatehouse_directories_organization ON gatehouse_directories (organization_id, created_at);

CREATE TABLE gatehouse_directory_tokens (
    id           TEXT    NOT NULL PRIMARY KEY,
    directory_id TEXT    NOT NULL REFERENCES gatehouse_directories (id) ON DELETE CASCADE,
    hash         BYTEA   NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT 
);
CREATE INDEX gatehouse_directory_tokens_directory ON gatehouse_directory_tokens (directory_id, created_at);

CREATE TABLE gatehouse_directory_users (
    id            TEXT    NOT NULL PRIMARY KEY,
    directory_id  TEXT    NOT NULL REFERENCES gatehouse_directories (id) ON DELETE CASCADE,
    external_id   TEXT    NOT NULL,
    user_name     TEXT    NOT NULL,
    user_name_key TEXT    NOT NULL,
    active        BOOLEAN NOT NULL,
    email         TEXT    NOT NULL,
    given_name    TEXT    NOT NULL,
    family_name   TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    resource      TEXT,
    version       BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    UNIQUE (directory_id, user_name_key),
    UNIQUE (directory_id, id)
);
CREATE INDEX gatehouse_directory_users_external_id ON gatehouse_directory_users (directory_id, external_id);
CREATE INDEX gatehouse_directory_users_email ON gatehouse_directory_users (directory_id, email);

CREATE TABLE gatehouse_directory_groups (
    id               TEXT    NOT NULL PRIMARY KEY,
    directory_id     TEXT    NOT NULL REFERENCES gatehouse_directories (id) ON DELETE CASCADE,
    external_id      TEXT    NOT NULL,
    display_name     TEXT    NOT NULL,
    display_name_key TEXT    NOT NULL,
    resource         TEXT,
    version          BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    UNIQUE (directory_id, display_name_key),
    UNIQUE (directory_id, id)
);
CREATE INDEX gatehouse_directory_groups_external_id ON gatehouse_directory_groups (directory_id, external_id);

-- A membership names its directory so that the foreign keys hold the group
-- and the user to the same directory.
CREATE TABLE gatehouse_directory_members (
    directory_id TEXT    NOT NULL,
    group_id     TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (group_id, user_id),
    FOREIGN KEY (directory_id, group_id) REFERENCES gatehouse_directory_groups (directory_id, id) ON DELETE CASCADE,
    FOREIGN KEY (directory_id, user_id) REFERENCES gatehouse_directory_users (directory_id, id) ON DELETE CASCADE
);
CREATE INDEX gatehouse_directory_members_user ON gatehouse_directory_members (user_id);
CREATE INDEX gatehouse_directory_members_directory_group ON gatehouse_directory_members (directory_id, group_id);
CREATE INDEX gatehouse_directory_members_directory_user ON gatehouse_directory_members (directory_id, user_id);

CREATE TABLE gatehouse_events (
    id              TEXT    NOT NULL PRIMARY KEY,
    type            TEXT    NOT NULL,
    organization_id TEXT    NOT NULL,
    data            TEXT,
    occurred_at     BIGINT  NOT NULL,
    delivered_at    BIGINT 
);
CREATE INDEX gatehouse_events_pending ON gatehouse_events (occurred_at, id) WHERE delivered_at IS NULL;

CREATE TABLE gatehouse_portal_links (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES gatehouse_organizations (id) ON DELETE CASCADE,
    token_hash      BYTEA   NOT NULL UNIQUE,
    features        TEXT,
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX gatehouse_portal_links_organization ON gatehouse_portal_links (organization_id, created_at);
CREATE INDEX gatehouse_portal_links_expires ON gatehouse_portal_links (expires_at);

-- +goose Down
DROP TABLE gatehouse_portal_links;
DROP TABLE gatehouse_events;
DROP TABLE gatehouse_directory_members;
DROP TABLE gatehouse_directory_groups;
DROP TABLE gatehouse_directory_users;
DROP TABLE gatehouse_directory_tokens;
DROP TABLE gatehouse_directories;
DROP TABLE gatehouse_signing_keys;
DROP TABLE gatehouse_replay;
DROP TABLE gatehouse_flows;
DROP TABLE gatehouse_connections;
DROP TABLE gatehouse_domains;
DROP TABLE gatehouse_organizations;
