package ssokit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Errors wrapped by [RequireSSOError].
var (
	ErrNotSignedIn   = errors.New("ssokit: not signed in")
	ErrNotSSOSession = errors.New("ssokit: signed in, but not through SSO for this organization")
	ErrSessionTooOld = errors.New("ssokit: the SSO sign-in is older than the maximum age")
	// ErrUnknownOrganization: OrganizationFor named an organization the
	// Store does not have (see
	// RequireSSOConfig.InsecurePassUnknownOrganizations).
	ErrUnknownOrganization = errors.New("ssokit: organization unknown to the kit")
)

// RequireSSOError is what [RequireSSO.Check] returns when a request must
// sign in through SSO first. It wraps ErrNotSignedIn, ErrNotSSOSession or
// ErrSessionTooOld, or ErrUnknownOrganization when the organization is not
// in the Store.
type RequireSSOError struct {
	OrganizationID string
	Err            error
}

// Error names the organization and why its requirement was not met.
func (e *RequireSSOError) Error() string {
	return fmt.Sprintf("ssokit: organization %s requires SSO: %s", e.OrganizationID, e.Err)
}

// Unwrap returns the reason.
func (e *RequireSSOError) Unwrap() error { return e.Err }

// RequireSSOConfig configures a [RequireSSO].
type RequireSSOConfig struct {
	// OrganizationFor returns the organization a request belongs to (from
	// the URL, a subdomain, the host's session). "" means none: the request
	// passes. Required.
	OrganizationFor func(r *http.Request) (orgID string, err error)
	// MaxAge is the longest time since the user authenticated at the
	// identity provider (Session.AuthTime) before they must sign in
	// again; the default deny then adds prompt=login, which makes the
	// identity provider authenticate the user afresh (OIDC prompt=login
	// and max_age=0, SAML ForceAuthn); an answer whose authentication
	// instant predates the new login is refused
	// (ReasonStaleAuthentication). Zero means no limit beyond
	// Session.ExpiresAt.
	MaxAge time.Duration
	// BreakGlassUserIDs are users who pass without SSO (the administrator
	// who fixes a broken IdP configuration). Keep the list short.
	BreakGlassUserIDs []string
	// BreakGlass, when set, is asked as well: true lets a signed-in,
	// non-SSO session through.
	BreakGlass func(r *http.Request, s *Session) bool
	// Deny handles refused requests. Nil means: GET and HEAD are
	// redirected to the kit's login with organization_id and return_to
	// (the requested path); other methods get 401 (not signed in) or 403.
	// Unknown organizations (ErrUnknownOrganization) get 404 instead: no
	// login can help there. The refusal is available to Deny through
	// [RequireSSOErrorFrom].
	Deny http.Handler
	// InsecurePassUnknownOrganizations lets requests through when
	// OrganizationFor names an organization the Store does not have.
	// Default off: such requests are refused with ErrUnknownOrganization,
	// because an id that does not match the Store's (a slug instead of the
	// id, another case) would otherwise silently switch enforcement off.
	// Turn it on only when the host has organizations that are never
	// created in the kit's Store and never enforce SSO.
	InsecurePassUnknownOrganizations bool
}

// RequireSSO is middleware for organizations that enforce SSO
// (Organization.SSOEnforced): a request passes when its session came
// through an SSO connection of that organization within MaxAge, when the
// user is on the break-glass list, or when the organization does not
// enforce SSO. It is shaped like net/http's CrossOriginProtection: a pure
// [RequireSSO.Check] and a [RequireSSO.Handler] wrapper. It is safe for
// concurrent use.
type RequireSSO struct {
	sso *SSO
	cfg RequireSSOConfig
}

// NewRequireSSO returns a RequireSSO for cfg.
func (s *SSO) NewRequireSSO(cfg RequireSSOConfig) (*RequireSSO, error) {
	if cfg.OrganizationFor == nil {
		return nil, errors.New("ssokit: RequireSSOConfig.OrganizationFor is required")
	}
	if cfg.MaxAge < 0 {
		return nil, errors.New("ssokit: RequireSSOConfig.MaxAge must not be negative")
	}
	cfg.BreakGlassUserIDs = slices.Clone(cfg.BreakGlassUserIDs)
	return &RequireSSO{sso: s, cfg: cfg}, nil
}

