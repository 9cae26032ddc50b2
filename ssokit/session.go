package ssokit

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// ErrNoSession is what [SessionBridge.Current] returns when nobody is
// signed in.
var ErrNoSession = errors.New("ssokit: no session")

// Session is what the kit hands the host's session at login and reads back
// from it.
type Session struct {
	// ID is a random id of this login, the sid claim of kit-issued tokens.
	ID             string
	UserID         string // the id UserStore returned
	OrganizationID string
	ConnectionID   string // empty for sessions that did not come through SSO
	ConnectionType ConnectionType
	Provider       string
	AuthTime       time.Time // when the user authenticated at the IdP
	// ExpiresAt is when the session must end: login time +
	// Config.SessionLifetime, capped by the IdP (SAML SessionNotOnOrAfter).
	ExpiresAt time.Time
	// IDToken is the OIDC connection's ID token, sent as id_token_hint at
	// logout. It can be several KiB; a bridge that cannot keep it may drop
	// it, and logout then sends client_id instead.
	IDToken string
	// SessionIndex is the SAML SessionIndex, for single logout.
	SessionIndex string
}

// SessionBridge connects the kit to the host's session. The kit never owns
// the session; it asks the host to create, read and end it.
type SessionBridge interface {
	// LogIn makes s the signed-in session of this browser. It must renew
	// the session id (or, for cookie sessions, drop every pre-login value
	// and issue a new cookie) before storing s: a session id planted
	// before login must not become an authenticated one (fixation).
	LogIn(w http.ResponseWriter, r *http.Request, s *Session) error
	// Current returns the session of r, or an error wrapping ErrNoSession
	// when nobody is signed in.
	Current(r *http.Request) (*Session, error)
	// LogOut ends the session of r; with no session it is a no-op and
	// returns nil.
	LogOut(w http.ResponseWriter, r *http.Request) error
}

// SessionFuncs adapts three plain functions to [SessionBridge], for hosts
// whose session library is neither gorilla/sessions nor anything the kit
// knows. Each function must honour the contract of the matching
// SessionBridge method. All three are required.
type SessionFuncs struct {
	LogInFunc   func(w http.ResponseWriter, r *http.Request, s *Session) error
	CurrentFunc func(r *http.Request) (*Session, error)
	LogOutFunc  func(w http.ResponseWriter, r *http.Request) error
}

// LogIn calls LogInFunc.
func (f SessionFuncs) LogIn(w http.ResponseWriter, r *http.Request, s *Session) error {
	return f.LogInFunc(w, r, s)
}

// Current calls CurrentFunc.
func (f SessionFuncs) Current(r *http.Request) (*Session, error) { return f.CurrentFunc(r) }

// LogOut calls LogOutFunc.
func (f SessionFuncs) LogOut(w http.ResponseWriter, r *http.Request) error { return f.LogOutFunc(w, r) }

type sessionKey struct{}

// SessionFrom returns the session that [RequireSSO] verified for this
// request, if any.
func SessionFrom(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(*Session)
	return s, ok && s != nil
}

func withSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}
