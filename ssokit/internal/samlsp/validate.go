package samlsp

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	saml2 "github.com/russellhaering/gosaml2"
	"github.com/russellhaering/gosaml2/types"
	dsig "github.com/russellhaering/goxmldsig"
)

// errPanic marks a panic recovered from the XML libraries. The fuzz target
// asserts it never happens.
var errPanic = errors.New("samlsp: recovered panic in saml library")

// Validate checks one base64 SAMLResponse (the HTTP-POST binding's form
// value) against the connection s, as of now, and returns its verified
// assertion. It is a pure function: it keeps no state, so the caller must
// burn [Assertion.ID] in its replay cache until [Assertion.NotOnOrAfter] and
// consume the request ID it passed in expect.
//
// Every error is an [*Error]; its Error() text is safe to show to users and
// the cause is in [Error.Err]. Validate never panics on any input.
func Validate(s *Settings, samlResponseB64 string, expect Expectation, now time.Time) (*Assertion, error) {
	a, e := validate(s, samlResponseB64, expect, now)
	if e != nil {
		return nil, e
	}
	return a, nil
}

func validate(s *Settings, b64 string, expect Expectation, now time.Time) (*Assertion, *Error) {
	if e := s.validateSettings(); e != nil {
		return nil, e
	}
	// Size first, before any work proportional to the input.
	switch {
	case len(b64) == 0:
		return nil, fail(ReasonMalformed, "samlsp: empty SAMLResponse")
	case len(b64) > s.maxResponseBytes():
		return nil, fail(ReasonMalformed, fmt.Sprintf("samlsp: SAMLResponse is %d bytes, limit %d", len(b64), s.maxResponseBytes()))
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: SAMLResponse is not base64: %w", err))
	}
	if !utf8.Valid(raw) {
		return nil, fail(ReasonMalformed, "samlsp: SAMLResponse is not valid UTF-8")
	}

	sc, e := s.prescan(raw)
	if e != nil {
		return nil, e
	}
	if e := libraryReadsRaw(raw); e != nil {
		return nil, e
	}
	if e := s.policy(sc, now); e != nil {
		return nil, e
	}

	resp, e := s.verify(sc, b64, now)
	if e != nil {
		return nil, e
	}
	return s.checkVerified(sc, resp, expect, now)
}

// libraryReadsRaw refuses a document over gosaml2's token bound, which
// the library would not parse but inflate instead. Together with
// noInflate in runLibrary it makes sure gosaml2 verifies the very bytes the
// pre-scan read.
func libraryReadsRaw(raw []byte) *Error {
	if bound := 3*bytes.Count(raw, []byte("<")) + 1; bound > maxXMLTokens {
		return fail(ReasonMalformed, "samlsp: document has too many xml tokens")
	}
	return nil
}

// noInflate is the MaximumDecompressedBodySize given to gosaml2. Its
// parseResponse parses the decoded input with etree and, when that fails,
// inflates the input and parses the result instead: a document the pre-scan
// accepted but etree refused would let the library check a deflated
// document nobody scanned. With a one-byte cap any inflated output is
// refused ("exceeds maximum size") or too short to be a document, so the
// library only ever reads the bytes the pre-scan read, at no cost (an
// earlier version re-parsed every response with etree to the same end).
const noInflate = 1

// policy applies the checks that must precede the library: status, algorithm
// allow-list, assertion count and position, presence of a signature, the
// encrypted-needs-signed rule, and KeyInfo trust.
func (s *Settings) policy(sc *scan, now time.Time) *Error {
	if sc.statusCode != "" && sc.statusCode != statusSuccess {
		return &Error{
			Reason:        ReasonStatus,
			StatusCode:    sc.statusCode,
			SubStatusCode: sc.subStatusCode,
			Err:           fmt.Errorf("samlsp: identity provider status %q (%q)", sc.statusCode, sc.subStatusCode),
		}
	}
	if sc.weakAlg != "" {
		return fail(ReasonWeakAlgorithm, fmt.Sprintf("samlsp: algorithm %q is not allowed", sc.weakAlg))
	}
	if sc.assertions != 1 {
		return fail(ReasonMultipleAssertions, fmt.Sprintf("samlsp: document holds %d assertions, want exactly 1", sc.assertions))
	}
	if sc.nestedAssertion {
		return fail(ReasonBadSignature, "samlsp: assertion is not a direct child of the response (signature wrapping)")
	}
	responseSigned := sc.responseSigned()
	if sc.encrypted && !responseSigned {
		return fail(ReasonEncryptedUnsigned, "samlsp: encrypted assertion requires a signed response; not decrypted")
	}
	if len(sc.sigs) == 0 {
		return fail(ReasonUnsignedAssertion, "samlsp: document carries no signature")
	}
	if !responseSigned && !sc.assertionSigned() {
		if sc.envelopedSignature() {
			// A Signature sits where an enveloped one belongs but
			// references nothing: gutted (security.md item 2).
			return fail(ReasonBadSignature, "samlsp: signature references neither the response nor the assertion")
		}
		return fail(ReasonUnsignedAssertion, "samlsp: neither the response nor the assertion carries its own signature")
	}
	if sc.subjectConfirmations > 1 || sc.scds > 1 {
		return fail(ReasonBadSubject, "samlsp: more than one SubjectConfirmation")
	}
	for i := range sc.sigs {
		if e := s.checkKeyInfo(&sc.sigs[i], now); e != nil {
			return e
		}
	}
	if sc.encrypted && len(s.DecryptionKeys) == 0 {
		return fail(ReasonDecryptionFailed, "samlsp: encrypted assertion but no DecryptionKeys configured")
	}
	return nil
}

