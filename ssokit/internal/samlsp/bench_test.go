package samlsp

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crewjam/saml"
	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// benchResponse is an ~8 KB response, RSA-SHA256 with a 2048-bit key, whose
// signed assertion sits inside a signed Response, with 20 attributes.
func benchResponse(b *testing.B) string {
	b.Helper()
	r := goodResponse()
	r.UntypedAttributeValues = true
	r.Attributes = nil
	for _, kv := range [][2]string{
		{"email", testNameID}, {"firstName", "Ada"}, {"lastName", "Lovelace"}, {"displayName", "Ada Lovelace"},
		{"login", "ada"}, {"department", "Analytical Engines"}, {"title", "Programmer"},
		{"employeeNumber", "1815"}, {"costCenter", "CC-042"}, {"division", "Research"},
		{"organization", "Acme"}, {"manager", "charles@example.com"}, {"mobilePhone", "+44 20 7946 0000"},
		{"city", "London"}, {"countryCode", "GB"}, {"locale", "en_GB"}, {"timezone", "Europe/London"},
		{"userType", "Employee"}, {"employeeType", "Full time"}, {"groups", "engineering"},
	} {
		r.Attributes = append(r.Attributes, samlidp.Attribute{Name: kv[0], Values: []string{kv[1]}})
	}
	enc := build(b, r, idpKey(b))
	if n := len(mustDecode(b, enc)); n < 7000 || n > 9500 {
		b.Fatalf("benchmark document is %d bytes, want about 8 KB", n)
	}
	return enc
}

// benchRunners returns the three validators under comparison, each set up
// for enc and checking its own result.
func benchRunners(b *testing.B, enc string) (ours, bare, crewjam func() error) {
	s := testSettings(b)
	ours = func() error {
		_, err := Validate(s, enc, solicited, testNow)
		if err != nil {
			return fmt.Errorf("%w: %w", err, errorsUnwrap(err))
		}
		return nil
	}

	sp2 := &saml2.SAMLServiceProvider{
		IdentityProviderIssuer:      testIDPEntityID,
		AssertionConsumerServiceURL: testACSURL,
		AudienceURI:                 testSPEntityID,
		IDPCertificateStore:         &dsig.MemoryX509CertificateStore{Roots: s.IDPCertificates},
		Clock:                       dsig.NewFakeClockAt(testNow),
	}
	bare = func() error {
		info, err := sp2.RetrieveAssertionInfo(enc)
		if err != nil {
			return err
		}
		if info.WarningInfo.InvalidTime || info.WarningInfo.NotInAudience {
			return fmt.Errorf("warnings: %+v", info.WarningInfo)
		}
		return nil
	}

	md, err := samlidp.Metadata(testIDPEntityID, "https://idp.example.org/sso", "https://idp.example.org/sso", s.IDPCertificates)
	if err != nil {
		b.Fatal(err)
	}
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(md, &ed); err != nil {
		b.Fatal(err)
	}
	acs, _ := url.Parse(testACSURL)
	spc := &saml.ServiceProvider{
		EntityID:    testSPEntityID,
		AcsURL:      *acs,
		IDPMetadata: &ed,
		Clock:       dsig.NewFakeClockAt(testNow),
	}
	form := url.Values{"SAMLResponse": {enc}}.Encode()
	req := httptest.NewRequest(http.MethodPost, testACSURL, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := req.ParseForm(); err != nil {
		b.Fatal(err)
	}
	crewjam = func() error {
		if _, err := spc.ParseResponse(req, []string{testRequestID}); err != nil {
			var ire *saml.InvalidResponseError
			if asInvalid(err, &ire) {
				return ire.PrivateErr
			}
			return err
		}
		return nil
	}
	return ours, bare, crewjam
}

func BenchmarkValidate(b *testing.B) {
	enc := benchResponse(b)
	b.Logf("document: %d bytes XML, %d bytes base64", len(mustDecode(b, enc)), len(enc))
	ours, bare, crewjam := benchRunners(b, enc)
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"samlsp.Validate", ours},
		{"gosaml2.RetrieveAssertionInfo", bare},
		{"crewjam.ParseResponse", crewjam},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func errorsUnwrap(err error) error {
	if e, ok := err.(*Error); ok {
		return e.Err
	}
	return nil
}

func asInvalid(err error, target **saml.InvalidResponseError) bool {
	e, ok := err.(*saml.InvalidResponseError)
	if ok {
		*target = e
	}
	return ok
}

// BenchmarkOverhead measures the work before the signature checks: base64
// decoding, the UTF-8 check, the pre-scan (tokenizing, the round-trip check,
// building the etree document) and the policy. (The checks on the verified
// response after them are a few comparisons.)
func BenchmarkOverhead(b *testing.B) {
	enc := benchResponse(b)
	s := testSettings(b)
	b.ReportAllocs()
	for b.Loop() {
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || !utf8.Valid(raw) {
			b.Fatal(err)
		}
		sc, e := s.prescan(raw)
		if e != nil {
			b.Fatal(e.Err)
		}
		if e := s.policy(sc, testNow); e != nil {
			b.Fatal(e.Err)
		}
	}
}
