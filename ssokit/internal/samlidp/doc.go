// Package samlidp builds the messages a SAML 2.0 identity provider sends and
// reads the ones it receives. It is the engine behind the kit's IdP simulator
// and the fixture factory for every SAML test in the kit.
//
// A [Response] describes one SAML Response with every knob a real identity
// provider or an attack test needs: which element is signed, with which
// algorithms, whether KeyInfo is present, whether the assertion is encrypted
// and where the EncryptedKey sits, and every timestamp and identifier on its
// own. [Response.Build] renders it with a [Key]:
//
//	key, _ := samlidp.NewKey(2048, "idp", notBefore, notAfter)
//	resp := &samlidp.Response{Issuer: idpEntityID, Destination: acs, Recipient: acs,
//		Audiences: []string{spEntityID}, NameID: "ada@example.com",
//		IssueInstant: now, NotOnOrAfter: now.Add(5 * time.Minute), SignAssertion: true}
//	xml, err := resp.Build(key)
//
// Order of operations follows what identity providers do: the assertion is
// signed first, then encrypted (when [Response.Encrypt] is set), then the
// response is signed over the encrypted assertion. Enveloped signatures are
// placed where the schema wants them, right after the Issuer, and use
// exclusive canonicalization.
//
// Nothing in this package reads the clock: every timestamp comes from the
// caller, and a zero timestamp means "leave the attribute out" (so tests can
// build responses that lack a required attribute). Identifiers left empty are
// generated from crypto/rand.
//
// The IdP side of the exchange is [ParseAuthnRequest] (HTTP-Redirect and
// HTTP-POST bindings, with size limits and no DTDs), [AuthnRequest.VerifySignature],
// [Metadata] for the IdP's metadata document, and [PostForm] for the
// auto-submitting form of the HTTP-POST binding.
//
// This package is internal: it is test and simulator machinery, and it
// deliberately lets the caller produce insecure messages (SHA-1, RSA PKCS#1
// v1.5 key transport, AES-CBC, no KeyInfo) so that the SP side can prove it
// refuses them. All types are safe to use from several goroutines as long as a
// value is not modified while it is being built.
package samlidp
