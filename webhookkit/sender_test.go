package webhookkit_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/webhookkit"
)

func mustSender(tb testing.TB, cfg webhookkit.SenderConfig) *webhookkit.Sender {
	tb.Helper()
	s, err := webhookkit.NewSender(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// receiver is an httptest server that verifies with vecSecret and answers
// with respond.
func receiver(t *testing.T, clk *clock, respond http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	v := mustVerifier(t, webhookkit.VerifierConfig{Secrets: []string{vecSecret}, Now: clk.Now})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if _, err := v.VerifyRequest(r); err != nil {
			t.Errorf("receiver: %v", err)
			http.Error(w, err.Error(), webhookkit.StatusCode(err))
			return
		}
		respond(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// Item 106 at the Sender: what counts as success and what a failure
// reports.
func TestSend(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	retryDate := time.Unix(vecTS, 0).Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		respond    http.HandlerFunc
		wantErr    error
		wantStatus int
		wantRetry  time.Duration
	}{
		{"200", func(w http.ResponseWriter, r *http.Request) {}, nil, 0, 0},
		{"201", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) }, nil, 0, 0},
		{"204", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, nil, 0, 0},
		{"302 is a failure", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", http.StatusFound)
		}, webhookkit.ErrUnexpectedStatus, 302, 0},
		{"304 is a failure", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(304) }, webhookkit.ErrUnexpectedStatus, 304, 0},
		{"400", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(400) }, webhookkit.ErrUnexpectedStatus, 400, 0},
		{"410 gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(410) }, webhookkit.ErrEndpointGone, 410, 0},
		{"429 with Retry-After seconds", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(429)
		}, webhookkit.ErrUnexpectedStatus, 429, 120 * time.Second},
		{"503 with Retry-After date", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", retryDate)
			w.WriteHeader(503)
		}, webhookkit.ErrUnexpectedStatus, 503, 90 * time.Second},
		{"Retry-After capped at a day", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "99999999")
			w.WriteHeader(503)
		}, webhookkit.ErrUnexpectedStatus, 503, 24 * time.Hour},
		{"Retry-After garbage ignored", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "soon")
			w.WriteHeader(503)
		}, webhookkit.ErrUnexpectedStatus, 503, 0},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, webhookkit.ErrUnexpectedStatus, 500, 0},
	}
	s := mustSender(t, webhookkit.SenderConfig{InsecureAllowPrivateEndpoints: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := receiver(t, clk, tt.respond)
			err := s.Send(context.Background(), webhookkit.Endpoint{URL: srv.URL, Secret: vecSecret},
				webhookkit.Message{ID: "msg_1", Timestamp: clk.Now(), Body: []byte(vecBody)})
			if hits.Load() != 1 {
				t.Errorf("endpoint hit %d times, want 1", hits.Load())
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			var de *webhookkit.DeliveryError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &de) {
				t.Fatalf("Send = %v, want a DeliveryError wrapping %v", err, tt.wantErr)
			}
			if de.StatusCode != tt.wantStatus || de.RetryAfter != tt.wantRetry || de.EndpointID != srv.URL {
				t.Errorf("DeliveryError %+v, want status %d, retry after %v", de, tt.wantStatus, tt.wantRetry)
			}
		})
	}
}

