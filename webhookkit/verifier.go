package webhookkit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Defaults of [VerifierConfig].
const (
	DefaultTolerance    = 5 * time.Minute
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB
)

// maxTimestampDigits bounds webhook-timestamp: seconds until the year
// 33658 fit in 12 digits, and int64 arithmetic on them cannot overflow.
const maxTimestampDigits = 12

// VerifierConfig configures a [Verifier] for a receiver of Standard
// Webhooks.
type VerifierConfig struct {
	// Secrets are the "whsec_…" secrets a signature may match; required.
	// List both the old and the new secret while a sender rotates.
	Secrets []string
	// Tolerance is how far webhook-timestamp may lie from Now, in either
	// direction. Default [DefaultTolerance] (5 minutes).
	Tolerance time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// MaxBodyBytes is the largest body accepted; a larger one is refused
	// with [ErrBodyTooLarge] before any HMAC is computed. Default
	// [DefaultMaxBodyBytes] (1 MiB).
	MaxBodyBytes int64
	// Deduper remembers accepted webhook-ids for [Verifier.Handler], so a
	// replayed or redelivered message is processed once. Default: a
	// [MemoryDeduper] on Now, which is right for one process only; an
	// application on several instances must pass a shared Deduper (package
	// store's Store.Deduper, or one on Redis), or a replay that reaches
	// another instance is processed twice.
	Deduper Deduper
	// ErrorHandler writes the response when [Verifier.Handler] refuses a
	// request. Default: log through Logger at Info and answer with
	// [StatusCode] of err and a short plain-text body.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives the refusals of the default ErrorHandler. Default:
	// discard.
	Logger *slog.Logger
}

// Verifier checks Standard Webhooks signatures on incoming requests. Build
// it with [NewVerifier]; it is safe for concurrent use.
type Verifier struct {
	signers      []*Signer
	tolerance    time.Duration
	now          func() time.Time
	maxBody      int64
	deduper      Deduper
	errorHandler func(w http.ResponseWriter, r *http.Request, err error)
	logger       *slog.Logger
}

// NewVerifier validates cfg and returns a Verifier. Every secret must be
// valid (see [NewSigner]); a negative Tolerance or MaxBodyBytes is an
// error.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Secrets) == 0 {
		return nil, fmt.Errorf("webhookkit: VerifierConfig.Secrets: %w: none given", ErrInvalidSecret)
	}
	v := &Verifier{
		tolerance:    cfg.Tolerance,
		now:          cfg.Now,
		maxBody:      cfg.MaxBodyBytes,
		deduper:      cfg.Deduper,
		errorHandler: cfg.ErrorHandler,
		logger:       cfg.Logger,
	}
	for i, s := range cfg.Secrets {
		signer, err := NewSigner(s)
		if err != nil {
			return nil, fmt.Errorf("webhookkit: VerifierConfig.Secrets[%d]: %w", i, err)
		}
		v.signers = append(v.signers, signer)
	}
	if v.tolerance < 0 {
		return nil, errors.New("webhookkit: VerifierConfig.Tolerance is negative")
	}
	if v.tolerance == 0 {
		v.tolerance = DefaultTolerance
	}
	if v.maxBody < 0 {
		return nil, errors.New("webhookkit: VerifierConfig.MaxBodyBytes is negative")
	}
	if v.maxBody == 0 {
		v.maxBody = DefaultMaxBodyBytes
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.deduper == nil {
		v.deduper = NewMemoryDeduper(v.now)
	}
	if v.logger == nil {
		v.logger = slog.New(slog.DiscardHandler)
	}
	if v.errorHandler == nil {
		v.errorHandler = v.defaultErrorHandler
	}
	return v, nil
}

// Verify checks the Standard Webhooks headers of a message against body,
// the raw bytes received (never a re-encoding of parsed JSON). It returns
// nil when one "v1" signature matches one of the secrets, and otherwise an
// error wrapping one of [ErrMissingHeaders], [ErrInvalidMessageID],
// [ErrInvalidTimestamp], [ErrTimestampTooOld], [ErrTimestampTooNew],
// [ErrBodyTooLarge] or [ErrNoMatchingSignature]. Signatures of other
// versions ("v1a,…") are skipped; signatures are compared in constant
// time. Verify does not dedupe: see [Verifier.Handler].
func (v *Verifier) Verify(h http.Header, body []byte) error {
	_, err := v.verify(h, body)
	return err
}

// verify is Verify that also returns the message's timestamp.
func (v *Verifier) verify(h http.Header, body []byte) (time.Time, error) {
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || strings.TrimSpace(sigs) == "" {
		return time.Time{}, ErrMissingHeaders
	}
	if err := validID(id); err != nil {
		return time.Time{}, err
	}
	ts, err := parseTimestamp(tsText)
	if err != nil {
		return time.Time{}, err
	}
	now := v.now().Unix()
	tol := int64(v.tolerance / time.Second)
	switch {
	case now-ts > tol:
		return time.Time{}, fmt.Errorf("%w: %d s old, tolerance %v", ErrTimestampTooOld, now-ts, v.tolerance)
	case ts-now > tol:
		return time.Time{}, fmt.Errorf("%w: %d s ahead, tolerance %v", ErrTimestampTooNew, ts-now, v.tolerance)
	}
	if int64(len(body)) > v.maxBody {
		return time.Time{}, fmt.Errorf("%w: %d bytes, limit %d", ErrBodyTooLarge, len(body), v.maxBody)
	}
	macs := make([][]byte, len(v.signers))
	for i, s := range v.signers {
		macs[i] = s.mac(id, ts, body)
	}
	for _, sig := range strings.Fields(sigs) {
		version, enc, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue // another scheme (v1a: ed25519) or not a signature
		}
		got, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(got) == 0 {
			continue // an empty or malformed signature matches nothing
		}
		for _, want := range macs {
			if hmac.Equal(got, want) {
				return time.Unix(ts, 0), nil
			}
		}
	}
	return time.Time{}, ErrNoMatchingSignature
}

