package samlmeta

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func metadataServer(t *testing.T, tls bool, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	var s *httptest.Server
	if tls {
		s = httptest.NewTLSServer(h)
	} else {
		s = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

func TestFetchIDPMetadata(t *testing.T) {
	body := mdDoc(t, "https://idp.example.com/", "https://idp.example.com/sso", "")
	serve := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/metadata":
			w.Header().Set("Content-Type", "application/samlmetadata+xml")
			w.Write([]byte(body))
		case "/big":
			w.Write([]byte(strings.Repeat("x", 2<<20)))
		case "/missing":
			http.NotFound(w, r)
		case "/slow":
			<-r.Context().Done()
		default:
			// /r/N redirects N more times, then to /metadata.
			if n, ok := strings.CutPrefix(r.URL.Path, "/r/"); ok {
				if n == "0" {
					http.Redirect(w, r, "/metadata", http.StatusFound)
					return
				}
				http.Redirect(w, r, "/r/"+string(n[0]-1), http.StatusFound)
				return
			}
			if to, ok := strings.CutPrefix(r.URL.Path, "/to/"); ok {
				http.Redirect(w, r, "http://"+to, http.StatusFound)
				return
			}
			http.NotFound(w, r)
		}
	}
	tlsSrv := metadataServer(t, true, serve)
	plainSrv := metadataServer(t, false, serve)
	ctx := context.Background()

	tests := []struct {
		name   string
		client *http.Client
		url    string
		opts   FetchOptions
		want   error // nil = success
	}{
		{"loopback refused by default", tlsSrv.Client(), tlsSrv.URL + "/metadata", FetchOptions{}, ErrBlockedAddress},
		{"localhost name refused at dial time", tlsSrv.Client(), strings.Replace(tlsSrv.URL, "127.0.0.1", "localhost", 1) + "/metadata", FetchOptions{}, ErrBlockedAddress},
		{"loopback allowed with flag", tlsSrv.Client(), tlsSrv.URL + "/metadata", FetchOptions{AllowPrivateAddresses: true}, nil},
		{"http refused", nil, plainSrv.URL + "/metadata", FetchOptions{AllowPrivateAddresses: true}, ErrUnsafeURL},
		{"http loopback allowed with both flags", nil, plainSrv.URL + "/metadata", FetchOptions{AllowPrivateAddresses: true, AllowInsecureLoopback: true}, nil},
		{"http loopback still blocked without private flag", nil, plainSrv.URL + "/metadata", FetchOptions{AllowInsecureLoopback: true}, ErrBlockedAddress},
		{"three redirects followed", tlsSrv.Client(), tlsSrv.URL + "/r/2", FetchOptions{AllowPrivateAddresses: true}, nil},
		{"four redirects refused", tlsSrv.Client(), tlsSrv.URL + "/r/3", FetchOptions{AllowPrivateAddresses: true}, ErrTooManyRedirects},
		{"redirect to http refused", tlsSrv.Client(), tlsSrv.URL + "/to/idp.example.com/metadata", FetchOptions{AllowPrivateAddresses: true}, ErrUnsafeURL},
		{"too large", tlsSrv.Client(), tlsSrv.URL + "/big", FetchOptions{AllowPrivateAddresses: true}, ErrTooLarge},
		{"status", tlsSrv.Client(), tlsSrv.URL + "/missing", FetchOptions{AllowPrivateAddresses: true}, ErrFetchStatus},
		{"timeout", tlsSrv.Client(), tlsSrv.URL + "/slow", FetchOptions{AllowPrivateAddresses: true, Timeout: 50 * time.Millisecond}, context.DeadlineExceeded},
		{"javascript url", nil, "javascript:alert(1)", FetchOptions{}, ErrUnsafeURL},
		{"custom transport refused", &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("unreachable") })}, "https://idp.example.com/metadata", FetchOptions{}, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FetchIDPMetadata(ctx, tt.client, tt.url, tt.opts)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != body {
					t.Fatalf("body %q", got)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	var se *StatusError
	_, err := FetchIDPMetadata(ctx, tlsSrv.Client(), tlsSrv.URL+"/missing", FetchOptions{AllowPrivateAddresses: true})
	if !errors.As(err, &se) || se.StatusCode != http.StatusNotFound {
		t.Fatalf("StatusError: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestControlPublicOnly checks that the dial check (netguard's policy, see
// its tests for the full address table) reports samlmeta's sentinel.
func TestControlPublicOnly(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true}, {"2606:4700:4700::1111", true},
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false},
		{"169.254.169.254", false}, {"100.64.0.1", false}, {"::ffff:127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := controlPublicOnly("tcp", netip.AddrPortFrom(netip.MustParseAddr(tt.addr), 443).String(), nil)
			if (err == nil) != tt.public || (err != nil && !errors.Is(err, ErrBlockedAddress)) {
				t.Fatalf("control: %v", err)
			}
		})
	}
}
