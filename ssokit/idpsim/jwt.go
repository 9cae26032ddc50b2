package idpsim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

var b64 = base64.RawURLEncoding

// errBadToken is the cause for a token the simulator did not sign.
var errBadToken = errors.New("idpsim: token not signed by this simulator")

// maxTokenLen bounds tokens read from requests (id_token_hint).
const maxTokenLen = 16 << 10

// signJWT returns claims as a compact JWS signed with RS256 under the
// simulator's key id.
func (s *Simulator) signJWT(claims any) (string, error) {
	header := map[string]string{"alg": "RS256", "typ": "JWT", "kid": s.kid}
	input, err := jwtSigningInput(header, claims)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key.PrivateKey, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("idpsim: sign token: %w", err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// unsignedJWT returns claims as an unsecured JWT ("alg":"none", RFC 7519
// section 6): the [OutcomeUnsigned] ID token.
func unsignedJWT(claims any) (string, error) {
	input, err := jwtSigningInput(map[string]string{"alg": "none", "typ": "JWT"}, claims)
	if err != nil {
		return "", err
	}
	return input + ".", nil
}

func jwtSigningInput(header, claims any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("idpsim: encode token header: %w", err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("idpsim: encode token claims: %w", err)
	}
	return b64.EncodeToString(h) + "." + b64.EncodeToString(c), nil
}

// verifyOwnJWT checks that token is an RS256 JWS signed by the simulator's
// key and decodes its claims into v. It does not look at exp: an
// id_token_hint may have expired.
func (s *Simulator) verifyOwnJWT(token string, v any) error {
	if len(token) > maxTokenLen {
		return errBadToken
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errBadToken
	}
	var header struct {
		Alg string `json:"alg"`
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return fmt.Errorf("%w: header: %w", errBadToken, err)
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		return fmt.Errorf("%w: header: %w", errBadToken, err)
	}
	if header.Alg != "RS256" {
		return fmt.Errorf("%w: alg %q", errBadToken, header.Alg)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("%w: signature: %w", errBadToken, err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&s.key.PrivateKey.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("%w: %w", errBadToken, err)
	}
	cb, err := b64.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("%w: claims: %w", errBadToken, err)
	}
	if err := json.Unmarshal(cb, v); err != nil {
		return fmt.Errorf("%w: claims: %w", errBadToken, err)
	}
	return nil
}

// jwk is an RSA public key in JWK form (RFC 7517).
type jwk struct {
	Kty string   `json:"kty"`
	Use string   `json:"use"`
	Alg string   `json:"alg"`
	Kid string   `json:"kid"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c,omitempty"`
}

func (s *Simulator) jwks() map[string][]jwk {
	pub := &s.key.PrivateKey.PublicKey
	return map[string][]jwk{"keys": {{
		Kty: "RSA",
		Use: "sig",
		Alg: "RS256",
		Kid: s.kid,
		N:   b64.EncodeToString(pub.N.Bytes()),
		E:   b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		X5c: []string{base64.StdEncoding.EncodeToString(s.key.Certificate.Raw)},
	}}}
}

// jwkThumbprint is the RFC 7638 thumbprint of an RSA public key, used as its
// key id.
func jwkThumbprint(pub *rsa.PublicKey) string {
	canonical := `{"e":"` + b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()) +
		`","kty":"RSA","n":"` + b64.EncodeToString(pub.N.Bytes()) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return b64.EncodeToString(sum[:])
}

// halfHash is the at_hash of an access token (OpenID Connect Core 3.1.3.6):
// the left half of its SHA-256, base64url.
func halfHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return b64.EncodeToString(sum[:len(sum)/2])
}

// audience reads the aud claim, a string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("idpsim: aud claim: %w", err)
	}
	*a = many
	return nil
}
