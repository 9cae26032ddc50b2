package ssokit

import (
	"context"
	"errors"
	"time"
)

// Errors a [Store] returns. Implementations wrap them, so test with
// errors.Is.
var (
	ErrNotFound = errors.New("ssokit: not found")
	ErrConflict = errors.New("ssokit: conflict")
)

// Store is the kit's own state for SSO: organizations, their domains and
// connections, short-lived flow records, the replay cache and signing keys.
// The store package implements it on SQLite and PostgreSQL.
//
// Every method is safe for concurrent use, returns an error wrapping
// [ErrNotFound] when the record does not exist and one wrapping [ErrConflict]
// when a unique key is taken. Create methods assign the ID (unless the type
// says the caller chooses it) and the timestamps and write them back into the
// argument.
type Store interface {
	CreateOrganization(ctx context.Context, o *Organization) error
	Organization(ctx context.Context, id string) (*Organization, error)
	UpdateOrganization(ctx context.Context, o *Organization) error
	DeleteOrganization(ctx context.Context, id string) error

	CreateDomain(ctx context.Context, d *Domain) error
	Domain(ctx context.Context, id string) (*Domain, error)
	// DomainByName finds a domain by its name, case-insensitively.
	DomainByName(ctx context.Context, name string) (*Domain, error)
	Domains(ctx context.Context, organizationID string) ([]*Domain, error)
	UpdateDomain(ctx context.Context, d *Domain) error
	DeleteDomain(ctx context.Context, id string) error

	CreateConnection(ctx context.Context, c *Connection) error
	Connection(ctx context.Context, id string) (*Connection, error)
	// Connections lists an organization's connections, oldest first.
	Connections(ctx context.Context, organizationID string) ([]*Connection, error)
	UpdateConnection(ctx context.Context, c *Connection) error
	DeleteConnection(ctx context.Context, id string) error

	// PutFlow stores a flow record under the ID the caller chose; an ID in
	// use yields ErrConflict.
	PutFlow(ctx context.Context, f *Flow) error
	// TakeFlow returns the flow record and deletes it in one atomic step:
	// of any number of concurrent callers exactly one gets it. An expired
	// record is ErrNotFound.
	TakeFlow(ctx context.Context, id string) (*Flow, error)

	// Remember records key until expiresAt. It returns an error wrapping
	// ErrConflict when the key is already recorded and has not expired: the
	// replay cache for assertion ids and token ids.
	Remember(ctx context.Context, key string, expiresAt time.Time) error

	CreateSigningKey(ctx context.Context, k *SigningKey) error
	// SigningKeys lists the keys for a use and connection ("" for shared
	// keys) that have not expired at now, oldest first.
	SigningKeys(ctx context.Context, use KeyUse, connectionID string, now time.Time) ([]*SigningKey, error)
	DeleteSigningKey(ctx context.Context, id string) error
}
