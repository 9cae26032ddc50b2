package ssokit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
)

// maxGorillaIDToken is the largest ID token the gorilla adapter keeps in
// the session. Cookie stores hold about 4 KiB in all; a larger token is
// dropped and logout sends client_id instead of id_token_hint.
const maxGorillaIDToken = 1536

// Keys of the session values the gorilla adapter writes. The values are
// strings and int64s only, so no gob registration is needed.
const (
	gsID             = "ssokit.sid"
	gsUserID         = "ssokit.user_id"
	gsOrganizationID = "ssokit.organization_id"
	gsConnectionID   = "ssokit.connection_id"
	gsConnectionType = "ssokit.connection_type"
	gsProvider       = "ssokit.provider"
	gsAuthTime       = "ssokit.auth_time"
	gsExpiresAt      = "ssokit.expires_at"
	gsIDToken        = "ssokit.id_token"
	gsSessionIndex   = "ssokit.session_index"
)

type gorillaBridge struct {
	store sessions.Store
	name  string
}

// NewGorillaSessions returns a [SessionBridge] over any gorilla/sessions
// Store: a CookieStore, a FilesystemStore, or a server-side store such as
// those of the sessionstore packages. name is the session (cookie) name.
//
// At login the adapter discards the pre-login session: with a server-side
// store it deletes the old record (MaxAge -1) and saves the new values
// under a fresh id; with a CookieStore it issues a new cookie holding only
// the login's values. The new session's MaxAge is the time left until
// Session.ExpiresAt; its other Options are the store's. Configure the
// store's Options with HttpOnly, Secure and SameSite Lax (gorilla's
// defaults leave HttpOnly off).
//
// The values are stored under keys prefixed "ssokit."; the host may keep
// its own values in the same session after login.
func NewGorillaSessions(store sessions.Store, name string) (SessionBridge, error) {
	if store == nil {
		return nil, errors.New("ssokit: NewGorillaSessions: store is nil")
	}
	if name == "" {
		return nil, errors.New("ssokit: NewGorillaSessions: name is empty")
	}
	return &gorillaBridge{store: store, name: name}, nil
}

func (g *gorillaBridge) LogIn(w http.ResponseWriter, r *http.Request, s *Session) error {
	old, err := g.store.Get(r, g.name)
	if old == nil {
		// A store that cannot even build a session is unusable.
		return fmt.Errorf("ssokit: gorilla session %q: %w", g.name, err)
	}
	// A decode error means a stale or forged cookie: nothing to carry
	// over, just replace it.
	opts := sessions.Options{Path: "/"}
	if old.Options != nil {
		opts = *old.Options
	}
	if !old.IsNew || old.ID != "" {
		// Delete the pre-login session (server stores remove the record).
		old.Values = map[any]any{}
		old.Options = &sessions.Options{Path: opts.Path, Domain: opts.Domain, MaxAge: -1,
			Secure: opts.Secure, HttpOnly: opts.HttpOnly, SameSite: opts.SameSite, Partitioned: opts.Partitioned}
		if err := g.store.Save(r, w, old); err != nil {
			return fmt.Errorf("ssokit: deleting the pre-login session: %w", err)
		}
		dropSetCookie(w.Header(), g.name)
	}
	ns := sessions.NewSession(g.store, g.name)
	ns.IsNew = true
	ns.Options = &opts
	if !s.ExpiresAt.IsZero() {
		left := int(time.Until(s.ExpiresAt).Seconds())
		if left < 1 {
			left = 1
		}
		ns.Options.MaxAge = left
	}
	ns.Values[gsID] = s.ID
	ns.Values[gsUserID] = s.UserID
	ns.Values[gsOrganizationID] = s.OrganizationID
	ns.Values[gsConnectionID] = s.ConnectionID
	ns.Values[gsConnectionType] = string(s.ConnectionType)
	ns.Values[gsProvider] = s.Provider
	ns.Values[gsAuthTime] = s.AuthTime.Unix()
	ns.Values[gsExpiresAt] = s.ExpiresAt.Unix()
	if len(s.IDToken) <= maxGorillaIDToken {
		ns.Values[gsIDToken] = s.IDToken
	}
	ns.Values[gsSessionIndex] = s.SessionIndex
	if err := g.store.Save(r, w, ns); err != nil {
		return fmt.Errorf("ssokit: saving the session: %w", err)
	}
	return nil
}

// dropSetCookie removes Set-Cookie header lines for cookie name, so that the
// deletion of the pre-login cookie does not sit beside its replacement.
func dropSetCookie(h http.Header, name string) {
	lines := h.Values("Set-Cookie")
	kept := lines[:0:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, name+"=") {
			kept = append(kept, l)
		}
	}
	h.Del("Set-Cookie")
	for _, l := range kept {
		h.Add("Set-Cookie", l)
	}
}

func (g *gorillaBridge) Current(r *http.Request) (*Session, error) {
	gs, err := g.store.Get(r, g.name)
	if err != nil || gs == nil {
		// Undecodable cookie: treat as signed out (and say why).
		if err == nil {
			err = errors.New("no session")
		}
		return nil, fmt.Errorf("%w: %w", ErrNoSession, err)
	}
	str := func(k string) string { v, _ := gs.Values[k].(string); return v }
	unix := func(k string) time.Time {
		v, ok := gs.Values[k].(int64)
		if !ok || v == 0 {
			return time.Time{}
		}
		return time.Unix(v, 0)
	}
	s := &Session{
		ID:             str(gsID),
		UserID:         str(gsUserID),
		OrganizationID: str(gsOrganizationID),
		ConnectionID:   str(gsConnectionID),
		ConnectionType: ConnectionType(str(gsConnectionType)),
		Provider:       str(gsProvider),
		AuthTime:       unix(gsAuthTime),
		ExpiresAt:      unix(gsExpiresAt),
		IDToken:        str(gsIDToken),
		SessionIndex:   str(gsSessionIndex),
	}
	if s.UserID == "" {
		return nil, ErrNoSession
	}
	return s, nil
}

func (g *gorillaBridge) LogOut(w http.ResponseWriter, r *http.Request) error {
	gs, err := g.store.Get(r, g.name)
	if gs == nil {
		return fmt.Errorf("ssokit: gorilla session %q: %w", g.name, err)
	}
	if gs.IsNew && gs.ID == "" && err == nil {
		return nil
	}
	opts := sessions.Options{Path: "/"}
	if gs.Options != nil {
		opts = *gs.Options
	}
	opts.MaxAge = -1
	gs.Options = &opts
	gs.Values = map[any]any{}
	if err := g.store.Save(r, w, gs); err != nil {
		return fmt.Errorf("ssokit: deleting the session: %w", err)
	}
	return nil
}
