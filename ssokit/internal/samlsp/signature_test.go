package samlsp

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// TestSignatureChecks covers security.md items 1, 2, 16–19 and 23: a good
// document is signed, then altered.
func TestSignatureChecks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		shape    func() *samlidp.Response
		key      func(testing.TB) *samlidp.Key
		apply    func(t testing.TB, doc *etree.Document)
		settings func(t testing.TB, s *Settings)
		want     Reason
	}{
		{name: "1 signature exclusion", want: ReasonUnsignedAssertion,
			shape: func() *samlidp.Response {
				r := goodResponse()
				r.SignResponse, r.SignAssertion = false, false
				return r
			}},
		{name: "1 signature removed after signing", shape: assertionSigned, want: ReasonUnsignedAssertion,
			apply: func(t testing.TB, doc *etree.Document) {
				a := assertionOf(t, doc)
				a.RemoveChild(child(a, "Signature"))
			}},
		{name: "1 only a stray signature that covers nothing", want: ReasonUnsignedAssertion,
			shape: func() *samlidp.Response {
				r := goodResponse()
				r.SignResponse, r.SignAssertion = false, false
				return r
			},
			apply: func(t testing.TB, doc *etree.Document) {
				other := buildDoc(t, assertionSigned(), idpKey(t))
				ext := etree.NewElement("samlp:Extensions")
				ext.AddChild(child(assertionOf(t, other), "Signature").Copy())
				doc.Root().InsertChildAt(assertionOf(t, doc).Index(), ext)
			}},
		{name: "2 SignatureValue removed", shape: assertionSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				sig := child(assertionOf(t, doc), "Signature")
				sig.RemoveChild(child(sig, "SignatureValue"))
			}},
		{name: "2 SignatureValue empty", shape: assertionSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				child(child(assertionOf(t, doc), "Signature"), "SignatureValue").SetText("")
			}},
		{name: "2 two SignedInfo", shape: assertionSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				sig := child(assertionOf(t, doc), "Signature")
				si := child(sig, "SignedInfo")
				sig.InsertChildAt(si.Index(), si.Copy())
			}},
		{name: "2 two KeyInfo", shape: responseSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				sig := child(doc.Root(), "Signature")
				sig.AddChild(child(sig, "KeyInfo").Copy())
			}},
		{name: "2 SignedInfo removed", shape: responseSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				sig := child(doc.Root(), "Signature")
				sig.RemoveChild(child(sig, "SignedInfo"))
			}},
		{name: "16 attacker certificate in KeyInfo", shape: bothSigned, key: attackerKey, want: ReasonBadCertificate},
		{name: "16 attacker certificate, assertion only", shape: assertionSigned, key: attackerKey, want: ReasonBadCertificate},
		{name: "16 attacker key without KeyInfo", key: attackerKey, want: ReasonBadSignature,
			shape: func() *samlidp.Response { r := goodResponse(); r.OmitKeyInfo = true; return r }},
		{name: "17 KeyInfo carries only RSAKeyValue", shape: responseSigned, key: attackerKey, want: ReasonBadCertificate,
			apply: func(t testing.TB, doc *etree.Document) {
				ki := child(child(doc.Root(), "Signature"), "KeyInfo")
				for _, c := range ki.ChildElements() {
					ki.RemoveChild(c)
				}
				kv := ki.CreateElement("ds:KeyValue").CreateElement("ds:RSAKeyValue")
				kv.CreateElement("ds:Modulus").SetText("AAAA")
				kv.CreateElement("ds:Exponent").SetText("AQAB")
			}},
		{name: "17 KeyInfo without X509Certificate", shape: responseSigned, want: ReasonBadCertificate,
			apply: func(t testing.TB, doc *etree.Document) {
				ki := child(child(doc.Root(), "Signature"), "KeyInfo")
				for _, c := range ki.ChildElements() {
					ki.RemoveChild(c)
				}
				ki.CreateElement("ds:KeyName").SetText("idp")
			}},
		{name: "18 rotation, second certificate, no KeyInfo", key: idpKey2, want: "",
			shape:    func() *samlidp.Response { r := goodResponse(); r.OmitKeyInfo = true; return r },
			settings: twoCerts},
		{name: "18 rotation, first certificate, no KeyInfo", want: "",
			shape:    func() *samlidp.Response { r := goodResponse(); r.OmitKeyInfo = true; return r },
			settings: twoCerts},
		{name: "18 rotation, second certificate, KeyInfo", shape: bothSigned, key: idpKey2, want: "", settings: twoCerts},
		{name: "18 rotation, attacker without KeyInfo", key: attackerKey, want: ReasonBadSignature,
			shape:    func() *samlidp.Response { r := goodResponse(); r.OmitKeyInfo = true; return r },
			settings: twoCerts},
		{name: "expired configured certificate", shape: bothSigned, want: ReasonBadCertificate,
			settings: func(t testing.TB, s *Settings) {
				s.IDPCertificates = []*x509.Certificate{certFor(t, idpKey(t), testNow.Add(-48*time.Hour), testNow.Add(-24*time.Hour))}
			}},
		{name: "expired configured certificate without KeyInfo", want: ReasonBadCertificate,
			shape: func() *samlidp.Response { r := goodResponse(); r.OmitKeyInfo = true; return r },
			settings: func(t testing.TB, s *Settings) {
				s.IDPCertificates = []*x509.Certificate{certFor(t, idpKey(t), testNow.Add(-48*time.Hour), testNow.Add(-24*time.Hour))}
			}},
		{name: "19 tamper NameID, assertion signed", shape: assertionSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) { tamperText(t, mustFind(t, doc.Root(), "NameID")) }},
		{name: "19 tamper NameID, response signed", shape: responseSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) { tamperText(t, mustFind(t, doc.Root(), "NameID")) }},
		{name: "19 tamper attribute value", shape: bothSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) { tamperText(t, mustFind(t, doc.Root(), "AttributeValue")) }},
		{name: "19 tamper Conditions NotOnOrAfter", shape: assertionSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				c := mustFind(t, doc.Root(), "Conditions")
				c.CreateAttr("NotOnOrAfter", "2099-01-01T00:00:00Z")
			}},
		{name: "19 tamper response Destination", shape: responseSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				doc.Root().CreateAttr("Destination", testACSURL+"?x")
			}},
		{name: "19 one-byte SignatureValue change", shape: assertionSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				sv := child(child(assertionOf(t, doc), "Signature"), "SignatureValue")
				v := []byte(sv.Text())
				if v[10] == 'A' {
					v[10] = 'B'
				} else {
					v[10] = 'A'
				}
				sv.SetText(string(v))
			}},
		{name: "23 XSLT transform", shape: responseSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				tr := mustFind(t, child(doc.Root(), "Signature"), "Transform")
				tr.CreateAttr("Algorithm", "http://www.w3.org/TR/1999/REC-xslt-19991116")
			}},
		{name: "23 unknown canonicalization", shape: responseSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				cm := mustFind(t, child(doc.Root(), "Signature"), "CanonicalizationMethod")
				cm.CreateAttr("Algorithm", "http://example.com/c14n")
			}},
		{name: "14 signed response, inner assertion signed by an attacker certificate", want: ReasonBadCertificate,
			key: attackerKey, shape: assertionSigned,
			apply: func(t testing.TB, doc *etree.Document) { signEnveloped(t, doc.Root(), idpKey(t)) }},
		{name: "14 signed response, inner assertion signed by an attacker without KeyInfo", want: ReasonBadSignature,
			key: attackerKey,
			shape: func() *samlidp.Response {
				r := assertionSigned()
				r.OmitKeyInfo = true
				return r
			},
			apply: func(t testing.TB, doc *etree.Document) { signEnveloped(t, doc.Root(), idpKey(t)) }},
		{name: "14 signed response, unsigned assertion accepted", shape: responseSigned, want: ""},
		{name: "59 response version 1.1 on an unsigned response", shape: assertionSigned, want: ReasonBadVersion,
			apply: func(t testing.TB, doc *etree.Document) { doc.Root().CreateAttr("Version", "1.1") }},
		{name: "unparsable IssueInstant in a signed response", want: ReasonMalformed,
			shape: func() *samlidp.Response {
				r := goodResponse()
				r.SignResponse, r.SignAssertion = false, false
				return r
			},
			apply: func(t testing.TB, doc *etree.Document) {
				doc.Root().CreateAttr("IssueInstant", "yesterday")
				signEnveloped(t, doc.Root(), idpKey(t))
			}},
		{name: "unparsable IssueInstant in an unsigned response", shape: assertionSigned, want: ReasonMalformed,
			apply: func(t testing.TB, doc *etree.Document) { doc.Root().CreateAttr("IssueInstant", "yesterday") }},
		{name: "26 prefixed ID before the real one (attribute pollution)", shape: responseSigned, want: ReasonMalformed,
			apply: func(t testing.TB, doc *etree.Document) {
				root := doc.Root()
				root.Attr = append([]etree.Attr{{Space: "samlp", Key: "ID", Value: "_other"}}, root.Attr...)
			}},
		{name: "26 xmlns:ID declaration", shape: responseSigned, want: ReasonMalformed,
			apply: func(t testing.TB, doc *etree.Document) {
				root := doc.Root()
				root.Attr = append([]etree.Attr{{Space: "xmlns", Key: "ID", Value: "urn:x"}}, root.Attr...)
			}},
		{name: "26 prefixed URI next to the Reference URI", shape: responseSigned, want: ReasonMalformed,
			apply: func(t testing.TB, doc *etree.Document) {
				ref := mustFind(t, child(doc.Root(), "Signature"), "Reference")
				ref.CreateAttr("ds:URI", "#_other")
			}},
		{name: "26 duplicate ID elsewhere in the document", shape: assertionSigned, want: ReasonMalformed,
			apply: func(t testing.TB, doc *etree.Document) {
				ext := etree.NewElement("samlp:Extensions")
				ext.CreateAttr("ID", assertionOf(t, doc).SelectAttrValue("ID", ""))
				doc.Root().InsertChildAt(assertionOf(t, doc).Index(), ext)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			key := idpKey(t)
			if tc.key != nil {
				key = tc.key(t)
			}
			doc := buildDoc(t, tc.shape(), key)
			if tc.apply != nil {
				tc.apply(t, doc)
			}
			s := testSettings(t)
			if tc.settings != nil {
				tc.settings(t, s)
			}
			expectReason(t, s, encodeDoc(t, doc), solicited, testNow, tc.want)
		})
	}
}

