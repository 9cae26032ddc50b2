package samlsp

import (
	"strings"
	"time"

	"github.com/russellhaering/gosaml2/types"
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
	// ResponseSigned reports that the Response carried a verified signature.
	ResponseSigned bool
	// AssertionSigned reports that the Assertion carried its own verified
	// signature. For an encrypted assertion inside a signed Response it is
	// false even when the inner assertion was signed, because the engine
	// cannot see inside the ciphertext.
	AssertionSigned bool
}

// attributes flattens an AttributeStatement into the Attributes map.
func attributes(st *types.AttributeStatement) map[string][]string {
	out := make(map[string][]string)
	if st == nil {
		return out
	}
	for _, at := range st.Attributes {
		vals := make([]string, 0, len(at.Values))
		for _, v := range at.Values {
			if v.NameID != nil {
				vals = append(vals, strings.TrimSpace(v.NameID.Value))
				continue
			}
			vals = append(vals, strings.TrimSpace(v.Value))
		}
		out[at.Name] = append(out[at.Name], vals...)
	}
	// FriendlyNames second, so they never shadow a Name.
	names := make(map[string]bool, len(st.Attributes))
	for _, at := range st.Attributes {
		names[at.Name] = true
	}
	done := make(map[[2]string]bool)
	for _, at := range st.Attributes {
		pair := [2]string{at.FriendlyName, at.Name}
		if at.FriendlyName == "" || names[at.FriendlyName] || done[pair] {
			continue
		}
		done[pair] = true
		out[at.FriendlyName] = append(out[at.FriendlyName], out[at.Name]...)
	}
	return out
}