// The request carries the body unchanged, JSON content type and the
// headers a Standard Webhooks receiver expects.
func TestSendRequest(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	s := mustSender(t, webhookkit.SenderConfig{InsecureAllowPrivateEndpoints: true, UserAgent: "acme-hooks"})
	err := s.Send(context.Background(), webhookkit.Endpoint{URL: srv.URL + "/hooks", Secret: vecSecret},
		webhookkit.Message{ID: vecID, Timestamp: time.Unix(vecTS, 0), Body: []byte(vecBody)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Content-Type": "application/json", "User-Agent": "acme-hooks",
		"Webhook-Id": vecID, "Webhook-Timestamp": "1614265330", "Webhook-Signature": vecSig,
	}
	for k, v := range want {
		if g := got.Header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	if got.Method != http.MethodPost || got.URL.Path != "/hooks" || string(body) != vecBody {
		t.Errorf("request %s %s body %q", got.Method, got.URL.Path, body)
	}
}

// A slow endpoint fails at the timeout; a huge response body is not read
// to its end.
func TestSendLimits(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv, _ := receiver(t, clk, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		defer close(release)
		s := mustSender(t, webhookkit.SenderConfig{InsecureAllowPrivateEndpoints: true, Timeout: 50 * time.Millisecond})
		err := s.Send(context.Background(), webhookkit.Endpoint{URL: srv.URL, Secret: vecSecret},
			webhookkit.Message{ID: "msg_1", Timestamp: clk.Now(), Body: []byte(vecBody)})
		var de *webhookkit.DeliveryError
		if !errors.As(err, &de) || de.StatusCode != 0 || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send = %v, want a DeliveryError with a deadline", err)
		}
	})
	t.Run("large response body", func(t *testing.T) {
		srv, _ := receiver(t, clk, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			chunk := []byte(strings.Repeat("x", 1024))
			for range 10 << 10 { // 10 MiB, unless the client hangs up
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})
		s := mustSender(t, webhookkit.SenderConfig{InsecureAllowPrivateEndpoints: true, MaxResponseBytes: 4096})
		err := s.Send(context.Background(), webhookkit.Endpoint{URL: srv.URL, Secret: vecSecret},
			webhookkit.Message{ID: "msg_1", Timestamp: clk.Now(), Body: []byte(vecBody)})
		var de *webhookkit.DeliveryError
		if !errors.As(err, &de) || de.StatusCode != 500 || len(de.Body) != 512 {
			t.Fatalf("Send = %v (body %d bytes), want status 500 and 512 bytes kept", err, len(de.Body))
		}
	})
}

// Item 105: endpoints that reach internal addresses are refused at dial
// time, whether given literally or by a name that resolves to one.
func TestSendRefusesPrivateAddresses(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	srv, hits := receiver(t, clk, func(w http.ResponseWriter, r *http.Request) {})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	s := mustSender(t, webhookkit.SenderConfig{}) // the guard is on by default
	urls := []string{
		srv.URL,                                    // 127.0.0.1, a live server
		"http://localhost:" + port,                 // a name resolving to loopback
		"http://[::1]:" + port,                     // IPv6 loopback
		"http://[::ffff:127.0.0.1]:" + port,        // IPv4-mapped loopback
		"http://169.254.169.254/latest/meta-data/", // cloud metadata (link-local)
		"http://10.0.0.1/",                         // RFC 1918
		"http://172.16.5.4/",
		"http://192.168.1.1/",
		"http://100.64.0.1/", // carrier-grade NAT
		"http://0.0.0.0:" + port,
		"http://[fd00::1]/", // unique local
		"http://[fe80::1]/", // IPv6 link-local
		"https://127.0.0.1:" + port,
	}
	for _, u := range urls {
		t.Run(u, func(t *testing.T) {
			err := s.Send(context.Background(), webhookkit.Endpoint{URL: u, Secret: vecSecret},
				webhookkit.Message{ID: "msg_1", Timestamp: clk.Now(), Body: []byte(vecBody)})
			if !errors.Is(err, webhookkit.ErrPrivateAddress) {
				t.Fatalf("Send to %s = %v, want ErrPrivateAddress", u, err)
			}
		})
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback server was reached %d times", hits.Load())
	}

	// With the flag, the same server is reached.
	insecure := mustSender(t, webhookkit.SenderConfig{InsecureAllowPrivateEndpoints: true})
	if err := insecure.Send(context.Background(), webhookkit.Endpoint{URL: srv.URL, Secret: vecSecret},
		webhookkit.Message{ID: "msg_1", Timestamp: clk.Now(), Body: []byte(vecBody)}); err != nil {
		t.Fatalf("with InsecureAllowPrivateEndpoints: %v", err)
	}
}

// Item 105: a host transport's proxy and dial functions cannot take a
// connection around the guard.
func TestSendGuardsHostTransport(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	srv, hits := receiver(t, clk, func(w http.ResponseWriter, r *http.Request) {})
	var dialled atomic.Int32
	direct := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	proxy, _ := url.Parse("http://proxy.example.com:3128")
	tr := &http.Transport{Proxy: http.ProxyURL(proxy), DialContext: direct, DialTLSContext: direct}
	s := mustSender(t, webhookkit.SenderConfig{HTTPClient: &http.Client{Transport: tr}})
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "http:", "https:", 1)} {
		err := s.Send(context.Background(), webhookkit.Endpoint{URL: u, Secret: vecSecret},
			webhookkit.Message{ID: "msg_1", Timestamp: clk.Now(), Body: []byte(vecBody)})
		if !errors.Is(err, webhookkit.ErrPrivateAddress) {
			t.Errorf("Send to %s = %v, want ErrPrivateAddress", u, err)
		}
	}
	if hits.Load() != 0 || dialled.Load() != 0 {
		t.Fatalf("server hit %d times, host dialer used %d times", hits.Load(), dialled.Load())
	}
	if tr.Proxy == nil || tr.DialContext == nil {
		t.Fatal("the host's transport was changed")
	}
}

// Item 105: a redirect to an internal address is not followed (3xx is a
// failure), even when private addresses are allowed.
func TestSendDoesNotFollowRedirects(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	internal, internalHits := receiver(t, clk, func(w http.ResponseWriter, r *http.Request) {})
	front, _ := receiver(t, clk, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL, http.StatusTemporaryRedirect)
	})
	s := mustSender(t, webhookkit.SenderConfig{InsecureAllowPrivateEndpoints: true})
	err := s.Send(context.Background(), webhookkit.Endpoint{URL: front.URL, Secret: vecSecret},
		webhookkit.Message{ID: "msg_1", Timestamp: clk.Now(), Body: []byte(vecBody)})
	if !errors.Is(err, webhookkit.ErrUnexpectedStatus) || internalHits.Load() != 0 {
		t.Fatalf("Send = %v, redirect target hit %d times", err, internalHits.Load())
	}
}

type customTransport struct{}

func (customTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("unused")
}

func TestNewSenderValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  webhookkit.SenderConfig
		ok   bool
	}{
		{"defaults", webhookkit.SenderConfig{}, true},
		{"a host client with an http.Transport", webhookkit.SenderConfig{HTTPClient: &http.Client{Transport: &http.Transport{}}}, true},
		{"a custom RoundTripper cannot be guarded", webhookkit.SenderConfig{HTTPClient: &http.Client{Transport: customTransport{}}}, false},
		{"a custom RoundTripper, guard off", webhookkit.SenderConfig{HTTPClient: &http.Client{Transport: customTransport{}}, InsecureAllowPrivateEndpoints: true}, true},
		{"negative timeout", webhookkit.SenderConfig{Timeout: -1}, false},
		{"negative response limit", webhookkit.SenderConfig{MaxResponseBytes: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webhookkit.NewSender(tt.cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("NewSender: %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestSendRefusesBadEndpoints(t *testing.T) {
	s := mustSender(t, webhookkit.SenderConfig{InsecureAllowPrivateEndpoints: true})
	tests := []struct {
		name string
		ep   webhookkit.Endpoint
		want error
	}{
		{"bad secret", webhookkit.Endpoint{URL: "http://127.0.0.1:1/", Secret: "whsec_"}, webhookkit.ErrInvalidSecret},
		{"not http", webhookkit.Endpoint{URL: "ftp://example.com/", Secret: vecSecret}, nil},
		{"relative", webhookkit.Endpoint{URL: "/hooks", Secret: vecSecret}, nil},
		{"credentials in the URL", webhookkit.Endpoint{URL: "https://u:p@example.com/", Secret: vecSecret}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Send(context.Background(), tt.ep, webhookkit.Message{ID: "msg_1", Timestamp: time.Unix(vecTS, 0)})
			var de *webhookkit.DeliveryError
			if !errors.As(err, &de) || de.StatusCode != 0 || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Send = %v", err)
			}
		})
	}
}
