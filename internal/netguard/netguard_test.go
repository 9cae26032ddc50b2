package netguard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/gatehouse-go/gatehouse/internal/netguard"
)

func TestPublic(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true}, {"1.1.1.1", true}, {"2606:4700:4700::1111", true},
		{"127.0.0.1", false}, {"127.8.9.10", false}, {"::1", false},
		{"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"fe80::1", false}, {"fd00::1", false},
		{"0.0.0.0", false}, {"::", false}, {"100.64.0.1", false}, {"224.0.0.1", false},
		{"255.255.255.255", false}, {"::ffff:127.0.0.1", false}, {"::ffff:169.254.169.254", false},
		{"::ffff:8.8.8.8", true}, {"198.18.0.1", false}, {"2001:db8::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := netguard.Public(netip.MustParseAddr(tt.addr)); got != tt.public {
				t.Fatalf("Public(%s) = %v", tt.addr, got)
			}
			err := netguard.Control("tcp", netip.AddrPortFrom(netip.MustParseAddr(tt.addr), 443).String(), nil)
			if (err == nil) != tt.public || (err != nil && !errors.Is(err, netguard.ErrBlockedAddress)) {
				t.Fatalf("Control: %v", err)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestTransport checks that the guarded transport refuses a loopback server
// before any byte reaches it, ignores a configured proxy, keeps the base
// transport's TLS settings, and refuses transports it cannot re-dial.
func TestTransport(t *testing.T) {
	var hits, proxied atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	base := srv.Client().Transport.(*http.Transport).Clone()
	// A proxy would see the request although the target is internal.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { proxied.Add(1) }))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	base.Proxy = http.ProxyURL(pu)

	tr, err := netguard.Transport(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.RootCAs == nil {
		t.Fatal("TLS settings of the base transport were dropped")
	}
	_, err = (&http.Client{Transport: tr}).Get(srv.URL)
	if !errors.Is(err, netguard.ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
	if hits.Load() != 0 || proxied.Load() != 0 {
		t.Fatalf("server hits = %d, proxy hits = %d, want none", hits.Load(), proxied.Load())
	}

	// With a control that lets the server through, the same transport works
	// and still goes direct.
	tr, err = netguard.Transport(base, func(string, string, syscall.RawConn) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits.Load() != 1 || proxied.Load() != 0 {
		t.Fatalf("server hits = %d, proxy hits = %d, want 1 and 0", hits.Load(), proxied.Load())
	}

	if _, err := netguard.Transport(roundTripFunc(http.DefaultTransport.RoundTrip), nil); !errors.Is(err, netguard.ErrUnsupportedTransport) {
		t.Fatalf("custom RoundTripper: err = %v", err)
	}
	if _, err := netguard.Transport(nil, nil); err != nil {
		t.Fatalf("nil transport: %v", err)
	}
}
