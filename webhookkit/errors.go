package webhookkit

import (
	"errors"
	"fmt"
	"time"
)

// Errors of verification. [Verifier.Verify] and [Verifier.VerifyRequest]
// return them wrapped with detail; test with [errors.Is]. All of them mean
// that the request is untrusted input that must not be processed.
var (
	// ErrMissingHeaders: webhook-id, webhook-timestamp or
	// webhook-signature is absent or empty.
	ErrMissingHeaders = errors.New("webhookkit: missing webhook headers")
	// ErrInvalidMessageID: the webhook-id contains '.' (which would make
	// the signed content "id.timestamp.body" ambiguous) or is too long.
	ErrInvalidMessageID = errors.New("webhookkit: invalid webhook-id")
	// ErrInvalidTimestamp: webhook-timestamp is not a non-negative integer
	// number of seconds.
	ErrInvalidTimestamp = errors.New("webhookkit: invalid webhook-timestamp")
	// ErrTimestampTooOld: webhook-timestamp lies more than the tolerance
	// in the past.
	ErrTimestampTooOld = errors.New("webhookkit: webhook-timestamp too old")
	// ErrTimestampTooNew: webhook-timestamp lies more than the tolerance
	// in the future.
	ErrTimestampTooNew = errors.New("webhookkit: webhook-timestamp too new")
	// ErrNoMatchingSignature: no v1 signature of webhook-signature matches
	// the content under any of the secrets.
	ErrNoMatchingSignature = errors.New("webhookkit: no matching signature")
	// ErrBodyTooLarge: the body is larger than the verifier's
	// MaxBodyBytes. [Verifier.Handler] answers 413.
	ErrBodyTooLarge = errors.New("webhookkit: body too large")
	// ErrDuplicate: the webhook-id was already accepted within its
	// window (see [Deduper]).
	ErrDuplicate = errors.New("webhookkit: duplicate webhook-id")
)

// Errors of configuration and delivery.
var (
	// ErrInvalidSecret: a secret is not "whsec_" followed by the standard
	// base64 of 24 to 64 bytes.
	ErrInvalidSecret = errors.New("webhookkit: invalid secret")
	// ErrEndpointGone: the endpoint answered 410 Gone; the worker stops
	// delivering to it.
	ErrEndpointGone = errors.New("webhookkit: endpoint gone")
	// ErrPrivateAddress: an endpoint resolved to a loopback, private,
	// link-local or otherwise internal address, refused at dial time (see
	// [SenderConfig.InsecureAllowPrivateEndpoints]).
	ErrPrivateAddress = errors.New("webhookkit: endpoint address is private")
	// ErrUnexpectedStatus: the endpoint answered with a status outside
	// 2xx (3xx included: redirects are not followed).
	ErrUnexpectedStatus = errors.New("webhookkit: endpoint answered with a non-2xx status")
)

// DeliveryError is a failed delivery attempt of [Sender.Send]. It unwraps
// to [ErrEndpointGone], [ErrUnexpectedStatus], [ErrPrivateAddress] or the
// transport error.
type DeliveryError struct {
	EndpointID string
	StatusCode int           // 0 when no response arrived
	RetryAfter time.Duration // from a Retry-After header; 0 when absent
	Body       []byte        // the start of the response body, for logs (at most 512 bytes)
	Err        error
}

// Error names the endpoint, the status (when a response arrived) and the
// cause.
func (e *DeliveryError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("webhookkit: deliver to endpoint %q: status %d: %v", e.EndpointID, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("webhookkit: deliver to endpoint %q: %v", e.EndpointID, e.Err)
}

// Unwrap returns the cause, such as [ErrEndpointGone].
func (e *DeliveryError) Unwrap() error { return e.Err }
