package ssokit

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlmeta"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlsp"
)

// SAMLServiceProvider is what the administrator of a SAML connection enters
// at the identity provider: the connection's own SP entity ID and ACS URL,
// and the URL of the SP metadata that holds both (plus the SP keys).
type SAMLServiceProvider struct {
	// EntityID is the SP entity ID (the Audience the IdP must assert). It
	// is the metadata URL, so each connection has its own and an assertion
	// minted for one connection is refused by every other.
	EntityID string
	// ACSURL is the Assertion Consumer Service (HTTP-POST binding).
	ACSURL string
	// MetadataURL serves the SP metadata ([SSO.SAMLMetadataHandler]).
	MetadataURL string
}

// SAMLServiceProvider returns the SP entity ID, ACS URL and metadata URL of
// conn: BaseURL + Paths.SAML + "/{connection id}/metadata" (entity ID and
// metadata) and ".../acs".
func (s *SSO) SAMLServiceProvider(conn *Connection) SAMLServiceProvider {
	base := s.cfg.url(s.cfg.Paths.SAML) + "/" + url.PathEscape(conn.ID)
	return SAMLServiceProvider{EntityID: base + "/metadata", ACSURL: base + "/acs", MetadataURL: base + "/metadata"}
}

// registerSAMLRoutes adds the ACS and the SP metadata of every connection.
func (s *SSO) registerSAMLRoutes(mux *http.ServeMux) {
	p := s.cfg.Paths.SAML
	mux.Handle("POST "+p+"/{connection_id}/acs", s.SAMLACSHandler())
	mux.Handle("GET "+p+"/{connection_id}/metadata", s.SAMLMetadataHandler())
}

// idpSettings is a SAML connection's identity provider, resolved from its
// metadata and fields.
type idpSettings struct {
	EntityID                string
	SSORedirectURL          string
	SSOPostURL              string
	Certificates            []*x509.Certificate
	WantAuthnRequestsSigned bool
	ValidUntil              time.Time // metadata validUntil; zero for none
}

// idpSource is what idpSettings are derived from; a cached entry is reused
// while its source is unchanged.
type idpSource struct {
	metadataXML, entityID, ssoURL, binding, certs string
	insecureLoopback                              bool
}

type idpEntry struct {
	src idpSource
	idp *idpSettings
}

func misconfigured(conn *Connection, format string, args ...any) *Error {
	return withConnErr(&Error{Code: CodeServerError, Reason: ReasonConnectionMisconfigured,
		Description: "the SAML connection is not configured correctly", Err: fmt.Errorf("ssokit: "+format, args...)}, conn)
}

// samlIDP returns conn's identity provider settings. A connection with a
// MetadataURL whose metadata was never fetched is fetched now (and stored),
// so a new connection works before the first scheduled refresh; failures
// are remembered and retried with a backoff (saml_fetch.go).
func (s *SSO) samlIDP(ctx context.Context, conn *Connection) (*idpSettings, *Error) {
	sc := conn.SAML
	if conn.Type != ConnectionSAML || sc == nil {
		return nil, misconfigured(conn, "connection %s has no SAML settings", conn.ID)
	}
	if sc.MetadataXML == "" && sc.MetadataURL != "" {
		if err := s.fetchMetadataOnUse(ctx, conn); err != nil {
			return nil, withConnErr(&Error{Code: CodeIDPError, Reason: ReasonConnectionMisconfigured,
				Description: "the identity provider's metadata could not be read", Err: err}, conn)
		}
		sc = conn.SAML
	}
	src := idpSource{sc.MetadataXML, sc.IDPEntityID, sc.SSOURL, sc.SSOBinding, strings.Join(sc.Certificates, "\x00"),
		s.cfg.InsecureAllowPrivateIdPAddresses}
	rt := s.cfg.saml
	rt.mu.Lock()
	e := rt.idps[conn.ID]
	rt.mu.Unlock()
	var idp *idpSettings
	if e != nil && e.src == src {
		idp = e.idp
	} else {
		var err error
		if idp, err = s.parseIDP(sc); err != nil {
			return nil, misconfigured(conn, "connection %s: %w", conn.ID, err)
		}
		rt.mu.Lock()
		rt.idps[conn.ID] = &idpEntry{src: src, idp: idp}
		rt.mu.Unlock()
	}
	if !idp.ValidUntil.IsZero() && !s.cfg.Now().Before(idp.ValidUntil) {
		return nil, misconfigured(conn, "connection %s: the IdP metadata expired at %s (validUntil)", conn.ID, idp.ValidUntil.Format(time.RFC3339))
	}
	return idp, nil
}

