package samlidp

import (
	"bytes"
	"crypto/x509"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestPostForm(t *testing.T) {
	tests := []struct {
		name, acs, msg, relay string
		want, absent          []string
	}{
		{
			name: "plain", acs: "https://sp.example.com/acs?x=1&y=2", msg: "PHNhbWw+", relay: "rs",
			want: []string{`action="https://sp.example.com/acs?x=1&amp;y=2"`, `name="SAMLResponse" value="PHNhbWw&#43;"`, `name="RelayState" value="rs"`, "<noscript>"},
		},
		{
			name: "no relay state", acs: "https://sp.example.com/acs", msg: "abc",
			absent: []string{"RelayState"},
		},
		{
			name: "escaped", acs: `https://sp.example.com/"><script>`, msg: `"><script>alert(1)</script>`, relay: `'"<>&`,
			absent: []string{"<script>alert", `"><script>`, `'"<>&`},
		},
		{
			name: "javascript action neutralized", acs: "javascript:alert(1)", msg: "abc",
			absent: []string{"javascript:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(PostForm(tt.acs, tt.msg, tt.relay))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(out, a) {
					t.Errorf("found %q in\n%s", a, out)
				}
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	k1, k2 := testKey(t, 0), testKey(t, 1)
	out, err := Metadata("https://idp.example.com/meta", "https://idp.example.com/sso/redirect", "https://idp.example.com/sso/post", []*x509.Certificate{k1.Certificate, k2.Certificate})
	if err != nil {
		t.Fatal(err)
	}
	var md struct {
		EntityID string `xml:"entityID,attr"`
		IDP      struct {
			Keys []struct {
				Use  string `xml:"use,attr"`
				Cert string `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo>X509Data>X509Certificate"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
			SSO []struct {
				Binding  string `xml:"Binding,attr"`
				Location string `xml:"Location,attr"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleSignOnService"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
	}
	if err := xml.Unmarshal(out, &md); err != nil {
		t.Fatal(err)
	}
	if md.EntityID != "https://idp.example.com/meta" || len(md.IDP.Keys) != 2 || len(md.IDP.SSO) != 2 {
		t.Fatalf("metadata %+v", md)
	}
	if md.IDP.Keys[0].Use != "signing" || md.IDP.Keys[1].Cert != k2.CertificateBase64() {
		t.Fatalf("keys %+v", md.IDP.Keys)
	}
	if md.IDP.SSO[0].Binding != BindingHTTPRedirect || md.IDP.SSO[1].Location != "https://idp.example.com/sso/post" {
		t.Fatalf("sso %+v", md.IDP.SSO)
	}
	again, err := Metadata("https://idp.example.com/meta", "https://idp.example.com/sso/redirect", "https://idp.example.com/sso/post", []*x509.Certificate{k1.Certificate, k2.Certificate})
	if err != nil || !bytes.Equal(out, again) {
		t.Fatal("metadata is not deterministic")
	}
	for _, bad := range []struct {
		name, id, r, p string
		certs          []*x509.Certificate
	}{
		{"no entity id", "", "https://a", "", []*x509.Certificate{k1.Certificate}},
		{"no urls", "e", "", "", []*x509.Certificate{k1.Certificate}},
		{"no certs", "e", "https://a", "", nil},
		{"nil cert", "e", "https://a", "", []*x509.Certificate{nil}},
	} {
		if _, err := Metadata(bad.id, bad.r, bad.p, bad.certs); err == nil {
			t.Errorf("%s: no error", bad.name)
		}
	}
}

func TestNewKey(t *testing.T) {
	now := time.Now()
	if _, err := NewKey(2048, "x", now, now); err == nil {
		t.Fatal("empty validity accepted")
	}
	k := testKey(t, 0)
	if err := k.Certificate.CheckSignature(k.Certificate.SignatureAlgorithm, k.Certificate.RawTBSCertificate, k.Certificate.Signature); err != nil {
		t.Fatalf("not self-signed: %v", err)
	}
	if k.Certificate.Subject.CommonName != "test-0" || k.PrivateKey.N.BitLen() != 2048 {
		t.Fatal("wrong subject or size")
	}
	pemKey, err := k.PrivateKeyPEM()
	if err != nil || !bytes.Contains(pemKey, []byte("BEGIN PRIVATE KEY")) || !bytes.Contains(k.CertificatePEM(), []byte("BEGIN CERTIFICATE")) {
		t.Fatal("pem encoding")
	}
}
