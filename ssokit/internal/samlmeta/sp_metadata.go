package samlmeta

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/url"
	"time"

	"github.com/beevik/etree"
)

// NameID formats an SP may ask for.
const (
	NameIDFormatEmailAddress = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	NameIDFormatUnspecified  = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	NameIDFormatPersistent   = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
)

// Encryption algorithms the SP advertises in its encryption KeyDescriptors,
// in order of preference: AES-GCM content encryption with RSA-OAEP key
// transport. Advertising them steers ADFS and others away from AES-CBC.
const (
	EncryptionAES256GCM      = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
	EncryptionAES128GCM      = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	KeyTransportRSAOAEPMGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
)

// SP describes a service provider (one kit connection) for [SPMetadata].
type SP struct {
	// EntityID is the SP entity id (the Audience the IdP must use). Required.
	EntityID string
	// ACSURL is the HTTP-POST AssertionConsumerService. Required, http(s).
	ACSURL string
	// SLOURL is the HTTP-Redirect SingleLogoutService; empty omits it.
	SLOURL string
	// SigningCerts are published as use="signing" KeyDescriptors, all of
	// them (publish the old and the new one during a rotation overlap).
	// Required when AuthnRequestsSigned is set.
	SigningCerts []*x509.Certificate
	// EncryptionCerts are published as use="encryption" KeyDescriptors;
	// none means the IdP is not invited to encrypt (ADFS encrypts whenever
	// it sees one).
	EncryptionCerts []*x509.Certificate
	// AuthnRequestsSigned and WantAssertionsSigned are written as is.
	AuthnRequestsSigned  bool
	WantAssertionsSigned bool
	// NameIDFormat is the single NameIDFormat advertised. Default:
	// [NameIDFormatEmailAddress].
	NameIDFormat string
	// ValidUntil is the EntityDescriptor validUntil; zero omits it.
	ValidUntil time.Time
}

// SPMetadata renders the SP's metadata. The output is deterministic: the
// same SP gives the same bytes, so it can be compared with golden files and
// cached with an ETag.
func SPMetadata(sp SP) ([]byte, error) {
	if sp.EntityID == "" {
		return nil, fmt.Errorf("%w: SP.EntityID is required", ErrInvalidInput)
	}
	if err := checkEndpoint("SP.ACSURL", sp.ACSURL, true); err != nil {
		return nil, err
	}
	if err := checkEndpoint("SP.SLOURL", sp.SLOURL, false); err != nil {
		return nil, err
	}
	if sp.AuthnRequestsSigned && len(sp.SigningCerts) == 0 {
		return nil, fmt.Errorf("%w: SP.SigningCerts is required when AuthnRequestsSigned is set", ErrInvalidInput)
	}
	ed := etree.NewElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", NamespaceMetadata)
	ed.CreateAttr("xmlns:ds", NamespaceDSig)
	ed.CreateAttr("entityID", sp.EntityID)
	if !sp.ValidUntil.IsZero() {
		ed.CreateAttr("validUntil", sp.ValidUntil.UTC().Format(time.RFC3339))
	}
	d := ed.CreateElement("md:SPSSODescriptor")
	d.CreateAttr("AuthnRequestsSigned", fmt.Sprint(sp.AuthnRequestsSigned))
	d.CreateAttr("WantAssertionsSigned", fmt.Sprint(sp.WantAssertionsSigned))
	d.CreateAttr("protocolSupportEnumeration", NamespaceProtocol)
	for i, c := range sp.SigningCerts {
		if c == nil {
			return nil, fmt.Errorf("%w: SP.SigningCerts[%d] is nil", ErrInvalidInput, i)
		}
		keyDescriptor(d, "signing", c)
	}
	for i, c := range sp.EncryptionCerts {
		if c == nil {
			return nil, fmt.Errorf("%w: SP.EncryptionCerts[%d] is nil", ErrInvalidInput, i)
		}
		kd := keyDescriptor(d, "encryption", c)
		for _, alg := range []string{EncryptionAES256GCM, EncryptionAES128GCM, KeyTransportRSAOAEPMGF1P} {
			kd.CreateElement("md:EncryptionMethod").CreateAttr("Algorithm", alg)
		}
	}
	if sp.SLOURL != "" {
		slo := d.CreateElement("md:SingleLogoutService")
		slo.CreateAttr("Binding", BindingHTTPRedirect)
		slo.CreateAttr("Location", sp.SLOURL)
	}
	d.CreateElement("md:NameIDFormat").SetText(orDefault(sp.NameIDFormat, NameIDFormatEmailAddress))
	acs := d.CreateElement("md:AssertionConsumerService")
	acs.CreateAttr("Binding", BindingHTTPPOST)
	acs.CreateAttr("Location", sp.ACSURL)
	acs.CreateAttr("index", "0")
	acs.CreateAttr("isDefault", "true")

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(ed)
	doc.Indent(2)
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("samlmeta: serialize sp metadata: %w", err)
	}
	return out, nil
}

func keyDescriptor(parent *etree.Element, use string, c *x509.Certificate) *etree.Element {
	kd := parent.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", use)
	kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(c.Raw))
	return kd
}

// checkEndpoint validates a URL the kit itself publishes: absolute http or
// https (plain http is for local development of the host).
func checkEndpoint(field, raw string, required bool) error {
	if raw == "" {
		if required {
			return fmt.Errorf("%w: %s is required", ErrInvalidInput, field)
		}
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%w: %s must be an absolute http(s) url without fragment, got %q", ErrInvalidInput, field, raw)
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
