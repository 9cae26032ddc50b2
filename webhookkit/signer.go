package webhookkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// maxIDLength bounds a webhook-id; the kit's event ids are 30 bytes.
const maxIDLength = 256

// Signer signs messages with one secret, the "v1" (HMAC-SHA256) scheme of
// Standard Webhooks. A Signer is safe for concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for secret, which must be "whsec_" followed by
// the standard base64 of 24 to 64 bytes (as [NewSecret] makes). Anything
// else, an empty secret or a bare "whsec_" included, is an error wrapping
// [ErrInvalidSecret].
func NewSigner(secret string) (*Signer, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return nil, err
	}
	return &Signer{key: key}, nil
}

// Sign returns the webhook-signature value for a message: "v1," and the
// standard base64 of HMAC-SHA256 over id + "." + ts (Unix seconds) + "." +
// body. body must be the exact bytes sent.
//
// id must be a valid message id: not empty, at most 256 bytes and without
// '.', which would make the signed content ambiguous. For an invalid id
// Sign returns "", which no verifier accepts; [Signer.Headers] reports the
// error instead.
func (s *Signer) Sign(id string, ts time.Time, body []byte) string {
	if validID(id) != nil {
		return ""
	}
	return "v1," + base64.StdEncoding.EncodeToString(s.mac(id, ts.Unix(), body))
}

// Headers returns the three Standard Webhooks headers for a message, or an
// error wrapping [ErrInvalidMessageID] when id is empty, longer than 256
// bytes or contains '.'.
func (s *Signer) Headers(id string, ts time.Time, body []byte) (http.Header, error) {
	if err := validID(id); err != nil {
		return nil, err
	}
	h := make(http.Header, 3)
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, s.Sign(id, ts, body))
	return h, nil
}

// mac is the HMAC-SHA256 of the signed content.
func (s *Signer) mac(id string, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, ts, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

func validID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalidMessageID)
	case len(id) > maxIDLength:
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidMessageID, maxIDLength)
	case strings.Contains(id, "."):
		return fmt.Errorf("%w: it contains '.'", ErrInvalidMessageID)
	}
	return nil
}
