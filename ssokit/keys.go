package ssokit

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Kit-issued JWTs are signed RS256 with keys kept in the Store (KeyUseToken,
// shared by all connections). The newest key whose NotBefore has passed
// signs; a key signs for Tokens.RotationPeriod, then a new key is created
// on the next signing and the old one stays published and accepted until
// its ExpiresAt (RotationPeriod + Overlap after creation). Every instance
// reads the keys from the Store, so rotation needs no coordination: two
// instances that rotate at the same moment create two keys, both published,
// and the newer one signs.

// maxKitJWT caps a kit JWT before parsing.
const maxKitJWT = 16 << 10

// tokenKeys returns the unexpired token keys, oldest first.
func (s *SSO) tokenKeys(ctx context.Context) ([]*SigningKey, error) {
	keys, err := s.cfg.Store.SigningKeys(ctx, KeyUseToken, "", s.cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("ssokit: listing signing keys: %w", err)
	}
	return keys, nil
}

// currentKey returns the key to sign with, creating one when none is
// active or the active one is older than the rotation period.
func (s *SSO) currentKey(ctx context.Context) (*SigningKey, *rsa.PrivateKey, error) {
	pick := func(keys []*SigningKey, now time.Time) *SigningKey {
		for i := len(keys) - 1; i >= 0; i-- {
			k := keys[i]
			if k.Algorithm == "RS256" && !k.NotBefore.After(now) && now.Sub(k.NotBefore) < s.cfg.Tokens.RotationPeriod {
				return k
			}
		}
		return nil
	}
	keys, err := s.tokenKeys(ctx)
	if err != nil {
		return nil, nil, err
	}
	k := pick(keys, s.cfg.Now())
	if k == nil {
		s.keysMu.Lock()
		defer s.keysMu.Unlock()
		if keys, err = s.tokenKeys(ctx); err != nil {
			return nil, nil, err
		}
		now := s.cfg.Now()
		if k = pick(keys, now); k == nil {
			if k, err = s.createTokenKey(ctx, now); err != nil {
				return nil, nil, err
			}
		}
	}
	priv, err := parseRSAKey(k)
	if err != nil {
		return nil, nil, err
	}
	return k, priv, nil
}

func (s *SSO) createTokenKey(ctx context.Context, now time.Time) (*SigningKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("ssokit: generating a signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("ssokit: encoding a signing key: %w", err)
	}
	k := &SigningKey{
		Use:        KeyUseToken,
		Algorithm:  "RS256",
		PrivateKey: der,
		NotBefore:  now,
		ExpiresAt:  now.Add(s.cfg.Tokens.RotationPeriod + s.cfg.Tokens.Overlap),
	}
	if err := s.cfg.Store.CreateSigningKey(ctx, k); err != nil {
		return nil, fmt.Errorf("ssokit: storing a signing key: %w", err)
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "signing_key_created", slog.String("key_id", k.ID))
	return k, nil
}

func parseRSAKey(k *SigningKey) (*rsa.PrivateKey, error) {
	pk, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("ssokit: signing key %s: %w", k.ID, err)
	}
	priv, ok := pk.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("ssokit: signing key %s is not an RSA key", k.ID)
	}
	return priv, nil
}

// signJWT signs claims as a compact JWS with the current token key. typ is
// the JOSE typ header, which tells kit token kinds apart ("JWT" for ID
// tokens, "idp-initiated-login+jwt" for the IdP-initiated conversion).
func (s *SSO) signJWT(ctx context.Context, typ string, claims any) (string, error) {
	k, priv, err := s.currentKey(ctx)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: priv},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)).WithHeader("kid", k.ID))
	if err != nil {
		return "", fmt.Errorf("ssokit: signer: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("ssokit: encoding claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("ssokit: signing: %w", err)
	}
	return jws.CompactSerialize()
}

// verifyJWT checks a kit JWT's signature: RS256 only, one signature, a kid
// that names one of our unexpired keys, the expected typ; then decodes the
// payload into out. It checks no claims: callers do.
func (s *SSO) verifyJWT(ctx context.Context, typ, raw string, out any) error {
	bad := func(reason string, err error) error {
		return &Error{Code: CodeTokenInvalid, Reason: reason, Description: "the token failed verification", Err: err}
	}
	if len(raw) > maxKitJWT {
		return bad(ReasonTooLarge, nil)
	}
	if strings.Count(raw, ".") != 2 {
		return bad(ReasonMalformed, errors.New("not a compact JWS"))
	}
	alg, err := jwsAlg(raw)
	if err != nil {
		return bad(ReasonMalformed, err)
	}
	if alg != string(jose.RS256) {
		return bad(ReasonBadAlgorithm, fmt.Errorf("algorithm %q", alg))
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return bad(ReasonMalformed, err)
	}
	if len(jws.Signatures) != 1 {
		return bad(ReasonMalformed, errors.New("not exactly one signature"))
	}
	h := jws.Signatures[0].Header
	if h.ExtraHeaders[jose.HeaderType] != typ {
		return bad(ReasonMalformed, fmt.Errorf("typ %v, want %s", h.ExtraHeaders[jose.HeaderType], typ))
	}
	keys, err := s.tokenKeys(ctx)
	if err != nil {
		return &Error{Code: CodeServerError, Description: "reading signing keys failed", Err: err}
	}
	var key *SigningKey
	for _, k := range keys {
		if k.ID == h.KeyID && k.Algorithm == "RS256" {
			key = k
		}
	}
	if key == nil || h.KeyID == "" {
		return bad(ReasonBadKeyID, errors.New("unknown kid"))
	}
	priv, err := parseRSAKey(key)
	if err != nil {
		return &Error{Code: CodeServerError, Description: "reading a signing key failed", Err: err}
	}
	payload, err := jws.Verify(&priv.PublicKey)
	if err != nil {
		return bad(ReasonBadSignature, err)
	}
	if err := json.Unmarshal(payload, out); err != nil {
		return bad(ReasonMalformed, err)
	}
	return nil
}

// JWKSHandler serves the public token keys as a JSON Web Key Set,
// including keys in their overlap period.
func (s *SSO) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		set, err := s.JWKS(r.Context())
		if err != nil {
			s.fail(w, r, &Error{Code: CodeServerError, Description: "reading signing keys failed", Err: err})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(set)
	})
}

// JWKS returns the JSON Web Key Set of the kit's token keys. With no key
// yet it creates the first one, so relying parties can fetch it before the
// first token.
func (s *SSO) JWKS(ctx context.Context) ([]byte, error) {
	if _, _, err := s.currentKey(ctx); err != nil {
		return nil, err
	}
	keys, err := s.tokenKeys(ctx)
	if err != nil {
		return nil, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range keys {
		priv, err := parseRSAKey(k)
		if err != nil {
			return nil, err
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &priv.PublicKey, KeyID: k.ID, Algorithm: "RS256", Use: "sig"})
	}
	return json.Marshal(set)
}
