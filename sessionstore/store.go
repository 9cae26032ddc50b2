package sessionstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// Store is a gorilla/sessions [sessions.Store] whose cookie carries only a
// signed random session id; the session's Values live in a [Backend].
//
// A Store is safe for concurrent use. It does not log.
type Store struct {
	backend    Backend
	updater    Updater // backend as an Updater, or nil
	codecs     []securecookie.Codec
	opts       sessions.Options
	serializer Serializer
	now        func() time.Time
}

var _ sessions.Store = (*Store)(nil)

// New validates cfg and returns a Store. It does no I/O.
func New(cfg Config) (*Store, error) {
	return cfg.build()
}

// Get returns the session name of r, cached in the request's
// [sessions.Registry] so that later calls in the same request share it.
// See [Store.New] for what it returns.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session name of r without caching it. It never returns a
// nil session.
//
// When r has a valid cookie whose id has a live record in the backend, the
// session has that ID and the record's Values, and IsNew is false.
// Otherwise the session is new: IsNew true, ID "" and no Values; a client
// never chooses a session id (fixation), Save picks a fresh one. The error
// is nil when there was no cookie or its record is gone (expired or
// revoked); it wraps [ErrInvalidCookie] when the cookie does not decode,
// and the backend's or serializer's error when the record could not be
// read.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.opts
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var id string
	if err := securecookie.DecodeMulti(name, c.Value, &id, s.codecs...); err != nil {
		return sess, fmt.Errorf("%w: %w", ErrInvalidCookie, err)
	}
	if !validID(id) {
		return sess, fmt.Errorf("%w: malformed session id", ErrInvalidCookie)
	}
	data, found, err := s.backend.Find(r.Context(), id)
	if err != nil {
		return sess, fmt.Errorf("sessionstore: find session: %w", err)
	}
	if !found {
		return sess, nil
	}
	values, err := s.serializer.Deserialize(data)
	if err != nil {
		return sess, fmt.Errorf("sessionstore: load session: %w", err)
	}
	sess.ID = id
	sess.Values = values
	sess.IsNew = false
	return sess, nil
}

// Save writes sess to the backend and its cookie to w. The backend calls
// use r's context.
//
//   - Options.MaxAge < 0: the record is deleted (when sess has an ID), the
//     cookie is expired, and sess.ID is cleared. This is logout: replaying
//     the old cookie finds nothing.
//   - sess.ID == "" (a new session, or one whose id was renewed by
//     clearing it): a fresh random id is generated and the record created.
//   - a session loaded from the backend is replaced only while its record
//     is live: if it was revoked or expired meanwhile, Save writes nothing
//     (no record, no cookie) and returns [ErrSessionGone] (with a backend
//     that implements [Updater]).
//
// The record expires Options.MaxAge seconds from now, or after the Store's
// default MaxAge when the session's is 0 (a browser-session cookie).
// Cookie names with the __Host- or __Secure- prefix must have the options
// browsers demand of them, or Save fails.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess == nil {
		return errors.New("sessionstore: Save: session is nil")
	}
	ctx := context.Background()
	if r != nil {
		ctx = r.Context()
	}
	name := sess.Name()
	opts := s.opts
	if sess.Options != nil {
		opts = *sess.Options
	}
	if err := checkPrefix(name, &opts); err != nil {
		return err
	}
	if opts.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.backend.Delete(ctx, sess.ID); err != nil {
				return fmt.Errorf("sessionstore: delete session: %w", err)
			}
		}
		sess.ID = ""
		sess.IsNew = true
		http.SetCookie(w, sessions.NewCookie(name, "", &opts))
		return nil
	}
	data, err := s.serializer.Serialize(sess.Values)
	if err != nil {
		return fmt.Errorf("sessionstore: save session: %w", err)
	}
	lifetime := opts.MaxAge
	if lifetime == 0 {
		lifetime = s.opts.MaxAge
	}
	expiry := s.now().Add(time.Duration(lifetime) * time.Second)
	id := sess.ID
	if id == "" {
		id = newID()
	}
	// Sign the cookie first, so that a codec error leaves no record behind.
	encoded, err := securecookie.EncodeMulti(name, id, s.codecs...)
	if err != nil {
		return fmt.Errorf("sessionstore: encode session cookie: %w", err)
	}
	switch {
	case sess.ID == "":
		if err := s.backend.Commit(ctx, id, data, expiry); err != nil {
			return fmt.Errorf("sessionstore: create session: %w", err)
		}
		sess.ID = id
	case !sess.IsNew && s.updater != nil:
		found, err := s.updater.Update(ctx, sess.ID, data, expiry)
		if err != nil {
			return fmt.Errorf("sessionstore: update session: %w", err)
		}
		if !found {
			// No Set-Cookie: the browser's cookie finds nothing anyway, and
			// it may already be a newer one (a login in another tab renewed
			// the id) that an expiring cookie would clobber.
			sess.ID = ""
			sess.IsNew = true
			return ErrSessionGone
		}
	default:
		if err := s.backend.Commit(ctx, sess.ID, data, expiry); err != nil {
			return fmt.Errorf("sessionstore: save session: %w", err)
		}
	}
	http.SetCookie(w, sessions.NewCookie(name, encoded, &opts))
	return nil
}

// Renew gives sess a fresh id and saves it with its Values, then deletes the
// record of its old id, so that the old cookie no longer finds anything.
// Call it when the session's privilege changes, at login above all: an id
// planted before login must not become an authenticated one (fixation).
func (s *Store) Renew(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess == nil {
		return errors.New("sessionstore: Renew: session is nil")
	}
	old := sess.ID
	sess.ID = ""
	sess.IsNew = true
	if err := s.Save(r, w, sess); err != nil {
		return err
	}
	if old != "" {
		ctx := context.Background()
		if r != nil {
			ctx = r.Context()
		}
		if err := s.backend.Delete(ctx, old); err != nil {
			return fmt.Errorf("sessionstore: renew session: delete the old record: %w", err)
		}
	}
	return nil
}

// Revoke deletes the record of session id, ending that session wherever its
// cookie is: the next request with it gets a new, empty session. Revoking
// an id that has no record is a no-op.
func (s *Store) Revoke(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("sessionstore: Revoke: id is empty")
	}
	if err := s.backend.Delete(ctx, id); err != nil {
		return fmt.Errorf("sessionstore: revoke session: %w", err)
	}
	return nil
}

// checkPrefix enforces the cookie name prefixes browsers enforce (RFC 6265bis
// 4.1.3), so that a misconfiguration fails at Save instead of as a cookie the
// browser silently drops.
func checkPrefix(name string, o *sessions.Options) error {
	switch {
	case strings.HasPrefix(name, "__Host-"):
		if !o.Secure || o.Path != "/" || o.Domain != "" {
			return fmt.Errorf("sessionstore: cookie %q: a __Host- cookie needs Secure, Path \"/\" and no Domain", name)
		}
	case strings.HasPrefix(name, "__Secure-"):
		if !o.Secure {
			return fmt.Errorf("sessionstore: cookie %q: a __Secure- cookie needs Secure", name)
		}
	}
	return nil
}
