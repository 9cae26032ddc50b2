package ssokit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// completeLogin is the protocol-neutral end of the identity provider's leg
// of a login, shared by OIDC and SAML. The protocol engine has consumed
// flow f (takeLoginFlow) and verified everything it received; res.Profile
// holds the identity with Subject, the claims and AuthTime filled.
// issueCode does the rest with the configured Store, and the browser is
// sent with the one-time code to /auth/callback (303 redirect), where the
// browser binding is checked (the Lax cookie is always present there).
func (s *SSO) completeLogin(w http.ResponseWriter, r *http.Request, f *loginFlow, conn *Connection, res *authResult) {
	code, e := s.issueCode(r.Context(), s.cfg.Store, f, conn, res)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	s.redirectToCallback(w, r, code)
}

// issueCode turns the verified answer to flow f into a one-time code
// stored through st: a flow that required fresh authentication is refused
// when AuthTime is missing or stale (checkFreshAuth), the profile gets its
// kit fields, and the email is checked against the organization's domains.
// Refusals name conn and its organization.
func (s *SSO) issueCode(ctx context.Context, st Store, f *loginFlow, conn *Connection, res *authResult) (string, *Error) {
	fail := func(err *Error) (string, *Error) {
		err.ConnectionID, err.OrganizationID = conn.ID, conn.OrganizationID
		return "", err
	}
	p := res.Profile
	p.ConnectionID = conn.ID
	p.OrganizationID = conn.OrganizationID
	p.ConnectionType = conn.Type
	p.Provider = conn.Provider
	p.ID = conn.ID + ";" + p.Subject
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	if err := s.checkFreshAuth(f, p.AuthTime); err != nil {
		return fail(err)
	}
	if p.AuthTime.IsZero() {
		p.AuthTime = s.cfg.Now()
	}
	if p.Username == "" {
		p.Username = p.Email
	}
	if p.Subject == "" {
		return fail(&Error{Code: CodeTokenInvalid, Reason: ReasonMissingSub, Description: "the identity provider sent no subject"})
	}
	if err := s.checkEmailDomain(ctx, st, conn, p); err != nil {
		return fail(err)
	}
	now := s.cfg.Now()
	rec := codeRecord{
		BindingHash:  f.BindingHash,
		ReturnTo:     f.ReturnTo,
		Profile:      p,
		IDToken:      res.IDToken,
		SessionIdx:   res.SessionIndex,
		NotOnOrAfter: res.NotOnOrAfter,
		Deadline:     now.Add(s.cfg.CodeTTL),
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fail(&Error{Code: CodeServerError, Description: "encoding the login failed", Err: err})
	}
	code := randomToken(32)
	if err := st.PutFlow(ctx, &Flow{ID: code, Kind: flowKindCode, Data: data, ExpiresAt: rec.Deadline}); err != nil {
		return fail(&Error{Code: CodeServerError, Description: "storing the login code failed", Err: err})
	}
	return code, nil
}

// redirectToCallback sends the browser with a one-time code to
// /auth/callback.
func (s *SSO) redirectToCallback(w http.ResponseWriter, r *http.Request, code string) {
	target := s.cfg.url(s.cfg.Paths.Callback) + "?" + url.Values{"code": {code}}.Encode()
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// checkEmailDomain requires the profile's email to be in one of the
// organization's domains, and sets EmailDomainVerified. Google
// connections also require the hd claim to be a verified domain of the
// organization: anybody can add a pending domain, and any Workspace
// customer can assert it as hd.
func (s *SSO) checkEmailDomain(ctx context.Context, store Store, conn *Connection, p *Profile) *Error {
	domains, err := store.Domains(ctx, conn.OrganizationID)
	if err != nil {
		return &Error{Code: CodeServerError, Description: "listing the organization's domains failed", Err: err}
	}
	state := func(name string) (DomainState, bool) {
		for _, d := range domains {
			if strings.EqualFold(d.Name, name) {
				return d.State, true
			}
		}
		return "", false
	}
	if conn.Type == ConnectionOIDC && conn.Provider == "google" {
		hd, _ := p.Raw["hd"].(string)
		if st, ok := state(hd); !ok || hd == "" || st != DomainVerified {
			return &Error{Code: CodeTokenInvalid, Reason: ReasonBadHostedDomain, Description: "the Google account is not in a verified Workspace domain of the organization"}
		}
	}
	if p.Email == "" {
		return &Error{Code: CodeEmailMissing, Description: "the identity provider sent no email address"}
	}
	_, domain, ok := splitEmail(p.Email)
	if !ok {
		return &Error{Code: CodeEmailMissing, Description: "the identity provider sent an invalid email address"}
	}
	st, ok := state(domain)
	p.EmailDomainVerified = ok && st == DomainVerified
	if !ok && !s.cfg.InsecureAllowAnyEmailDomain {
		return &Error{Code: CodeEmailOutsideDomains, Description: "the email's domain is not a domain of the organization"}
	}
	return nil
}

// serveCallback redeems the one-time code: binding, UserStore, session,
// redirect.
func (s *SSO) serveCallback(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	ctx := r.Context()
	rec, err := s.takeCode(ctx, r.URL.Query().Get("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := rec.Profile
	fail := func(err *Error) {
		err.ConnectionID, err.OrganizationID = p.ConnectionID, p.OrganizationID
		s.fail(w, r, err)
	}
	if err := s.checkBinding(r, rec.BindingHash); err != nil {
		fail(err.(*Error))
		return
	}
	userID, err := s.cfg.Users.UpsertSSOUser(ctx, p)
	if err != nil {
		if errors.Is(err, ErrUserDenied) {
			fail(&Error{Code: CodeAccessDenied, Description: "the application refused the user", Err: err})
		} else {
			fail(&Error{Code: CodeServerError, Description: "the user store failed", Err: err})
		}
		return
	}
	if userID == "" {
		fail(&Error{Code: CodeServerError, Description: "the user store returned no user id"})
		return
	}
	now := s.cfg.Now()
	expires := now.Add(s.cfg.SessionLifetime)
	if !rec.NotOnOrAfter.IsZero() && rec.NotOnOrAfter.Before(expires) {
		expires = rec.NotOnOrAfter
	}
	sess := &Session{
		ID:             randomToken(16),
		UserID:         userID,
		OrganizationID: p.OrganizationID,
		ConnectionID:   p.ConnectionID,
		ConnectionType: p.ConnectionType,
		Provider:       p.Provider,
		AuthTime:       p.AuthTime,
		ExpiresAt:      expires,
		IDToken:        rec.IDToken,
		SessionIndex:   rec.SessionIdx,
	}
	if err := s.cfg.Sessions.LogIn(w, r, sess); err != nil {
		fail(&Error{Code: CodeServerError, Description: "the session bridge failed", Err: err})
		return
	}
	s.clearBinding(w)
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "login_succeeded",
		slog.String("connection_id", p.ConnectionID), slog.String("organization_id", p.OrganizationID),
		slog.String("user_id", userID), slog.Duration("auth_age", now.Sub(p.AuthTime).Round(time.Second)))
	http.Redirect(w, r, rec.ReturnTo, http.StatusSeeOther)
}
