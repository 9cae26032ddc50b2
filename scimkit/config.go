package scimkit

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// Defaults of the limits in [Config].
const (
	DefaultMaxBodyBytes       = 1 << 20 // 1 MiB
	DefaultMaxFilterLength    = 4096
	DefaultMaxCount           = 100
	DefaultMaxPatchOperations = 1000
	DefaultMaxJSONDepth       = 32
	DefaultMaxFilterScan      = 100_000
	DefaultTokenUseInterval   = time.Minute
)

// Config configures a [Server]. Only Store is required.
type Config struct {
	// Store keeps directories, tokens, resources and the event outbox.
	// Required; package store implements it on SQLite and PostgreSQL.
	Store Store
	// Users is the host's user table, called for every change inside the
	// change's transaction (see [UserStore]); it may also implement
	// [TxUserStore]. Default: nil, the kit only keeps the resources and
	// writes events (the host then reads the Directory API or the events).
	Users UserStore
	// BaseURL is the absolute URL at which the host serves the SCIM
	// endpoints, such as "https://app.example/scim/v2". It is used for
	// meta.location and the Location header. Default: "", and locations
	// are left out (the kit never guesses them from Host or
	// X-Forwarded-* headers).
	BaseURL string
	// Logger receives the server's logs. Default: nil, logs are discarded.
	Logger *slog.Logger
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
	// OnError observes every request that ends in an error response (4xx
	// and 5xx), with the *Error and its private cause, for logging and
	// metrics. The response itself is always the SCIM error body of
	// RFC 7644 §3.12. Default: nil, 5xx errors are logged at Error level
	// and the rest at Debug.
	OnError func(ctx context.Context, err error)

	// MaxBodyBytes caps request bodies; larger ones get 413. Default
	// DefaultMaxBodyBytes (1 MiB).
	MaxBodyBytes int64
	// MaxFilterLength caps the filter parameter in bytes; longer ones get
	// 400 invalidFilter. Default DefaultMaxFilterLength.
	MaxFilterLength int
	// MaxCount is the largest page a list returns, whatever count asks
	// (advertised as filter.maxResults). Default DefaultMaxCount (100).
	MaxCount int
	// MaxPatchOperations caps the operations of one PATCH request; more
	// get 400 tooMany. Default DefaultMaxPatchOperations.
	MaxPatchOperations int
	// MaxJSONDepth caps the nesting of arrays and objects in request
	// bodies; deeper ones get 400 invalidSyntax. Default
	// DefaultMaxJSONDepth.
	MaxJSONDepth int
	// MaxFilterScan is how many resources of a directory a filter that
	// no index answers (or a sortBy) may examine; beyond it the request
	// gets 400 tooMany. Filters on userName, externalId, emails.value,
	// id and group displayName equality are index lookups and not
	// bounded by it. Default DefaultMaxFilterScan.
	MaxFilterScan int
	// TokenUseInterval is how often, at most, a token's LastUsedAt is
	// written. Default DefaultTokenUseInterval (one minute).
	TokenUseInterval time.Duration
}

// Server is a SCIM 2.0 service provider for every directory of a [Store]:
// the bearer token of a request selects its directory. It is safe for
// concurrent use.
type Server struct {
	cfg     Config
	store   Store
	users   UserStore
	logger  *slog.Logger
	now     func() time.Time
	baseURL string
	userRT  *schema.ResourceType
	groupRT *schema.ResourceType
}

// New validates cfg and returns a Server. It does no I/O.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("scimkit: Config.Store is nil")
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil {
			return nil, &ConfigError{Field: "BaseURL", Err: err}
		}
		if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return nil, &ConfigError{Field: "BaseURL", Err: errors.New("not an absolute http(s) URL")}
		}
	}
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"MaxBodyBytes", cfg.MaxBodyBytes}, {"MaxFilterLength", int64(cfg.MaxFilterLength)},
		{"MaxCount", int64(cfg.MaxCount)}, {"MaxPatchOperations", int64(cfg.MaxPatchOperations)},
		{"MaxJSONDepth", int64(cfg.MaxJSONDepth)}, {"MaxFilterScan", int64(cfg.MaxFilterScan)},
		{"TokenUseInterval", int64(cfg.TokenUseInterval)},
	} {
		if f.v < 0 {
			return nil, &ConfigError{Field: f.name, Err: errors.New("negative")}
		}
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxFilterLength == 0 {
		cfg.MaxFilterLength = DefaultMaxFilterLength
	}
	if cfg.MaxCount == 0 {
		cfg.MaxCount = DefaultMaxCount
	}
	if cfg.MaxPatchOperations == 0 {
		cfg.MaxPatchOperations = DefaultMaxPatchOperations
	}
	if cfg.MaxJSONDepth == 0 {
		cfg.MaxJSONDepth = DefaultMaxJSONDepth
	}
	if cfg.MaxFilterScan == 0 {
		cfg.MaxFilterScan = DefaultMaxFilterScan
	}
	if cfg.TokenUseInterval == 0 {
		cfg.TokenUseInterval = DefaultTokenUseInterval
	}
	s := &Server{
		cfg:     cfg,
		store:   cfg.Store,
		users:   cfg.Users,
		logger:  cfg.Logger,
		now:     cfg.Now,
		baseURL: strings.TrimSuffix(cfg.BaseURL, "/"),
		userRT:  schema.UserResourceType(),
		groupRT: schema.GroupResourceType(),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// ConfigError reports an invalid [Config] field.
type ConfigError struct {
	Field string
	Err   error
}

// Error names the field and the problem.
func (e *ConfigError) Error() string { return "scimkit: Config." + e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }
