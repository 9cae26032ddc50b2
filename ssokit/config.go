package ssokit

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config configures an [SSO]. [New] validates it and keeps a copy, so
// changing a Config after New has no effect.
type Config struct {
	// BaseURL is the external URL at which the host mounts [SSO.Handler],
	// such as "https://app.example.com/sso". Redirect URIs registered at
	// identity providers are built from it (BaseURL + Paths.OIDCRedirect).
	// It is never guessed from Host or X-Forwarded-* headers. Required;
	// https, or http for localhost and loopback addresses only.
	BaseURL string

	// Store keeps connections, domains, flow records and signing keys.
	// Required.
	Store Store
	// Users is where logins write users (JIT provisioning). Required.
	Users UserStore
	// Sessions logs users into the host's own session. Required.
	Sessions SessionBridge

	// ErrorHandler receives every error a handler of the kit cannot
	// recover from, as an *[Error] (test it with errors.As) or, for
	// failures of the host's own components, any error. Nil means the
	// default: log through Logger and write a generic HTML page with the
	// status of [Error.Status], never the error text.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives the kit's events (login_started, login_succeeded,
	// login_failed, …). Nil discards them. Tokens are never logged.
	Logger *slog.Logger
	// HTTPClient makes the calls to identity providers (OIDC discovery,
	// JWKS, token, userinfo; SAML metadata). Nil means a client with a
	// 10-second timeout. Unless InsecureAllowPrivateIdPAddresses, the kit
	// uses a copy whose Transport is a clone of this one (nil:
	// http.DefaultTransport) with a dialer that refuses non-public
	// addresses and no proxy; TLS, timeout and pool settings are kept. A
	// Transport that is not an *http.Transport cannot be guarded that way
	// and makes [New] fail unless InsecureAllowPrivateIdPAddresses.
	HTTPClient *http.Client
	// Now is the clock. Nil means time.Now.
	Now func() time.Time

	// Paths are the routes of [SSO.Handler], relative to BaseURL.
	Paths Paths

	// AllowedReturnURLs lists absolute URLs the user may be sent to after
	// login besides relative paths, such as "https://admin.example.com/".
	// A return URL matches an entry when scheme and host are equal and its
	// path lies under the entry's path. Default: none.
	AllowedReturnURLs []string
	// DefaultReturnPath is where the user lands when the login did not ask
	// for a return path. Default "/".
	DefaultReturnPath string

	// FlowTTL bounds the time between /login and the identity provider's
	// answer. Default 10 minutes.
	FlowTTL time.Duration
	// CodeTTL bounds the time between the identity provider's answer and
	// /auth/callback (one redirect). Default 1 minute.
	CodeTTL time.Duration
	// SessionLifetime sets Session.ExpiresAt at login. Default 12 hours.
	SessionLifetime time.Duration
	// ClockSkew is the tolerance for iat and nbf in the future. Default 2
	// minutes.
	ClockSkew time.Duration

	// Cookie configures the browser-binding cookie.
	Cookie CookieConfig
	// Tokens configures kit-issued ID tokens.
	Tokens TokenConfig
	// SAML configures SAML connections (metadata refresh, certificate
	// expiry warnings, ACS limits).
	SAML SAMLOptions

	// InsecureAllowAnyEmailDomain accepts logins whose email domain is not a
	// domain of the organization. Leave it off unless the organization's
	// identity provider is trusted for every email domain it asserts (the
	// profile's EmailDomainVerified stays false for such logins, so hosts
	// still never link them by email).
	InsecureAllowAnyEmailDomain bool

	// InsecureAllowPrivateIdPAddresses lets the calls to identity providers
	// (OIDC issuer, the endpoints its discovery document names, SAML
	// metadata URLs) reach private, loopback, link-local, CGNAT and
	// unspecified addresses, through the HTTPClient exactly as given (its
	// proxy included), and accepts plain http for issuers, endpoints and
	// metadata URLs on localhost or loopback addresses. Default off: every
	// connection is checked at dial time, after DNS resolution, issuers and
	// endpoints must be https, so that a tenant's admin who can set an
	// issuer or a metadata URL cannot make the server call into the
	// internal network (SSRF). Turn it on only for tests and local
	// simulators, or when every connection is configured by the host's
	// operator.
	InsecureAllowPrivateIdPAddresses bool
}

