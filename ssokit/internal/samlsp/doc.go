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
//     declaration, several roots or text after the root, names that are not
//     QNames, two attributes with the same local name on one element, an ID
//     attribute with a prefix (or an xmlns:ID declaration), duplicate ID
//     values, unbound prefixes, more than 64 levels of nesting, more than
//     50 000 tokens, and any token that encoding/xml would not read back as
//     it writes it (the round-trip check of CVE-2020-29509/29510/29511; see
//     stability in roundtrip.go). The attribute rules remove the
//     ambiguities between etree (whose SelectAttr("ID") matches any prefix)
//     and encoding/xml, so that this scan and the verifier read the same
//     IDs. It records the top-level status, every Signature with its KeyInfo
//     and references, every algorithm, and every Assertion or
//     EncryptedAssertion wherever it sits (wrapping attacks hide copies in
//     Extensions, Signature or Object). On that record the policy refuses: a
//     non-Success status; a refused algorithm; a count of assertions other
//     than one; an assertion that is not a direct child of the Response; a
//     document with no signature on the Response or on the Assertion; an
//     EncryptedAssertion in a Response without its own signature (refused
//     before anything is decrypted); a KeyInfo whose certificate is not
//     configured, is expired, or which carries a bare key instead of a
//     certificate.
//  3. Signature verification with goxmldsig v1.6.1 (verify.go), on the
//     etree document the pre-scan built from its own tokens, as etree's
//     reader would have (TestTreeMatchesEtree), so the bytes are tokenized
//     once. A signed Response is verified first and
//     everything after is read from what its signature covered (the element
//     goxmldsig re-parses from the digested canonical bytes). The one
//     Assertion, counted again in that element, is verified too when it
//     carries a signature, and read from its own verified copy; an unsigned
//     Response needs a signed Assertion. An EncryptedAssertion is decrypted
//     (gosaml2's types.EncryptedAssertion) only inside a verified Response;
//     the plaintext goes through the pre-scan and the algorithm and KeyInfo
//     policy as a Response does, and its own signature, if any, is
//     verified. With several IdP certificates and a signature without
//     KeyInfo, each certificate is tried alone, because goxmldsig will not
//     choose among several roots. With several decryption keys each is
//     tried unless the EncryptedKey names our certificate, in which case
//     only the matching key is used.
//  4. The protocol checks, on what was verified (semantics.go): first those
//     gosaml2's ValidateEncodedResponse made, in its order (Response
//     Destination, if present, is the ACS URL; Version 2.0; Response Issuer
//     present and matching; Status Success; Assertion Issuer; a bearer
//     SubjectConfirmation with SubjectConfirmationData whose Recipient is
//     the ACS URL and whose NotOnOrAfter is ahead), then those it left to
//     its caller: Assertion Version 2.0; Destination present on a signed
//     Response; a non-empty NameID; InResponseTo from the signed
//     SubjectConfirmationData against [Expectation.RequestID] (and the
//     signed Response's own InResponseTo, if any); SubjectConfirmationData
//     NotBefore; Conditions NotBefore and NotOnOrAfter (both required); at
//     least one AudienceRestriction, each naming [Settings.SPEntityID] or an
//     alias. A second Issuer, Subject, NameID, SubjectConfirmation,
//     SubjectConfirmationData, Conditions, Status or StatusCode where one is
//     expected is malformed, never read first-wins or last-wins.
//
// Every NotBefore and NotOnOrAfter allows [Settings.ClockSkew] (90 s by
// default, 5 min at most). NotOnOrAfter is exclusive. Certificate validity
// is judged at now itself.
//
// # Why not gosaml2's ValidateEncodedResponse
//
// Up to November 2026 step 3 was gosaml2 v0.12.0's ValidateEncodedResponse,
// and it cost 1.3 to 1.5 times crewjam/saml's ParseResponse on the same
// response. Profiling showed where: the round-trip validator it runs
// allocates a 4 KiB write buffer for every token (over 40% of the time), it
// parses the document twice, searches the tree for assertion signatures
// with a copied namespace context per element, and unmarshals the verified
// element again into its types. Verifying with goxmldsig directly, with the
// round-trip check and the etree document folded into the pre-scan that
// already tokenized the document, does the same cryptographic and
// structural work once: the
// engine takes about 0.55 times gosaml2's time (BenchmarkValidate). The
// security-sensitive parts are still the libraries': goxmldsig finds,
// canonicalizes and verifies each signature and returns only what was
// signed; gosaml2 decrypts. gosaml2's ValidateEncodedResponse is kept in the
// tests as an oracle (library_test.go).
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
//   - The Response Issuer is required (as gosaml2 required it) and must match.
//   - SubjectConfirmationData without NotOnOrAfter, a missing
//     SubjectConfirmation or several of them are [ReasonBadSubject].
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
