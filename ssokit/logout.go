package ssokit

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
)

// serveLogout ends the session through the bridge. For a session that came
// through an OIDC connection whose provider advertises an
// end_session_endpoint, it continues with OpenID RP-Initiated Logout
// (id_token_hint, or client_id when the token was not kept, and
// post_logout_redirect_uri = the absolute return URL, which must be
// registered at the provider); otherwise it redirects to return_to.
func (s *SSO) serveLogout(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, &Error{Code: CodeInvalidRequest, Description: "unreadable form", Err: err})
		return
	}
	returnTo, err := s.cfg.checkReturnURL(r.Form.Get("return_to"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	sess, err := s.cfg.Sessions.Current(r)
	if err != nil && !errors.Is(err, ErrNoSession) {
		s.fail(w, r, &Error{Code: CodeServerError, Description: "reading the session failed", Err: err})
		return
	}
	if err := s.cfg.Sessions.LogOut(w, r); err != nil {
		s.fail(w, r, &Error{Code: CodeServerError, Description: "ending the session failed", Err: err})
		return
	}
	target := returnTo
	if sess != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "logout",
			slog.String("connection_id", sess.ConnectionID), slog.String("organization_id", sess.OrganizationID))
		if end := s.endSessionURL(r, sess, returnTo); end != "" {
			target = end
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// endSessionURL returns the provider's logout URL for sess, or "" when
// there is none or it cannot be had right now (the local logout has
// happened either way).
func (s *SSO) endSessionURL(r *http.Request, sess *Session, returnTo string) string {
	if sess.ConnectionType != ConnectionOIDC || sess.ConnectionID == "" {
		return ""
	}
	ctx := r.Context()
	conn, err := s.cfg.Store.Connection(ctx, sess.ConnectionID)
	if err != nil || conn.Type != ConnectionOIDC || conn.OIDC == nil {
		return ""
	}
	end, err := s.rp.EndSessionEndpoint(ctx, conn.OIDC.Issuer)
	if err != nil || end == "" {
		return ""
	}
	u, err := url.Parse(end)
	if err != nil || u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return ""
	}
	back, _ := url.Parse(returnTo)
	q := u.Query()
	if sess.IDToken != "" {
		q.Set("id_token_hint", sess.IDToken)
	} else {
		q.Set("client_id", conn.OIDC.ClientID)
	}
	q.Set("post_logout_redirect_uri", s.cfg.base.ResolveReference(back).String())
	u.RawQuery = q.Encode()
	return u.String()
}
