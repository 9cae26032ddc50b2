package ssokit

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/oidcrp"
)

// SSO serves single sign-on for every organization and connection in its
// Store. Build one with [New]; it is safe for concurrent use.
type SSO struct {
	cfg    *config
	rp     *oidcrp.Client
	cop    *http.CrossOriginProtection
	keysMu sync.Mutex // serializes creation of token signing keys
}

// New validates cfg and returns an SSO. It does no network I/O: identity
// providers are contacted on first use, so one that is down at start does
// not stop the application.
func New(cfg Config) (*SSO, error) {
	if f, ok := cfg.Sessions.(SessionFuncs); ok && (f.LogInFunc == nil || f.CurrentFunc == nil || f.LogOutFunc == nil) {
		return nil, errors.New("ssokit: Config.Sessions: SessionFuncs needs LogInFunc, CurrentFunc and LogOutFunc")
	}
	c, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	c.AllowedReturnURLs = append([]string(nil), c.AllowedReturnURLs...)
	rp, err := oidcrp.New(c.HTTPClient, c.Now, oidcrp.Options{AllowPrivateAddresses: c.InsecureAllowPrivateIdPAddresses})
	if err != nil {
		return nil, fmt.Errorf("ssokit: Config.HTTPClient: %w", err)
	}
	s := &SSO{
		cfg: c,
		rp:  rp,
		cop: http.NewCrossOriginProtection(),
	}
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &Error{Code: CodeInvalidRequest, Description: "cross-origin form post refused"})
	}))
	return s, nil
}

// Handler routes every endpoint of the kit under [Config.Paths]:
//
//	GET, POST Paths.Login         LoginHandler
//	GET       Paths.OIDCRedirect  OIDCRedirectHandler
//	GET       Paths.Callback      CallbackHandler
//	POST      Paths.Logout        LogoutHandler
//	GET       Paths.JWKS          JWKSHandler
//
// The paths are relative: mount the handler with http.StripPrefix at the
// path of Config.BaseURL.
func (s *SSO) Handler() http.Handler {
	mux := http.NewServeMux()
	p := s.cfg.Paths
	mux.Handle("GET "+p.Login, s.LoginHandler())
	mux.Handle("POST "+p.Login, s.LoginHandler())
	mux.Handle("GET "+p.OIDCRedirect, s.OIDCRedirectHandler())
	mux.Handle("GET "+p.Callback, s.CallbackHandler())
	mux.Handle("POST "+p.Logout, s.LogoutHandler())
	mux.Handle("GET "+p.JWKS, s.JWKSHandler())
	s.registerSAMLRoutes(mux)
	return mux
}

// LoginHandler starts a login: it routes the request to a connection
// (connection_id, organization_id, domain_hint, login_hint, in that order
// of precedence), records the flow and redirects to the identity provider.
// Without any hint, GET shows an email-first page whose POST routes by the
// email's domain. return_to names where to land afterwards. A GET from
// another site (Sec-Fetch-Site: cross-site) in a browser that already has a
// session shows a "Continue to sign in with …" page whose POST (refused
// cross-origin) continues, so another site cannot replace the session with
// a login of its choosing; idp_initiated_login is exempt.
func (s *SSO) LoginHandler() http.Handler { return http.HandlerFunc(s.serveLogin) }

// OIDCRedirectHandler is the redirect URI of OIDC connections
// (Config.BaseURL + Paths.OIDCRedirect): it verifies the provider's answer
// and hands over to the CallbackHandler with a one-time code.
func (s *SSO) OIDCRedirectHandler() http.Handler { return http.HandlerFunc(s.serveOIDCRedirect) }

// CallbackHandler redeems the one-time code, writes the user through
// [UserStore], logs in through the [SessionBridge] and redirects to the
// login's return path.
func (s *SSO) CallbackHandler() http.Handler { return http.HandlerFunc(s.serveCallback) }

// LogoutHandler (POST, cross-origin protected) ends the session and, for
// OIDC sessions whose provider has an end_session_endpoint, continues to it.
func (s *SSO) LogoutHandler() http.Handler { return s.cop.Handler(http.HandlerFunc(s.serveLogout)) }

// noStore marks a response as neither cacheable nor a referrer source: the
// URLs of these responses carry codes and state.
func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
}