// checkKeyInfo refuses a KeyInfo that would make goxmldsig trust anything but
// a configured, currently valid certificate.
func (s *Settings) checkKeyInfo(si *sigInfo, now time.Time) *Error {
	if !si.keyInfo {
		return nil
	}
	if !si.certSeen {
		if si.keyValue {
			return fail(ReasonBadCertificate, "samlsp: KeyInfo carries a bare public key, not a certificate")
		}
		return fail(ReasonBadCertificate, "samlsp: KeyInfo carries no X509Certificate")
	}
	der, err := base64.StdEncoding.DecodeString(string(stripSpace(si.cert)))
	if err != nil {
		return wrapFail(ReasonBadCertificate, fmt.Errorf("samlsp: KeyInfo certificate is not base64: %w", err))
	}
	for _, c := range s.IDPCertificates {
		if bytes.Equal(c.Raw, der) {
			if !certValid(c, now) {
				return fail(ReasonBadCertificate, fmt.Sprintf("samlsp: configured IdP certificate %q is outside its validity (%s to %s)",
					c.Subject.CommonName, c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339)))
			}
			return nil
		}
	}
	return fail(ReasonBadCertificate, "samlsp: KeyInfo certificate is not one of the connection's IdP certificates")
}

func certValid(c *x509.Certificate, now time.Time) bool {
	return !now.Before(c.NotBefore) && !now.After(c.NotAfter)
}

// verify runs gosaml2, once per candidate certificate set and decryption key,
// and returns the first response it accepts.
func (s *Settings) verify(sc *scan, b64 string, now time.Time) (*types.Response, *Error) {
	// gosaml2 compares SubjectConfirmationData NotOnOrAfter with its clock
	// and no tolerance; running its clock the skew behind gives that check
	// the same tolerance as ours. Certificate validity, which goxmldsig
	// would also judge by that clock, is judged here at now.
	libNow := now.Add(-s.skew())
	valid := make([]*x509.Certificate, 0, len(s.IDPCertificates))
	for _, c := range s.IDPCertificates {
		if certValid(c, now) {
			valid = append(valid, c)
		}
	}
	if len(valid) == 0 {
		return nil, fail(ReasonBadCertificate, "samlsp: no configured IdP certificate is valid now")
	}
	sets := [][]*x509.Certificate{valid}
	noKeyInfo := false
	for i := range sc.sigs {
		if !sc.sigs[i].keyInfo {
			noKeyInfo = true
		}
	}
	if noKeyInfo && len(valid) > 1 {
		sets = sets[:0]
		for _, c := range valid {
			sets = append(sets, []*x509.Certificate{c})
		}
	}

	keys, e := s.decryptionCandidates(sc)
	if e != nil {
		return nil, e
	}

	var last *Error
	for _, certs := range sets {
		for _, ks := range keys {
			resp, err := s.runLibrary(b64, certs, ks, libNow)
			if err == nil {
				return resp, nil
			}
			last = libraryError(err, ks)
			if last.Reason != ReasonDecryptionFailed {
				break // this certificate set failed, or the document did
			}
		}
		if last.Reason != ReasonBadSignature && last.Reason != ReasonBadCertificate {
			// The signature verified with this set (the failure came later),
			// so another certificate would not change the outcome.
			return nil, last
		}
	}
	return nil, last
}

