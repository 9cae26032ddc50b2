package ssokit

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Backoff of the on-use metadata fetch after failures: 1s, 2s, 4s, … up to
// 5 minutes, per connection and metadata URL.
const (
	minMetadataRetry = time.Second
	maxMetadataRetry = 5 * time.Minute
)

// metadataFetch is the fetch state of one connection's metadata URL: the
// last failure and when the next on-use fetch may run. /login and the ACS
// are unauthenticated, so without it every request for a connection whose
// metadata never arrived would make the server fetch (up to 10 s) again.
type metadataFetch struct {
	fetchMu sync.Mutex // serializes on-use fetches of the connection

	// Guarded by samlRuntime.mu.
	url      string
	err      error
	failures int
	retryAt  time.Time
}

// metadataFetchState returns the fetch state of connection id.
func (rt *samlRuntime) metadataFetchState(id string) *metadataFetch {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	f := rt.fetches[id]
	if f == nil {
		f = &metadataFetch{}
		rt.fetches[id] = f
	}
	return f
}

// recordMetadataFetch remembers the outcome of fetching rawURL for
// connection id: a success forgets earlier failures, a failure pushes the
// next on-use fetch back.
func (s *SSO) recordMetadataFetch(id, rawURL string, err error) {
	rt := s.cfg.saml
	rt.mu.Lock()
	defer rt.mu.Unlock()
	f := rt.fetches[id]
	if err == nil {
		// Reset rather than delete: a request waiting on fetchMu holds
		// this entry and must not read a stale failure.
		if f != nil {
			f.err, f.failures, f.retryAt = nil, 0, time.Time{}
		}
		return
	}
	if f == nil {
		f = &metadataFetch{}
		rt.fetches[id] = f
	}
	if f.url != rawURL {
		f.url, f.failures = rawURL, 0
	}
	f.err = err
	f.failures++
	f.retryAt = s.cfg.Now().Add(min(minMetadataRetry<<min(f.failures-1, 16), maxMetadataRetry))
}

// fetchMetadataOnUse fetches the metadata of conn, which has a MetadataURL
// but no document yet, for a login or an ACS post. One fetch runs at a time
// per connection; requests that waited use the document the first one
// stored; after a failure, requests get the remembered error without a
// fetch until the backoff has passed. [SSO.RefreshSAMLMetadata] ignores the
// backoff (and resets it on success).
func (s *SSO) fetchMetadataOnUse(ctx context.Context, conn *Connection) error {
	f := s.cfg.saml.metadataFetchState(conn.ID)
	f.fetchMu.Lock()
	defer f.fetchMu.Unlock()
	rawURL := conn.SAML.MetadataURL
	rt := s.cfg.saml
	rt.mu.Lock()
	last, failures, retryAt := f.err, f.failures, f.retryAt
	if f.url != rawURL {
		last = nil
	}
	rt.mu.Unlock()
	if last != nil && s.cfg.Now().Before(retryAt) {
		return fmt.Errorf("ssokit: connection %s: fetching metadata failed %d times, next try after %s: %w",
			conn.ID, failures, retryAt.UTC().Format(time.RFC3339), last)
	}
	// A request that waited for another's fetch finds its document stored.
	if fresh, err := s.cfg.Store.Connection(ctx, conn.ID); err == nil && fresh.SAML != nil &&
		fresh.SAML.MetadataURL == rawURL && fresh.SAML.MetadataXML != "" {
		*conn = *fresh
		return nil
	}
	return s.refreshConnection(ctx, conn)
}
