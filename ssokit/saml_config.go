package ssokit

import (
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlsp"
)

// SAMLOptions configure the SAML engine for every SAML connection. The zero
// value is the safe default.
type SAMLOptions struct {
	// MetadataRefreshInterval is how often [SSO.Run] re-reads the metadata
	// URL of every SAML connection that has one. Default 12 hours.
	MetadataRefreshInterval time.Duration
	// CertificateExpiryWarning is how long before the last of a
	// connection's IdP signing certificates expires the kit starts to warn
	// (a slog warning and a connection.saml_certificate_renewal_required
	// event on each refresh). Default 30 days.
	CertificateExpiryWarning time.Duration
	// MaxResponseBytes caps the base64 SAMLResponse the ACS accepts; the
	// request body is capped at three times this (form encoding) before it
	// is read. Default 256 KiB, at most 4 MiB.
	MaxResponseBytes int
}

// validate defaults and checks c.SAML; skew is Config.ClockSkew, which
// the SAML engine also uses and which it bounds at 5 minutes.
func (o *SAMLOptions) validate(skew time.Duration) error {
	if o.MetadataRefreshInterval == 0 {
		o.MetadataRefreshInterval = 12 * time.Hour
	}
	if o.CertificateExpiryWarning == 0 {
		o.CertificateExpiryWarning = 30 * 24 * time.Hour
	}
	if o.MaxResponseBytes == 0 {
		o.MaxResponseBytes = samlsp.DefaultMaxResponseBytes
	}
	switch {
	case o.MetadataRefreshInterval < time.Minute:
		return fmt.Errorf("ssokit: Config.SAML.MetadataRefreshInterval %s must be at least a minute", o.MetadataRefreshInterval)
	case o.CertificateExpiryWarning < 0:
		return fmt.Errorf("ssokit: Config.SAML.CertificateExpiryWarning must not be negative")
	case o.MaxResponseBytes < 0 || o.MaxResponseBytes > samlsp.MaxMaxResponseBytes:
		return fmt.Errorf("ssokit: Config.SAML.MaxResponseBytes %d is outside [0, %d]", o.MaxResponseBytes, samlsp.MaxMaxResponseBytes)
	case skew > samlsp.MaxClockSkew:
		return fmt.Errorf("ssokit: Config.ClockSkew %s is more than SAML allows (%s)", skew, samlsp.MaxClockSkew)
	}
	return nil
}

// samlRuntime is the SAML engine's process-local state: caches of values
// derived from the Store (parsed IdP settings, parsed SP keys) and the lock
// that serializes SP key creation. Nothing here is state another instance
// needs: every entry is rebuilt from the Store on a miss.
type samlRuntime struct {
	mu    sync.Mutex
	idps  map[string]*idpEntry         // connection id → parsed IdP settings
	keyMu sync.Mutex                   // serializes SP key creation
	certs map[string]*parsedSigningKey // signing key id → parsed SP key and certificate
	// fetches: connection id → on-use metadata fetch state (saml_fetch.go)
	fetches map[string]*metadataFetch
}

func newSAMLRuntime() *samlRuntime {
	return &samlRuntime{
		idps:    map[string]*idpEntry{},
		certs:   map[string]*parsedSigningKey{},
		fetches: map[string]*metadataFetch{},
	}
}
