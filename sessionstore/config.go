package sessionstore

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// DefaultMaxAge is the session lifetime when [Config.Options] leaves MaxAge
// at zero: 12 hours, in seconds.
const DefaultMaxAge = 12 * 60 * 60

// minHashKey is the shortest HMAC key New accepts, in bytes.
const minHashKey = 32

// cookieTimestampBound is the default bound, in seconds, of the timestamp
// that securecookie signs into the cookie (securecookie's own default).
const cookieTimestampBound = 30 * 24 * 60 * 60

// Config configures a [Store]. Backend and one of KeyPairs or Codecs are
// required; every other field has a default.
type Config struct {
	// Backend keeps the session records. Required.
	Backend Backend

	// KeyPairs are securecookie key pairs that sign the cookie, which
	// carries only the session id: a hash key of at least 32 bytes, then
	// an optional block key of 16, 24 or 32 bytes that also encrypts it
	// (not needed: the id is random and reveals nothing). Several pairs
	// rotate keys: the first pair signs new cookies, all of them verify.
	// Cookies built from KeyPairs carry a timestamp that securecookie
	// refuses after 30 days, or after Options.MaxAge when that is longer;
	// every Save refreshes it. Set KeyPairs or Codecs, not both.
	KeyPairs [][]byte

	// Codecs replaces KeyPairs for hosts that build their own
	// securecookie codecs (their MaxAge and MaxLength are used as they
	// are). Set KeyPairs or Codecs, not both.
	Codecs []securecookie.Codec

	// Options are the cookie options of new sessions; each session gets a
	// copy that the host may change before Save (MaxAge -1 deletes the
	// session). Zero fields take these defaults: Path "/", MaxAge
	// [DefaultMaxAge] (12 hours), SameSite Lax. HttpOnly and Secure are
	// always set, whatever these fields say (see InsecureCookieOverHTTP).
	// A MaxAge below zero is an error. MaxAge is also the lifetime of the
	// server record of a session whose own MaxAge is 0 (a browser-session
	// cookie). Name the session "__Host-…" to pin the cookie to the host
	// (no Domain, Path "/").
	Options sessions.Options

	// InsecureCookieOverHTTP leaves the Secure flag off the cookie, so
	// that browsers send it over plain HTTP. Only for development on a
	// host other than localhost (browsers treat http://localhost as
	// secure): over HTTP the cookie, and the session, can be stolen.
	InsecureCookieOverHTTP bool

	// Serializer encodes session Values for the backend. Default:
	// [GobSerializer].
	Serializer Serializer

	// Now returns the current time; it sets the expiry of server records.
	// Default: time.Now.
	Now func() time.Time
}

// build validates c and returns the settings of a Store.
func (c Config) build() (*Store, error) {
	if c.Backend == nil {
		return nil, errors.New("sessionstore: Config.Backend is nil")
	}
	opts := c.Options
	if opts.MaxAge < 0 {
		return nil, fmt.Errorf("sessionstore: Config.Options.MaxAge %d is negative", opts.MaxAge)
	}
	if opts.MaxAge == 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.Path == "" {
		opts.Path = "/"
	}
	if opts.SameSite == 0 {
		opts.SameSite = http.SameSiteLaxMode
	}
	opts.HttpOnly = true
	opts.Secure = !c.InsecureCookieOverHTTP

	var codecs []securecookie.Codec
	switch {
	case len(c.KeyPairs) > 0 && len(c.Codecs) > 0:
		return nil, errors.New("sessionstore: set Config.KeyPairs or Config.Codecs, not both")
	case len(c.Codecs) > 0:
		for i, cd := range c.Codecs {
			if cd == nil {
				return nil, fmt.Errorf("sessionstore: Config.Codecs[%d] is nil", i)
			}
		}
		codecs = append(codecs, c.Codecs...)
	case len(c.KeyPairs) > 0:
		for i := 0; i < len(c.KeyPairs); i += 2 {
			if n := len(c.KeyPairs[i]); n < minHashKey {
				return nil, fmt.Errorf("sessionstore: Config.KeyPairs[%d]: hash key of %d bytes, want at least %d", i, n, minHashKey)
			}
			if i+1 < len(c.KeyPairs) {
				switch n := len(c.KeyPairs[i+1]); n {
				case 0, 16, 24, 32:
				default:
					return nil, fmt.Errorf("sessionstore: Config.KeyPairs[%d]: block key of %d bytes, want 16, 24 or 32 (or none)", i+1, n)
				}
			}
		}
		bound := max(cookieTimestampBound, opts.MaxAge)
		for _, cd := range securecookie.CodecsFromPairs(c.KeyPairs...) {
			if sc, ok := cd.(*securecookie.SecureCookie); ok {
				sc.MaxAge(bound)
			}
			codecs = append(codecs, cd)
		}
	default:
		return nil, errors.New("sessionstore: Config.KeyPairs or Config.Codecs is required")
	}

	s := &Store{
		backend:    c.Backend,
		codecs:     codecs,
		opts:       opts,
		serializer: c.Serializer,
		now:        c.Now,
	}
	s.updater, _ = c.Backend.(Updater)
	if s.serializer == nil {
		s.serializer = GobSerializer{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}
