package idpsim

import (
	"cmp"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Simulator is a development identity provider: an OpenID provider and a
// SAML 2.0 IdP behind one [http.Handler]. Create it with [New]. All methods
// are safe for concurrent use.
type Simulator struct {
	baseURL  string
	entityID string
	logger   *slog.Logger
	now      func() time.Time
	key      *Key
	kid      string
	defaults profile

	mu      sync.RWMutex
	clients map[string]OIDCClient
	sps     map[string]SAMLServiceProvider

	logins     *table[*loginRequest]
	codes      *table[*codeGrant]
	spentCodes *table[string] // redeemed code → the access token it bought
	tokens     *table[*accessGrant]

	handler http.Handler
}

// New checks cfg and returns a simulator. It does no network I/O. When
// cfg.Key is nil it generates a key (see [Config.Key]). It logs a warning
// that the simulator is on, through [Config.Logger].
func New(cfg Config) (*Simulator, error) {
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	s := &Simulator{
		baseURL:    base,
		entityID:   cfg.EntityID,
		logger:     cfg.Logger,
		now:        cfg.Now,
		clients:    make(map[string]OIDCClient),
		sps:        make(map[string]SAMLServiceProvider),
		logins:     newTable[*loginRequest](),
		codes:      newTable[*codeGrant](),
		spentCodes: newTable[string](),
		tokens:     newTable[*accessGrant](),
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.entityID == "" {
		s.entityID = base + "/saml/metadata"
	}
	s.defaults = profile{
		Email:      cmp.Or(cfg.DefaultEmail, "alice@example.com"),
		GivenName:  cmp.Or(cfg.DefaultGivenName, "Alice"),
		FamilyName: cmp.Or(cfg.DefaultFamilyName, "Example"),
		Groups:     slices.Clone(cfg.DefaultGroups),
	}
	if cfg.DefaultGroups == nil {
		s.defaults.Groups = []string{"Engineering", "Admins"}
	}
	for i, c := range cfg.Clients {
		field := fmt.Sprintf("Clients[%d]", i)
		if err := checkClient(field, c); err != nil {
			return nil, err
		}
		if _, dup := s.clients[c.ID]; dup {
			return nil, &ConfigError{Field: field + ".ID", Err: fmt.Errorf("%q: %w", c.ID, ErrDuplicate)}
		}
		s.clients[c.ID] = cloneClient(c)
	}
	for i, sp := range cfg.ServiceProviders {
		field := fmt.Sprintf("ServiceProviders[%d]", i)
		if err := checkServiceProvider(field, sp); err != nil {
			return nil, err
		}
		if _, dup := s.sps[sp.EntityID]; dup {
			return nil, &ConfigError{Field: field + ".EntityID", Err: fmt.Errorf("%q: %w", sp.EntityID, ErrDuplicate)}
		}
		s.sps[sp.EntityID] = normalizeSP(sp)
	}
	if cfg.Key == nil {
		k, err := GenerateKey(s.now())
		if err != nil {
			return nil, err
		}
		s.key = k
	} else {
		if err := cfg.Key.check(); err != nil {
			return nil, err
		}
		s.key = &Key{PrivateKey: cfg.Key.PrivateKey, Certificate: cfg.Key.Certificate}
	}
	s.kid = jwkThumbprint(&s.key.PrivateKey.PublicKey)
	s.handler = s.routes()
	s.logger.LogAttrs(context.Background(), slog.LevelWarn, "idpsim_enabled",
		slog.String("base_url", s.baseURL),
		slog.String("warning", "the Gatehouse IdP simulator signs in anyone as anyone; it is for development and tests only, never production"),
		slog.Bool("generated_key", cfg.Key == nil))
	return s, nil
}

// Handler returns the simulator's HTTP handler. Its routes are relative: the
// host mounts it under the path of [Config.BaseURL] with [http.StripPrefix],
// for example
//
//	mux.Handle("/idpsim/", http.StripPrefix("/idpsim", sim.Handler()))
func (s *Simulator) Handler() http.Handler { return s.handler }

// Issuer returns the OpenID issuer: [Config.BaseURL] without a trailing
// slash. Discovery is at Issuer() + "/.well-known/openid-configuration".
func (s *Simulator) Issuer() string { return s.baseURL }

// MetadataURL returns the URL of the SAML IdP metadata document,
// BaseURL + "/saml/metadata".
func (s *Simulator) MetadataURL() string { return s.baseURL + "/saml/metadata" }

// SAMLEntityID returns the SAML entity ID of the IdP ([Config.EntityID]).
func (s *Simulator) SAMLEntityID() string { return s.entityID }

// SSOURL returns the SAML single sign-on endpoint, BaseURL + "/saml/sso",
// which takes AuthnRequests with the HTTP-Redirect and HTTP-POST bindings.
func (s *Simulator) SSOURL() string { return s.baseURL + "/saml/sso" }

// AppsURL returns the page listing the service providers that allow
// IdP-initiated sign-in, BaseURL + "/saml/apps".
func (s *Simulator) AppsURL() string { return s.baseURL + "/saml/apps" }

// Certificate returns the signing certificate (the one in the SAML metadata).
func (s *Simulator) Certificate() *x509.Certificate { return s.key.Certificate }

// PublicKey returns the public key that verifies ID tokens (the one in the
// JWKS).
func (s *Simulator) PublicKey() *rsa.PublicKey { return &s.key.PrivateKey.PublicKey }

// AddClient registers an OpenID Connect client, replacing any client with the
// same ID. It returns a [*ConfigError] if the client is invalid.
func (s *Simulator) AddClient(c OIDCClient) error {
	if err := checkClient("OIDCClient", c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = cloneClient(c)
	return nil
}

// RemoveClient forgets the client with the given ID, if any. Codes and
// tokens already issued to it stay valid until they expire.
func (s *Simulator) RemoveClient(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clients, id)
}

// AddServiceProvider registers a SAML service provider, replacing any with
// the same entity ID. It returns a [*ConfigError] if it is invalid.
func (s *Simulator) AddServiceProvider(sp SAMLServiceProvider) error {
	if err := checkServiceProvider("SAMLServiceProvider", sp); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sps[sp.EntityID] = normalizeSP(sp)
	return nil
}

// RemoveServiceProvider forgets the service provider with the given entity
// ID, if any.
func (s *Simulator) RemoveServiceProvider(entityID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sps, entityID)
}

func (s *Simulator) client(id string) (OIDCClient, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.clients[id]
	return c, ok
}

func (s *Simulator) serviceProvider(entityID string) (SAMLServiceProvider, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sp, ok := s.sps[entityID]
	return sp, ok
}

// idpInitiatedApps returns the service providers that allow IdP-initiated
// sign-in, sorted by name.
func (s *Simulator) idpInitiatedApps() []SAMLServiceProvider {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []SAMLServiceProvider
	for _, sp := range s.sps {
		if sp.AllowIDPInitiated {
			out = append(out, sp)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].EntityID < out[j].EntityID
	})
	return out
}

