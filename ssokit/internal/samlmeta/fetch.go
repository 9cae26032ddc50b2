package samlmeta

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/netguard"
)

// Defaults for [FetchOptions].
const (
	DefaultFetchTimeout = 10 * time.Second
	maxRedirects        = 3
)

// FetchOptions tune [FetchIDPMetadata]. The zero value is the safe default.
type FetchOptions struct {
	// AllowPrivateAddresses lets the fetch connect to private, loopback,
	// link-local and unspecified addresses. Safe only when the metadata URL
	// is set by the host's operator, never by a tenant's admin. Default:
	// refused, checked on every connection after DNS resolution.
	AllowPrivateAddresses bool
	// AllowInsecureLoopback accepts http:// URLs (and redirects) whose host
	// is localhost or a loopback address. Connecting there still needs
	// AllowPrivateAddresses. Default: https only.
	AllowInsecureLoopback bool
	// MaxSize caps the response body in bytes. Default: 1 MiB.
	MaxSize int64
	// Timeout bounds the whole fetch, redirects included. Default: 10s.
	Timeout time.Duration
}

// FetchIDPMetadata downloads IdP metadata from rawURL with client (nil: a
// new client) and returns the body; parse it with [ParseIDPMetadata].
//
// The URL must be https (see [FetchOptions.AllowInsecureLoopback]). At most
// 3 redirects are followed and each target is checked like the first URL.
// Unless [FetchOptions.AllowPrivateAddresses] is set, every connection is
// checked at dial time, after DNS resolution, and refused for private,
// loopback, link-local, multicast, CGNAT and unspecified addresses; this
// blocks DNS rebinding and redirects into the internal network. For that,
// the client's Transport must be nil or an *http.Transport (it is cloned,
// and its proxy setting is dropped: a proxy would hide the real target);
// any other RoundTripper is refused. The client's Jar and Timeout are kept;
// its CheckRedirect is replaced.
func FetchIDPMetadata(ctx context.Context, client *http.Client, rawURL string, opts FetchOptions) ([]byte, error) {
	if _, err := checkURL(rawURL, opts.AllowInsecureLoopback); err != nil {
		return nil, err
	}
	c, err := fetchClient(client, opts)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("samlmeta: fetch metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{StatusCode: resp.StatusCode}
	}
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxMetadataSize
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("samlmeta: read metadata: %w", err)
	}
	if int64(len(body)) > maxSize {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxSize)
	}
	return body, nil
}

func fetchClient(client *http.Client, opts FetchOptions) (*http.Client, error) {
	c := &http.Client{}
	if client != nil {
		c.Jar, c.Timeout, c.Transport = client.Jar, client.Timeout, client.Transport
	}
	if !opts.AllowPrivateAddresses {
		tr, err := netguard.Transport(c.Transport, controlPublicOnly)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		c.Transport = tr
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return ErrTooManyRedirects
		}
		if _, err := checkURL(req.URL.String(), opts.AllowInsecureLoopback); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		return nil
	}
	return c, nil
}

// controlPublicOnly is a net.Dialer Control function: it runs for every
// connection attempt with the resolved address and refuses non-public ones
// (the policy of package netguard, shared with the OIDC relying party).
func controlPublicOnly(network, address string, c syscall.RawConn) error {
	if err := netguard.Control(network, address, c); err != nil {
		return fmt.Errorf("%w: %w", ErrBlockedAddress, err)
	}
	return nil
}