// decryptionCandidates lists the key stores to try: none for a plaintext
// assertion; the key matching the EncryptedKey certificate when the IdP named
// one; otherwise every configured key.
func (s *Settings) decryptionCandidates(sc *scan) ([]*keyStore, *Error) {
	if !sc.encrypted {
		return []*keyStore{nil}, nil
	}
	if sc.encKeyCert != nil {
		der, err := base64.StdEncoding.DecodeString(string(stripSpace(sc.encKeyCert)))
		if err != nil {
			return nil, wrapFail(ReasonDecryptionFailed, fmt.Errorf("samlsp: EncryptedKey certificate is not base64: %w", err))
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, wrapFail(ReasonDecryptionFailed, fmt.Errorf("samlsp: EncryptedKey certificate: %w", err))
		}
		for _, k := range s.DecryptionKeys {
			if k.PublicKey.Equal(cert.PublicKey) {
				return []*keyStore{{key: k, cert: der}}, nil
			}
		}
		return nil, fail(ReasonDecryptionFailed, "samlsp: assertion is encrypted to a key that is not one of DecryptionKeys")
	}
	out := make([]*keyStore, 0, len(s.DecryptionKeys))
	for _, k := range s.DecryptionKeys {
		out = append(out, &keyStore{key: k, cert: placeholderCert(k)})
	}
	return out, nil
}

// placeholderCert stands in for the certificate gosaml2 insists on holding
// even when the EncryptedKey names none (it then never reads its bytes).
func placeholderCert(k *rsa.PrivateKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return []byte{0}
	}
	return der
}

// runLibrary is one pass through gosaml2's ValidateEncodedResponse, with
// every check it can make switched on.
func (s *Settings) runLibrary(b64 string, certs []*x509.Certificate, ks *keyStore, libNow time.Time) (resp *types.Response, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	sp := &saml2.SAMLServiceProvider{
		IdentityProviderIssuer:      s.IDPEntityID,
		AssertionConsumerServiceURL: s.ACSURL,
		AudienceURI:                 s.SPEntityID,
		IDPCertificateStore:         &certStore{certs: certs},
		Clock:                       dsig.NewFakeClockAt(libNow),
		AllowMissingAttributes:      true,
		MaximumXMLTokens:            maxXMLTokens,
		MaximumDecompressedBodySize: noInflate,
	}
	if ks != nil {
		// gosaml2 v0.12.0 decrypts with SPKeyStore only (decryptAssertions
		// calls getDecryptCert, which ignores SetSPKeyStore).
		sp.SPKeyStore = ks
	}
	return sp.ValidateEncodedResponse(b64)
}

// libraryError turns a gosaml2 error into a reason. The library's message is
// kept only as the cause.
func libraryError(err error, ks *keyStore) *Error {
	wrap := func(r Reason) *Error {
		return wrapFail(r, fmt.Errorf("samlsp: gosaml2: %w", err))
	}
	var iv saml2.ErrInvalidValue
	var me saml2.ErrMissingElement
	var pe saml2.ErrParsing
	switch {
	case errors.Is(err, errPanic):
		return wrapFail(ReasonMalformed, err)
	case errors.As(err, &iv):
		switch iv.Key {
		case saml2.DestinationAttr:
			return wrap(ReasonBadDestination)
		case "SAML version":
			return wrap(ReasonBadVersion)
		case saml2.IssuerTag:
			return wrap(ReasonBadIssuer)
		case saml2.StatusCodeTag:
			e := wrap(ReasonStatus)
			e.StatusCode = iv.Actual
			return e
		case saml2.SubjectConfirmationTag:
			return wrap(ReasonBadSubject)
		case saml2.RecipientAttr:
			return wrap(ReasonBadRecipient)
		case saml2.NotOnOrAfterAttr:
			return wrap(ReasonExpired)
		}
		return wrap(ReasonMalformed)
	case errors.As(err, &me):
		switch me.Tag {
		case saml2.AssertionTag:
			return wrap(ReasonMultipleAssertions)
		case saml2.IssuerTag:
			return wrap(ReasonBadIssuer)
		case saml2.StatusTag, saml2.StatusCodeTag:
			return wrap(ReasonStatus)
		case saml2.SubjectTag, saml2.SubjectConfirmationTag, saml2.SubjectConfirmationDataTag, saml2.NameIdTag:
			return wrap(ReasonBadSubject)
		}
		return wrap(ReasonMalformed)
	case errors.As(err, &pe):
		return wrap(ReasonMalformed)
	case errors.Is(err, dsig.ErrMissingSignature):
		return wrap(ReasonUnsignedAssertion)
	case ks != nil && ks.called:
		// gosaml2 asked for the key, so the Response signature had verified
		// and decryption began. gosaml2 v0.12.0 prefixes failures of an
		// inner assertion signature, which it checks after decrypting, with
		// this text; everything else from here on is a decryption failure
		// (bad key, bad padding, bad plaintext) and gets one uniform reason.
		if strings.HasPrefix(err.Error(), "assertion signature verification failed") {
			return wrap(ReasonBadSignature)
		}
		return wrap(ReasonDecryptionFailed)
	case isXMLError(err), strings.HasPrefix(err.Error(), "unable to unmarshal"):
		// XML or value syntax (a timestamp that does not parse) found
		// while unmarshalling the verified response.
		return wrap(ReasonMalformed)
	}
	return wrap(ReasonBadSignature)
}
