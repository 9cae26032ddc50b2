package samlmeta

import (
	"errors"
	"fmt"
)

// Errors returned by this package. Returned errors wrap one of them (and
// their cause); test with [errors.Is].
var (
	// ErrTooLarge: the document or response body exceeds the size or token cap.
	ErrTooLarge = errors.New("samlmeta: document too large")
	// ErrDTDNotAllowed: the document carries a DOCTYPE or another directive.
	ErrDTDNotAllowed = errors.New("samlmeta: xml directives (DTDs) are not allowed")
	// ErrMalformed: the document is not well-formed SAML metadata.
	ErrMalformed = errors.New("samlmeta: malformed metadata")
	// ErrNoIDP: no EntityDescriptor with a SAML 2.0 IDPSSODescriptor.
	ErrNoIDP = errors.New("samlmeta: no SAML 2.0 identity provider in metadata")
	// ErrEntityNotFound: ParseOptions.EntityID names no entity in the document.
	ErrEntityNotFound = errors.New("samlmeta: entity not found in metadata")
	// ErrAmbiguousEntity: several identity providers and no ParseOptions.EntityID.
	ErrAmbiguousEntity = errors.New("samlmeta: several identity providers in metadata; choose one by entity id")
	// ErrNoSSOService: no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding.
	ErrNoSSOService = errors.New("samlmeta: no HTTP-Redirect or HTTP-POST SingleSignOnService")
	// ErrNoSigningCertificate: no usable signing certificate.
	ErrNoSigningCertificate = errors.New("samlmeta: no signing certificate in metadata")
	// ErrBadCertificate: a certificate in a KeyDescriptor does not parse.
	ErrBadCertificate = errors.New("samlmeta: invalid certificate in metadata")
	// ErrExpired: the metadata's validUntil is in the past.
	ErrExpired = errors.New("samlmeta: metadata has expired (validUntil)")
	// ErrUnsafeURL: a URL is not https (or http on loopback when allowed),
	// or is not an absolute URL at all (javascript:, data:, relative, …).
	ErrUnsafeURL = errors.New("samlmeta: unsafe url")
	// ErrBlockedAddress: a fetch would connect to a private, loopback,
	// link-local, multicast or unspecified address.
	ErrBlockedAddress = errors.New("samlmeta: address not allowed")
	// ErrTooManyRedirects: a fetch followed more than 3 redirects.
	ErrTooManyRedirects = errors.New("samlmeta: too many redirects")
	// ErrFetchStatus: a fetch got a non-200 status; see [StatusError].
	ErrFetchStatus = errors.New("samlmeta: unexpected http status")
	// ErrInvalidInput: the caller passed an unusable value (missing field,
	// bad URL); the message names the field.
	ErrInvalidInput = errors.New("samlmeta: invalid input")
)

// StatusError is returned by [FetchIDPMetadata] for a non-200 response. It
// matches [ErrFetchStatus] with errors.Is.
type StatusError struct {
	// StatusCode is the HTTP status received.
	StatusCode int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("samlmeta: metadata fetch returned http status %d", e.StatusCode)
}

// Is reports whether target is [ErrFetchStatus].
func (e *StatusError) Is(target error) bool { return target == ErrFetchStatus }
