package samlidp

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/beevik/etree"
)

// Metadata returns IdP metadata: an md:EntityDescriptor with one
// IDPSSODescriptor that publishes a signing KeyDescriptor per certificate
// (several during a rollover), the usual NameID formats, and a
// SingleSignOnService for each non-empty URL (HTTP-Redirect, then
// HTTP-POST). The output is deterministic for the same inputs.
func Metadata(entityID, ssoRedirectURL, ssoPostURL string, certs []*x509.Certificate) ([]byte, error) {
	if entityID == "" {
		return nil, errors.New("samlidp: metadata needs an entity id")
	}
	if ssoRedirectURL == "" && ssoPostURL == "" {
		return nil, errors.New("samlidp: metadata needs at least one SSO URL")
	}
	if len(certs) == 0 {
		return nil, errors.New("samlidp: metadata needs at least one signing certificate")
	}
	ed := etree.NewElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", NamespaceMetadata)
	ed.CreateAttr("xmlns:ds", NamespaceDSig)
	ed.CreateAttr("entityID", entityID)
	idp := ed.CreateElement("md:IDPSSODescriptor")
	idp.CreateAttr("WantAuthnRequestsSigned", "false")
	idp.CreateAttr("protocolSupportEnumeration", NamespaceProtocol)
	for i, c := range certs {
		if c == nil {
			return nil, fmt.Errorf("samlidp: metadata certificate %d is nil", i)
		}
		kd := idp.CreateElement("md:KeyDescriptor")
		kd.CreateAttr("use", "signing")
		kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
			SetText(base64.StdEncoding.EncodeToString(c.Raw))
	}
	for _, f := range []string{NameIDFormatEmailAddress, NameIDFormatPersistent, NameIDFormatUnspecified} {
		idp.CreateElement("md:NameIDFormat").SetText(f)
	}
	for _, s := range []struct{ binding, url string }{
		{BindingHTTPRedirect, ssoRedirectURL},
		{BindingHTTPPOST, ssoPostURL},
	} {
		if s.url == "" {
			continue
		}
		sso := idp.CreateElement("md:SingleSignOnService")
		sso.CreateAttr("Binding", s.binding)
		sso.CreateAttr("Location", s.url)
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(ed)
	doc.Indent(2)
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("samlidp: serialize metadata: %w", err)
	}
	return out, nil
}
