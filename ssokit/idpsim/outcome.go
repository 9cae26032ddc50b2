package idpsim

// Outcome is what the tester asks the simulator to answer, chosen on the
// login page (form field "outcome"). Each one exercises a path of the
// application's error handling.
type Outcome string

// The outcomes. The value is what the login form posts.
const (
	// OutcomeSuccess answers a valid sign-in.
	OutcomeSuccess Outcome = "success"
	// OutcomeRefuse answers as if the user declined to sign in. OpenID:
	// the redirect carries error=access_denied and an error_description.
	// SAML: a signed Response without an assertion whose status is
	// urn:oasis:names:tc:SAML:2.0:status:Responder with the second-level
	// code urn:oasis:names:tc:SAML:2.0:status:RequestDenied (the IdP chose
	// not to answer; AuthnFailed would mean a wrong password).
	OutcomeRefuse Outcome = "refuse"
	// OutcomeExpired answers with a token or assertion that was issued two
	// hours ago and expired an hour ago, well beyond any clock-skew
	// allowance. OpenID: the ID token's iat and exp are in the past. SAML:
	// IssueInstant, NotBefore and NotOnOrAfter (of the conditions and of the
	// subject confirmation) are in the past; everything else is valid.
	OutcomeExpired Outcome = "expired"
	// OutcomeWrongAudience answers for another recipient: the ID token's aud
	// and azp, or the assertion's Audience, are [WrongAudience].
	OutcomeWrongAudience Outcome = "wrong_audience"
	// OutcomeUnsigned answers without a signature. OpenID: the ID token uses
	// "alg":"none" and has an empty signature. SAML: neither the Response nor
	// the Assertion is signed.
	OutcomeUnsigned Outcome = "unsigned"
)

// WrongAudience is the audience of [OutcomeWrongAudience] answers, in both
// protocols. No registered client or service provider can have it.
const WrongAudience = "urn:gatehouse:idpsim:wrong-audience"

// outcomes lists the outcomes in the order the login page shows them.
var outcomes = []struct {
	Value       Outcome
	Label       string
	Description string
}{
	{OutcomeSuccess, "Success", "Sign in with the details above."},
	{OutcomeRefuse, "User refuses", "The user declines: access_denied (OpenID) or a RequestDenied status (SAML)."},
	{OutcomeExpired, "Expired", "A token or assertion that expired an hour ago."},
	{OutcomeWrongAudience, "Wrong audience", "A token or assertion addressed to another application."},
	{OutcomeUnsigned, "Unsigned", "No signature: alg none (OpenID) or an unsigned response (SAML)."},
}

func validOutcome(o Outcome) bool {
	for _, x := range outcomes {
		if x.Value == o {
			return true
		}
	}
	return false
}
