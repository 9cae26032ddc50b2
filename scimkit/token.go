package scimkit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// TokenPrefix starts every bearer token the server makes, so that secret
// scanners can recognise a leaked one.
const TokenPrefix = "ghscim_"

// Errors of authentication, wrapped in the 401 [*Error] the client receives.
var (
	ErrNoToken           = errors.New("scimkit: no bearer token")
	ErrInvalidToken      = errors.New("scimkit: invalid bearer token")
	ErrTokenInQuery      = errors.New("scimkit: bearer token in the query string")
	ErrDirectoryDisabled = errors.New("scimkit: directory disabled")
)

// CreateToken makes a new bearer token for the directory and returns it.
// Only its SHA-256 hash is stored: show the token to the administrator once
// and do not keep it. Existing tokens stay valid.
func (s *Server) CreateToken(ctx context.Context, directoryID string) (string, error) {
	if _, err := s.store.Directory(ctx, directoryID); err != nil {
		return "", fmt.Errorf("scimkit: create token: %w", err)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("scimkit: create token: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(token))
	if err := s.store.CreateToken(ctx, &DirectoryToken{DirectoryID: directoryID, Hash: sum[:]}); err != nil {
		return "", fmt.Errorf("scimkit: create token: %w", err)
	}
	return token, nil
}

// RotateToken makes a new token for the directory, like [Server.CreateToken],
// and makes every older token of the directory expire after overlap, so that
// the identity provider can be switched to the new one without a gap. An
// overlap of zero or less revokes the older tokens at once. Tokens already
// set to expire sooner keep their expiry.
func (s *Server) RotateToken(ctx context.Context, directoryID string, overlap time.Duration) (string, error) {
	old, err := s.store.Tokens(ctx, directoryID)
	if err != nil {
		return "", fmt.Errorf("scimkit: rotate token: %w", err)
	}
	token, err := s.CreateToken(ctx, directoryID)
	if err != nil {
		return "", err
	}
	now := s.now()
	end := now.Add(max(overlap, 0))
	for _, t := range old {
		if !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(end) {
			continue
		}
		t.ExpiresAt = end
		if err := s.store.UpdateToken(ctx, t); err != nil {
			return "", fmt.Errorf("scimkit: rotate token: %w", err)
		}
	}
	return token, nil
}

// RevokeTokens ends every token of the directory at once.
func (s *Server) RevokeTokens(ctx context.Context, directoryID string) error {
	ts, err := s.store.Tokens(ctx, directoryID)
	if err != nil {
		return fmt.Errorf("scimkit: revoke tokens: %w", err)
	}
	for _, t := range ts {
		if err := s.store.DeleteToken(ctx, t.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("scimkit: revoke tokens: %w", err)
		}
	}
	return nil
}

// Authenticate finds the directory of the request's bearer token. It is the
// decision behind [Server.Handler]'s authentication, for hosts that route
// SCIM requests themselves. Errors are [*Error] values with status 401
// (or 403 for a disabled directory) wrapping [ErrNoToken],
// [ErrInvalidToken], [ErrTokenInQuery] or [ErrDirectoryDisabled].
func (s *Server) Authenticate(r *http.Request) (*Directory, error) {
	ctx := r.Context()
	q := r.URL.Query()
	if q.Has("access_token") || q.Has("token") {
		return nil, unauthorized("bearer tokens are not accepted in the query string", ErrTokenInQuery)
	}
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, unauthorized("a bearer token is required", ErrNoToken)
	}
	sum := sha256.Sum256([]byte(token))
	now := s.now()
	t, err := s.store.TokenByHash(ctx, sum[:], now)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, unauthorized("invalid bearer token", ErrInvalidToken)
		}
		return nil, err
	}
	// The lookup is by hash; compare the hashes again in constant time so
	// that the check does not rest on the database's comparison.
	if subtle.ConstantTimeCompare(t.Hash, sum[:]) != 1 {
		return nil, unauthorized("invalid bearer token", ErrInvalidToken)
	}
	d, err := s.store.Directory(ctx, t.DirectoryID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, unauthorized("invalid bearer token", ErrInvalidToken)
		}
		return nil, err
	}
	if !d.Enabled {
		return nil, newError(http.StatusForbidden, "", "the directory is disabled", ErrDirectoryDisabled)
	}
	if now.Sub(t.LastUsedAt) >= s.cfg.TokenUseInterval {
		// Only last_used_at: writing the whole token read above would put
		// back its expiry as it was then, undoing a revocation or rotation
		// committed since.
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			s.logger.LogAttrs(ctx, slogWarn, "scim_token_use_not_recorded", attrErr(err))
		}
	}
	return d, nil
}

func unauthorized(detail string, cause error) *Error {
	return newError(http.StatusUnauthorized, "", detail, cause)
}
