package samlmeta

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// checkURL accepts an absolute https URL with a host and no credentials, or
// an http URL whose host is a loopback name or address when allowLoopbackHTTP
// is set. Everything else (javascript:, data:, file:, relative references,
// http to a remote host) is refused with ErrUnsafeURL.
func checkURL(raw string, allowLoopbackHTTP bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsafeURL, err)
	}
	if u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w: %q is not an absolute url with a host", ErrUnsafeURL, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: %q carries credentials", ErrUnsafeURL, raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u, nil
	case "http":
		if allowLoopbackHTTP && isLoopbackHost(u.Hostname()) {
			return u, nil
		}
		return nil, fmt.Errorf("%w: %q is not https", ErrUnsafeURL, raw)
	}
	return nil, fmt.Errorf("%w: scheme %q", ErrUnsafeURL, u.Scheme)
}

// isLoopbackHost reports whether host is "localhost", a name under
// ".localhost" (RFC 6761), or a loopback IP literal.
func isLoopbackHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
