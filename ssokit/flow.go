package ssokit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Kinds of flow records.
const (
	flowKindLogin = "login" // between /login and the IdP's answer
	flowKindCode  = "code"  // between the IdP's answer and /auth/callback
)

// loginFlow is the state of one login between /login and the identity
// provider's answer, stored as a [Flow] under its ID (the OIDC state; the
// SAML AuthnRequest ID is "_" + ID).
type loginFlow struct {
	ID             string         `json:"-"`
	ConnectionID   string         `json:"connection_id"`
	OrganizationID string         `json:"organization_id"`
	ConnectionType ConnectionType `json:"connection_type"`
	ReturnTo       string         `json:"return_to"` // validated at /login
	LoginHint      string         `json:"login_hint,omitempty"`
	PKCEVerifier   string         `json:"pkce_verifier,omitempty"` // OIDC
	Nonce          string         `json:"nonce,omitempty"`         // OIDC
	BindingHash    []byte         `json:"binding_hash"`            // SHA-256 of the binding cookie
	SAMLRequestID  string         `json:"saml_request_id,omitempty"`
	// ForceAuthn records that /login asked the IdP to authenticate the
	// user afresh (prompt=login or force_authn=1): the answer must then
	// carry an authentication instant no earlier than CreatedAt minus
	// Config.ClockSkew (checkFreshAuth).
	ForceAuthn bool      `json:"force_authn,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	Deadline   time.Time `json:"deadline"` // CreatedAt + FlowTTL
}

// codeRecord is what a one-time code redeems at /auth/callback.
type codeRecord struct {
	BindingHash  []byte    `json:"binding_hash"`
	ReturnTo     string    `json:"return_to"`
	Profile      *Profile  `json:"profile"`
	IDToken      string    `json:"id_token,omitempty"`
	SessionIdx   string    `json:"session_index,omitempty"`
	NotOnOrAfter time.Time `json:"not_on_or_after,omitzero"`
	Deadline     time.Time `json:"deadline"`
}

// authResult is what a protocol engine hands to completeLogin: the
// verified profile and what the session keeps of the IdP's answer.
type authResult struct {
	Profile *Profile
	// IDToken is the raw OIDC ID token, kept for logout (id_token_hint).
	IDToken string
	// SessionIndex is the SAML SessionIndex.
	SessionIndex string
	// NotOnOrAfter caps the session (SAML SessionNotOnOrAfter); zero for
	// none.
	NotOnOrAfter time.Time
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenLen is the length of randomToken(32).
const tokenLen = 43

func isToken(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// newLoginFlow prepares the flow of a login on conn: a fresh id, PKCE
// verifier and nonce, and the binding to this browser (reusing the binding
// cookie when the browser already has one, so that two tabs can log in at
// once), and whether /login asked for fresh authentication. Nothing is
// stored until saveLoginFlow.
func (s *SSO) newLoginFlow(r *http.Request, conn *Connection, returnTo, loginHint string) *loginFlow {
	now := s.cfg.Now()
	return &loginFlow{
		ID:             randomToken(32),
		ConnectionID:   conn.ID,
		OrganizationID: conn.OrganizationID,
		ConnectionType: conn.Type,
		ReturnTo:       returnTo,
		LoginHint:      loginHint,
		PKCEVerifier:   randomToken(32),
		Nonce:          randomToken(32),
		ForceAuthn:     forceAuthnRequested(r.URL.Query()),
		CreatedAt:      now,
		Deadline:       now.Add(s.cfg.FlowTTL),
	}
}

// forceAuthnRequested reports whether a /login query asks the identity
// provider to authenticate the user afresh: prompt=login (RequireSSO's
// default deny adds it to a session older than MaxAge) or force_authn=1.
func forceAuthnRequested(q url.Values) bool {
	return q.Get("prompt") == "login" || q.Get("force_authn") == "1" || q.Get("force_authn") == "true"
}

// checkFreshAuth refuses the answer to a flow that required fresh
// authentication when the identity provider's authentication instant
// (SAML AuthnInstant, OIDC auth_time; zero when absent) is missing or
// earlier than the flow's start minus Config.ClockSkew: the IdP reused an
// old session instead of authenticating the user again.
func (s *SSO) checkFreshAuth(f *loginFlow, authTime time.Time) *Error {
	if !f.ForceAuthn {
		return nil
	}
	if authTime.IsZero() {
		return &Error{Code: CodeTokenInvalid, Reason: ReasonStaleAuthentication,
			Description: "re-authentication was required and the identity provider sent no authentication time"}
	}
	if authTime.Before(f.CreatedAt.Add(-s.cfg.ClockSkew)) {
		return &Error{Code: CodeTokenInvalid, Reason: ReasonStaleAuthentication,
			Description: "re-authentication was required and the identity provider reused an earlier sign-in"}
	}
	return nil
}

// saveLoginFlow stores f and sets the binding cookie. The store keeps the
// record a further FlowTTL past its deadline, so that a late answer is
// reported as flow_expired rather than as an unknown state.
func (s *SSO) saveLoginFlow(ctx context.Context, w http.ResponseWriter, r *http.Request, f *loginFlow) error {
	binding := s.bindingValue(r)
	sum := sha256.Sum256([]byte(binding))
	f.BindingHash = sum[:]
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("ssokit: encoding flow: %w", err)
	}
	if err := s.cfg.Store.PutFlow(ctx, &Flow{ID: f.ID, Kind: flowKindLogin, Data: data, ExpiresAt: f.Deadline.Add(s.cfg.FlowTTL)}); err != nil {
		return fmt.Errorf("ssokit: storing flow: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.cfg.cookieName,
		Value:    binding,
		Path:     s.cfg.cookiePath,
		MaxAge:   int((s.cfg.FlowTTL + s.cfg.CodeTTL).Seconds()),
		HttpOnly: true,
		Secure:   s.cfg.secure,
		SameSite: s.cfg.Cookie.SameSite,
	})
	return nil
}

// bindingValue returns the browser's binding value, or a new one.
func (s *SSO) bindingValue(r *http.Request) string {
	if c, err := r.Cookie(s.cfg.cookieName); err == nil && isToken(c.Value) {
		return c.Value
	}
	return randomToken(32)
}

// checkBinding compares, in constant time, the hash of the request's
// binding cookie with the one recorded.
func (s *SSO) checkBinding(r *http.Request, want []byte) error {
	c, err := r.Cookie(s.cfg.cookieName)
	if err != nil || !isToken(c.Value) {
		return &Error{Code: CodeBindingMismatch, Description: "the login was not started in this browser (binding cookie missing)"}
	}
	sum := sha256.Sum256([]byte(c.Value))
	if len(want) != len(sum) || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return &Error{Code: CodeBindingMismatch, Description: "the login was started in another browser"}
	}
	return nil
}

func (s *SSO) clearBinding(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cfg.cookieName, Value: "", Path: s.cfg.cookiePath, MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.secure, SameSite: s.cfg.Cookie.SameSite,
	})
}

// takeLoginFlow consumes the login flow with the given id (single use). An
// unknown, used or foreign id is CodeInvalidState; a flow past its deadline
// is CodeFlowExpired.
func (s *SSO) takeLoginFlow(ctx context.Context, id string) (*loginFlow, error) {
	return s.takeLoginFlowFrom(ctx, s.cfg.Store, id)
}

// takeLoginFlowFrom is takeLoginFlow through st (a transaction's Store).
func (s *SSO) takeLoginFlowFrom(ctx context.Context, st Store, id string) (*loginFlow, error) {
	if !isToken(id) {
		return nil, &Error{Code: CodeInvalidState, Description: "missing or malformed state"}
	}
	rec, err := st.TakeFlow(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Code: CodeInvalidState, Description: "unknown or already used state"}
	}
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "reading the flow failed", Err: err}
	}
	if rec.Kind != flowKindLogin {
		return nil, &Error{Code: CodeInvalidState, Description: "the state names no login"}
	}
	var f loginFlow
	if err := json.Unmarshal(rec.Data, &f); err != nil {
		return nil, &Error{Code: CodeServerError, Description: "decoding the flow failed", Err: err}
	}
	f.ID = id
	if !s.cfg.Now().Before(f.Deadline) {
		return nil, &Error{Code: CodeFlowExpired, Description: "the login took too long; start again",
			ConnectionID: f.ConnectionID, OrganizationID: f.OrganizationID}
	}
	return &f, nil
}

// takeCode consumes a one-time code.
func (s *SSO) takeCode(ctx context.Context, code string) (*codeRecord, error) {
	if !isToken(code) {
		return nil, &Error{Code: CodeCodeInvalid, Description: "missing or malformed code"}
	}
	rec, err := s.cfg.Store.TakeFlow(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return nil, &Error{Code: CodeCodeInvalid, Description: "unknown, used or expired code"}
	}
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "reading the code failed", Err: err}
	}
	if rec.Kind != flowKindCode {
		return nil, &Error{Code: CodeCodeInvalid, Description: "not a login code"}
	}
	var c codeRecord
	if err := json.Unmarshal(rec.Data, &c); err != nil || c.Profile == nil {
		return nil, &Error{Code: CodeServerError, Description: "decoding the code failed", Err: err}
	}
	if !s.cfg.Now().Before(c.Deadline) {
		return nil, &Error{Code: CodeCodeInvalid, Description: "expired code",
			ConnectionID: c.Profile.ConnectionID, OrganizationID: c.Profile.OrganizationID}
	}
	return &c, nil
}
