package ssokit

import (
	"errors"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlsp"
)

// Reasons carried in [Error.Reason] by the SAML ACS. Most come with
// [CodeTokenInvalid] (401) and name the check an administrator has to look
// at; ReasonMalformed comes with [CodeInvalidRequest] (400). The reasons
// shared with tokens (ReasonMalformed, ReasonBadSignature, ReasonBadIssuer,
// ReasonBadAudience, ReasonExpired, ReasonNotYetValid, ReasonReplayed) mean
// the same for SAML.
const (
	ReasonUnsignedAssertion       = "unsigned_assertion"        // neither the Response nor the Assertion is signed
	ReasonBadCertificate          = "bad_certificate"           // the signing certificate is not the connection's, or it has expired
	ReasonWeakAlgorithm           = "weak_algorithm"            // SHA-1 (unless InsecureAllowSHA1), RSA PKCS#1 v1.5 key transport, 3DES, HMAC, unknown
	ReasonBadDestination          = "bad_destination"           // Response Destination is not this connection's ACS URL (or missing on a signed Response)
	ReasonBadRecipient            = "bad_recipient"             // SubjectConfirmationData Recipient is not this connection's ACS URL
	ReasonBadInResponseTo         = "bad_in_response_to"        // InResponseTo names no pending request of this connection
	ReasonMultipleAssertions      = "multiple_assertions"       // not exactly one assertion
	ReasonEncryptedUnsigned       = "encrypted_unsigned"        // an encrypted assertion in a Response without its own signature
	ReasonDecryptionFailed        = "decryption_failed"         // no SP encryption key decrypts the assertion
	ReasonBadSubject              = "bad_subject"               // NameID or bearer SubjectConfirmation missing or invalid
	ReasonBadVersion              = "bad_version"               // SAML version is not 2.0
	ReasonIDPStatus               = "status"                    // the IdP answered with a non-success status (see Error.IDPError)
	ReasonIDPInitiatedNotAllowed  = "idp_initiated_not_allowed" // an unsolicited response on a connection without AllowIDPInitiated
	ReasonConnectionMisconfigured = "connection_misconfigured"  // the connection's SAML settings are incomplete or unusable
)

// samlError turns a samlsp refusal into the kit's *Error. The public text is
// a fixed sentence per reason; the samlsp error, whose cause may quote the
// XML libraries, is kept as Err for the log only.
func samlError(err error, conn *Connection) *Error {
	var se *samlsp.Error
	if !errors.As(err, &se) {
		return withConnErr(&Error{Code: CodeServerError, Description: "saml validation failed", Err: err}, conn)
	}
	e := &Error{Code: CodeTokenInvalid, Reason: string(se.Reason), Description: se.Error(), Err: se}
	switch se.Reason {
	case samlsp.ReasonMalformed:
		e.Code = CodeInvalidRequest
	case samlsp.ReasonConfig:
		e.Code, e.Reason = CodeServerError, ReasonConnectionMisconfigured
	case samlsp.ReasonStatus:
		e.Reason = ReasonIDPStatus
		e.IDPError = truncate(se.StatusCode, 200)
		e.IDPErrorDescription = truncate(se.SubStatusCode, 200)
		e.Code = CodeIDPError
		switch se.SubStatusCode {
		case "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", "urn:oasis:names:tc:SAML:2.0:status:RequestDenied",
			"urn:oasis:names:tc:SAML:2.0:status:NoPassive":
			e.Code = CodeAccessDenied
		}
	}
	return withConnErr(e, conn)
}

// withConnErr is withConn for an *Error.
func withConnErr(e *Error, conn *Connection) *Error {
	_ = withConn(e, conn)
	return e
}
