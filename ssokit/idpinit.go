package ssokit

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// The idp_initiated_login token turns a verified, unsolicited SAML
// response into an ordinary SP-initiated login (DESIGN.md section 3). The
// ACS mints it with mintIDPInitiatedLogin and redirects to
// /login?idp_initiated_login=…; /login verifies it, burns its jti and
// starts a fresh flow on the connection it names. Nobody is logged in by
// the unsolicited response itself: the login_hint is only a hint, and the
// user must come back from the IdP through the solicited flow.

const (
	typIDPInitiated = "idp-initiated-login+jwt"
	idpInitiatedTTL = 2 * time.Minute
)

type idpInitiatedClaims struct {
	Iss            string `json:"iss"`
	Aud            string `json:"aud"`
	Iat            int64  `json:"iat"`
	Exp            int64  `json:"exp"`
	JTI            string `json:"jti"`
	ConnectionID   string `json:"connection_id"`
	OrganizationID string `json:"organization_id"`
	LoginHint      string `json:"login_hint,omitempty"`
	RelayState     string `json:"relay_state,omitempty"`
}

// mintIDPInitiatedLogin returns the signed idp_initiated_login token for
// conn, valid two minutes and usable once.
func (s *SSO) mintIDPInitiatedLogin(ctx context.Context, conn *Connection, loginHint, relayState string) (string, error) {
	now := s.cfg.Now()
	return s.signJWT(ctx, typIDPInitiated, idpInitiatedClaims{
		Iss: s.cfg.Tokens.Issuer, Aud: s.cfg.url(s.cfg.Paths.Login), Iat: now.Unix(), Exp: now.Add(idpInitiatedTTL).Unix(),
		JTI: randomToken(16), ConnectionID: conn.ID, OrganizationID: conn.OrganizationID,
		LoginHint: truncate(loginHint, 320), RelayState: truncate(relayState, 2048),
	})
}

// verifyIDPInitiatedLogin checks raw and burns its jti.
func (s *SSO) verifyIDPInitiatedLogin(ctx context.Context, raw string) (*idpInitiatedClaims, error) {
	var c idpInitiatedClaims
	if err := s.verifyJWT(ctx, typIDPInitiated, raw, &c); err != nil {
		return nil, err
	}
	bad := func(reason, msg string) error {
		return &Error{Code: CodeTokenInvalid, Reason: reason, Description: msg, ConnectionID: c.ConnectionID}
	}
	now := s.cfg.Now()
	switch {
	case c.Iss != s.cfg.Tokens.Issuer:
		return nil, bad(ReasonBadIssuer, "idp_initiated_login: wrong issuer")
	case c.Aud != s.cfg.url(s.cfg.Paths.Login):
		return nil, bad(ReasonBadAudience, "idp_initiated_login: wrong audience")
	case c.Exp == 0 || !now.Before(time.Unix(c.Exp, 0)):
		return nil, bad(ReasonExpired, "idp_initiated_login has expired")
	case time.Unix(c.Iat, 0).After(now.Add(s.cfg.ClockSkew)):
		return nil, bad(ReasonNotYetValid, "idp_initiated_login: iat in the future")
	case c.JTI == "" || c.ConnectionID == "":
		return nil, bad(ReasonMalformed, "idp_initiated_login: jti or connection_id missing")
	}
	err := s.cfg.Store.Remember(ctx, "idp_initiated_login:"+c.JTI, time.Unix(c.Exp, 0))
	if errors.Is(err, ErrConflict) {
		return nil, bad(ReasonReplayed, "idp_initiated_login was already used")
	}
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "recording the token id failed", Err: err}
	}
	return &c, nil
}

// serveIDPInitiated starts the SP-initiated flow an idp_initiated_login
// token asks for.
func (s *SSO) serveIDPInitiated(w http.ResponseWriter, r *http.Request, raw string) {
	ctx := r.Context()
	c, err := s.verifyIDPInitiatedLogin(ctx, raw)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	conn, err := s.activeConnection(ctx, c.ConnectionID)
	if err == nil && conn.OrganizationID != c.OrganizationID {
		err = &Error{Code: CodeTokenInvalid, Reason: ReasonMalformed, Description: "idp_initiated_login: the connection moved to another organization"}
	}
	if err != nil {
		s.fail(w, r, withConn(err, &Connection{ID: c.ConnectionID, OrganizationID: c.OrganizationID}))
		return
	}
	// RelayState is a return path only if it passes the same check as
	// return_to; anything else (IdPs put arbitrary values there) is
	// dropped, never followed.
	returnTo, err := s.cfg.checkReturnURL(c.RelayState)
	if err != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "relay_state_ignored", slog.String("connection_id", conn.ID))
		returnTo = s.cfg.DefaultReturnPath
	}
	hint := c.LoginHint
	if _, _, ok := splitEmail(hint); !ok {
		hint = ""
	}
	s.startLogin(w, r, conn, returnTo, hint)
}
