package samlsp

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/beevik/etree"
	"github.com/russellhaering/gosaml2/types"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// verify checks the signatures of the pre-scanned document and returns
// its content, read from what they cover: the Response from its verified
// copy when it is signed (from the document when it is not), and the
// Assertion from its own verified copy when it is signed, from the signed
// Response otherwise, after decryption when it was encrypted.
//
// Signatures are checked with goxmldsig directly rather than through
// gosaml2's ValidateEncodedResponse: that ran the round-trip validator at a
// 4 KiB buffer per token, parsed the document twice and unmarshalled it
// again into gosaml2's types, which together cost about as much as the
// signature checks themselves. The checks gosaml2 made on the way are made
// in checkVerified; gosaml2 stays the decrypter (types.EncryptedAssertion)
// and the differential oracle of the tests (runLibrary in library_test.go).
func (s *Settings) verify(sc *scan, now time.Time) (v *verified, e *Error) {
	defer func() {
		if r := recover(); r != nil {
			v, e = nil, wrapFail(ReasonMalformed, fmt.Errorf("%w: %v", errPanic, r))
		}
	}()
	sets, e := s.certificateSets(sc, now)
	if e != nil {
		return nil, e
	}
	resp := sc.doc.Root()
	v = &verified{}
	if sc.responseSigned() {
		signed, e := s.checkSignature(resp, sets, now)
		if e != nil {
			return nil, e
		}
		resp, v.responseSigned = signed, true
	}

	// Exactly one assertion, a direct child of what the Response is read
	// from (the pre-scan counted the document; count what was verified).
	var plain, encrypted []*etree.Element
	for _, c := range resp.ChildElements() {
		switch {
		case isElement(c, nsAssertion, "Assertion"):
			plain = append(plain, c)
		case isElement(c, nsAssertion, "EncryptedAssertion"):
			encrypted = append(encrypted, c)
		}
	}
	if n := len(plain) + len(encrypted); n != 1 {
		return nil, fail(ReasonMultipleAssertions, fmt.Sprintf("samlsp: verified response holds %d assertions, want exactly 1", n))
	}

	var a *etree.Element
	if len(encrypted) == 1 {
		if !v.responseSigned {
			return nil, fail(ReasonEncryptedUnsigned, "samlsp: encrypted assertion was not inside a verified response")
		}
		a, v.assertionSigned, e = s.decrypt(sc, encrypted[0], sets, now)
		if e != nil {
			return nil, e
		}
	} else {
		a = plain[0]
		if sc.signatureInAssertion() {
			detached, e := detach(a)
			if e != nil {
				return nil, e
			}
			signed, e := s.checkSignature(detached, sets, now)
			switch {
			case e == nil:
				a, v.assertionSigned = signed, true
			case e.Reason != ReasonUnsignedAssertion:
				return nil, e
			}
		}
		if !v.responseSigned && !v.assertionSigned {
			return nil, fail(ReasonUnsignedAssertion, "samlsp: no verified signature covers the assertion")
		}
	}
	if e := v.read(resp, a); e != nil {
		return nil, e
	}
	return v, nil
}

// certificateSets lists the certificate stores to try a signature with: the
// configured certificates valid now, together; or each of them alone when a
// signature has no KeyInfo and several are valid (goxmldsig refuses to
// choose among several roots; security.md item 18).
func (s *Settings) certificateSets(sc *scan, now time.Time) ([][]*x509.Certificate, *Error) {
	valid := make([]*x509.Certificate, 0, len(s.IDPCertificates))
	for _, c := range s.IDPCertificates {
		if certValid(c, now) {
			valid = append(valid, c)
		}
	}
	if len(valid) == 0 {
		return nil, fail(ReasonBadCertificate, "samlsp: no configured IdP certificate is valid now")
	}
	noKeyInfo := false
	for i := range sc.sigs {
		if !sc.sigs[i].keyInfo {
			noKeyInfo = true
		}
	}
	if !noKeyInfo || len(valid) == 1 {
		return [][]*x509.Certificate{valid}, nil
	}
	sets := make([][]*x509.Certificate, 0, len(valid))
	for _, c := range valid {
		sets = append(sets, []*x509.Certificate{c})
	}
	return sets, nil
}

