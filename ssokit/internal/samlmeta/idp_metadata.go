package samlmeta

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Namespaces and bindings read and written by this package.
const (
	NamespaceMetadata = "urn:oasis:names:tc:SAML:2.0:metadata"
	NamespaceProtocol = "urn:oasis:names:tc:SAML:2.0:protocol"
	NamespaceDSig     = "http://www.w3.org/2000/09/xmldsig#"

	BindingHTTPRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	BindingHTTPPOST     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
)

// Defaults for [ParseOptions].
const (
	DefaultMaxMetadataSize   = 1 << 20
	DefaultMaxMetadataTokens = 50000
)

// ParseOptions tune [ParseIDPMetadata]. The zero value is the safe default.
type ParseOptions struct {
	// EntityID picks the identity provider when the document holds several
	// (an EntitiesDescriptor aggregate). When set, the chosen entity must
	// match it exactly, even in a single-entity document. Default: the only
	// identity provider in the document.
	EntityID string
	// AllowInsecureLoopback accepts http:// SSO and SLO URLs whose host is
	// localhost or a loopback address. Safe only for local development and
	// tests (the kit's IdP simulator). Default: https only.
	AllowInsecureLoopback bool
	// MaxSize caps the document size in bytes. Default: 1 MiB.
	MaxSize int
	// MaxTokens caps the number of XML tokens. Default: 50,000.
	MaxTokens int
	// Now is the clock for the validUntil check. Default: time.Now.
	Now func() time.Time
}

// IDPMetadata is what an SP needs from an identity provider's metadata.
type IDPMetadata struct {
	// EntityID is the IdP entity id: the Issuer its responses must carry.
	EntityID string
	// SSORedirectURL is the HTTP-Redirect SingleSignOnService; may be empty.
	SSORedirectURL string
	// SSOPostURL is the HTTP-POST SingleSignOnService; may be empty. At
	// least one of the two is set.
	SSOPostURL string
	// SLORedirectURL and SLOPostURL are the SingleLogoutService locations,
	// when the IdP publishes them (JumpCloud and Google do not).
	SLORedirectURL string
	SLOPostURL     string
	// SigningCertificates are the certificates of KeyDescriptors with
	// use="signing" or no use, in document order and without duplicates.
	// During a rollover there are several; each one's NotAfter tells when it
	// stops being valid. Expired certificates are kept (the SP decides).
	SigningCertificates []*x509.Certificate
	// WantAuthnRequestsSigned is the IDPSSODescriptor attribute.
	WantAuthnRequestsSigned bool
	// NameIDFormats are the NameIDFormat values the IdP lists.
	NameIDFormats []string
	// ValidUntil is the entity's (or its enclosing aggregate's) validUntil;
	// zero when absent.
	ValidUntil time.Time
}

type mdEntities struct {
	ValidUntil string       `xml:"validUntil,attr"`
	Entities   []mdEntity   `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	Nested     []mdEntities `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntitiesDescriptor"`
}

type mdEntity struct {
	EntityID   string  `xml:"entityID,attr"`
	ValidUntil string  `xml:"validUntil,attr"`
	IDPs       []mdIDP `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

type mdIDP struct {
	Protocols     string       `xml:"protocolSupportEnumeration,attr"`
	WantSigned    string       `xml:"WantAuthnRequestsSigned,attr"`
	ValidUntil    string       `xml:"validUntil,attr"`
	Keys          []mdKey      `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
	SLO           []mdEndpoint `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleLogoutService"`
	NameIDFormats []string     `xml:"urn:oasis:names:tc:SAML:2.0:metadata NameIDFormat"`
	SSO           []mdEndpoint `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleSignOnService"`
}

type mdKey struct {
	Use   string   `xml:"use,attr"`
	Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo>X509Data>X509Certificate"`
}

type mdEndpoint struct {
	Binding  string `xml:"Binding,attr"`
	Location string `xml:"Location,attr"`
}