func checkBaseURL(raw string) (string, error) {
	if raw == "" {
		return "", &ConfigError{Field: "BaseURL", Err: errors.New("required")}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", &ConfigError{Field: "BaseURL", Err: err}
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", &ConfigError{Field: "BaseURL", Err: fmt.Errorf("%q is not an absolute http(s) URL without credentials, query or fragment", raw)}
	}
	return strings.TrimRight(raw, "/"), nil
}

func checkClient(field string, c OIDCClient) error {
	if c.ID == "" {
		return &ConfigError{Field: field + ".ID", Err: errors.New("required")}
	}
	if c.Secret == "" {
		return &ConfigError{Field: field + ".Secret", Err: errors.New("required")}
	}
	if len(c.RedirectURIs) == 0 {
		return &ConfigError{Field: field + ".RedirectURIs", Err: errors.New("at least one is required")}
	}
	for i, u := range c.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return &ConfigError{Field: fmt.Sprintf("%s.RedirectURIs[%d]", field, i), Err: err}
		}
	}
	for i, u := range c.PostLogoutRedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return &ConfigError{Field: fmt.Sprintf("%s.PostLogoutRedirectURIs[%d]", field, i), Err: err}
		}
	}
	return nil
}

// checkRedirectURI accepts absolute URLs without a fragment, in any scheme
// (native apps use private-use schemes).
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme == "" || u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%q is not an absolute URL without a fragment", raw)
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	return nil
}

func checkServiceProvider(field string, sp SAMLServiceProvider) error {
	if sp.EntityID == "" {
		return &ConfigError{Field: field + ".EntityID", Err: errors.New("required")}
	}
	u, err := url.Parse(sp.ACSURL)
	if err != nil {
		return &ConfigError{Field: field + ".ACSURL", Err: err}
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return &ConfigError{Field: field + ".ACSURL", Err: fmt.Errorf("%q is not an absolute http(s) URL without a fragment", sp.ACSURL)}
	}
	if sp.EncryptionCert != nil {
		pub, ok := sp.EncryptionCert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return &ConfigError{Field: field + ".EncryptionCert", Err: fmt.Errorf("public key is %T, want RSA", sp.EncryptionCert.PublicKey)}
		}
		if pub.N.BitLen() < minKeyBits {
			return &ConfigError{Field: field + ".EncryptionCert", Err: fmt.Errorf("rsa key has %d bits, need at least %d", pub.N.BitLen(), minKeyBits)}
		}
	}
	if sp.RequestSigningCert != nil {
		if _, ok := sp.RequestSigningCert.PublicKey.(*rsa.PublicKey); !ok {
			return &ConfigError{Field: field + ".RequestSigningCert", Err: fmt.Errorf("public key is %T, want RSA", sp.RequestSigningCert.PublicKey)}
		}
	}
	if sp.Signing < SignResponseAndAssertion || sp.Signing > SignAssertion {
		return &ConfigError{Field: field + ".Signing", Err: fmt.Errorf("unknown value %d", int(sp.Signing))}
	}
	return nil
}

func cloneClient(c OIDCClient) OIDCClient {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	return c
}

func normalizeSP(sp SAMLServiceProvider) SAMLServiceProvider {
	if sp.Name == "" {
		sp.Name = sp.EntityID
	}
	return sp
}