// parseIDP derives the IdP settings from a SAMLConfig (see its doc for the
// precedence).
func (s *SSO) parseIDP(sc *SAMLConfig) (*idpSettings, error) {
	insecure := s.cfg.InsecureAllowPrivateIdPAddresses
	idp := &idpSettings{}
	if sc.MetadataXML != "" {
		md, err := samlmeta.ParseIDPMetadata([]byte(sc.MetadataXML), samlmeta.ParseOptions{
			EntityID: sc.IDPEntityID, AllowInsecureLoopback: insecure,
			// validUntil is checked on every use (samlIDP), not only here.
			Now: func() time.Time { return time.Time{} },
		})
		if err != nil {
			return nil, fmt.Errorf("metadata: %w", err)
		}
		idp.EntityID, idp.SSORedirectURL, idp.SSOPostURL = md.EntityID, md.SSORedirectURL, md.SSOPostURL
		idp.Certificates = md.SigningCertificates
		idp.WantAuthnRequestsSigned = md.WantAuthnRequestsSigned
		idp.ValidUntil = md.ValidUntil
	} else {
		idp.EntityID = sc.IDPEntityID
	}
	if idp.EntityID == "" {
		return nil, errors.New("no IdP entity ID (set IDPEntityID or metadata)")
	}
	switch sc.SSOBinding {
	case "", "redirect", "post":
	default:
		return nil, fmt.Errorf("SSOBinding %q is neither redirect nor post", sc.SSOBinding)
	}
	if sc.SSOURL != "" {
		if err := checkIDPURL(sc.SSOURL, insecure); err != nil {
			return nil, fmt.Errorf("SSOURL: %w", err)
		}
		idp.SSORedirectURL, idp.SSOPostURL = sc.SSOURL, ""
		if sc.SSOBinding == "post" {
			idp.SSORedirectURL, idp.SSOPostURL = "", sc.SSOURL
		}
	} else if sc.SSOBinding == "post" && idp.SSOPostURL != "" {
		idp.SSORedirectURL = "" // the admin asked for POST
	}
	for i, p := range sc.Certificates {
		c, err := parseCertificate(p)
		if err != nil {
			return nil, fmt.Errorf("certificate %d of SAMLConfig.Certificates: %w", i, err)
		}
		dup := false
		for _, have := range idp.Certificates {
			dup = dup || have.Equal(c)
		}
		if !dup {
			idp.Certificates = append(idp.Certificates, c)
		}
	}
	if len(idp.Certificates) == 0 {
		return nil, errors.New("no IdP signing certificate")
	}
	return idp, nil
}

// parseCertificate reads a PEM certificate, or the bare base64 DER that
// IdP consoles show.
func parseCertificate(s string) (*x509.Certificate, error) {
	s = strings.TrimSpace(s)
	var der []byte
	if strings.HasPrefix(s, "-----BEGIN") {
		b, _ := pem.Decode([]byte(s))
		if b == nil || b.Type != "CERTIFICATE" {
			return nil, errors.New("not a PEM certificate")
		}
		der = b.Bytes
	} else {
		var err error
		if der, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), "")); err != nil {
			return nil, fmt.Errorf("not PEM or base64: %w", err)
		}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	return c, nil
}

// checkIDPURL allows https, and http on loopback hosts only when insecure.
func checkIDPURL(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid URL: %w", err)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q must be an absolute URL without user or fragment", raw)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && insecure && isLoopback(u.Hostname())) {
		return nil
	}
	return fmt.Errorf("%q must be https", raw)
}

// samlSettings builds the samlsp settings of conn for one validation.
func (s *SSO) samlSettings(conn *Connection, idp *idpSettings, keys []*parsedSigningKey) *samlsp.Settings {
	sp := s.SAMLServiceProvider(conn)
	st := &samlsp.Settings{
		SPEntityID:         sp.EntityID,
		ACSURL:             sp.ACSURL,
		IDPEntityID:        idp.EntityID,
		IDPCertificates:    idp.Certificates,
		AudienceAliases:    conn.SAML.AudienceAliases,
		ClockSkew:          s.cfg.ClockSkew,
		MaxResponseBytes:   s.cfg.SAML.MaxResponseBytes,
		InsecureAllowSHA1:  conn.SAML.InsecureAllowSHA1,
		InsecureAllowRSA15: conn.SAML.InsecureAllowRSA15,
	}
	for _, k := range keys {
		st.DecryptionKeys = append(st.DecryptionKeys, k.priv)
	}
	return st
}