func twoCerts(t testing.TB, s *Settings) {
	s.IDPCertificates = []*x509.Certificate{idpKey(t).Certificate, idpKey2(t).Certificate}
}

// tamperText changes one byte of an element's text.
func tamperText(t testing.TB, el *etree.Element) {
	t.Helper()
	v := []byte(el.Text())
	if len(v) == 0 {
		t.Fatal("empty text")
	}
	v[0] ^= 0x01
	el.SetText(string(v))
}

// certFor issues another self-signed certificate for key's public key.
func certFor(t testing.TB, key *samlidp.Key, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PrivateKey.PublicKey, key.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Item 22: a comment (or CDATA section) inside NameID must not truncate
// it. The IdP signed "victim@corp.example.evil.example"; the attacker splits
// the text after signing, which leaves the canonical form, and so the
// signature, unchanged.
func TestCommentInjectionInNameID(t *testing.T) {
	t.Parallel()
	const full = "victim@corp.example.evil.example"
	for _, tc := range []struct {
		name   string
		shape  func() *samlidp.Response
		insert func(el *etree.Element)
	}{
		{"22 comment, assertion signed", assertionSigned, func(el *etree.Element) {
			el.SetText("victim@corp.example")
			el.CreateComment("")
			el.CreateText(".evil.example")
		}},
		{"22 comment, response signed", responseSigned, func(el *etree.Element) {
			el.SetText("victim@corp.example")
			el.CreateComment("x")
			el.CreateText(".evil.example")
		}},
		{"22 CDATA, both signed", bothSigned, func(el *etree.Element) {
			el.SetText("victim@corp.example")
			el.CreateCData(".evil.example")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.shape()
			r.NameID = full
			doc := buildDoc(t, r, idpKey(t))
			tc.insert(mustFind(t, doc.Root(), "NameID"))
			enc := encodeDoc(t, doc)
			if !strings.Contains(string(mustDecode(t, enc)), "victim@corp.example<") {
				t.Fatal("injection not in the document")
			}
			a := expectReason(t, testSettings(t), enc, solicited, testNow, "")
			if a.NameID != full {
				t.Errorf("NameID = %q, want the full %q", a.NameID, full)
			}
		})
	}
}
