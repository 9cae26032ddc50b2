package webhookkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of [SenderConfig].
const (
	DefaultSendTimeout      = 15 * time.Second
	DefaultMaxResponseBytes = 64 << 10
	DefaultUserAgent        = "gatehouse-webhookkit"
)

// maxRetryAfter caps a Retry-After, so an endpoint cannot park a message
// for longer than a day.
const maxRetryAfter = 24 * time.Hour

// errBodyLogBytes is how much of a failed response's body a DeliveryError
// keeps.
const errBodyLogBytes = 512

// SenderConfig configures a [Sender].
type SenderConfig struct {
	// HTTPClient sends the requests. Default: a client of its own. The
	// Sender uses a copy with Timeout set (when zero) and redirects
	// turned off; when the client's Transport is nil or an
	// *http.Transport, the copy dials through the private-address guard.
	// Any other RoundTripper cannot be guarded: NewSender refuses it
	// unless InsecureAllowPrivateEndpoints is set. The guarded copy keeps
	// the transport's TLS, timeout and pool settings and replaces its
	// dial functions; it uses no proxy, which would hide the real target
	// from the check.
	HTTPClient *http.Client
	// Timeout bounds each attempt, from dial to the end of the response.
	// Default [DefaultSendTimeout] (15 s): an endpoint that takes longer
	// has failed.
	Timeout time.Duration
	// MaxResponseBytes is how much of a response body is read (so the
	// connection can be reused) before it is closed. Default
	// [DefaultMaxResponseBytes] (64 KiB).
	MaxResponseBytes int64
	// UserAgent is sent with each request. Default [DefaultUserAgent].
	UserAgent string
	// InsecureAllowPrivateEndpoints lets endpoints resolve to loopback,
	// private (RFC 1918, fc00::/7), link-local (169.254.0.0/16, the cloud
	// metadata service) and other internal addresses. Without it such a
	// connection is refused at dial time with [ErrPrivateAddress]. Set it
	// only when every endpoint URL comes from the operator, never from a
	// customer, or in tests against httptest servers.
	InsecureAllowPrivateEndpoints bool
}

// Sender POSTs signed webhook messages to endpoints, one attempt per call;
// retries are the [Worker]'s business. Build it with [NewSender]; it is
// safe for concurrent use.
type Sender struct {
	client    *http.Client
	timeout   time.Duration
	maxResp   int64
	userAgent string
}

// NewSender validates cfg and returns a Sender. It does no network I/O.
func NewSender(cfg SenderConfig) (*Sender, error) {
	if cfg.Timeout < 0 {
		return nil, errors.New("webhookkit: SenderConfig.Timeout is negative")
	}
	if cfg.MaxResponseBytes < 0 {
		return nil, errors.New("webhookkit: SenderConfig.MaxResponseBytes is negative")
	}
	s := &Sender{timeout: cfg.Timeout, maxResp: cfg.MaxResponseBytes, userAgent: cfg.UserAgent}
	if s.timeout == 0 {
		s.timeout = DefaultSendTimeout
	}
	if s.maxResp == 0 {
		s.maxResp = DefaultMaxResponseBytes
	}
	if s.userAgent == "" {
		s.userAgent = DefaultUserAgent
	}
	var c http.Client
	if cfg.HTTPClient != nil {
		c = *cfg.HTTPClient
	}
	if c.Timeout == 0 {
		c.Timeout = s.timeout
	}
	// 3xx is a failure: a redirect is neither followed nor trusted, so it
	// cannot lead the request to an internal address either.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if !cfg.InsecureAllowPrivateEndpoints {
		var t *http.Transport
		switch rt := c.Transport.(type) {
		case nil:
			t = http.DefaultTransport.(*http.Transport).Clone()
		case *http.Transport:
			t = rt.Clone()
		default:
			return nil, fmt.Errorf("webhookkit: SenderConfig.HTTPClient: a %T transport cannot be guarded against private addresses; use an *http.Transport or set InsecureAllowPrivateEndpoints", rt)
		}
		// Every connection goes through the guarded dialer: no proxy (it
		// would hide the real target from the check) and no host dial
		// functions (they would bypass it).
		t.Proxy = nil
		t.OnProxyConnectResponse = nil
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: refusePrivate}
		t.DialContext = d.DialContext
		t.DialTLSContext = nil
		//lint:ignore SA1019 a host-set Dial would bypass DialContext's check
		t.Dial = nil
		//lint:ignore SA1019 a host-set DialTLS would bypass the check
		t.DialTLS = nil
		c.Transport = t
	}
	s.client = &c
	return s, nil
}

// Message is one signed POST: the webhook-id, the timestamp of this
// attempt and the exact body.
type Message struct {
	ID        string
	Timestamp time.Time
	Body      []byte
}

// Send makes one delivery attempt of msg to ep: a POST of msg.Body with
// Content-Type application/json and the Standard Webhooks headers signed
// with ep.Secret. It returns nil when the endpoint answers 2xx within the
// timeout, and otherwise a [*DeliveryError]: it wraps [ErrEndpointGone] for
// 410, [ErrUnexpectedStatus] for any other status (3xx included), and the
// transport error, such as one wrapping [ErrPrivateAddress], when no
// response came. A Retry-After header (seconds or an HTTP date) on a
// failed response is reported in RetryAfter.
func (s *Sender) Send(ctx context.Context, ep Endpoint, msg Message) error {
	signer, err := ep.validate()
	if err != nil {
		return &DeliveryError{EndpointID: ep.key(), Err: err}
	}
	h, err := signer.Headers(msg.ID, msg.Timestamp, msg.Body)
	if err != nil {
		return &DeliveryError{EndpointID: ep.key(), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(msg.Body))
	if err != nil {
		return &DeliveryError{EndpointID: ep.key(), Err: fmt.Errorf("webhookkit: build request: %w", err)}
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	resp, err := s.client.Do(req)
	if err != nil {
		return &DeliveryError{EndpointID: ep.key(), Err: err}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, errBodyLogBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, s.maxResp-int64(len(head)))) // drain for reuse
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	de := &DeliveryError{
		EndpointID: ep.key(),
		StatusCode: resp.StatusCode,
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), msg.Timestamp),
		Body:       head,
		Err:        ErrUnexpectedStatus,
	}
	if resp.StatusCode == http.StatusGone {
		de.Err = ErrEndpointGone
	}
	return de
}

// retryAfter reads a Retry-After value: delay-seconds or an HTTP date,
// relative to now. Anything else, or a time in the past, is 0.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}