// Paths are the routes served by [SSO.Handler], relative to
// [Config.BaseURL]. Each must start with "/".
type Paths struct {
	Login        string // default "/login"
	Callback     string // default "/auth/callback"
	OIDCRedirect string // default "/oidc/callback"; register BaseURL+OIDCRedirect at the IdP
	Logout       string // default "/logout"
	JWKS         string // default "/.well-known/jwks.json"
	// SAML is the prefix of each SAML connection's endpoints: the ACS at
	// SAML+"/{connection_id}/acs" and the SP metadata (also the SP entity
	// ID) at SAML+"/{connection_id}/metadata". Default "/saml".
	SAML string
}

// CookieConfig configures the browser-binding cookie that ties a login to
// the browser that started it.
type CookieConfig struct {
	// Name of the cookie. Default "gatehouse_sso"; on https it is sent as
	// "__Host-gatehouse_sso" (Secure, Path=/, no Domain), so a sibling
	// subdomain cannot plant one.
	Name string
	// SameSite defaults to http.SameSiteLaxMode, which is what the flow
	// needs: the cookie must come back on the identity provider's top-level
	// redirect.
	SameSite http.SameSite
}

// TokenConfig configures ID tokens issued by the kit ([SSO.IssueToken]).
type TokenConfig struct {
	// Issuer is the iss claim. Default: Config.BaseURL.
	Issuer string
	// Audience is the aud claim and what ValidateToken requires. Default:
	// Config.BaseURL.
	Audience string
	// Lifetime of a token. Default 1 hour.
	Lifetime time.Duration
	// RotationPeriod is how long a signing key signs before the next one
	// takes over. Default 30 days.
	RotationPeriod time.Duration
	// Overlap is how long a retired key stays published and accepted after
	// its successor took over. Default 48 hours; must be at least Lifetime.
	Overlap time.Duration
}

// config is the validated, defaulted copy of a Config.
type config struct {
	Config
	base       *url.URL
	secure     bool
	cookieName string
	cookiePath string
	allowed    []*url.URL
	saml       *samlRuntime // SAML engine caches (saml_config.go)
}

