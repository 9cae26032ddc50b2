package ssokit

import (
	"net/url"
	"strings"
)

// checkReturnURL validates where the user may be sent after login or
// logout: a relative path on the host's origin, or an absolute URL under
// one of Config.AllowedReturnURLs. Empty means Config.DefaultReturnPath.
// It returns the URL to redirect to.
func (c *config) checkReturnURL(raw string) (string, error) {
	if raw == "" {
		return c.DefaultReturnPath, nil
	}
	if isRelativeReturnPath(raw) {
		return raw, nil
	}
	if len(raw) <= 2048 && !hasUnsafeURLChars(raw) {
		if u, err := url.Parse(raw); err == nil && u.IsAbs() && u.User == nil {
			for _, a := range c.allowed {
				if strings.EqualFold(u.Scheme, a.Scheme) && strings.EqualFold(u.Host, a.Host) &&
					!hasDotSegment(u.EscapedPath()) && underPath(u.EscapedPath(), a.EscapedPath()) {
					return u.String(), nil
				}
			}
		}
	}
	return "", &Error{Code: CodeReturnURLNotAllowed, Description: "the return URL is neither a relative path nor an allowed URL"}
}

// isRelativeReturnPath reports whether p is a path on the same origin that
// no browser reads as another origin: it starts with one "/", and has no
// "//" or "/\" prefix, no backslash, no control character, no scheme.
func isRelativeReturnPath(p string) bool {
	if len(p) == 0 || len(p) > 2048 || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	if hasUnsafeURLChars(p) {
		return false
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	// "/%2F%2Fevil" stays a path for browsers, but some frameworks decode
	// before redirecting; refuse an encoded second slash or backslash at
	// the start too.
	if dec, err := url.PathUnescape(u.EscapedPath()); err != nil || strings.HasPrefix(dec, "//") || strings.HasPrefix(dec, "/\\") {
		return false
	}
	return true
}

// hasUnsafeURLChars reports backslashes, control characters, spaces and
// non-ASCII bytes, which browsers handle in inconsistent ways.
func hasUnsafeURLChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c == 0x7f || c == '\\' || c >= 0x80 {
			return true
		}
	}
	return false
}

// hasDotSegment reports whether the escaped path p has a "." or ".."
// segment once percent-decoded (or cannot be decoded). The browser or the
// target server resolves those, so "/allowed/../admin" and
// "/allowed/%2e%2e/admin" would escape the allowed path; backslashes and
// encoded slashes count as separators, as some servers read them so.
func hasDotSegment(p string) bool {
	dec, err := url.PathUnescape(p)
	if err != nil {
		return true
	}
	for seg := range strings.FieldsFuncSeq(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// underPath reports whether p equals base or lies under it on a segment
// boundary.
func underPath(p, base string) bool {
	if base == "" || base == "/" {
		return true
	}
	if p == base {
		return true
	}
	if strings.HasSuffix(base, "/") {
		return strings.HasPrefix(p, base)
	}
	return strings.HasPrefix(p, base+"/")
}
