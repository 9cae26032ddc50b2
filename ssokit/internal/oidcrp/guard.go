package oidcrp

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/gatehouse-go/gatehouse/internal/netguard"
)

// Options tune a [Client]. The zero value is the safe default.
type Options struct {
	// AllowPrivateAddresses lets the client connect to private, loopback,
	// link-local, CGNAT and unspecified addresses, and accepts http://
	// issuers and endpoints whose host is localhost or a loopback address.
	// The HTTP client is then used as given (its proxy included). Safe only
	// when issuers are set by the host's operator, never by a tenant's
	// admin. Default: every connection (discovery, JWKS, token, userinfo,
	// redirects) is checked at dial time, after DNS resolution, and refused
	// for non-public addresses; no proxy is used; the issuer and every
	// endpoint of the discovery document must be https and must not name a
	// non-public IP address or localhost.
	AllowPrivateAddresses bool

	// exempt lets a non-public "ip:port" through the dial check; tests use
	// it as a stand-in for a public server (export_test.go).
	exempt func(address string) bool
}

// maxRedirects bounds the redirects of one call to a provider.
const maxRedirects = 5

// guardedClient returns the HTTP client the relying party calls providers
// with: a copy of hc (nil: a client with fetchTimeout) whose redirects are
// checked like the issuer and, unless opts.AllowPrivateAddresses, whose
// transport dials public addresses only (see [netguard.Transport]; an
// hc.Transport that is not an *http.Transport is refused).
func guardedClient(hc *http.Client, opts Options) (*http.Client, error) {
	c := &http.Client{Timeout: fetchTimeout}
	if hc != nil {
		c.Transport, c.Jar, c.Timeout = hc.Transport, hc.Jar, hc.Timeout
	}
	if !opts.AllowPrivateAddresses {
		control := netguard.Control
		if opts.exempt != nil {
			control = func(network, address string, rc syscall.RawConn) error {
				if opts.exempt(address) {
					return nil
				}
				return netguard.Control(network, address, rc)
			}
		}
		tr, err := netguard.Transport(c.Transport, control)
		if err != nil {
			return nil, &Error{Kind: KindConfig, Err: fmt.Errorf("http client: %w", err)}
		}
		c.Transport = tr
	}
	var inner func(*http.Request, []*http.Request) error
	if hc != nil {
		inner = hc.CheckRedirect
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("oidcrp: more than %d redirects", maxRedirects)
		}
		if err := opts.checkURL(req.URL.String()); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		if inner != nil {
			return inner(req, via)
		}
		return nil
	}
	return c, nil
}

// errUnsafeURL is wrapped by every refusal of checkURL.
var errUnsafeURL = errors.New("unsafe url")

// checkURL applies the URL policy of opts to an issuer or a discovered
// endpoint: an absolute https URL whose host is not a non-public IP literal
// or localhost; with AllowPrivateAddresses, any host, and http on loopback
// hosts.
func (opts Options) checkURL(raw string) error {
	insecure := opts.AllowPrivateAddresses
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", errUnsafeURL, err)
	}
	if !u.IsAbs() || u.Host == "" || u.User != nil {
		return fmt.Errorf("%w: %q is not an absolute URL without user info", errUnsafeURL, raw)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	switch u.Scheme {
	case "https":
	case "http":
		if !insecure || !loopbackHost(host) {
			return fmt.Errorf("%w: %q is not https", errUnsafeURL, raw)
		}
	default:
		return fmt.Errorf("%w: %q is not https", errUnsafeURL, raw)
	}
	if insecure {
		return nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("%w: %q names localhost: %w", errUnsafeURL, raw, netguard.ErrBlockedAddress)
	}
	if a, err := netip.ParseAddr(host); err == nil && !netguard.Public(a) && !opts.exemptURL(u) {
		return fmt.Errorf("%w: %q names a non-public address: %w", errUnsafeURL, raw, netguard.ErrBlockedAddress)
	}
	return nil
}

// exemptURL reports whether u's address is exempted by a test.
func (opts Options) exemptURL(u *url.URL) bool {
	if opts.exempt == nil {
		return false
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return opts.exempt(net.JoinHostPort(u.Hostname(), port))
}

func loopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
