package webhookkit

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// SecretPrefix starts every Standard Webhooks signing secret.
const SecretPrefix = "whsec_"

// Secret sizes allowed by the Standard Webhooks specification.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// NewSecret returns a new signing secret: "whsec_" and the standard base64
// of 32 random bytes from crypto/rand. Show it to the receiver once and
// store it as a credential.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// decodeSecret returns the key bytes of a "whsec_…" secret.
func decodeSecret(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: it must start with %q", ErrInvalidSecret, SecretPrefix)
	}
	if enc == "" {
		return nil, fmt.Errorf("%w: nothing after %q", ErrInvalidSecret, SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("%w: not standard base64: %w", ErrInvalidSecret, err)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("%w: %d bytes, want %d to %d", ErrInvalidSecret, len(key), MinSecretBytes, MaxSecretBytes)
	}
	return key, nil
}
