package samlsp

import "errors"

// Reason classifies why a SAML Response was refused. Each value is a stable
// snake_case string, suitable for logs and metrics and for telling the
// connection's admin what to fix.
type Reason string

// The reasons [Validate] reports. Every refusal carries exactly one.
const (
	// ReasonConfig: the [Settings] are incomplete or out of range. This is a
	// host or admin mistake, not an attack.
	ReasonConfig Reason = "config"
	// ReasonMalformed: bad base64, invalid UTF-8, malformed XML, a DOCTYPE or
	// other directive, several roots or trailing content, a duplicate
	// attribute or ID, a root that is not a samlp:Response, an unparsable
	// timestamp, or a document over [Settings.MaxResponseBytes].
	ReasonMalformed Reason = "malformed"
	// ReasonStatus: the IdP answered with a status other than Success. The
	// codes are in [Error.StatusCode] and [Error.SubStatusCode].
	ReasonStatus Reason = "status"
	// ReasonUnsignedAssertion: neither the Response nor the Assertion carries
	// a signature.
	ReasonUnsignedAssertion Reason = "unsigned_assertion"
	// ReasonBadSignature: a digest or signature value does not verify, the
	// Signature element is malformed, or the document is wrapped (the
	// assertion is not where a signature can cover it).
	ReasonBadSignature Reason = "bad_signature"
	// ReasonBadCertificate: a KeyInfo carries a certificate that is not one
	// of [Settings.IDPCertificates], carries a bare key instead of a
	// certificate, or the configured certificate is outside its validity.
	ReasonBadCertificate Reason = "bad_certificate"
	// ReasonWeakAlgorithm: SHA-1 (unless [Settings.InsecureAllowSHA1]),
	// HMAC, RSA PKCS#1 v1.5 key transport (unless
	// [Settings.InsecureAllowRSA15]), 3DES, or an algorithm not on the
	// allow-list.
	ReasonWeakAlgorithm Reason = "weak_algorithm"
	// ReasonBadIssuer: the Response or Assertion Issuer is missing or is not
	// [Settings.IDPEntityID].
	ReasonBadIssuer Reason = "bad_issuer"
	// ReasonBadAudience: no AudienceRestriction, or one that names neither
	// [Settings.SPEntityID] nor an alias.
	ReasonBadAudience Reason = "bad_audience"
	// ReasonBadDestination: Response Destination differs from
	// [Settings.ACSURL], or is empty on a signed Response.
	ReasonBadDestination Reason = "bad_destination"
	// ReasonBadRecipient: SubjectConfirmationData Recipient differs from
	// [Settings.ACSURL].
	ReasonBadRecipient Reason = "bad_recipient"
	// ReasonBadInResponseTo: InResponseTo differs from the request we sent,
	// is absent from a solicited response, or present in one we expected to
	// be unsolicited.
	ReasonBadInResponseTo Reason = "bad_in_response_to"
	// ReasonExpired: Conditions or SubjectConfirmationData NotOnOrAfter is
	// past (clock skew allowed), or Conditions NotOnOrAfter is missing.
	ReasonExpired Reason = "expired"
	// ReasonNotYetValid: Conditions or SubjectConfirmationData NotBefore is
	// in the future beyond the clock skew, or Conditions NotBefore is
	// missing.
	ReasonNotYetValid Reason = "not_yet_valid"
	// ReasonMultipleAssertions: the document holds zero or several
	// Assertion and EncryptedAssertion elements, wherever they are.
	ReasonMultipleAssertions Reason = "multiple_assertions"
	// ReasonEncryptedUnsigned: an EncryptedAssertion arrived in a Response
	// that carries no signature of its own. It is refused before any
	// decryption.
	ReasonEncryptedUnsigned Reason = "encrypted_unsigned"
	// ReasonDecryptionFailed: the EncryptedAssertion could not be decrypted
	// with any of [Settings.DecryptionKeys]. One uniform error, whatever the
	// cause.
	ReasonDecryptionFailed Reason = "decryption_failed"
	// ReasonBadSubject: no Subject or NameID, an empty NameID, a
	// SubjectConfirmation that is missing, repeated or not bearer, or a
	// SubjectConfirmationData without NotOnOrAfter.
	ReasonBadSubject Reason = "bad_subject"
	// ReasonBadVersion: Response or Assertion Version is not "2.0".
	ReasonBadVersion Reason = "bad_version"
)

// message returns the fixed, user-safe text of a reason. It never contains
// data from the document or from the XML libraries.
func message(r Reason) string {
	switch r {
	case ReasonConfig:
		return "samlsp: connection settings are invalid"
	case ReasonMalformed:
		return "samlsp: saml response is malformed"
	case ReasonStatus:
		return "samlsp: identity provider reported a failure status"
	case ReasonUnsignedAssertion:
		return "samlsp: saml response is not signed"
	case ReasonBadSignature:
		return "samlsp: saml signature is invalid"
	case ReasonBadCertificate:
		return "samlsp: saml signing certificate is not trusted"
	case ReasonWeakAlgorithm:
		return "samlsp: saml response uses a refused algorithm"
	case ReasonBadIssuer:
		return "samlsp: saml issuer does not match the connection"
	case ReasonBadAudience:
		return "samlsp: saml audience does not match the connection"
	case ReasonBadDestination:
		return "samlsp: saml response destination does not match"
	case ReasonBadRecipient:
		return "samlsp: saml recipient does not match"
	case ReasonBadInResponseTo:
		return "samlsp: saml response does not answer our request"
	case ReasonExpired:
		return "samlsp: saml assertion has expired"
	case ReasonNotYetValid:
		return "samlsp: saml assertion is not yet valid"
	case ReasonMultipleAssertions:
		return "samlsp: saml response must hold exactly one assertion"
	case ReasonEncryptedUnsigned:
		return "samlsp: encrypted assertion in an unsigned response"
	case ReasonDecryptionFailed:
		return "samlsp: saml assertion could not be decrypted"
	case ReasonBadSubject:
		return "samlsp: saml subject is missing or invalid"
	case ReasonBadVersion:
		return "samlsp: saml version is not 2.0"
	}
	return "samlsp: saml response refused"
}

// Error is the only error type [Validate] returns. Error() is a fixed text per
// [Reason], safe to show to an end user; the detailed cause, which may quote
// library messages or document content, is in Err for logs.
type Error struct {
	// Reason classifies the refusal.
	Reason Reason
	// StatusCode and SubStatusCode are the top-level and second-level
	// StatusCode values when Reason is [ReasonStatus]. They come from the
	// document and may be unauthenticated: log them, never render them as
	// HTML without escaping.
	StatusCode, SubStatusCode string
	// Err is the detailed cause. It is never nil.
	Err error
}

// Error returns the user-safe message for e.Reason.
func (e *Error) Error() string {
	return message(e.Reason)
}

// Unwrap returns the detailed cause.
func (e *Error) Unwrap() error { return e.Err }

// fail builds an *Error from a reason and a short, lower-case detail.
func fail(r Reason, detail string) *Error {
	return &Error{Reason: r, Err: errors.New(detail)}
}

// wrapFail builds an *Error whose cause wraps a library error.
func wrapFail(r Reason, cause error) *Error {
	return &Error{Reason: r, Err: cause}
}
