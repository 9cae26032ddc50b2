package oidcrp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// MaxTokenSize caps an ID token before any parsing (go-jose
// CVE-2025-27144, x/oauth2 CVE-2025-22868 were both about degenerate
// tokens).
const MaxTokenSize = 16 << 10

// ClockSkew is the tolerance for iat in the future.
const ClockSkew = 2 * time.Minute

// verify checks raw and returns its claims. go-oidc does the signature,
// algorithm, issuer, audience and expiry checks; when it refuses, the
// token is examined again only to name the reason. Then come the checks
// go-oidc leaves to its caller.
func (c *Client) verify(ctx context.Context, p *provider, conn *Connection, raw, nonce, accessToken string) (map[string]any, error) {
	if len(raw) > MaxTokenSize {
		return nil, tokenErr("too_large", fmt.Errorf("id token of %d bytes", len(raw)))
	}
	alg, err := headerAlg(raw)
	if err != nil {
		return nil, tokenErr("malformed", err)
	}
	if !isAllowedAlgorithm(alg) || !containsString(p.algs, alg) {
		return nil, tokenErr("bad_algorithm", fmt.Errorf("algorithm %q is not allowed", alg))
	}
	hctx := oidc.ClientContext(ctx, c.httpClient)
	v := oidc.NewVerifier(p.issuer, p.keys, &oidc.Config{
		ClientID:             conn.ClientID,
		SupportedSigningAlgs: p.algs,
		Now:                  c.now,
	})
	tok, err := v.Verify(hctx, raw)
	if err != nil {
		return nil, c.classify(hctx, p, conn, raw, err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, tokenErr("malformed", fmt.Errorf("claims: %w", err))
	}
	// azp: OIDC Core 3.1.3.7 steps 4 and 5.
	azp, _ := claims["azp"].(string)
	if _, present := claims["azp"]; present && azp != conn.ClientID {
		return nil, tokenErr("bad_azp", errors.New("azp is not the client id"))
	}
	if len(tok.Audience) > 1 && azp == "" {
		return nil, tokenErr("bad_azp", errors.New("several audiences and no azp"))
	}
	if tok.Subject == "" {
		return nil, tokenErr("missing_sub", errors.New("sub is missing"))
	}
	if _, ok := claims["iat"]; !ok || tok.IssuedAt.IsZero() {
		return nil, tokenErr("missing_iat", errors.New("iat is missing"))
	}
	if tok.IssuedAt.After(c.now().Add(ClockSkew)) {
		return nil, tokenErr("not_yet_valid", errors.New("iat is in the future"))
	}
	if nonce == "" || tok.Nonce != nonce {
		return nil, tokenErr("bad_nonce", errors.New("nonce does not match"))
	}
	if tok.AccessTokenHash != "" {
		if err := tok.VerifyAccessToken(accessToken); err != nil {
			return nil, tokenErr("bad_at_hash", fmt.Errorf("at_hash: %w", err))
		}
	}
	if names, ok := claims["_claim_names"].(map[string]any); ok {
		if _, ok := names["groups"]; ok {
			claims[groupsOverageClaim] = true
		}
	}
	return claims, nil
}

// groupsOverageClaim marks, inside the claim map, that groups were left out.
const groupsOverageClaim = "\x00groups_overage"

// classify names the reason go-oidc refused raw. It never accepts anything.
func (c *Client) classify(ctx context.Context, p *provider, conn *Connection, raw string, verr error) error {
	var exp *oidc.TokenExpiredError
	if errors.As(verr, &exp) {
		return tokenErr("expired", verr)
	}
	payload, err := p.keys.VerifySignature(ctx, raw)
	if err != nil {
		return tokenErr("bad_signature", verr)
	}
	var cl struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &cl) != nil {
		return tokenErr("malformed", verr)
	}
	if cl.Iss != p.issuer {
		return tokenErr("bad_issuer", verr)
	}
	var one string
	var many []string
	if json.Unmarshal(cl.Aud, &one) == nil {
		many = []string{one}
	} else if json.Unmarshal(cl.Aud, &many) != nil {
		many = nil
	}
	if !containsString(many, conn.ClientID) {
		return tokenErr("bad_audience", verr)
	}
	if strings.Contains(verr.Error(), "nbf") {
		return tokenErr("not_yet_valid", verr)
	}
	return tokenErr("malformed", verr)
}

// headerAlg returns the alg of a compact JWS without trusting anything
// else in it.
func headerAlg(raw string) (string, error) {
	i := strings.IndexByte(raw, '.')
	if i <= 0 || strings.Count(raw, ".") != 2 {
		return "", errors.New("not a compact JWS")
	}
	h, err := base64.RawURLEncoding.DecodeString(raw[:i])
	if err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	if err := dec.Decode(&hdr); err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	return hdr.Alg, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
