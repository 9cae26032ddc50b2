// Package netguard keeps the kit's outbound calls off the internal network:
// calls to identity providers (SAML metadata, OIDC discovery, JWKS, token,
// userinfo) and webhook deliveries. Their URLs come from settings that a
// tenant's admin may control, so every connection is checked at dial time,
// after DNS resolution: this also blocks DNS rebinding and redirects
// inward. ssokit and webhookkit share it.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Errors returned by this package; test with [errors.Is].
var (
	// ErrBlockedAddress: a connection would go to a private, loopback,
	// link-local, multicast, CGNAT, reserved or unspecified address.
	ErrBlockedAddress = errors.New("netguard: address not allowed")
	// ErrUnsupportedTransport: the address policy cannot be enforced on the
	// given http.RoundTripper (only *http.Transport can be re-dialed).
	ErrUnsupportedTransport = errors.New("netguard: cannot enforce the address policy on this transport")
)

// nonPublic lists the special-purpose ranges that netip's predicates do not
// cover.
var nonPublic = [...]netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: embeds an IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4 address
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("100::/64"),        // discard-only
}

// Public reports whether addr is a globally routable unicast address.
// IPv4-mapped IPv6 addresses are judged by their IPv4 address.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsUnspecified() || addr.IsLoopback() || addr.IsPrivate() ||
		addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() ||
		addr.IsMulticast() || addr.Zone() != "" {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// Control is a net.Dialer Control function: it runs for every connection
// attempt with the resolved "ip:port" and refuses non-public addresses with
// an error wrapping [ErrBlockedAddress].
func Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBlockedAddress, err)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an ip address", ErrBlockedAddress, host)
	}
	if !Public(addr) {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, addr)
	}
	return nil
}

// ControlFunc is the signature of net.Dialer.Control.
type ControlFunc func(network, address string, c syscall.RawConn) error

// Transport returns a clone of rt whose connections are checked by control
// (nil: [Control]) and which uses no proxy (a proxy would hide the real
// target from the check). rt must be nil (http.DefaultTransport is cloned)
// or an *http.Transport: its TLS, timeout and pool settings are kept, its
// DialContext, DialTLSContext and Proxy are replaced. Any other
// RoundTripper is refused with [ErrUnsupportedTransport], since the check
// could not reach its dialer.
func Transport(rt http.RoundTripper, control ControlFunc) (*http.Transport, error) {
	var base *http.Transport
	switch t := rt.(type) {
	case nil:
		base = http.DefaultTransport.(*http.Transport)
	case *http.Transport:
		base = t
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedTransport, rt)
	}
	if control == nil {
		control = Control
	}
	tr := base.Clone()
	tr.Proxy = nil
	tr.OnProxyConnectResponse = nil
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: control}
	tr.DialContext = dialer.DialContext
	tr.DialTLSContext = nil
	//lint:ignore SA1019 a host-set Dial would bypass DialContext's check
	tr.Dial = nil
	//lint:ignore SA1019 a host-set DialTLS would bypass the check
	tr.DialTLS = nil
	return tr, nil
}
