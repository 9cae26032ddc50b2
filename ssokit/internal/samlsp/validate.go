package samlsp

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
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
	if e := s.policy(sc, now); e != nil {
		return nil, e
	}
	v, e := s.verify(sc, now)
	if e != nil {
		return nil, e
	}
	return s.checkVerified(v, expect, now)
}

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
	if e := sc.algorithmError(); e != nil {
		return e
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
	if e := s.subjectAndKeyInfo(sc, now); e != nil {
		return e
	}
	if sc.encrypted && len(s.DecryptionKeys) == 0 {
		return fail(ReasonDecryptionFailed, "samlsp: encrypted assertion but no DecryptionKeys configured")
	}
	return nil
}

// algorithmError refuses the first algorithm the scan found off the
// allow-list.
func (sc *scan) algorithmError() *Error {
	if sc.weakAlg == "" {
		return nil
	}
	return fail(ReasonWeakAlgorithm, fmt.Sprintf("samlsp: algorithm %q is not allowed", sc.weakAlg))
}

// subjectAndKeyInfo refuses several SubjectConfirmations and any KeyInfo
// that does not carry a configured certificate valid now: the last checks
// of the policy, made again on a decrypted assertion.
func (s *Settings) subjectAndKeyInfo(sc *scan, now time.Time) *Error {
	if sc.subjectConfirmations > 1 || sc.scds > 1 {
		return fail(ReasonBadSubject, "samlsp: more than one SubjectConfirmation")
	}
	for i := range sc.sigs {
		if e := s.checkKeyInfo(&sc.sigs[i], now); e != nil {
			return e
		}
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

// decryptionCandidates lists the keys to try: the one matching the
// certificate the EncryptedKey names (base64 DER, possibly wrapped), when it
// names one; otherwise every configured key.
func (s *Settings) decryptionCandidates(encKeyCert string) ([]*keyStore, *Error) {
	if len(s.DecryptionKeys) == 0 {
		return nil, fail(ReasonDecryptionFailed, "samlsp: encrypted assertion but no DecryptionKeys configured")
	}
	if encKeyCert != "" {
		der, err := base64.StdEncoding.DecodeString(string(stripSpace([]byte(encKeyCert))))
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

// placeholderCert stands in for the certificate gosaml2's decrypter insists on holding
// even when the EncryptedKey names none (it then never reads its bytes).
func placeholderCert(k *rsa.PrivateKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return []byte{0}
	}
	return der
}
