package scimkit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// maxWriteAttempts bounds the retries of a write that lost an optimistic
// version check to a concurrent writer.
const maxWriteAttempts = 8

// errRetry marks a transaction that lost a version check and may be run
// again from the start.
var errRetry = errors.New("scimkit: concurrent update, retry")

// change is one write transaction: the store and the host bound to it, and
// the events to append.
type change struct {
	s    *Server
	ctx  context.Context
	dir  *Directory
	st   Store
	host UserStore // nil when the host gave none
}

// write runs fn in a transaction of the store, with the host's UserStore
// bound to it when it implements TxUserStore. A fn that returns errRetry
// is run again, up to maxWriteAttempts times.
func (s *Server) write(ctx context.Context, dir *Directory, fn func(c *change) error) error {
	var err error
	for range maxWriteAttempts {
		err = s.store.SCIMTx(ctx, func(tx Store, sqlTx *sql.Tx) error {
			c := &change{s: s, ctx: ctx, dir: dir, st: tx, host: s.users}
			if txu, ok := s.users.(TxUserStore); ok && sqlTx != nil {
				c.host = txu.WithTx(sqlTx)
			}
			return fn(c)
		})
		if !errors.Is(err, errRetry) {
			return err
		}
	}
	return newError(http.StatusConflict, "", "the resource is being changed concurrently; retry", err)
}

// hostErr wraps an error of the host's UserStore so that the client gets
// 409 for ErrConflict and 500 otherwise, and nothing else.
func hostErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrConflict) {
		return newError(http.StatusConflict, ScimTypeUniqueness, "the application refused the change: conflict", err)
	}
	return newError(http.StatusInternalServerError, "", "internal server error", errors.Join(errors.New("scimkit: user store: "+op), err))
}

// event appends an event of the change.
func (c *change) event(typ string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return c.st.AppendDirectoryEvent(c.ctx, &Event{
		Type: typ, OrganizationID: c.dir.OrganizationID, DirectoryID: c.dir.ID,
		Data: b, OccurredAt: c.s.now().UTC(),
	})
}

// checkIfMatch compares an If-Match header with the current version
// (RFC 7644 §3.14, RFC 9110 §13.1.1): 412 when none of its tags matches.
func checkIfMatch(r *http.Request, version int64) error {
	h := r.Header.Get("If-Match")
	if h == "" || etagListMatches(h, version) {
		return nil
	}
	return newError(http.StatusPreconditionFailed, "", "the resource has changed (If-Match)", nil)
}

// etagListMatches reports whether a list of entity tags (or "*") names the
// version. Weak and strong forms compare equal (weak comparison).
func etagListMatches(h string, version int64) bool {
	want := strings.TrimPrefix(etag(version), "W/")
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
