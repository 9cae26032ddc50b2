package sessionstore

import (
	"context"
	"time"
)

// Backend keeps the server side of sessions: one opaque record per session
// id. It is the whole contract a storage technology must meet; the
// sub-packages memstore, redisstore, pgstore and sqlitestore implement it,
// and package storetest checks an implementation against it.
//
// The ids a [Store] passes are 43-character base64url strings (32 random
// bytes). Every method must be safe for concurrent use, and must return an
// error (and do nothing) when ctx is already cancelled or past its deadline.
type Backend interface {
	// Find returns the data of the live record id. When there is no record
	// id, or its expiry is not after the current time, Find returns
	// found == false and a nil error: an expired record must never be
	// returned, even if it has not been removed yet. err is non-nil only
	// when the backend could not answer (and then found is false).
	Find(ctx context.Context, id string) (data []byte, found bool, err error)
	// Commit creates the record id, or replaces its data and expiry when
	// it exists, so that Find returns data until expiry (an absolute time;
	// the record is not live at or after it). A Commit whose expiry is not
	// in the future leaves no live record. The backend must not keep a
	// reference to data after Commit returns (copy it if needed).
	Commit(ctx context.Context, id string, data []byte, expiry time.Time) error
	// Delete removes the record id. Deleting a record that does not exist
	// (or has expired) is a no-op and returns nil.
	Delete(ctx context.Context, id string) error
}

// Updater is an optional ability of a [Backend]: replace a record only if
// it is still live. A [Store] uses it to save a session it loaded, so that
// a Save racing with a logout elsewhere cannot write a revoked session back
// (see [ErrSessionGone]). Backends without it get a plain Commit, which
// leaves that race open. Every backend in this module implements it.
type Updater interface {
	// Update replaces the data and expiry of the live record id, atomically
	// with the check that it is live, and reports whether it was. When
	// there is no live record it creates nothing and returns false, nil.
	Update(ctx context.Context, id string, data []byte, expiry time.Time) (found bool, err error)
}
