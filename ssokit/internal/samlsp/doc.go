// Package samlsp is the SAML 2.0 service-provider engine of ssokit: it
// decides whether a SAMLResponse posted to an Assertion Consumer Service is
// genuine, fresh, and meant for this connection, and returns its verified
// content. HTTP handling, flow state and the replay cache live in ssokit.
//
//	a, err := samlsp.Validate(&settings, r.PostFormValue("SAMLResponse"),
//		samlsp.Expectation{RequestID: flow.RequestID}, now)
//	// err is a *samlsp.Error: show err.Error(), log errors.Unwrap(err).
//	// Then burn a.ID in the replay cache until a.NotOnOrAfter.
//
// # How a response is checked
//
// [Validate] is a pure function of its inputs. It works in four steps, and
// refuses at the first failure with one [Reason]:
//
//  1. Input limits: the base64 text must be non-empty and at most
//     [Settings.MaxResponseBytes] long before decoding; the decoded bytes
//     must be valid UTF-8.
//  2. One pre-scan of the raw XML with encoding/xml's tokenizer. It refuses
//     DOCTYPEs and every other directive (so no entity is ever expanded and
//     nothing is fetched), processing instructions other than the XML
//     declaration, several roots or text after the root, two attributes
//     with the same local name on one element, an ID attribute with a
//     prefix (or an xmlns:ID declaration), duplicate ID values, unbound
//     prefixes, more than 64 levels of nesting and more than gosaml2's
//     50 000-token bound. The attribute rules remove the ambiguities
//     between etree (whose SelectAttr("ID") matches any prefix) and
//     encoding/xml, so that this scan and the libraries read the same IDs. It records the
//     top-level status, every Signature with its KeyInfo and references,
//     every algorithm, and every Assertion or EncryptedAssertion wherever it
//     sits (wrapping attacks hide copies in Extensions, Signature or Object).
//     On that record the policy refuses: a non-Success status; a refused
//     algorithm; a count of assertions other than one; an assertion that is
//     not a direct child of the Response; a document with no signature on the
//     Response or on the Assertion; an EncryptedAssertion in a Response
//     without its own signature (refused before anything is decrypted); a
//     KeyInfo whose certificate is not configured, is expired, or which
//     carries a bare key instead of a certificate.
//  3. gosaml2 v0.12.0 ValidateEncodedResponse, configured for this
//     connection only (issuer, audience, ACS URL, certificate store,
//     decryption key). It verifies the signatures with goxmldsig and, for a
//     signed Response, decrypts and re-verifies a signed inner assertion. It
//     returns the Response unmarshalled from the bytes the signature covered
//     (for an unsigned Response, only the signed assertions, each from its
//     verified bytes), so what we read is what was signed; the wrapping tests
//     in this package show it. With several IdP certificates and a signature
//     without KeyInfo, it runs once per certificate, because goxmldsig will
//     not choose among several roots. With several decryption keys it runs
//     once per key unless the EncryptedKey names our certificate, in which
//     case only the matching key is used.
//  4. The checks gosaml2 leaves to its caller, on the verified response:
//     exactly one assertion; Assertion Version 2.0; Assertion Issuer;
//     Destination present on a signed Response; a non-empty NameID; a
//     single bearer SubjectConfirmation whose Recipient is the ACS URL;
//     InResponseTo from the signed SubjectConfirmationData against
//     [Expectation.RequestID] (and the signed Response's own InResponseTo,
//     if any); SubjectConfirmationData NotOnOrAfter and NotBefore;
//     Conditions NotBefore and NotOnOrAfter (both required); at least one
//     AudienceRestriction, each naming [Settings.SPEntityID] or an alias.
//
// Every NotBefore and NotOnOrAfter allows [Settings.ClockSkew] (90 s by
// default, 5 min at most). NotOnOrAfter is exclusive. gosaml2 checks the
// SubjectConfirmationData NotOnOrAfter itself, with no tolerance, so its
// clock is set to now minus the skew; certificate validity is judged by this
// package at now itself.
//
// # Policy decisions
//
//   - Signatures: RSA or ECDSA with SHA-256, SHA-384 or SHA-512, for both the
//     SignatureMethod and every Reference DigestMethod. SHA-1 only with
//     [Settings.InsecureAllowSHA1]. HMAC and anything unknown: never.
//   - Either the Response or the Assertion must be signed (ADFS and Entra
//     sign the assertion, Google the response, Okta both). A signed Response
//     covers an unsigned assertion inside it. When the Response is not
//     signed, its Destination, InResponseTo and Status are unauthenticated:
//     the decision rests on the signed assertion only.
//   - Encryption: key transport RSA-OAEP (mgf1p or xmlenc11); content
//     AES-GCM or AES-CBC. RSA PKCS#1 v1.5 key transport only with
//     [Settings.InsecureAllowRSA15]; 3DES never. AES-CBC is accepted because
//     Okta and ADFS still send it, and it is safe here because an
//     EncryptedAssertion is only ever decrypted inside a Response whose own
//     signature has verified: a tampered ciphertext fails the signature
//     before it reaches the decrypter, which closes the padding oracle. Every
//     decryption failure has the same reason and message. The price: IdPs
//     that sign only the assertion by default (ADFS, Entra ID, OneLogin,
//     PingFederate) must be set to sign the response too before they
//     encrypt; the portal's setup guide has to say so.
//   - Certificates come only from [Settings.IDPCertificates]; KeyInfo only
//     selects among them. An expired configured certificate is refused, not
//     ignored: rotate it in the connection.
//   - Exactly one Assertion or EncryptedAssertion anywhere in the document.
//     Responses carrying assertions inside Advice are refused.
//   - Unsolicited responses are accepted only when the caller asks for one
//     (empty [Expectation.RequestID]); they must then carry no InResponseTo.
//   - The Response Issuer is required (gosaml2 requires it) and must match.
//   - SubjectConfirmationData without NotOnOrAfter, a missing
//     SubjectConfirmation or several of them are [ReasonBadSubject].
//
// # Limits
//
// gosaml2's types do not carry SubjectConfirmationData NotBefore, so the
// engine reads it in the pre-scan, from the single plaintext assertion the
// signature covered. Inside an EncryptedAssertion it is not visible; the Web
// SSO profile forbids it on a bearer confirmation anyway, and Conditions
// NotBefore is always enforced. [Assertion.AssertionSigned] is likewise
// false for an encrypted assertion.
//
// # Normalization
//
// [Normalize] maps the attribute names each IdP uses (Okta, Entra ID,
// Google, JumpCloud, OneLogin, PingFederate, ADFS, Keycloak, the kit's
// simulator, or generic names) to one [Profile], with per-connection
// overrides.
//
// All functions are safe for concurrent use; [Settings] values are only read.
package samlsp