func (c Config) validate() (*config, error) {
	if c.BaseURL == "" {
		return nil, errors.New("ssokit: Config.BaseURL is required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("ssokit: Config.BaseURL: %w", err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("ssokit: Config.BaseURL %q must be an absolute URL without user, query or fragment", c.BaseURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("ssokit: Config.BaseURL %q: http is allowed for localhost only", c.BaseURL)
		}
	default:
		return nil, fmt.Errorf("ssokit: Config.BaseURL %q: scheme must be https", c.BaseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if c.Store == nil {
		return nil, errors.New("ssokit: Config.Store is required")
	}
	if c.Users == nil {
		return nil, errors.New("ssokit: Config.Users is required")
	}
	if c.Sessions == nil {
		return nil, errors.New("ssokit: Config.Sessions is required")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	def := func(p *string, v, field string) error {
		if *p == "" {
			*p = v
		}
		if !strings.HasPrefix(*p, "/") || strings.ContainsAny(*p, "{}? #") {
			return fmt.Errorf("ssokit: Config.Paths.%s %q must be a plain path starting with /", field, *p)
		}
		return nil
	}
	for _, d := range []struct {
		p        *string
		v, field string
	}{
		{&c.Paths.Login, "/login", "Login"},
		{&c.Paths.Callback, "/auth/callback", "Callback"},
		{&c.Paths.OIDCRedirect, "/oidc/callback", "OIDCRedirect"},
		{&c.Paths.Logout, "/logout", "Logout"},
		{&c.Paths.JWKS, "/.well-known/jwks.json", "JWKS"},
		{&c.Paths.SAML, "/saml", "SAML"},
	} {
		if err := def(d.p, d.v, d.field); err != nil {
			return nil, err
		}
	}
	seen := map[string]string{}
	for field, p := range map[string]string{"Login": c.Paths.Login, "Callback": c.Paths.Callback,
		"OIDCRedirect": c.Paths.OIDCRedirect, "Logout": c.Paths.Logout, "JWKS": c.Paths.JWKS, "SAML": c.Paths.SAML} {
		if other, ok := seen[p]; ok {
			return nil, fmt.Errorf("ssokit: Config.Paths.%s and Config.Paths.%s are both %q", field, other, p)
		}
		seen[p] = field
	}
	if c.DefaultReturnPath == "" {
		c.DefaultReturnPath = "/"
	}
	if !isRelativeReturnPath(c.DefaultReturnPath) {
		return nil, fmt.Errorf("ssokit: Config.DefaultReturnPath %q must be a relative path such as \"/\"", c.DefaultReturnPath)
	}
	cfg := &config{base: u, secure: u.Scheme == "https", saml: newSAMLRuntime()}
	for i, a := range c.AllowedReturnURLs {
		au, err := url.Parse(a)
		if err != nil {
			return nil, fmt.Errorf("ssokit: Config.AllowedReturnURLs[%d]: %w", i, err)
		}
		if (au.Scheme != "https" && !(au.Scheme == "http" && isLoopback(au.Hostname()))) || au.Host == "" || au.User != nil {
			return nil, fmt.Errorf("ssokit: Config.AllowedReturnURLs[%d] %q must be an absolute https URL", i, a)
		}
		cfg.allowed = append(cfg.allowed, au)
	}
	for _, d := range []struct {
		p     *time.Duration
		v     time.Duration
		field string
	}{
		{&c.FlowTTL, 10 * time.Minute, "FlowTTL"},
		{&c.CodeTTL, time.Minute, "CodeTTL"},
		{&c.SessionLifetime, 12 * time.Hour, "SessionLifetime"},
		{&c.ClockSkew, 2 * time.Minute, "ClockSkew"},
		{&c.Tokens.Lifetime, time.Hour, "Tokens.Lifetime"},
		{&c.Tokens.RotationPeriod, 30 * 24 * time.Hour, "Tokens.RotationPeriod"},
		{&c.Tokens.Overlap, 48 * time.Hour, "Tokens.Overlap"},
	} {
		if *d.p == 0 {
			*d.p = d.v
		}
		if *d.p < 0 {
			return nil, fmt.Errorf("ssokit: Config.%s must not be negative", d.field)
		}
	}
	if err := c.SAML.validate(c.ClockSkew); err != nil {
		return nil, err
	}
	if c.Tokens.Overlap < c.Tokens.Lifetime {
		return nil, fmt.Errorf("ssokit: Config.Tokens.Overlap (%s) must be at least Config.Tokens.Lifetime (%s)", c.Tokens.Overlap, c.Tokens.Lifetime)
	}
	if c.Tokens.Issuer == "" {
		c.Tokens.Issuer = u.String()
	}
	if c.Tokens.Audience == "" {
		c.Tokens.Audience = u.String()
	}
	if c.Cookie.Name == "" {
		c.Cookie.Name = "gatehouse_sso"
	}
	if strings.ContainsAny(c.Cookie.Name, " =;,\t\r\n\"") || strings.HasPrefix(c.Cookie.Name, "__") {
		return nil, fmt.Errorf("ssokit: Config.Cookie.Name %q is not a valid cookie name without prefix", c.Cookie.Name)
	}
	if c.Cookie.SameSite == 0 || c.Cookie.SameSite == http.SameSiteDefaultMode {
		c.Cookie.SameSite = http.SameSiteLaxMode
	}
	if c.Cookie.SameSite == http.SameSiteStrictMode {
		return nil, errors.New("ssokit: Config.Cookie.SameSite Strict would drop the cookie on the identity provider's redirect; use Lax")
	}
	cfg.Config = c
	cfg.cookieName = c.Cookie.Name
	cfg.cookiePath = u.Path + "/"
	if cfg.secure {
		cfg.cookieName = "__Host-" + c.Cookie.Name
		cfg.cookiePath = "/"
	}
	return cfg, nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// url returns BaseURL joined with a path of Paths.
func (c *config) url(path string) string {
	u := *c.base
	u.Path = c.base.Path + path
	return u.String()
}
