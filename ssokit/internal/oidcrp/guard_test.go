package oidcrp_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/netguard"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/oidcrp"
)

// countingServer is an "internal" service that must never be contacted.
func countingServer(t *testing.T, tls bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return srv, &hits
}

var authReq = oidcrp.AuthRequest{State: "s", Nonce: "n", Verifier: "verifier-verifier-verifier-verifier-verifier"}

// TestPrivateIssuerRefused: without AllowPrivateAddresses an issuer on a
// loopback, private or link-local address is refused and nothing is
// contacted, whether the address is literal or reached by name.
func TestPrivateIssuerRefused(t *testing.T) {
	internal, hits := countingServer(t, true)
	rp, err := oidcrp.New(internal.Client(), time.Now, oidcrp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, issuer := range []string{
		internal.URL, // https://127.0.0.1:port
		strings.Replace(internal.URL, "127.0.0.1", "localhost", 1),
		"https://10.0.0.5/tenant",
		"https://169.254.169.254/latest/meta-data",
		"https://[::1]:8443",
		"https://[::ffff:127.0.0.1]:8443",
	} {
		t.Run(issuer, func(t *testing.T) {
			c := &oidcrp.Connection{Issuer: issuer, ClientID: "c", RedirectURL: redirectURL}
			_, err := rp.AuthCodeURL(context.Background(), c, authReq)
			if !errors.Is(err, netguard.ErrBlockedAddress) {
				t.Fatalf("AuthCodeURL: err = %v, want ErrBlockedAddress", err)
			}
			if _, err := rp.Exchange(context.Background(), c, "code", authReq.Verifier, authReq.Nonce); !errors.Is(err, netguard.ErrBlockedAddress) {
				t.Fatalf("Exchange: err = %v, want ErrBlockedAddress", err)
			}
			if _, err := rp.EndSessionEndpoint(context.Background(), issuer); !errors.Is(err, netguard.ErrBlockedAddress) {
				t.Fatalf("EndSessionEndpoint: err = %v, want ErrBlockedAddress", err)
			}
		})
	}
	// The dial check itself, not only the literal check: a host name that
	// resolves to loopback is refused after resolution.
	name := strings.Replace(internal.URL, "127.0.0.1", "localhost", 1)
	hc := &http.Client{Transport: rpTransport(t, internal)}
	if _, err := hc.Get(name); !errors.Is(err, netguard.ErrBlockedAddress) {
		t.Fatalf("guarded transport: err = %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("internal server contacted %d times", n)
	}
}

// rpTransport is the transport the relying party builds for srv's client.
func rpTransport(t *testing.T, srv *httptest.Server) http.RoundTripper {
	t.Helper()
	tr, err := netguard.Transport(srv.Client().Transport, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestHTTPIssuerRefused: an http issuer is refused (nothing contacted)
// even on an address the dial check would let through; with
// AllowPrivateAddresses only loopback hosts may use http.
func TestHTTPIssuerRefused(t *testing.T) {
	plain, hits := countingServer(t, false)
	addr := strings.TrimPrefix(plain.URL, "http://")
	strict, err := oidcrp.New(plain.Client(), time.Now, oidcrp.WithExemptAddress(oidcrp.Options{}, addr))
	if err != nil {
		t.Fatal(err)
	}
	insecure, err := oidcrp.New(plain.Client(), time.Now, oidcrp.Options{AllowPrivateAddresses: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		rp     *oidcrp.Client
		issuer string
	}{
		{"http issuer, strict", strict, plain.URL},
		{"http issuer on a public name, insecure", insecure, "http://idp.example.com"},
		{"not http at all", insecure, "ftp://127.0.0.1/x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &oidcrp.Connection{Issuer: tt.issuer, ClientID: "c", RedirectURL: redirectURL}
			_, err := tt.rp.AuthCodeURL(context.Background(), c, authReq)
			var e *oidcrp.Error
			if !errors.As(err, &e) || e.Kind != oidcrp.KindConfig || !strings.Contains(err.Error(), "not https") {
				t.Fatalf("err = %v, want a KindConfig refusal", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("http issuer contacted %d times", n)
	}

	// Development mode: an http provider on loopback works.
	p := newProvider(t)
	dev := httptest.NewServer(p.Server.Config.Handler)
	t.Cleanup(dev.Close)
	p.Lock()
	p.Issuer = dev.URL
	p.Unlock()
	rp := newRP(t, dev.Client(), time.Now)
	if _, err := login(t, rp, p, conn(p)); err != nil {
		t.Fatalf("http loopback provider in insecure mode: %v", err)
	}
}

// TestDiscoveredEndpointsChecked: a discovery document served by a
// (stand-in) public provider may not send the relying party's token
// request, key fetch or userinfo call into the internal network or over
// http.
func TestDiscoveredEndpointsChecked(t *testing.T) {
	internal, hits := countingServer(t, true)
	for _, tt := range []struct {
		name  string
		field string
		url   string // %s: the internal server's URL
		ok    bool
	}{
		{name: "all endpoints on the provider", ok: true},
		{name: "internal token endpoint", field: "token_endpoint", url: internal.URL + "/token"},
		{name: "metadata service jwks", field: "jwks_uri", url: "https://169.254.169.254/keys"},
		{name: "localhost userinfo", field: "userinfo_endpoint", url: strings.Replace(internal.URL, "127.0.0.1", "localhost", 1) + "/userinfo"},
		{name: "private authorization endpoint", field: "authorization_endpoint", url: "https://10.1.2.3/authorize"},
		{name: "http token endpoint", field: "token_endpoint", url: "http://idp.example.com/token"},
		{name: "javascript end session", field: "end_session_endpoint", url: "javascript:alert(1)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				doc := map[string]any{
					"issuer":                 srv.URL,
					"authorization_endpoint": srv.URL + "/authorize",
					"token_endpoint":         srv.URL + "/token",
					"jwks_uri":               srv.URL + "/jwks",
					"userinfo_endpoint":      srv.URL + "/userinfo",
					"end_session_endpoint":   srv.URL + "/logout",
				}
				if tt.field != "" {
					doc[tt.field] = tt.url
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(doc)
			}))
			t.Cleanup(srv.Close)
			opts := oidcrp.WithExemptAddress(oidcrp.Options{}, strings.TrimPrefix(srv.URL, "https://"))
			rp, err := oidcrp.New(srv.Client(), time.Now, opts)
			if err != nil {
				t.Fatal(err)
			}
			c := &oidcrp.Connection{Issuer: srv.URL, ClientID: "c", RedirectURL: redirectURL}
			_, err = rp.AuthCodeURL(context.Background(), c, authReq)
			if tt.ok {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("err = %v, want a refusal naming %s", err, tt.field)
			}
			// The refusal is remembered like any failed discovery: the
			// code exchange does not reach the token endpoint either.
			if _, err := rp.Exchange(context.Background(), c, "code", authReq.Verifier, authReq.Nonce); err == nil {
				t.Fatal("Exchange succeeded")
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("internal server contacted %d times", n)
	}
}

// TestRedirectIntoInternalNetworkRefused: a public discovery URL that
// redirects inward is refused before the internal server sees a request.
func TestRedirectIntoInternalNetworkRefused(t *testing.T) {
	internal, hits := countingServer(t, true)
	srv := httptest.NewTLSServer(http.RedirectHandler(internal.URL+"/.well-known/openid-configuration", http.StatusFound))
	t.Cleanup(srv.Close)
	rp, err := oidcrp.New(srv.Client(), time.Now, oidcrp.WithExemptAddress(oidcrp.Options{}, strings.TrimPrefix(srv.URL, "https://")))
	if err != nil {
		t.Fatal(err)
	}
	c := &oidcrp.Connection{Issuer: srv.URL, ClientID: "c", RedirectURL: redirectURL}
	if _, err := rp.AuthCodeURL(context.Background(), c, authReq); !errors.Is(err, netguard.ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("internal server contacted %d times", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestCustomTransport: a transport the guard cannot re-dial is refused
// unless AllowPrivateAddresses.
func TestCustomTransport(t *testing.T) {
	hc := &http.Client{Transport: roundTripFunc(http.DefaultTransport.RoundTrip)}
	var e *oidcrp.Error
	if _, err := oidcrp.New(hc, time.Now, oidcrp.Options{}); !errors.As(err, &e) || e.Kind != oidcrp.KindConfig || !errors.Is(err, netguard.ErrUnsupportedTransport) {
		t.Fatalf("err = %v", err)
	}
	if _, err := oidcrp.New(hc, time.Now, oidcrp.Options{AllowPrivateAddresses: true}); err != nil {
		t.Fatalf("insecure: %v", err)
	}
}
