package samlsp

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// FuzzValidate feeds XML documents (base64-encoded here, so that mutations
// hit the XML rather than the transport encoding) to Validate. Seeds are
// good responses of every signing shape, an encrypted one, and the attack
// documents of the other tests. Validate must never panic (a recovered
// library panic counts as a failure), must always return an *Error with a
// cause, and may only accept documents whose assertion is signed.
func FuzzValidate(f *testing.F) {
	key := idpKey(f)
	seed := func(r *samlidp.Response, edit func(t testing.TB, doc *etree.Document)) {
		doc := buildDoc(f, r, key)
		if edit != nil {
			edit(f, doc)
		}
		b, err := doc.WriteToBytes()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(bothSigned(), nil)
	seed(assertionSigned(), nil)
	seed(responseSigned(), nil)
	enc := goodResponse()
	enc.Encrypt = spKey(f).Certificate
	enc.EncryptionAlgorithm = samlidp.EncryptionAES256CBC
	enc.KeyPlacement = samlidp.EncryptedKeyRetrievalMethod
	seed(enc, nil)
	unsolicited := goodResponse()
	unsolicited.InResponseTo = ""
	seed(unsolicited, nil)
	for _, x := range []func(testing.TB, *etree.Document){xsw1, xsw2, xsw3, xsw4, xsw5, xsw6, xsw7, xsw8} {
		seed(bothSigned(), x)
	}
	seed(assertionSigned(), func(t testing.TB, doc *etree.Document) { tamperText(t, mustFind(t, doc.Root(), "NameID")) })
	good := goodXML(f)
	body := withoutDecl(good)
	f.Add([]byte(billionLaughs + body))
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + body))
	f.Add([]byte(good + body))
	f.Add([]byte(strings.Replace(good, "</samlp:Response>", "<samlp:Extensions>"+strings.Repeat("<a>", 80)+"</samlp:Extensions></samlp:Response>", 1)))
	f.Add([]byte(""))
	f.Add([]byte("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"))

	s := testSettings(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := Validate(s, base64.StdEncoding.EncodeToString(doc), solicited, testNow)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Err == nil {
				t.Fatalf("reason %s without cause", e.Reason)
			}
			if errors.Is(err, errPanic) {
				t.Fatalf("library panicked: %v", e.Err)
			}
			return
		}
		if a == nil || a.NameID == "" || (!a.ResponseSigned && !a.AssertionSigned) {
			t.Fatalf("accepted without a signed, named assertion: %+v", a)
		}
	})
}
