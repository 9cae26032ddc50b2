package ssokit

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/oidcrp"
)

// rpConnection converts an OIDC connection for the relying party.
func (s *SSO) rpConnection(conn *Connection) (*oidcrp.Connection, error) {
	if conn.Type != ConnectionOIDC || conn.OIDC == nil {
		return nil, &Error{Code: CodeServerError, Description: "the connection has no OIDC configuration"}
	}
	c := &oidcrp.Connection{
		Issuer:       conn.OIDC.Issuer,
		ClientID:     conn.OIDC.ClientID,
		ClientSecret: conn.OIDC.ClientSecret,
		AuthMethod:   conn.OIDC.TokenAuthMethod,
		Scopes:       conn.OIDC.Scopes,
		RedirectURL:  s.cfg.url(s.cfg.Paths.OIDCRedirect),
		Provider:     conn.Provider,
		ClaimMap:     conn.AttributeMap,
	}
	if err := c.Validate(); err != nil {
		return nil, &Error{Code: CodeServerError, Description: "the connection's OIDC configuration is invalid", Err: err}
	}
	return c, nil
}

// oidcAuthURL returns the authorization request URL for flow f.
//
// /login?prompt=login or force_authn=1 (RequireSSO sends prompt=login when a
// session is older than its MaxAge) asks the provider to authenticate the
// user again, so that the new session's auth_time is fresh instead of the
// provider's old session being reused in a redirect loop. It sends
// prompt=login and max_age=0, which makes auth_time REQUIRED in the ID
// token (OIDC Core §3.1.2.1); the redirect endpoint then requires it to be
// fresh (checkFreshAuth).
func (s *SSO) oidcAuthURL(ctx context.Context, r *http.Request, conn *Connection, f *loginFlow) (string, error) {
	rc, err := s.rpConnection(conn)
	if err != nil {
		return "", err
	}
	req := oidcrp.AuthRequest{State: f.ID, Nonce: f.Nonce, Verifier: f.PKCEVerifier, LoginHint: f.LoginHint}
	if f.ForceAuthn {
		req.Prompt = "login"
		req.MaxAgeZero = true
	}
	u, err := s.rp.AuthCodeURL(ctx, rc, req)
	if err != nil {
		return "", rpError(err)
	}
	return u, nil
}

// rpError converts an oidcrp error.
func rpError(err error) error {
	var e *oidcrp.Error
	if !errors.As(err, &e) {
		return &Error{Code: CodeServerError, Err: err}
	}
	switch e.Kind {
	case oidcrp.KindToken:
		return &Error{Code: CodeTokenInvalid, Reason: e.Reason, Description: "the identity provider's token failed verification", Err: err}
	case oidcrp.KindIDP:
		return &Error{Code: CodeIDPError, Description: "the identity provider failed", IDPError: e.IDPError, IDPErrorDescription: e.Description, Err: err}
	default:
		return &Error{Code: CodeServerError, Description: "the connection's OIDC configuration is invalid", Err: err}
	}
}

// serveOIDCRedirect handles the provider's answer: state (single use),
// browser binding, RFC 9207 iss, error, code exchange, ID token.
func (s *SSO) serveOIDCRedirect(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	q := r.URL.Query()
	ctx := r.Context()
	f, err := s.takeLoginFlow(ctx, q.Get("state"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f.ConnectionType != ConnectionOIDC {
		s.fail(w, r, &Error{Code: CodeInvalidState, Description: "the state names no OIDC login", ConnectionID: f.ConnectionID, OrganizationID: f.OrganizationID})
		return
	}
	fail := func(err error) {
		if e, ok := err.(*Error); ok {
			e.ConnectionID, e.OrganizationID = f.ConnectionID, f.OrganizationID
		}
		s.fail(w, r, err)
	}
	if err := s.checkBinding(r, f.BindingHash); err != nil {
		fail(err)
		return
	}
	conn, err := s.activeConnection(ctx, f.ConnectionID)
	if err != nil {
		fail(err)
		return
	}
	rc, err := s.rpConnection(conn)
	if err != nil {
		fail(err)
		return
	}
	_, issPresent := q["iss"]
	if err := s.rp.CheckISS(ctx, rc, oidcrp.Response{ISS: q.Get("iss"), ISSPresent: issPresent}); err != nil {
		fail(rpError(err))
		return
	}
	if idpErr := q.Get("error"); idpErr != "" {
		code := CodeIDPError
		if idpErr == "access_denied" {
			code = CodeAccessDenied
		}
		fail(&Error{Code: code, Description: "the identity provider returned an error",
			IDPError: truncate(idpErr, 64), IDPErrorDescription: truncate(q.Get("error_description"), 512)})
		return
	}
	res, err := s.rp.Exchange(ctx, rc, q.Get("code"), f.PKCEVerifier, f.Nonce)
	if err != nil {
		fail(rpError(err))
		return
	}
	id := res.Identity
	p := &Profile{
		Subject:       id.Subject,
		Email:         id.Email,
		EmailVerified: id.EmailVerified,
		GivenName:     id.GivenName,
		FamilyName:    id.FamilyName,
		Name:          id.Name,
		Username:      id.Username,
		Groups:        id.Groups,
		GroupsOverage: id.GroupsOverage,
		Raw:           id.Raw,
		AuthTime:      id.AuthTime,
	}
	s.completeLogin(w, r, f, conn, &authResult{Profile: p, IDToken: res.RawIDToken})
}

// activeConnection reads a connection that must still be active.
func (s *SSO) activeConnection(ctx context.Context, id string) (*Connection, error) {
	conn, err := s.cfg.Store.Connection(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Code: CodeConnectionNotFound, Description: "the connection was deleted during the login"}
	}
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "reading the connection failed", Err: err}
	}
	if conn.Status != ConnectionActive {
		return nil, &Error{Code: CodeConnectionInactive, Description: "the connection is not active"}
	}
	return conn, nil
}

// truncate cuts untrusted text to at most n bytes of valid UTF-8.
func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
