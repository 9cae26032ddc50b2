package ssokit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TokenClaims are the claims of an ID token the kit issues, shaped like
// Scalekit's: the host's user id as sub, the organization as oid, the
// connection as amr.
type TokenClaims struct {
	Issuer         string    // iss
	Audience       []string  // aud
	Subject        string    // sub: the host's user id
	OrganizationID string    // oid
	AMR            []string  // amr: the connection id the user signed in through
	SessionID      string    // sid
	Email          string    // email
	EmailVerified  bool      // email_verified
	GivenName      string    // given_name
	FamilyName     string    // family_name
	Name           string    // name
	AuthTime       time.Time // auth_time
	IssuedAt       time.Time // iat
	ExpiresAt      time.Time // exp
	ID             string    // jti
}

type tokenWire struct {
	Iss           string   `json:"iss"`
	Aud           []string `json:"aud"`
	Sub           string   `json:"sub"`
	OID           string   `json:"oid,omitempty"`
	AMR           []string `json:"amr,omitempty"`
	SID           string   `json:"sid,omitempty"`
	Email         string   `json:"email,omitempty"`
	EmailVerified *bool    `json:"email_verified,omitempty"`
	GivenName     string   `json:"given_name,omitempty"`
	FamilyName    string   `json:"family_name,omitempty"`
	Name          string   `json:"name,omitempty"`
	AuthTime      int64    `json:"auth_time,omitempty"`
	Iat           *int64   `json:"iat"`
	Exp           *int64   `json:"exp"`
	Nbf           *int64   `json:"nbf,omitempty"`
	JTI           string   `json:"jti"`
}

const typIDToken = "JWT"

// IssueToken returns an ID token for the signed-in session s, signed RS256
// with the current key of [SSO.JWKS]. p, when not nil (the profile the
// [UserStore] received), adds email and names. The token lives
// Config.Tokens.Lifetime.
func (s *SSO) IssueToken(ctx context.Context, sess *Session, p *Profile) (string, error) {
	if sess == nil || sess.UserID == "" {
		return "", errors.New("ssokit: IssueToken: the session has no user")
	}
	now := s.cfg.Now()
	iat, exp := now.Unix(), now.Add(s.cfg.Tokens.Lifetime).Unix()
	w := tokenWire{
		Iss: s.cfg.Tokens.Issuer, Aud: []string{s.cfg.Tokens.Audience}, Sub: sess.UserID,
		OID: sess.OrganizationID, SID: sess.ID, Iat: &iat, Exp: &exp, JTI: randomToken(16),
	}
	if sess.ConnectionID != "" {
		w.AMR = []string{sess.ConnectionID}
	}
	if !sess.AuthTime.IsZero() {
		w.AuthTime = sess.AuthTime.Unix()
	}
	if p != nil {
		w.Email, w.GivenName, w.FamilyName, w.Name = p.Email, p.GivenName, p.FamilyName, p.Name
		if p.Email != "" {
			v := p.EmailVerified
			w.EmailVerified = &v
		}
	}
	return s.signJWT(ctx, typIDToken, w)
}

// ValidateToken verifies a token issued by [SSO.IssueToken]: the RS256
// algorithm only (never none, HS* or another key type), a kid naming one
// of the kit's unexpired keys, iss and aud equal to Config.Tokens, exp in
// the future and iat not beyond the clock skew. Failures are *[Error] with
// CodeTokenInvalid and a Reason.
func (s *SSO) ValidateToken(ctx context.Context, raw string) (*TokenClaims, error) {
	var w tokenWire
	if err := s.verifyJWT(ctx, typIDToken, raw, &w); err != nil {
		return nil, err
	}
	bad := func(reason, msg string) error {
		return &Error{Code: CodeTokenInvalid, Reason: reason, Description: msg}
	}
	now := s.cfg.Now()
	switch {
	case w.Iss != s.cfg.Tokens.Issuer:
		return nil, bad(ReasonBadIssuer, "iss is not this kit")
	case !slices.Contains(w.Aud, s.cfg.Tokens.Audience):
		return nil, bad(ReasonBadAudience, "aud does not name this kit's audience")
	case w.Sub == "":
		return nil, bad(ReasonMissingSub, "sub is missing")
	case w.Iat == nil:
		return nil, bad(ReasonMissingIAT, "iat is missing")
	case w.Exp == nil || !now.Before(time.Unix(*w.Exp, 0)):
		return nil, bad(ReasonExpired, "the token has expired")
	case time.Unix(*w.Iat, 0).After(now.Add(s.cfg.ClockSkew)):
		return nil, bad(ReasonNotYetValid, "iat is in the future")
	}
	c := &TokenClaims{
		Issuer: w.Iss, Audience: w.Aud, Subject: w.Sub, OrganizationID: w.OID, AMR: w.AMR, SessionID: w.SID,
		Email: w.Email, EmailVerified: w.EmailVerified != nil && *w.EmailVerified, GivenName: w.GivenName,
		FamilyName: w.FamilyName, Name: w.Name, IssuedAt: time.Unix(*w.Iat, 0), ExpiresAt: time.Unix(*w.Exp, 0), ID: w.JTI,
	}
	if w.AuthTime != 0 {
		c.AuthTime = time.Unix(w.AuthTime, 0)
	}
	return c, nil
}

// jwsAlg reads the alg header of a compact JWS.
func jwsAlg(raw string) (string, error) {
	head, _, ok := strings.Cut(raw, ".")
	if !ok {
		return "", errors.New("not a compact JWS")
	}
	h, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := json.NewDecoder(bytes.NewReader(h)).Decode(&hdr); err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	return hdr.Alg, nil
}