// ParseIDPMetadata reads identity provider metadata: an EntityDescriptor, or
// an EntitiesDescriptor (possibly nested) from which it picks the entity by
// [ParseOptions.EntityID] or, when there is only one identity provider, that
// one. Signatures on the metadata document are not checked: trust comes from
// how the document was obtained (an admin upload, or an https fetch).
//
// It refuses documents over the size or token caps, DTDs, more than one
// root, an expired validUntil, SSO/SLO URLs that are not https (see
// [ParseOptions.AllowInsecureLoopback]), no HTTP-Redirect or HTTP-POST
// SingleSignOnService, and no signing certificate.
func ParseIDPMetadata(data []byte, opts ParseOptions) (*IDPMetadata, error) {
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxMetadataSize
	}
	maxTokens := opts.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxMetadataTokens
	}
	if len(data) > maxSize {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, len(data), maxSize)
	}
	root, err := checkXML(data, maxTokens)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		entity     mdEntity
		validUntil []string // enclosing aggregates' validUntil values
	}
	var candidates []candidate
	switch {
	case root.Space == NamespaceMetadata && root.Local == "EntityDescriptor":
		var e mdEntity
		if err := xml.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		candidates = append(candidates, candidate{entity: e})
	case root.Space == NamespaceMetadata && root.Local == "EntitiesDescriptor":
		var es mdEntities
		if err := xml.Unmarshal(data, &es); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		var walk func(es mdEntities, outer []string)
		walk = func(es mdEntities, outer []string) {
			vu := append(slices.Clip(outer), es.ValidUntil)
			for _, e := range es.Entities {
				candidates = append(candidates, candidate{entity: e, validUntil: vu})
			}
			for _, n := range es.Nested {
				walk(n, vu)
			}
		}
		walk(es, nil)
	default:
		return nil, fmt.Errorf("%w: root element is {%s}%s", ErrMalformed, root.Space, root.Local)
	}

	var chosen []candidate
	for _, c := range candidates {
		if opts.EntityID != "" && c.entity.EntityID != opts.EntityID {
			continue
		}
		if idpIndex(c.entity) < 0 {
			continue
		}
		chosen = append(chosen, c)
	}
	switch {
	case len(chosen) == 0 && opts.EntityID != "":
		return nil, fmt.Errorf("%w: %q", ErrEntityNotFound, opts.EntityID)
	case len(chosen) == 0:
		return nil, ErrNoIDP
	case len(chosen) > 1:
		return nil, fmt.Errorf("%w: %d candidates", ErrAmbiguousEntity, len(chosen))
	}
	c := chosen[0]
	e := c.entity
	idp := e.IDPs[idpIndex(e)]
	entityID := strings.TrimSpace(e.EntityID)
	if entityID == "" {
		return nil, fmt.Errorf("%w: EntityDescriptor without entityID", ErrMalformed)
	}

	md := &IDPMetadata{EntityID: entityID}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	for _, vu := range append(c.validUntil, e.ValidUntil, idp.ValidUntil) {
		if vu == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(vu))
		if err != nil {
			return nil, fmt.Errorf("%w: validUntil %q: %w", ErrMalformed, vu, err)
		}
		if md.ValidUntil.IsZero() || t.Before(md.ValidUntil) {
			md.ValidUntil = t
		}
	}
	if !md.ValidUntil.IsZero() && !now().Before(md.ValidUntil) {
		return nil, fmt.Errorf("%w: %s", ErrExpired, md.ValidUntil.Format(time.RFC3339))
	}

	for _, ep := range idp.SSO {
		var dst *string
		switch ep.Binding {
		case BindingHTTPRedirect:
			dst = &md.SSORedirectURL
		case BindingHTTPPOST:
			dst = &md.SSOPostURL
		default:
			continue // SOAP, Artifact: unused by the kit
		}
		if *dst != "" {
			continue // first one per binding wins, as the spec orders them
		}
		loc := strings.TrimSpace(ep.Location)
		if _, err := checkURL(loc, opts.AllowInsecureLoopback); err != nil {
			return nil, fmt.Errorf("SingleSignOnService: %w", err)
		}
		*dst = loc
	}
	if md.SSORedirectURL == "" && md.SSOPostURL == "" {
		return nil, ErrNoSSOService
	}
	for _, ep := range idp.SLO {
		var dst *string
		switch ep.Binding {
		case BindingHTTPRedirect:
			dst = &md.SLORedirectURL
		case BindingHTTPPOST:
			dst = &md.SLOPostURL
		default:
			continue
		}
		if *dst != "" {
			continue
		}
		loc := strings.TrimSpace(ep.Location)
		if _, err := checkURL(loc, opts.AllowInsecureLoopback); err != nil {
			return nil, fmt.Errorf("SingleLogoutService: %w", err)
		}
		*dst = loc
	}

	for _, k := range idp.Keys {
		if use := strings.TrimSpace(k.Use); use != "" && use != "signing" {
			continue
		}
		for _, text := range k.Certs {
			der, err := base64.StdEncoding.DecodeString(stripSpace(text))
			if err != nil {
				return nil, fmt.Errorf("%w: base64: %w", ErrBadCertificate, err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrBadCertificate, err)
			}
			if !slices.ContainsFunc(md.SigningCertificates, func(c *x509.Certificate) bool { return bytes.Equal(c.Raw, cert.Raw) }) {
				md.SigningCertificates = append(md.SigningCertificates, cert)
			}
		}
	}
	if len(md.SigningCertificates) == 0 {
		return nil, ErrNoSigningCertificate
	}
	md.WantAuthnRequestsSigned = strings.TrimSpace(idp.WantSigned) == "true" || strings.TrimSpace(idp.WantSigned) == "1"
	for _, f := range idp.NameIDFormats {
		if f = strings.TrimSpace(f); f != "" {
			md.NameIDFormats = append(md.NameIDFormats, f)
		}
	}
	return md, nil
}

// idpIndex returns the index of the entity's first IDPSSODescriptor that
// supports SAML 2.0, or -1.
func idpIndex(e mdEntity) int {
	for i, idp := range e.IDPs {
		if slices.Contains(strings.Fields(idp.Protocols), NamespaceProtocol) {
			return i
		}
	}
	return -1
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}
