package samlmeta

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func mdDoc(t *testing.T, entityID, ssoLoc string, extra string) string {
	t.Helper()
	return fmt.Sprintf(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID=%q>
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
%s
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>%s
<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location=%q/>
</md:IDPSSODescriptor></md:EntityDescriptor>`, entityID, wrap64(testKey(t, 0).CertificateBase64()), extra, ssoLoc)
}

// wrap64 line-wraps base64 as many IdPs do.
func wrap64(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	return b.String() + s
}

func TestParseIDPMetadataAccepts(t *testing.T) {
	k0, k1 := testKey(t, 0), testKey(t, 1)
	second := fmt.Sprintf(`<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
		k1.CertificateBase64(), k1.CertificateBase64(), k0.CertificateBase64())
	doc := mdDoc(t, "https://idp.example.com/", "https://idp.example.com/sso", second)
	md, err := ParseIDPMetadata([]byte(doc), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if md.EntityID != "https://idp.example.com/" || md.SSORedirectURL != "https://idp.example.com/sso" || md.SSOPostURL != "" {
		t.Fatalf("%+v", md)
	}
	if len(md.SigningCertificates) != 2 || !md.SigningCertificates[0].Equal(k0.Certificate) || !md.SigningCertificates[1].Equal(k1.Certificate) {
		t.Fatalf("rotation certificates: %d", len(md.SigningCertificates))
	}
	if md.SigningCertificates[1].NotAfter.IsZero() {
		t.Fatal("NotAfter not available")
	}

	agg := `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" validUntil="2030-01-01T00:00:00Z">` +
		strings.TrimPrefix(mdDoc(t, "https://a.example/", "https://a.example/sso", ""), "") +
		`<md:EntitiesDescriptor>` + mdDoc(t, "https://b.example/", "https://b.example/sso", "") + `</md:EntitiesDescriptor></md:EntitiesDescriptor>`
	now := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	md, err = ParseIDPMetadata([]byte(agg), ParseOptions{EntityID: "https://b.example/", Now: now})
	if err != nil || md.SSORedirectURL != "https://b.example/sso" || !md.ValidUntil.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("aggregate pick: %v %+v", err, md)
	}
	if _, err := ParseIDPMetadata([]byte(agg), ParseOptions{Now: now}); !errors.Is(err, ErrAmbiguousEntity) {
		t.Fatalf("aggregate without entity id: %v", err)
	}
	loop := mdDoc(t, "e", "http://127.0.0.1:8080/sso", "")
	if _, err := ParseIDPMetadata([]byte(loop), ParseOptions{AllowInsecureLoopback: true}); err != nil {
		t.Fatalf("loopback http with the flag: %v", err)
	}
	loop = mdDoc(t, "e", "http://localhost:8080/sso", "")
	if _, err := ParseIDPMetadata([]byte(loop), ParseOptions{AllowInsecureLoopback: true}); err != nil {
		t.Fatalf("localhost http with the flag: %v", err)
	}
}

func TestParseIDPMetadataRejects(t *testing.T) {
	good := mdDoc(t, "https://idp.example.com/", "https://idp.example.com/sso", "")
	tests := []struct {
		name string
		doc  string
		opts ParseOptions
		want error
	}{
		{"javascript sso", mdDoc(t, "e", "javascript:alert(1)", ""), ParseOptions{}, ErrUnsafeURL},
		{"http sso", mdDoc(t, "e", "http://idp.example.com/sso", ""), ParseOptions{}, ErrUnsafeURL},
		{"http loopback without flag", mdDoc(t, "e", "http://127.0.0.1/sso", ""), ParseOptions{}, ErrUnsafeURL},
		{"http remote with loopback flag", mdDoc(t, "e", "http://idp.example.com/sso", ""), ParseOptions{AllowInsecureLoopback: true}, ErrUnsafeURL},
		{"data sso", mdDoc(t, "e", "data:text/html,x", ""), ParseOptions{}, ErrUnsafeURL},
		{"relative sso", mdDoc(t, "e", "/sso", ""), ParseOptions{}, ErrUnsafeURL},
		{"credentials in sso", mdDoc(t, "e", "https://u:p@idp.example.com/sso", ""), ParseOptions{}, ErrUnsafeURL},
		{"javascript slo", mdDoc(t, "e", "https://idp/sso", `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="javascript:x"/>`), ParseOptions{}, ErrUnsafeURL},
		{"doctype", `<!DOCTYPE x [<!ENTITY a "b">]>` + good, ParseOptions{}, ErrDTDNotAllowed},
		{"too large", good, ParseOptions{MaxSize: 100}, ErrTooLarge},
		{"too many tokens", good, ParseOptions{MaxTokens: 5}, ErrTooLarge},
		{"two roots", good + good, ParseOptions{}, ErrMalformed},
		{"not xml", "hello", ParseOptions{}, ErrMalformed},
		{"wrong root", `<x/>`, ParseOptions{}, ErrMalformed},
		{"deep nesting", strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100), ParseOptions{}, ErrMalformed},
		{"entity not found", good, ParseOptions{EntityID: "other"}, ErrEntityNotFound},
		{"no entity id", mdDoc(t, "", "https://idp/sso", ""), ParseOptions{}, ErrMalformed},
		{"sp only", `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`, ParseOptions{}, ErrNoIDP},
		{"saml 1.1 only", strings.Replace(good, `protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"`, `protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"`, 1), ParseOptions{}, ErrNoIDP},
		{"soap sso only", strings.Replace(good, "bindings:HTTP-Redirect", "bindings:SOAP", 1), ParseOptions{}, ErrNoSSOService},
		{"no signing cert", strings.Replace(good, `use="signing"`, `use="encryption"`, 1), ParseOptions{}, ErrNoSigningCertificate},
		{"bad cert", strings.Replace(good, "MII", "!!!", 1), ParseOptions{}, ErrBadCertificate},
		{"garbage cert", strings.Replace(good, "MII", "AAA", 1), ParseOptions{}, ErrBadCertificate},
		{"expired", strings.Replace(good, `entityID=`, `validUntil="2020-01-01T00:00:00Z" entityID=`, 1), ParseOptions{}, ErrExpired},
		{"bad validUntil", strings.Replace(good, `entityID=`, `validUntil="soon" entityID=`, 1), ParseOptions{}, ErrMalformed},
		{"foreign namespace", strings.ReplaceAll(good, "urn:oasis:names:tc:SAML:2.0:metadata", "urn:evil"), ParseOptions{}, ErrMalformed},
		{"invalid utf-8", strings.Replace(good, "idp.example.com/\"", "idp.example.com/\xff\"", 1), ParseOptions{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIDPMetadata([]byte(tt.doc), tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseIDPMetadataHostileFixtures(t *testing.T) {
	for name, want := range map[string]error{
		"testdata/metadata_javascript_sso.xml": ErrUnsafeURL,
		"testdata/metadata_billion_laughs.xml": ErrDTDNotAllowed,
	} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseIDPMetadata(b, ParseOptions{}); !errors.Is(err, want) {
				t.Fatalf("err = %v, want %v", err, want)
			}
		})
	}
}
