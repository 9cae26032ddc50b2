package samlmeta

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// fixtureDir holds one folder per identity provider; see its README.md.
const fixtureDir = "../../testdata/saml"

var fixtureIDPs = samlidp.FixtureIDPs

// idpParams is params.json (documented in testdata/saml/README.md).
type idpParams = samlidp.Fixture

func loadParams(t *testing.T, idp string) idpParams {
	t.Helper()
	p, err := samlidp.LoadFixture(fixtureDir, idp)
	if err != nil {
		t.Fatal(err)
	}
	return *p
}

// TestIDPFixtures checks every testdata/saml/<idp> folder: params.json is
// well-formed and consistent, and metadata.xml parses to the entity and
// endpoints params.json names. With -update it regenerates metadata.xml in
// that IdP's shape around a fresh throwaway certificate (the private key is
// discarded).
func TestIDPFixtures(t *testing.T) {
	for _, idp := range fixtureIDPs {
		t.Run(idp, func(t *testing.T) {
			p := loadParams(t, idp)
			if p.IDP != idp || p.EntityID == "" || p.Response.Issuer == "" {
				t.Fatalf("params: idp %q entity %q issuer %q", p.IDP, p.EntityID, p.Response.Issuer)
			}
			if !slices.Contains([]string{"response", "assertion", "both"}, p.Response.Signs) {
				t.Fatalf("signs = %q", p.Response.Signs)
			}
			if p.Response.Encryption.Supported && !slices.Contains([]string{"key_info", "retrieval_method"}, p.Response.Encryption.KeyPlacement) {
				t.Fatalf("key_placement = %q", p.Response.Encryption.KeyPlacement)
			}
			for _, a := range p.Response.Attributes {
				if a.Name == "" || len(a.ExampleValues) == 0 {
					t.Fatalf("attribute %+v", a)
				}
			}
			path := filepath.Join(fixtureDir, idp, "metadata.xml")
			if *update {
				out, err := vendorMetadata(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			// A fixed clock: Google's validUntil is five years after generation.
			md, err := ParseIDPMetadata(data, ParseOptions{Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }})
			if err != nil {
				t.Fatal(err)
			}
			if p.MetadataSigned {
				doc := etree.NewDocument()
				if err := doc.ReadFromBytes(data); err != nil {
					t.Fatal(err)
				}
				vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: md.SigningCertificates[:1]})
				vctx.Clock = dsig.NewFakeClockAt(md.SigningCertificates[0].NotBefore.Add(time.Hour))
				if _, err := vctx.Validate(doc.Root()); err != nil {
					t.Fatalf("metadata signature: %v", err)
				}
			}
			if md.EntityID != p.EntityID || md.SSORedirectURL != p.SSORedirectURL || md.SSOPostURL != p.SSOPostURL ||
				md.SLORedirectURL != p.SLOURL {
				t.Fatalf("metadata %+v does not match params", md)
			}
			wantCerts := 1
			if idp == "adfs" {
				wantCerts = 2 // AutoCertificateRollover overlap
			}
			if len(md.SigningCertificates) != wantCerts {
				t.Fatalf("%d signing certificates", len(md.SigningCertificates))
			}
			// The IdP simulator's own metadata for this vendor's entity id and
			// URLs must read back the same way.
			own, err := samlidp.Metadata(p.EntityID, p.SSORedirectURL, p.SSOPostURL, md.SigningCertificates)
			if err != nil {
				t.Fatal(err)
			}
			md2, err := ParseIDPMetadata(own, ParseOptions{EntityID: p.EntityID})
			if err != nil || md2.SSOPostURL != p.SSOPostURL || len(md2.SigningCertificates) != wantCerts {
				t.Fatalf("samlidp.Metadata round trip: %v %+v", err, md2)
			}
		})
	}
}

