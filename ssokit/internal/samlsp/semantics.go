package samlsp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	rtvalidator "github.com/mattermost/xml-roundtrip-validator"
	"github.com/russellhaering/gosaml2/types"
)

// checkVerified applies, to the verified response gosaml2 returned, the protocol
// checks gosaml2 v0.12.0 leaves to its caller (security.md section 3): one
// assertion, its version, Destination on a signed Response, InResponseTo from
// the signed SubjectConfirmationData, the validity windows with skew, and a
// non-empty audience restriction naming us. It then builds the Assertion.
func (s *Settings) checkVerified(sc *scan, resp *types.Response, expect Expectation, now time.Time) (*Assertion, *Error) {
	skew := s.skew()
	if sc.encrypted && !resp.SignatureValidated {
		return nil, fail(ReasonEncryptedUnsigned, "samlsp: encrypted assertion was not inside a verified response")
	}
	if len(resp.Assertions) != 1 || len(resp.EncryptedAssertions) != 0 {
		return nil, fail(ReasonMultipleAssertions, fmt.Sprintf("samlsp: verified response holds %d assertions, want exactly 1", len(resp.Assertions)+len(resp.EncryptedAssertions)))
	}
	a := &resp.Assertions[0]
	responseSigned := resp.SignatureValidated
	assertionSigned := a.SignatureValidated || (responseSigned && !sc.encrypted && sc.assertionSigned())
	if !responseSigned && !assertionSigned {
		return nil, fail(ReasonUnsignedAssertion, "samlsp: no verified signature covers the assertion")
	}

	if a.Version != "2.0" {
		return nil, fail(ReasonBadVersion, fmt.Sprintf("samlsp: assertion version %q", a.Version))
	}
	if a.Issuer == nil || a.Issuer.Value != s.IDPEntityID {
		return nil, fail(ReasonBadIssuer, "samlsp: assertion issuer does not match IDPEntityID")
	}
	if responseSigned && resp.Destination == "" {
		return nil, fail(ReasonBadDestination, "samlsp: signed response has no Destination")
	}

	// Subject.
	if a.Subject == nil || a.Subject.NameID == nil {
		return nil, fail(ReasonBadSubject, "samlsp: assertion has no Subject NameID")
	}
	nameID := strings.TrimSpace(a.Subject.NameID.Value)
	if nameID == "" {
		return nil, fail(ReasonBadSubject, "samlsp: Subject NameID is empty")
	}
	conf := a.Subject.SubjectConfirmation
	if conf == nil || conf.SubjectConfirmationData == nil {
		return nil, fail(ReasonBadSubject, "samlsp: assertion has no SubjectConfirmationData")
	}
	scd := conf.SubjectConfirmationData
	scdNotOnOrAfter, e := parseTime("SubjectConfirmationData NotOnOrAfter", scd.NotOnOrAfter)
	if e != nil {
		return nil, e
	}
	if !now.Add(-skew).Before(scdNotOnOrAfter) {
		return nil, fail(ReasonExpired, fmt.Sprintf("samlsp: SubjectConfirmationData NotOnOrAfter %s is past", scd.NotOnOrAfter))
	}
	// gosaml2's types omit SCD NotBefore; the pre-scan read it from the
	// single plaintext assertion, which is the one the signature covered.
	if sc.scdNotBefore != "" && !sc.encrypted {
		nb, e := parseTime("SubjectConfirmationData NotBefore", sc.scdNotBefore)
		if e != nil {
			return nil, e
		}
		if now.Add(skew).Before(nb) {
			return nil, fail(ReasonNotYetValid, fmt.Sprintf("samlsp: SubjectConfirmationData NotBefore %s is in the future", sc.scdNotBefore))
		}
	}

	// InResponseTo: the signed SCD value decides; a signed Response value
	// must agree with it.
	irt := scd.InResponseTo
	if expect.RequestID == "" {
		if irt != "" || (responseSigned && resp.InResponseTo != "") {
			return nil, fail(ReasonBadInResponseTo, "samlsp: unsolicited response expected, but it carries InResponseTo")
		}
	} else {
		switch {
		case irt == "":
			return nil, fail(ReasonBadInResponseTo, "samlsp: solicited response lacks InResponseTo")
		case irt != expect.RequestID:
			return nil, fail(ReasonBadInResponseTo, "samlsp: InResponseTo does not match the request")
		case responseSigned && resp.InResponseTo != "" && resp.InResponseTo != expect.RequestID:
			return nil, fail(ReasonBadInResponseTo, "samlsp: response InResponseTo does not match the request")
		}
	}

	// Conditions: window and audience.
	c := a.Conditions
	if c == nil {
		return nil, fail(ReasonBadAudience, "samlsp: assertion has no Conditions, hence no AudienceRestriction")
	}
	if c.NotBefore == "" {
		return nil, fail(ReasonNotYetValid, "samlsp: Conditions has no NotBefore")
	}
	nb, e := parseTime("Conditions NotBefore", c.NotBefore)
	if e != nil {
		return nil, e
	}
	if now.Add(skew).Before(nb) {
		return nil, fail(ReasonNotYetValid, fmt.Sprintf("samlsp: Conditions NotBefore %s is in the future", c.NotBefore))
	}
	if c.NotOnOrAfter == "" {
		return nil, fail(ReasonExpired, "samlsp: Conditions has no NotOnOrAfter")
	}
	condNotOnOrAfter, e := parseTime("Conditions NotOnOrAfter", c.NotOnOrAfter)
	if e != nil {
		return nil, e
	}
	if !now.Add(-skew).Before(condNotOnOrAfter) {
		return nil, fail(ReasonExpired, fmt.Sprintf("samlsp: Conditions NotOnOrAfter %s is past", c.NotOnOrAfter))
	}
	if len(c.AudienceRestrictions) == 0 {
		return nil, fail(ReasonBadAudience, "samlsp: assertion has no AudienceRestriction")
	}
	for _, ar := range c.AudienceRestrictions {
		ok := false
		for _, au := range ar.Audiences {
			if s.audienceOK(strings.TrimSpace(au.Value)) {
				ok = true
				break
			}
		}
		if !ok {
			return nil, fail(ReasonBadAudience, "samlsp: an AudienceRestriction does not name this SP")
		}
	}

	out := &Assertion{
		ID:              a.ID,
		Issuer:          s.IDPEntityID,
		NameID:          nameID,
		NameIDFormat:    a.Subject.NameID.Format,
		InResponseTo:    irt,
		Attributes:      attributes(a.AttributeStatement),
		ResponseSigned:  responseSigned,
		AssertionSigned: assertionSigned,
	}
	until := scdNotOnOrAfter
	if condNotOnOrAfter.Before(until) {
		until = condNotOnOrAfter
	}
	out.NotOnOrAfter = until.Add(skew).UTC()
	if st := a.AuthnStatement; st != nil {
		out.SessionIndex = st.SessionIndex
		if st.AuthnInstant != nil {
			out.AuthnInstant = st.AuthnInstant.UTC()
		}
		if st.SessionNotOnOrAfter != nil {
			out.SessionNotOnOrAfter = st.SessionNotOnOrAfter.UTC()
		}
		if st.AuthnContext != nil && st.AuthnContext.AuthnContextClassRef != nil {
			out.AuthnContextClassRef = strings.TrimSpace(st.AuthnContext.AuthnContextClassRef.Value)
		}
	}
	return out, nil
}

// parseTime parses an xs:dateTime the way gosaml2 does (RFC 3339, fractional
// seconds allowed, zone required).
func parseTime(what, v string) (time.Time, *Error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: %s %q: %w", what, v, err))
	}
	return t, nil
}

// isXMLError reports errors of XML parsing (gosaml2 returns them unwrapped).
func isXMLError(err error) bool {
	var se *xml.SyntaxError
	var ve rtvalidator.XMLValidationError
	var re rtvalidator.XMLRoundtripError
	var te *time.ParseError
	return errors.As(err, &se) || errors.As(err, &ve) || errors.As(err, &re) || errors.As(err, &te)
}