// Check decides whether r may proceed. It returns the verified session (nil
// when none was needed and none exists) and nil, or a *[RequireSSOError]
// when the user must sign in through SSO, or another error when the
// organization or the session could not be read.
func (q *RequireSSO) Check(r *http.Request) (*Session, error) {
	orgID, err := q.cfg.OrganizationFor(r)
	if err != nil {
		return nil, fmt.Errorf("ssokit: resolving the organization: %w", err)
	}
	sess, serr := q.sso.cfg.Sessions.Current(r)
	if serr != nil && !errors.Is(serr, ErrNoSession) {
		return nil, fmt.Errorf("ssokit: reading the session: %w", serr)
	}
	if orgID == "" {
		return sess, nil
	}
	deny := func(e error) (*Session, error) { return nil, &RequireSSOError{OrganizationID: orgID, Err: e} }
	org, err := q.sso.cfg.Store.Organization(r.Context(), orgID)
	if errors.Is(err, ErrNotFound) {
		if q.cfg.InsecurePassUnknownOrganizations {
			return sess, nil
		}
		return deny(ErrUnknownOrganization) // fail closed: a mismatched id must not turn enforcement off
	}
	if err != nil {
		return nil, fmt.Errorf("ssokit: reading organization %s: %w", orgID, err)
	}
	if !org.SSOEnforced {
		return sess, nil
	}
	if sess == nil {
		return deny(ErrNotSignedIn)
	}
	if slices.Contains(q.cfg.BreakGlassUserIDs, sess.UserID) || (q.cfg.BreakGlass != nil && q.cfg.BreakGlass(r, sess)) {
		return sess, nil
	}
	if sess.ConnectionID == "" || sess.OrganizationID != orgID {
		return deny(ErrNotSSOSession)
	}
	now := q.sso.cfg.Now()
	if (!sess.ExpiresAt.IsZero() && !now.Before(sess.ExpiresAt)) ||
		(q.cfg.MaxAge > 0 && now.Sub(sess.AuthTime) > q.cfg.MaxAge) {
		return deny(ErrSessionTooOld)
	}
	return sess, nil
}

type requireErrKey struct{}

// RequireSSOErrorFrom returns the refusal a Deny handler is called for.
func RequireSSOErrorFrom(ctx context.Context) (*RequireSSOError, bool) {
	e, ok := ctx.Value(requireErrKey{}).(*RequireSSOError)
	return e, ok
}

// Handler returns next wrapped: passing requests carry their session (see
// [SessionFrom]); refused ones go to Deny. Errors reading the organization
// or the session are 500s through Config.ErrorHandler.
func (q *RequireSSO) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := q.Check(r)
		var re *RequireSSOError
		switch {
		case err == nil:
			if sess != nil {
				r = r.WithContext(withSession(r.Context(), sess))
			}
			next.ServeHTTP(w, r)
		case errors.As(err, &re):
			r = r.WithContext(context.WithValue(r.Context(), requireErrKey{}, re))
			if q.cfg.Deny != nil {
				q.cfg.Deny.ServeHTTP(w, r)
				return
			}
			q.defaultDeny(w, r, re)
		default:
			q.sso.fail(w, r, &Error{Code: CodeServerError, Description: "RequireSSO could not decide", Err: err})
		}
	})
}

func (q *RequireSSO) defaultDeny(w http.ResponseWriter, r *http.Request, re *RequireSSOError) {
	if errors.Is(re, ErrUnknownOrganization) {
		http.Error(w, http.StatusText(http.StatusNotFound), http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		status := http.StatusForbidden
		if errors.Is(re, ErrNotSignedIn) {
			status = http.StatusUnauthorized
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	v := url.Values{"organization_id": {re.OrganizationID}}
	if errors.Is(re, ErrSessionTooOld) {
		v.Set("prompt", "login") // re-authenticate at the IdP, or its old session comes straight back
	}
	if rt := r.URL.RequestURI(); isRelativeReturnPath(rt) {
		v.Set("return_to", rt)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, q.sso.cfg.url(q.sso.cfg.Paths.Login)+"?"+v.Encode(), http.StatusSeeOther)
}
