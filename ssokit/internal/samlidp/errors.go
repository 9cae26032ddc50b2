package samlidp

import "errors"

// Errors returned by [ParseAuthnRequest] and [AuthnRequest.VerifySignature].
// Returned errors wrap one of these (and the underlying cause); test with
// [errors.Is].
var (
	// ErrMalformedRequest: the message is not a well-formed SAML 2.0
	// AuthnRequest in a supported binding.
	ErrMalformedRequest = errors.New("samlidp: malformed authn request")
	// ErrRequestTooLarge: the encoded or inflated message exceeds the limits.
	ErrRequestTooLarge = errors.New("samlidp: authn request too large")
	// ErrDTDNotAllowed: the XML carries a DOCTYPE or another directive.
	ErrDTDNotAllowed = errors.New("samlidp: xml directives (DTDs) are not allowed")
	// ErrUnsigned: VerifySignature found no signature.
	ErrUnsigned = errors.New("samlidp: authn request is not signed")
	// ErrUnsupportedAlgorithm: the signature uses an algorithm this package
	// refuses (SHA-1) or does not know.
	ErrUnsupportedAlgorithm = errors.New("samlidp: unsupported signature algorithm")
	// ErrBadSignature: the signature does not verify with the certificate.
	ErrBadSignature = errors.New("samlidp: authn request signature is invalid")
)
