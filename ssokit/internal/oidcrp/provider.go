package oidcrp

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// AllowedAlgorithms returns the ID token signature algorithms accepted
// (within the provider's advertised set). HS* and none are never accepted.
func AllowedAlgorithms() []string {
	return []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.PS256}
}

func isAllowedAlgorithm(alg string) bool { return slices.Contains(AllowedAlgorithms(), alg) }

const (
	discoveryTTL    = 24 * time.Hour
	minRetryBackoff = time.Second
	maxRetryBackoff = 5 * time.Minute
	fetchTimeout    = 15 * time.Second
)

// Client is a relying party for any number of connections. It caches one
// discovered provider per issuer. A Client is safe for concurrent use.
type Client struct {
	httpClient *http.Client
	now        func() time.Time
	opts       Options

	mu        sync.Mutex
	providers map[string]*entry
}

// New returns a Client that calls providers through a copy of httpClient
// (nil: a client with a 15-second timeout) guarded as opts say, and reads
// the time from now. It does no I/O. Unless opts.AllowPrivateAddresses,
// httpClient's Transport must be nil or an *http.Transport (cloned with a
// checking dialer and no proxy; its TLS and pool settings are kept); any
// other RoundTripper is refused with a KindConfig error.
func New(httpClient *http.Client, now func() time.Time, opts Options) (*Client, error) {
	hc, err := guardedClient(httpClient, opts)
	if err != nil {
		return nil, err
	}
	return &Client{httpClient: hc, now: now, opts: opts, providers: map[string]*entry{}}, nil
}

// entry is the cached discovery state of one issuer.
type entry struct {
	mu        sync.Mutex // held while fetching, so one fetch runs per issuer
	p         *provider
	fetchedAt time.Time
	err       error
	failures  int
	retryAt   time.Time
}

// provider is a discovered provider with its key set.
type provider struct {
	oidc   *oidc.Provider
	keys   *oidc.RemoteKeySet
	algs   []string
	meta   metadata
	issuer string
}

type metadata struct {
	EndSessionEndpoint string   `json:"end_session_endpoint"`
	UserinfoEndpoint   string   `json:"userinfo_endpoint"`
	JWKSURI            string   `json:"jwks_uri"`
	ISSParameter       bool     `json:"authorization_response_iss_parameter_supported"`
	Algorithms         []string `json:"id_token_signing_alg_values_supported"`
}

// provider returns the discovered provider of issuer, fetching the
// discovery document when it is missing or stale and the backoff allows.
func (c *Client) provider(ctx context.Context, issuer string) (*provider, error) {
	if err := c.opts.checkURL(issuer); err != nil {
		return nil, &Error{Kind: KindConfig, Err: fmt.Errorf("issuer: %w", err)}
	}
	c.mu.Lock()
	e := c.providers[issuer]
	if e == nil {
		e = &entry{}
		c.providers[issuer] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.now()
	if e.p != nil && now.Sub(e.fetchedAt) < discoveryTTL {
		return e.p, nil
	}
	if e.err != nil && now.Before(e.retryAt) {
		if e.p != nil {
			return e.p, nil // keep serving a stale document while the provider is down
		}
		return nil, &Error{Kind: KindIDP, Err: fmt.Errorf("discovery of %s failed, next try at %s: %w", issuer, e.retryAt.Format(time.RFC3339), e.err)}
	}
	p, err := c.discover(ctx, issuer)
	if err != nil {
		e.err = err
		e.failures++
		backoff := minRetryBackoff << min(e.failures-1, 16)
		e.retryAt = now.Add(min(backoff, maxRetryBackoff))
		if e.p != nil {
			return e.p, nil
		}
		return nil, &Error{Kind: KindIDP, Err: err}
	}
	e.p, e.fetchedAt, e.err, e.failures = p, now, nil, 0
	return p, nil
}

func (c *Client) discover(ctx context.Context, issuer string) (*provider, error) {
	// The fetch outlives neither the client's timeout nor fetchTimeout,
	// but does not die with the request that happened to trigger it: the
	// result is shared by every later login.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.httpClient), issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", issuer, err)
	}
	var m metadata
	if err := p.Claims(&m); err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", issuer, err)
	}
	if m.JWKSURI == "" {
		return nil, fmt.Errorf("discovery of %s: no jwks_uri", issuer)
	}
	ep := p.Endpoint()
	for _, u := range []struct{ field, url string }{
		{"authorization_endpoint", ep.AuthURL}, {"token_endpoint", ep.TokenURL}, {"jwks_uri", m.JWKSURI},
		{"userinfo_endpoint", m.UserinfoEndpoint}, {"end_session_endpoint", m.EndSessionEndpoint},
	} {
		if u.url == "" && (u.field == "userinfo_endpoint" || u.field == "end_session_endpoint") {
			continue
		}
		if err := c.opts.checkURL(u.url); err != nil {
			return nil, fmt.Errorf("discovery of %s: %s: %w", issuer, u.field, err)
		}
	}
	var algs []string
	for _, a := range m.Algorithms {
		if isAllowedAlgorithm(a) {
			algs = append(algs, a)
		}
	}
	if len(algs) == 0 {
		algs = []string{oidc.RS256} // the one algorithm every provider must support
	}
	// The key set keeps this context as a bag of values (the HTTP client)
	// for its refetches; it carries no deadline and no request.
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), c.httpClient), m.JWKSURI)
	return &provider{oidc: p, keys: keys, algs: algs, meta: m, issuer: issuer}, nil
}

// EndSessionEndpoint returns the provider's end_session_endpoint, or "" when
// it advertises none.
func (c *Client) EndSessionEndpoint(ctx context.Context, issuer string) (string, error) {
	p, err := c.provider(ctx, issuer)
	if err != nil {
		return "", err
	}
	return p.meta.EndSessionEndpoint, nil
}
