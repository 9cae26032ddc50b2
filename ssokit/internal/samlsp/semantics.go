package samlsp

import (
	"fmt"
	"strings"
	"time"
)

// checkVerified applies the protocol checks to what verify read from the
// signed elements: those gosaml2's ValidateEncodedResponse made (Destination
// and Version of the Response, its Issuer and Status, the Assertion Issuer,
// a bearer SubjectConfirmation whose Recipient is the ACS and whose
// NotOnOrAfter is ahead), in its order, and those it left to its caller
// (security.md section 3): Destination on a signed Response, InResponseTo
// from the signed SubjectConfirmationData, the validity windows with skew,
// and a non-empty audience restriction naming us. It then builds the
// Assertion.
func (s *Settings) checkVerified(v *verified, expect Expectation, now time.Time) (*Assertion, *Error) {
	skew := s.skew()
	a := &v.a
	if v.destination != "" && v.destination != s.ACSURL {
		return nil, fail(ReasonBadDestination, "samlsp: response Destination is not the ACS URL")
	}
	if v.version != "2.0" {
		return nil, fail(ReasonBadVersion, fmt.Sprintf("samlsp: response version %q", v.version))
	}
	if v.issuer != s.IDPEntityID { // IDPEntityID is never empty
		return nil, fail(ReasonBadIssuer, "samlsp: response issuer does not match IDPEntityID")
	}
	if v.statusCode != statusSuccess {
		return nil, &Error{
			Reason:     ReasonStatus,
			StatusCode: v.statusCode,
			Err:        fmt.Errorf("samlsp: identity provider status %q", v.statusCode),
		}
	}
	if a.issuer != s.IDPEntityID {
		return nil, fail(ReasonBadIssuer, "samlsp: assertion issuer does not match IDPEntityID")
	}
	if a.method != bearer { // "" when there is no SubjectConfirmation
		return nil, fail(ReasonBadSubject, fmt.Sprintf("samlsp: no bearer SubjectConfirmation (Method %q)", a.method))
	}
	if !a.hasSCD {
		return nil, fail(ReasonBadSubject, "samlsp: assertion has no SubjectConfirmationData")
	}
	if a.recipient != s.ACSURL {
		return nil, fail(ReasonBadRecipient, "samlsp: SubjectConfirmationData Recipient is not the ACS URL")
	}
	if a.scdNotOnOrAfter == "" {
		return nil, fail(ReasonBadSubject, "samlsp: SubjectConfirmationData has no NotOnOrAfter")
	}
	scdNotOnOrAfter, e := parseTime("SubjectConfirmationData NotOnOrAfter", a.scdNotOnOrAfter)
	if e != nil {
		return nil, e
	}
	if !now.Add(-skew).Before(scdNotOnOrAfter) {
		return nil, fail(ReasonExpired, fmt.Sprintf("samlsp: SubjectConfirmationData NotOnOrAfter %s is past", a.scdNotOnOrAfter))
	}

	responseSigned, assertionSigned := v.responseSigned, v.assertionSigned
	if a.id == "" {
		// The ID is the replay-cache key.
		return nil, fail(ReasonMalformed, "samlsp: assertion has no ID")
	}
	if a.version != "2.0" {
		return nil, fail(ReasonBadVersion, fmt.Sprintf("samlsp: assertion version %q", a.version))
	}
	if responseSigned && v.destination == "" {
		return nil, fail(ReasonBadDestination, "samlsp: signed response has no Destination")
	}

	// Subject.
	nameID := strings.TrimSpace(a.nameID)
	if nameID == "" {
		return nil, fail(ReasonBadSubject, "samlsp: Subject NameID is missing or empty")
	}
	if a.scdNotBefore != "" {
		nb, e := parseTime("SubjectConfirmationData NotBefore", a.scdNotBefore)
		if e != nil {
			return nil, e
		}
		if now.Add(skew).Before(nb) {
			return nil, fail(ReasonNotYetValid, fmt.Sprintf("samlsp: SubjectConfirmationData NotBefore %s is in the future", a.scdNotBefore))
		}
	}

	// InResponseTo: the signed SCD value decides; a signed Response value
	// must agree with it.
	irt := a.scdInResponseTo
	if expect.RequestID == "" {
		if irt != "" || (responseSigned && v.inResponseTo != "") {
			return nil, fail(ReasonBadInResponseTo, "samlsp: unsolicited response expected, but it carries InResponseTo")
		}
	} else {
		switch {
		case irt == "":
			return nil, fail(ReasonBadInResponseTo, "samlsp: solicited response lacks InResponseTo")
		case irt != expect.RequestID:
			return nil, fail(ReasonBadInResponseTo, "samlsp: InResponseTo does not match the request")
		case responseSigned && v.inResponseTo != "" && v.inResponseTo != expect.RequestID:
			return nil, fail(ReasonBadInResponseTo, "samlsp: response InResponseTo does not match the request")
		}
	}

	// Conditions: window and audience.
	if !a.hasConditions {
		return nil, fail(ReasonBadAudience, "samlsp: assertion has no Conditions, hence no AudienceRestriction")
	}
	if a.notBefore == "" {
		return nil, fail(ReasonNotYetValid, "samlsp: Conditions has no NotBefore")
	}
	nb, e := parseTime("Conditions NotBefore", a.notBefore)
	if e != nil {
		return nil, e
	}
	if now.Add(skew).Before(nb) {
		return nil, fail(ReasonNotYetValid, fmt.Sprintf("samlsp: Conditions NotBefore %s is in the future", a.notBefore))
	}
	if a.notOnOrAfter == "" {
		return nil, fail(ReasonExpired, "samlsp: Conditions has no NotOnOrAfter")
	}
	condNotOnOrAfter, e := parseTime("Conditions NotOnOrAfter", a.notOnOrAfter)
	if e != nil {
		return nil, e
	}
	if !now.Add(-skew).Before(condNotOnOrAfter) {
		return nil, fail(ReasonExpired, fmt.Sprintf("samlsp: Conditions NotOnOrAfter %s is past", a.notOnOrAfter))
	}
	if len(a.audiences) == 0 {
		return nil, fail(ReasonBadAudience, "samlsp: assertion has no AudienceRestriction")
	}
	for _, auds := range a.audiences {
		ok := false
		for _, au := range auds {
			if s.audienceOK(strings.TrimSpace(au)) {
				ok = true
				break
			}
		}
		if !ok {
			return nil, fail(ReasonBadAudience, "samlsp: an AudienceRestriction does not name this SP")
		}
	}

	out := &Assertion{
		ID:                   a.id,
		Issuer:               s.IDPEntityID,
		NameID:               nameID,
		NameIDFormat:         a.nameIDFormat,
		InResponseTo:         irt,
		Attributes:           attributes(a.attributes),
		ResponseSigned:       responseSigned,
		AssertionSigned:      assertionSigned,
		SessionIndex:         a.sessionIndex,
		AuthnContextClassRef: a.classRef,
	}
	until := scdNotOnOrAfter
	if condNotOnOrAfter.Before(until) {
		until = condNotOnOrAfter
	}
	out.NotOnOrAfter = until.Add(skew).UTC()
	if !a.authnInstant.IsZero() {
		out.AuthnInstant = a.authnInstant.UTC()
	}
	if !a.sessionNotOnOrAfter.IsZero() {
		out.SessionNotOnOrAfter = a.sessionNotOnOrAfter.UTC()
	}
	return out, nil
}

// parseTime parses an xs:dateTime the way gosaml2 does (RFC 3339, fractional
// seconds allowed, zone required).
// bearer is the only SubjectConfirmation method a browser SSO response may use.
const bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

func parseTime(what, v string) (time.Time, *Error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: %s %q: %w", what, v, err))
	}
	return t, nil
}
