package samlmeta

import (
	"bytes"
	"crypto/x509"
	"errors"
	"testing"
	"time"
)

func TestSPMetadataGolden(t *testing.T) {
	c1, c2 := fixtureCert(t, "cert_a"), fixtureCert(t, "cert_b")
	tests := []struct {
		name string
		sp   SP
	}{
		{"sp_metadata_minimal.xml", SP{
			EntityID: "https://app.example.com/sso/saml/conn_01J0000000000000000000000",
			ACSURL:   "https://app.example.com/sso/saml/acs/conn_01J0000000000000000000000",
		}},
		{"sp_metadata_full.xml", SP{
			EntityID:             "https://app.example.com/sso/saml/conn_01J0000000000000000000000",
			ACSURL:               "https://app.example.com/sso/saml/acs/conn_01J0000000000000000000000",
			SLOURL:               "https://app.example.com/sso/saml/slo/conn_01J0000000000000000000000",
			SigningCerts:         []*x509.Certificate{c1},
			EncryptionCerts:      []*x509.Certificate{c1},
			AuthnRequestsSigned:  true,
			WantAssertionsSigned: true,
			ValidUntil:           time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		}},
		{"sp_metadata_rotation.xml", SP{
			EntityID:             "urn:gatehouse:acme",
			ACSURL:               "https://app.example.com/acs?connection=acme&x=<1>",
			SigningCerts:         []*x509.Certificate{c1, c2},
			EncryptionCerts:      []*x509.Certificate{c2, c1},
			AuthnRequestsSigned:  true,
			WantAssertionsSigned: true,
			NameIDFormat:         NameIDFormatUnspecified,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SPMetadata(tt.sp)
			if err != nil {
				t.Fatal(err)
			}
			again, err := SPMetadata(tt.sp)
			if err != nil || !bytes.Equal(got, again) {
				t.Fatal("not deterministic")
			}
			golden(t, tt.name, got)
		})
	}
}

func TestSPMetadataErrors(t *testing.T) {
	good := SP{EntityID: "e", ACSURL: "https://a/acs"}
	tests := []struct {
		name   string
		mutate func(*SP)
	}{
		{"no entity id", func(s *SP) { s.EntityID = "" }},
		{"no acs", func(s *SP) { s.ACSURL = "" }},
		{"javascript acs", func(s *SP) { s.ACSURL = "javascript:alert(1)" }},
		{"relative acs", func(s *SP) { s.ACSURL = "/acs" }},
		{"acs fragment", func(s *SP) { s.ACSURL = "https://a/acs#x" }},
		{"bad slo", func(s *SP) { s.SLOURL = "ftp://a/slo" }},
		{"signed without certs", func(s *SP) { s.AuthnRequestsSigned = true }},
		{"nil cert", func(s *SP) { s.EncryptionCerts = []*x509.Certificate{nil} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := good
			tt.mutate(&sp)
			if _, err := SPMetadata(sp); !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
