package ssokit

import (
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlmeta"
)

// postFormScriptHash is the CSP hash of the one inline script of
// samlmeta's POST-binding page (it submits the form). A test pins it.
const postFormScriptHash = "'sha256-ksB5vsbtOSDHP3+3MQXO5kgqYynnF2d2wynVl+zrIr4='"

// startSAMLLogin sends the browser to conn's IdP with an AuthnRequest whose
// ID is "_" + the flow id: by HTTP-Redirect when the IdP offers it, else by
// an auto-submitting HTTP-POST form. The request is signed (RSA-SHA256)
// when the connection says so, asks for the connection's NameID format,
// and sets ForceAuthn when /login was called with prompt=login or
// force_authn=1 (re-authentication, e.g. after RequireSSO's MaxAge; the
// ACS then requires a fresh AuthnInstant, see checkFreshAuth). No
// RelayState is sent: the ACS finds the flow by InResponseTo.
func (s *SSO) startSAMLLogin(w http.ResponseWriter, r *http.Request, conn *Connection, f *loginFlow) {
	ctx := r.Context()
	idp, e := s.samlIDP(ctx, conn)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	sp := s.SAMLServiceProvider(conn)
	f.SAMLRequestID = "_" + f.ID
	req := &samlmeta.AuthnRequest{
		ID:           f.SAMLRequestID,
		Issuer:       sp.EntityID,
		ACSURL:       sp.ACSURL,
		NameIDFormat: s.nameIDFormat(conn),
		ForceAuthn:   f.ForceAuthn,
		IssueInstant: f.CreatedAt,
	}
	var key *parsedSigningKey
	if conn.SAML.SignRequests {
		var err error
		if key, err = s.samlSigningKey(ctx, conn); err != nil {
			s.fail(w, r, withConn(&Error{Code: CodeServerError, Description: "reading the SAML signing key failed", Err: err}, conn))
			return
		}
	}
	var target string
	var form []byte
	var err error
	binding := "redirect"
	if idp.SSORedirectURL != "" {
		var priv *rsa.PrivateKey
		if key != nil {
			priv = key.priv
		}
		target, err = req.RedirectURL(idp.SSORedirectURL, "", priv)
	} else {
		binding = "post"
		var signer *samlmeta.Key
		if key != nil {
			signer = &samlmeta.Key{PrivateKey: key.priv, Certificate: key.cert}
		}
		target = idp.SSOPostURL
		form, err = req.PostForm(idp.SSOPostURL, "", signer)
	}
	if err != nil {
		s.fail(w, r, misconfigured(conn, "building the AuthnRequest: %w", err))
		return
	}
	if err := s.saveLoginFlow(ctx, w, r, f); err != nil {
		s.fail(w, r, withConn(&Error{Code: CodeServerError, Description: "storing the flow failed", Err: err}, conn))
		return
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "login_started",
		slog.String("connection_id", conn.ID), slog.String("organization_id", conn.OrganizationID),
		slog.String("connection_type", string(conn.Type)), slog.String("saml_binding", binding),
		slog.Bool("force_authn", req.ForceAuthn))
	if form == nil {
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	origin := "'none'"
	if u, err := url.Parse(target); err == nil {
		origin = u.Scheme + "://" + u.Host
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src "+postFormScriptHash+"; form-action "+origin+"; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(form)
}
