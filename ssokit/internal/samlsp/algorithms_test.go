package samlsp

import (
	"testing"

	"github.com/beevik/etree"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// TestAlgorithmPolicy covers security.md items 34, 35 and 38.
func TestAlgorithmPolicy(t *testing.T) {
	t.Parallel()
	sha1Both := func(r *samlidp.Response) {
		r.SignatureAlgorithm, r.DigestAlgorithm = samlidp.SignatureRSASHA1, samlidp.DigestSHA1
	}
	allowSHA1 := func(s *Settings) { s.InsecureAllowSHA1 = true }
	allowRSA15 := func(s *Settings) { s.InsecureAllowRSA15 = true }
	spCert := spKey(t).Certificate
	encrypted := func(alg, transport string) func(r *samlidp.Response) {
		return func(r *samlidp.Response) {
			r.Encrypt = spCert
			r.EncryptionAlgorithm, r.KeyTransportAlgorithm = alg, transport
		}
	}
	cases := []struct {
		name     string
		mutate   func(r *samlidp.Response)
		apply    func(t testing.TB, doc *etree.Document)
		settings func(s *Settings)
		want     Reason
	}{
		{name: "34 rsa-sha1 with sha1 digest refused", mutate: sha1Both, want: ReasonWeakAlgorithm},
		{name: "34 rsa-sha1 with sha1 digest, assertion only, refused", want: ReasonWeakAlgorithm,
			mutate: func(r *samlidp.Response) { sha1Both(r); r.SignResponse = false }},
		{name: "34 rsa-sha256 over a sha1 digest refused", want: ReasonWeakAlgorithm,
			mutate: func(r *samlidp.Response) { r.DigestAlgorithm = samlidp.DigestSHA1 }},
		{name: "34 rsa-sha1 over a sha256 digest refused", want: ReasonWeakAlgorithm,
			mutate: func(r *samlidp.Response) { r.SignatureAlgorithm = samlidp.SignatureRSASHA1 }},
		{name: "34 sha1 accepted when the connection opts in", mutate: sha1Both, settings: allowSHA1, want: ""},
		{name: "34 sha1 digest accepted when the connection opts in", settings: allowSHA1, want: "",
			mutate: func(r *samlidp.Response) { r.DigestAlgorithm = samlidp.DigestSHA1 }},
		{name: "rsa-sha512 accepted", want: "",
			mutate: func(r *samlidp.Response) {
				r.SignatureAlgorithm, r.DigestAlgorithm = samlidp.SignatureRSASHA512, samlidp.DigestSHA512
			}},
		{name: "35 hmac-sha1 refused", want: ReasonWeakAlgorithm,
			apply: func(t testing.TB, doc *etree.Document) {
				setSignatureMethod(t, doc, "http://www.w3.org/2000/09/xmldsig#hmac-sha1")
			}},
		{name: "35 hmac-sha256 refused even with sha1 allowed", settings: allowSHA1, want: ReasonWeakAlgorithm,
			apply: func(t testing.TB, doc *etree.Document) {
				setSignatureMethod(t, doc, "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256")
			}},
		{name: "unknown signature method refused", want: ReasonWeakAlgorithm,
			apply: func(t testing.TB, doc *etree.Document) {
				setSignatureMethod(t, doc, "urn:example:none")
			}},
		{name: "38 rsa-1_5 key transport refused",
			mutate: encrypted(samlidp.EncryptionAES256GCM, samlidp.KeyTransportRSA15), want: ReasonWeakAlgorithm},
		{name: "38 rsa-1_5 accepted when the connection opts in", settings: allowRSA15,
			mutate: encrypted(samlidp.EncryptionAES256GCM, samlidp.KeyTransportRSA15), want: ""},
		{name: "38 3DES refused even with rsa-1_5 allowed", settings: allowRSA15, want: ReasonWeakAlgorithm,
			mutate: encrypted(samlidp.EncryptionAES128CBC, samlidp.KeyTransportRSAOAEPMGF1P),
			apply: func(t testing.TB, doc *etree.Document) {
				mustFind(t, mustFind(t, doc.Root(), "EncryptedData"), "EncryptionMethod").
					CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmlenc#tripledes-cbc")
			}},
		{name: "AES-128-CBC in a signed response accepted",
			mutate: encrypted(samlidp.EncryptionAES128CBC, samlidp.KeyTransportRSAOAEPMGF1P), want: ""},
		{name: "AES-128-GCM accepted",
			mutate: encrypted(samlidp.EncryptionAES128GCM, samlidp.KeyTransportRSAOAEPMGF1P), want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := goodResponse()
			if tc.mutate != nil {
				tc.mutate(r)
			}
			doc := buildDoc(t, r, idpKey(t))
			if tc.apply != nil {
				tc.apply(t, doc)
			}
			s := testSettings(t)
			if tc.settings != nil {
				tc.settings(s)
			}
			expectReason(t, s, encodeDoc(t, doc), solicited, testNow, tc.want)
		})
	}
}

func setSignatureMethod(t testing.TB, doc *etree.Document, alg string) {
	t.Helper()
	mustFind(t, child(doc.Root(), "Signature"), "SignatureMethod").CreateAttr("Algorithm", alg)
}
