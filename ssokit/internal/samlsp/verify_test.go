package samlsp

import (
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// Cases found by the review of the goxmldsig-based engine (verify.go and
// read.go), each pinned to its reason.

// withAdvice puts a second, unsigned assertion inside an Advice of the
// assertion: the structure wrapping attacks use, however it arrives.
func withAdvice(a *etree.Element) {
	inner := a.Copy()
	inner.RemoveAttr("ID")
	inner.CreateAttr("ID", "_advised")
	adv := etree.NewElement("saml:Advice")
	adv.AddChild(inner)
	a.InsertChildAt(child(a, "Conditions").Index()+1, adv)
}

func TestAdviceAssertionRefused(t *testing.T) {
	t.Parallel()
	t.Run("plaintext", func(t *testing.T) {
		t.Parallel()
		r := goodResponse()
		r.EditAssertion = withAdvice
		expectReason(t, testSettings(t), build(t, r, idpKey(t)), solicited, testNow, ReasonMultipleAssertions)
	})
	t.Run("encrypted", func(t *testing.T) {
		t.Parallel()
		// The pre-scan of the Response cannot see inside the ciphertext;
		// the decrypted assertion must get the same count.
		r := encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyInKeyInfo)
		r.EditAssertion = withAdvice
		expectReason(t, testSettings(t), build(t, r, idpKey(t)), solicited, testNow, ReasonMultipleAssertions)
	})
}

// TestEncryptedKeyCertificateFromSignedPart: an EncryptedKey naming another
// certificate, planted in the Response Signature (which its own digest does
// not cover), must not steer the choice of decryption key.
func TestEncryptedKeyCertificateFromSignedPart(t *testing.T) {
	t.Parallel()
	for name, planted := range map[string]func(t testing.TB) []byte{
		"attacker certificate":  func(t testing.TB) []byte { return attackerKey(t).Certificate.Raw },
		"our other certificate": func(t testing.TB) []byte { return spKey2(t).Certificate.Raw },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := testSettings(t)
			s.DecryptionKeys = []*rsa.PrivateKey{spKey(t).PrivateKey, spKey2(t).PrivateKey}
			doc := buildDoc(t, encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyRetrievalMethod), idpKey(t))
			obj := child(doc.Root(), "Signature").CreateElement("ds:Object")
			ek := obj.CreateElement("xenc:EncryptedKey")
			ek.CreateAttr("xmlns:xenc", nsXMLEnc)
			ek.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
				SetText(base64.StdEncoding.EncodeToString(planted(t)))
			a := expectReason(t, s, encodeDoc(t, doc), solicited, testNow, "")
			if a.NameID != testNameID {
				t.Fatalf("NameID %q", a.NameID)
			}
		})
	}
}

// TestReservedNamespaces: xmlns:xml bound elsewhere would make etree see an
// Assertion where encoding/xml sees none; every reserved-name rule of
// Namespaces in XML is enforced by the pre-scan.
func TestReservedNamespaces(t *testing.T) {
	t.Parallel()
	raw := string(mustDecode(t, build(t, goodResponse(), idpKey(t))))
	for name, decl := range map[string]string{
		"xml bound to the assertion namespace": `xmlns:xml="` + nsAssertion + `"`,
		"xmlns declared":                       `xmlns:xmlns="urn:x"`,
		"other prefix bound to the xml name":   `xmlns:p="` + nsXML + `"`,
		"default bound to the xml name":        `xmlns="` + nsXML + `"`,
		"prefix bound to the xmlns name":       `xmlns:p="` + nsXMLNS + `"`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc := strings.Replace(raw, "<samlp:Response ", "<samlp:Response "+decl+" ", 1)
			expectReason(t, testSettings(t), b64(doc), solicited, testNow, ReasonMalformed)
		})
	}
	ok := strings.Replace(raw, "<samlp:Response ", `<samlp:Response xmlns:xml="`+nsXML+`" `, 1)
	_, e := testSettings(t).prescan([]byte(ok))
	if e != nil {
		t.Fatalf("xml bound to its own name refused: %v", e.Err)
	}
}

func TestAssertionWithoutID(t *testing.T) {
	t.Parallel()
	r := responseSigned()
	r.EditAssertion = func(a *etree.Element) { a.RemoveAttr("ID") }
	expectReason(t, testSettings(t), build(t, r, idpKey(t)), solicited, testNow, ReasonMalformed)
}

func TestSecondAuthnStatementRefused(t *testing.T) {
	t.Parallel()
	r := goodResponse()
	r.EditAssertion = func(a *etree.Element) {
		st := child(a, "AuthnStatement")
		a.InsertChildAt(st.Index()+1, st.Copy())
	}
	expectReason(t, testSettings(t), build(t, r, idpKey(t)), solicited, testNow, ReasonMalformed)
}

// TestKeyInfoCertificateDirectTextOnly: the pre-scan reads the KeyInfo
// certificate as goxmldsig does, from the element's own text; text in a
// child element does not count towards it.
func TestKeyInfoCertificateDirectTextOnly(t *testing.T) {
	t.Parallel()
	doc := buildDoc(t, responseSigned(), idpKey(t))
	cert := mustFind(t, child(doc.Root(), "Signature"), "X509Certificate")
	full := cert.Text()
	cert.SetText(full[:10])
	cert.CreateElement("x").SetText(full[10:])
	expectReason(t, testSettings(t), encodeDoc(t, doc), solicited, testNow, ReasonBadCertificate)
}
