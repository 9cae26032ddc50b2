package oidcrp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Connection is what the relying party needs of one OIDC connection.
type Connection struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// AuthMethod is "client_secret_basic" (default) or
	// "client_secret_post".
	AuthMethod  string
	Scopes      []string // default: openid email profile
	RedirectURL string   // the kit's OIDC redirect endpoint
	// Provider selects the claim map: "okta", "entra", "google" or
	// anything else for the generic map.
	Provider string
	// ClaimMap overrides the provider's claim names per normalized field
	// ("email", "email_verified", "given_name", "family_name", "name",
	// "username", "groups").
	ClaimMap map[string]string
}

// Validate checks the connection's configuration.
func (c *Connection) Validate() error {
	u, err := url.Parse(c.Issuer)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return &Error{Kind: KindConfig, Err: fmt.Errorf("issuer %q is not an absolute URL", c.Issuer)}
	}
	if c.ClientID == "" {
		return &Error{Kind: KindConfig, Err: errors.New("client_id is empty")}
	}
	switch c.AuthMethod {
	case "", "client_secret_basic", "client_secret_post":
	default:
		return &Error{Kind: KindConfig, Err: fmt.Errorf("token_auth_method %q is not supported", c.AuthMethod)}
	}
	return nil
}

func (c *Connection) oauth2Config(p *provider) *oauth2.Config {
	scopes := c.Scopes
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "email", "profile"}
	} else if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	ep := p.oidc.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	if c.AuthMethod == "client_secret_post" {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint:     ep,
		RedirectURL:  c.RedirectURL,
		Scopes:       scopes,
	}
}

// AuthRequest is one authorization request.
type AuthRequest struct {
	State     string
	Nonce     string
	Verifier  string // PKCE code verifier; its S256 challenge is sent
	LoginHint string // optional
	// Prompt is sent as the prompt parameter when set, e.g. "login" to
	// make the provider authenticate the user again.
	Prompt string
	// MaxAgeZero sends max_age=0: the provider must authenticate the user
	// afresh and include auth_time in the ID token (OIDC Core §3.1.2.1).
	MaxAgeZero bool
}

// AuthCodeURL returns the URL of the provider's authorization endpoint for
// req, discovering the provider first if needed.
func (c *Client) AuthCodeURL(ctx context.Context, conn *Connection, req AuthRequest) (string, error) {
	if err := conn.Validate(); err != nil {
		return "", err
	}
	if req.State == "" || req.Nonce == "" || req.Verifier == "" {
		return "", &Error{Kind: KindConfig, Err: errors.New("state, nonce and verifier are required")}
	}
	p, err := c.provider(ctx, conn.Issuer)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(req.Nonce), oauth2.S256ChallengeOption(req.Verifier)}
	if req.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", req.LoginHint))
	}
	if req.Prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", req.Prompt))
	}
	if req.MaxAgeZero {
		opts = append(opts, oauth2.SetAuthURLParam("max_age", "0"))
	}
	return conn.oauth2Config(p).AuthCodeURL(req.State, opts...), nil
}

// Response is the provider's answer at the redirect endpoint.
type Response struct {
	Code string
	// ISS is the RFC 9207 iss parameter; ISSPresent says it was sent.
	ISS        string
	ISSPresent bool
}

// CheckISS applies RFC 9207: a sent iss parameter must equal the issuer,
// and a provider that advertises authorization_response_iss_parameter_
// supported must send it. Call it before looking at code or error.
func (c *Client) CheckISS(ctx context.Context, conn *Connection, resp Response) error {
	if resp.ISSPresent {
		if resp.ISS != conn.Issuer {
			return tokenErr("bad_iss_parameter", fmt.Errorf("iss parameter %q is not the connection's issuer", resp.ISS))
		}
		return nil
	}
	p, err := c.provider(ctx, conn.Issuer)
	if err != nil {
		return err
	}
	if p.meta.ISSParameter {
		return tokenErr("bad_iss_parameter", errors.New("the provider advertises the iss parameter but sent none"))
	}
	return nil
}

// Result is a verified login.
type Result struct {
	Identity   *Identity
	RawIDToken string
}

// Exchange redeems code at the token endpoint with the PKCE verifier,
// verifies the ID token (signature, algorithm, issuer, audience, azp,
// expiry, iat, sub, nonce, at_hash), fetches userinfo when claims are
// missing, and maps the claims.
func (c *Client) Exchange(ctx context.Context, conn *Connection, code, verifier, nonce string) (*Result, error) {
	if err := conn.Validate(); err != nil {
		return nil, err
	}
	if code == "" {
		return nil, &Error{Kind: KindIDP, Err: errors.New("no code in the response")}
	}
	p, err := c.provider(ctx, conn.Issuer)
	if err != nil {
		return nil, err
	}
	hctx := oidc.ClientContext(ctx, c.httpClient)
	tok, err := conn.oauth2Config(p).Exchange(hctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		e := &Error{Kind: KindIDP, Err: fmt.Errorf("token exchange: %w", err)}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			e.IDPError, e.Description = re.ErrorCode, re.ErrorDescription
		}
		return nil, e
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, tokenErr("malformed", errors.New("the token response has no id_token"))
	}
	claims, err := c.verify(ctx, p, conn, raw, nonce, tok.AccessToken)
	if err != nil {
		return nil, err
	}
	if needsUserinfo(conn, claims) && p.meta.UserinfoEndpoint != "" && tok.AccessToken != "" {
		if err := c.mergeUserinfo(hctx, p, tok, claims); err != nil {
			return nil, err
		}
	}
	id, err := mapClaims(conn, claims)
	if err != nil {
		return nil, err
	}
	return &Result{Identity: id, RawIDToken: raw}, nil
}

func (c *Client) mergeUserinfo(ctx context.Context, p *provider, tok *oauth2.Token, claims map[string]any) error {
	ui, err := p.oidc.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok.AccessToken, TokenType: "Bearer"}))
	if err != nil {
		return &Error{Kind: KindIDP, Err: fmt.Errorf("userinfo: %w", err)}
	}
	var uc map[string]any
	if err := ui.Claims(&uc); err != nil {
		return &Error{Kind: KindIDP, Err: fmt.Errorf("userinfo: %w", err)}
	}
	if sub, _ := uc["sub"].(string); sub == "" || sub != claims["sub"] {
		return tokenErr("userinfo_sub_mismatch", errors.New("userinfo sub differs from the ID token's"))
	}
	for k, v := range uc {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}