// parseTimestamp reads webhook-timestamp: decimal digits only (no sign, no
// fraction), at most maxTimestampDigits of them.
func parseTimestamp(s string) (int64, error) {
	if len(s) > maxTimestampDigits {
		return 0, fmt.Errorf("%w: %d digits", ErrInvalidTimestamp, len(s))
	}
	var ts int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q is not a number of seconds", ErrInvalidTimestamp, s)
		}
		ts = ts*10 + int64(c-'0')
	}
	return ts, nil
}

// VerifyRequest reads r's body, at most MaxBodyBytes of it, verifies it
// with [Verifier.Verify] and returns it. A larger body is refused with
// [ErrBodyTooLarge] (answer 413) before any HMAC is computed; a read
// failure is returned wrapped. VerifyRequest consumes r.Body and does not
// dedupe.
func (v *Verifier) VerifyRequest(r *http.Request) ([]byte, error) {
	body, _, err := v.verifyRequest(r)
	return body, err
}

func (v *Verifier) verifyRequest(r *http.Request) ([]byte, time.Time, error) {
	if r.ContentLength > v.maxBody {
		return nil, time.Time{}, fmt.Errorf("%w: content-length %d, limit %d", ErrBodyTooLarge, r.ContentLength, v.maxBody)
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, v.maxBody+1))
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("webhookkit: read body: %w", err)
		}
		if int64(len(body)) > v.maxBody {
			return nil, time.Time{}, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, v.maxBody)
		}
	}
	ts, err := v.verify(r.Header, body)
	if err != nil {
		return nil, time.Time{}, err
	}
	return body, ts, nil
}

// Handler returns middleware that verifies each request, refuses a
// webhook-id already accepted (through the [Deduper], until the message's
// timestamp is out of tolerance) and calls next with the verified body put
// back in r.Body. Refusals go to the ErrorHandler: 413 for
// [ErrBodyTooLarge], 400 for malformed headers, 401 for a bad signature or
// timestamp. A duplicate goes to the ErrorHandler as [ErrDuplicate], which
// the default answers 200 without calling next, so the sender stops
// retrying what was processed.
//
// When next answers with a status of 400 or more, the id is forgotten
// again, so the sender's retry is processed. A copy that arrives while
// the first is still being processed is answered as a duplicate; if that
// first one then fails, the sender has seen a 200 for the copy and may not
// retry. Keep handlers short and idempotent: process the event in a job
// keyed by webhook-id when it takes long.
func (v *Verifier) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ts, err := v.verifyRequest(r)
		if err != nil {
			v.errorHandler(w, r, err)
			return
		}
		id := r.Header.Get(HeaderID)
		// Remember the id for as long as its timestamp is acceptable (the
		// check works in whole seconds, so through ts+tolerance+1s), and
		// never for less than the tolerance.
		ttl := max(ts.Add(v.tolerance+time.Second).Sub(v.now()), v.tolerance)
		fresh, err := v.deduper.Claim(r.Context(), id, ttl)
		if err != nil {
			v.errorHandler(w, r, fmt.Errorf("webhookkit: dedupe %q: %w", id, err))
			return
		}
		if !fresh {
			v.errorHandler(w, r, fmt.Errorf("%w: %q", ErrDuplicate, id))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				v.forget(r.Context(), id)
				panic(p)
			}
			if rec.status >= 400 {
				v.forget(r.Context(), id)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

func (v *Verifier) forget(ctx context.Context, id string) {
	if err := v.deduper.Forget(context.WithoutCancel(ctx), id); err != nil {
		v.logger.LogAttrs(ctx, slog.LevelError, "webhook_dedupe_forget_failed",
			slog.String("webhook_id", id), slog.Any("error", err))
	}
}

func (v *Verifier) defaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	code := StatusCode(err)
	v.logger.LogAttrs(r.Context(), slog.LevelInfo, "webhook_rejected",
		slog.String("webhook_id", r.Header.Get(HeaderID)), slog.Int("status", code), slog.Any("error", err))
	http.Error(w, http.StatusText(code), code)
}

// StatusCode maps an error of verification to the HTTP status a receiver
// answers: 413 for [ErrBodyTooLarge], 400 for missing or malformed
// headers, 401 for a bad signature or a timestamp out of tolerance, 200
// for [ErrDuplicate] (already processed), 500 for anything else.
func StatusCode(err error) int {
	switch {
	case err == nil, errors.Is(err, ErrDuplicate):
		return http.StatusOK
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMissingHeaders), errors.Is(err, ErrInvalidMessageID), errors.Is(err, ErrInvalidTimestamp):
		return http.StatusBadRequest
	case errors.Is(err, ErrTimestampTooOld), errors.Is(err, ErrTimestampTooNew), errors.Is(err, ErrNoMatchingSignature):
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// statusRecorder notes the status next writes, so Handler can forget the
// id of a failed delivery. It unwraps for http.ResponseController.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