// checkSignature verifies the enveloped signature that references el and
// returns what it covers, parsed from the canonical bytes that were
// digested. It fails with ReasonUnsignedAssertion when no signature
// references el, and with ReasonBadSignature for everything else (the
// KeyInfo certificate was matched to the configuration in policy).
func (s *Settings) checkSignature(el *etree.Element, sets [][]*x509.Certificate, now time.Time) (*etree.Element, *Error) {
	var last error
	for _, certs := range sets {
		ctx := dsig.NewDefaultValidationContext(&certStore{certs: certs})
		ctx.Clock = dsig.NewFakeClockAt(now)
		signed, err := ctx.Validate(el)
		if err == nil {
			return signed, nil
		}
		if errors.Is(err, dsig.ErrMissingSignature) {
			return nil, wrapFail(ReasonUnsignedAssertion, fmt.Errorf("samlsp: goxmldsig: %w", err))
		}
		last = err
	}
	return nil, wrapFail(ReasonBadSignature, fmt.Errorf("samlsp: goxmldsig: %w", last))
}

// decrypt decrypts the EncryptedAssertion el of a verified Response and
// returns the assertion, checked as the pre-scan and policy check a
// Response (the ciphertext hid it from them), and verified when it carries
// its own signature.
func (s *Settings) decrypt(sc *scan, el *etree.Element, sets [][]*x509.Certificate, now time.Time) (*etree.Element, bool, *Error) {
	detached, e := detach(el)
	if e != nil {
		return nil, false, e
	}
	d := etree.NewDocument()
	d.SetRoot(detached)
	b, err := d.WriteToBytes()
	if err != nil {
		return nil, false, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: encrypted assertion: %w", err))
	}
	var ea types.EncryptedAssertion
	if err := xml.Unmarshal(b, &ea); err != nil {
		return nil, false, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: encrypted assertion: %w", err))
	}
	// The key the IdP names is read here, from the verified element: the
	// raw document may carry other EncryptedKeys where the Response
	// signature does not reach (inside the Signature itself).
	ek := &ea.EncryptedKey
	if ek.CipherValue == "" {
		ek = &ea.DetEncryptedKey // the element DecryptBytes will use
	}
	keys, e := s.decryptionCandidates(ek.X509Data)
	if e != nil {
		return nil, false, e
	}
	var plain []byte
	for _, ks := range keys {
		plain, err = ea.DecryptBytes(&tls.Certificate{Certificate: [][]byte{ks.cert}, PrivateKey: ks.key})
		if err == nil {
			break
		}
	}
	if err != nil {
		return nil, false, wrapFail(ReasonDecryptionFailed, fmt.Errorf("samlsp: gosaml2: %w", err))
	}
	if len(plain) > s.maxResponseBytes() || !utf8.Valid(plain) {
		return nil, false, fail(ReasonDecryptionFailed, "samlsp: decrypted assertion is oversized or not UTF-8")
	}
	inner, e := s.prescanAs(plain, kAssertion)
	if e != nil {
		e.Reason = ReasonDecryptionFailed
		return nil, false, e
	}
	if inner.assertions != 1 || inner.nestedAssertion || inner.encrypted {
		return nil, false, fail(ReasonMultipleAssertions, fmt.Sprintf("samlsp: decrypted assertion holds %d more assertions", inner.assertions-1))
	}
	if e := inner.algorithmError(); e != nil {
		return nil, false, e
	}
	if e := s.subjectAndKeyInfo(inner, now); e != nil {
		return nil, false, e
	}
	a := inner.doc.Root()
	if len(inner.sigs) == 0 {
		return a, false, nil
	}
	innerSets, e := s.certificateSets(inner, now)
	if e != nil {
		return nil, false, e
	}
	signed, e := s.checkSignature(a, innerSets, now)
	switch {
	case e == nil:
		return signed, true, nil
	case e.Reason == ReasonUnsignedAssertion:
		return a, false, nil // the signed Response covers it
	}
	return nil, false, e
}

// detach copies el out of its document with every namespace declaration in
// scope, so that goxmldsig and encoding/xml can read it on its own.
func detach(el *etree.Element) (*etree.Element, *Error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	var out *etree.Element
	if err == nil {
		out, err = etreeutils.NSDetatch(ctx, el)
	}
	if err != nil {
		return nil, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: namespaces of %s: %w", el.Tag, err))
	}
	return out, nil
}

// isElement reports whether el is the element local in namespace uri.
func isElement(el *etree.Element, uri, local string) bool {
	return el.Tag == local && el.NamespaceURI() == uri
}
