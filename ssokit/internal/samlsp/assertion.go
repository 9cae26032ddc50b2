package samlsp

import (
	"time"
)

// Expectation is what the caller knows about the response before reading it.
type Expectation struct {
	// RequestID is the ID of the AuthnRequest this browser's flow sent. The
	// signed SubjectConfirmationData InResponseTo must equal it (and so must
	// the Response InResponseTo, when the Response is signed and carries
	// one). Empty means the caller expects an unsolicited (IdP-initiated)
	// response: then any InResponseTo is refused, so a response to some
	// other request cannot be passed off as unsolicited.
	RequestID string
}

// Assertion is the verified content of a SAML Response. Every field comes
// from bytes that a signature covered.
type Assertion struct {
	// ID is the Assertion ID. Burn it in the replay cache until NotOnOrAfter.
	ID string
	// Issuer is the IdP entity ID (equal to [Settings.IDPEntityID]).
	Issuer string
	// NameID is the full text of the Subject NameID, surrounding whitespace
	// removed. Comments inside it cannot truncate it.
	NameID string
	// NameIDFormat is the NameID Format attribute, possibly empty.
	NameIDFormat string
	// SessionIndex is the AuthnStatement SessionIndex, for single logout.
	SessionIndex string
	// InResponseTo is the signed SubjectConfirmationData InResponseTo;
	// empty for an unsolicited response.
	InResponseTo string
	// NotOnOrAfter is the last moment this assertion could be accepted
	// again: the earlier of the SubjectConfirmationData and Conditions
	// NotOnOrAfter, plus the clock skew. Keep the ID in the replay cache at
	// least until then.
	NotOnOrAfter time.Time
	// SessionNotOnOrAfter is the IdP's cap on the session length; zero when
	// absent. Cap the host session at it.
	SessionNotOnOrAfter time.Time
	// AuthnInstant is when the user authenticated at the IdP; zero when absent.
	AuthnInstant time.Time
	// AuthnContextClassRef names how the user authenticated (password, MFA…).
	AuthnContextClassRef string
	// Attributes maps each attribute Name, and also its FriendlyName when
	// that is not itself used as a Name, to its values in document order.
	Attributes map[string][]string
	// ResponseSigned reports that the Response carried a verified signature
	// in its place, a direct child of the Response. It is a property of this
	// document, not of the IdP: anyone holding a response the IdP signed
	// twice can move the Response signature elsewhere (its digest still
	// verifies, since the enveloped-signature transform removes it wherever
	// it sits) and present the response as signed on the assertion only,
	// which is then judged as such.
	ResponseSigned bool
	// AssertionSigned reports that the Assertion carried its own verified
	// signature (for an encrypted assertion: the decrypted assertion did).
	AssertionSigned bool
}

// attributes flattens an AttributeStatement into the Attributes map.
func attributes(attrs []attribute) map[string][]string {
	out := make(map[string][]string)
	for _, at := range attrs {
		out[at.name] = append(out[at.name], at.values...)
	}
	// FriendlyNames second, so they never shadow a Name.
	names := make(map[string]bool, len(attrs))
	for _, at := range attrs {
		names[at.name] = true
	}
	done := make(map[[2]string]bool)
	for _, at := range attrs {
		pair := [2]string{at.friendlyName, at.name}
		if at.friendlyName == "" || names[at.friendlyName] || done[pair] {
			continue
		}
		done[pair] = true
		out[at.friendlyName] = append(out[at.friendlyName], out[at.name]...)
	}
	return out
}