// vendorMetadata renders metadata in the vendor's shape: namespace prefixes,
// extra role descriptors, signatures on the document, aggregates.
func vendorMetadata(p idpParams) ([]byte, error) {
	now := time.Now().UTC().Truncate(24 * time.Hour)
	n := 1
	if p.IDP == "adfs" {
		n = 2
	}
	var keys []*samlidp.Key
	for i := range n {
		k, err := samlidp.NewKey(2048, fmt.Sprintf("gatehouse fixture %s %d (not a real IdP certificate)", p.IDP, i), now.AddDate(-1, 0, 0), now.AddDate(10, 0, 0))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	ed := etree.NewElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", NamespaceMetadata)
	ed.CreateAttr("entityID", p.EntityID)
	if p.MetadataSigned {
		ed.CreateAttr("ID", "_"+strings.ReplaceAll(fmt.Sprintf("%x", keys[0].Certificate.SerialNumber), "-", ""))
	}
	if p.IDP == "google" {
		ed.CreateAttr("validUntil", now.AddDate(5, 0, 0).Format("2006-01-02T15:04:05.000Z"))
	}
	if p.IDP == "entra" || p.IDP == "adfs" {
		// WS-Federation role descriptor that precedes the SAML one.
		rd := ed.CreateElement("md:RoleDescriptor")
		rd.CreateAttr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
		rd.CreateAttr("xmlns:fed", "http://docs.oasis-open.org/wsfed/federation/200706")
		rd.CreateAttr("xsi:type", "fed:SecurityTokenServiceType")
		rd.CreateAttr("protocolSupportEnumeration", "http://docs.oasis-open.org/wsfed/federation/200706")
		addKey(rd, "signing", keys[0])
		rd.CreateElement("fed:PassiveRequestorEndpoint").CreateText(strings.TrimSuffix(p.SSOPostURL, "saml2") + "wsfed")
	}
	if p.IDP == "adfs" {
		// AD FS also publishes itself as an SP (claims provider trust side).
		sp := ed.CreateElement("md:SPSSODescriptor")
		sp.CreateAttr("WantAssertionsSigned", "true")
		sp.CreateAttr("protocolSupportEnumeration", NamespaceProtocol)
		addKey(sp, "encryption", keys[0])
		acs := sp.CreateElement("md:AssertionConsumerService")
		acs.CreateAttr("Binding", BindingHTTPPOST)
		acs.CreateAttr("Location", p.SSOPostURL)
		acs.CreateAttr("index", "0")
		acs.CreateAttr("isDefault", "true")
	}
	idp := ed.CreateElement("md:IDPSSODescriptor")
	idp.CreateAttr("WantAuthnRequestsSigned", "false")
	idp.CreateAttr("protocolSupportEnumeration", NamespaceProtocol)
	if p.IDP == "adfs" {
		addKey(idp, "encryption", keys[0])
	}
	for _, k := range keys {
		use := "signing"
		if p.IDP == "jumpcloud" {
			use = ""
		}
		addKey(idp, use, k)
	}
	if p.SLOURL != "" {
		bindings := []string{BindingHTTPRedirect, BindingHTTPPOST}
		if p.IDP == "keycloak" {
			bindings = append(bindings, "urn:oasis:names:tc:SAML:2.0:bindings:SOAP", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact")
		}
		for _, b := range bindings {
			slo := idp.CreateElement("md:SingleLogoutService")
			slo.CreateAttr("Binding", b)
			slo.CreateAttr("Location", p.SLOURL)
		}
	}
	formats := []string{NameIDFormatEmailAddress, NameIDFormatPersistent, "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"}
	if p.Response.NameIDFormat == NameIDFormatUnspecified {
		formats = append([]string{NameIDFormatUnspecified}, formats...)
	}
	for _, f := range formats {
		idp.CreateElement("md:NameIDFormat").SetText(f)
	}
	ssoBindings := []struct{ binding, loc string }{{BindingHTTPRedirect, p.SSORedirectURL}, {BindingHTTPPOST, p.SSOPostURL}}
	if p.IDP == "okta" || p.IDP == "onelogin" {
		slices.Reverse(ssoBindings) // POST first, as these vendors list it
	}
	for _, s := range ssoBindings {
		sso := idp.CreateElement("md:SingleSignOnService")
		sso.CreateAttr("Binding", s.binding)
		sso.CreateAttr("Location", s.loc)
	}
	if p.IDP == "keycloak" {
		for _, b := range []string{"urn:oasis:names:tc:SAML:2.0:bindings:SOAP", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"} {
			sso := idp.CreateElement("md:SingleSignOnService")
			sso.CreateAttr("Binding", b)
			sso.CreateAttr("Location", p.SSOPostURL)
		}
	}
	if p.IDP == "entra" || p.IDP == "ping" {
		// Claims the IdP offers, listed as saml:Attribute elements.
		for _, a := range p.Response.Attributes[:min(3, len(p.Response.Attributes))] {
			at := idp.CreateElement("saml:Attribute")
			at.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
			at.CreateAttr("Name", a.Name)
			if a.NameFormat != "" {
				at.CreateAttr("NameFormat", a.NameFormat)
			}
		}
	}
	root := ed
	if p.MetadataSigned {
		ctx, err := dsig.NewSigningContext(keys[0].PrivateKey, [][]byte{keys[0].Certificate.Raw})
		if err != nil {
			return nil, err
		}
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
		sig, err := ctx.ConstructSignature(ed, true)
		if err != nil {
			return nil, err
		}
		ed.InsertChildAt(0, sig)
	}
	if p.MetadataRoot == "EntitiesDescriptor" {
		root = etree.NewElement("md:EntitiesDescriptor")
		root.CreateAttr("xmlns:md", NamespaceMetadata)
		root.CreateAttr("Name", "urn:keycloak")
		ed.RemoveAttr("xmlns:md")
		root.AddChild(ed)
	}
	doc.SetRoot(root)
	if !p.MetadataSigned {
		doc.Indent(2)
	}
	return doc.WriteToBytes()
}

func addKey(parent *etree.Element, use string, k *samlidp.Key) {
	kd := parent.CreateElement("md:KeyDescriptor")
	if use != "" {
		kd.CreateAttr("use", use)
	}
	ki := kd.CreateElement("ds:KeyInfo")
	ki.CreateAttr("xmlns:ds", NamespaceDSig)
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(k.CertificateBase64())
}
