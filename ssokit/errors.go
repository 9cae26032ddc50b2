package ssokit

import (
	"errors"
	"net/http"
	"strings"
)

// ErrorCode classifies why a login, a token or a routing decision failed.
// The codes are stable strings, safe to show to an administrator and to
// match in code.
type ErrorCode string

// The error codes. Each maps to an HTTP status (see [Error.Status]).
const (
	// Routing at /login.
	CodeInvalidConnectionSelector ErrorCode = "invalid_connection_selector" // 400: a hint is malformed
	CodeConnectionNotFound        ErrorCode = "connection_not_found"        // 404
	CodeOrganizationNotFound      ErrorCode = "organization_not_found"      // 404
	CodeDomainNotFound            ErrorCode = "domain_not_found"            // 404: no verified domain of that name
	CodeConnectionInactive        ErrorCode = "connection_inactive"         // 403
	CodeNoActiveConnection        ErrorCode = "no_active_connection"        // 404: the organization has none
	CodeConnectionUnsupported     ErrorCode = "connection_type_unsupported" // 501: no engine for the connection's protocol
	CodeReturnURLNotAllowed       ErrorCode = "return_url_not_allowed"      // 400
	CodeInvalidRequest            ErrorCode = "invalid_request"             // 400: anything else malformed
	CodeRequestTooLarge           ErrorCode = "request_too_large"           // 413: a body over the endpoint's limit (SAML ACS)

	// The identity provider's answer.
	CodeAccessDenied ErrorCode = "access_denied" // 403: the IdP refused (error=access_denied), or the host's UserStore did ([ErrUserDenied])
	CodeIDPError     ErrorCode = "idp_error"     // 502: another IdP error, an unreachable IdP, a failed code exchange
	CodeTokenInvalid ErrorCode = "token_invalid" // 401: see [Error.Reason] for the check that failed

	// The flow between the steps.
	CodeInvalidState    ErrorCode = "invalid_state"    // 400: unknown, used or foreign state
	CodeBindingMismatch ErrorCode = "binding_mismatch" // 403: the browser that finishes is not the one that started
	CodeCodeInvalid     ErrorCode = "code_invalid"     // 400: the one-time code is unknown, used or expired
	CodeFlowExpired     ErrorCode = "flow_expired"     // 400: the user took longer than Config.FlowTTL at the IdP

	// The identity.
	CodeEmailOutsideDomains ErrorCode = "email_outside_organization_domains" // 403
	CodeEmailMissing        ErrorCode = "email_missing"                      // 403: the IdP sent no email

	CodeServerError ErrorCode = "server_error" // 500: the store, the UserStore or the session bridge failed
)

// Reasons carried in [Error.Reason] when the code is [CodeTokenInvalid].
const (
	ReasonTooLarge        = "too_large"         // the token exceeds 16 KiB
	ReasonMalformed       = "malformed"         // not a compact JWS
	ReasonBadAlgorithm    = "bad_algorithm"     // alg outside the allow-list (none, HS*, …)
	ReasonBadSignature    = "bad_signature"     // no key of the issuer verifies it
	ReasonBadKeyID        = "bad_kid"           // kit tokens: the kid is not one of our keys
	ReasonBadIssuer       = "bad_issuer"        // iss is not the configured issuer
	ReasonBadAudience     = "bad_audience"      // aud does not contain the client id
	ReasonBadAZP          = "bad_azp"           // azp differs from the client id, or is missing with several audiences
	ReasonBadNonce        = "bad_nonce"         // nonce differs from the one sent
	ReasonExpired         = "expired"           // exp is in the past
	ReasonNotYetValid     = "not_yet_valid"     // nbf or iat is in the future beyond the skew
	ReasonMissingSub      = "missing_sub"       // sub missing or empty
	ReasonMissingIAT      = "missing_iat"       // iat missing
	ReasonBadATHash       = "bad_at_hash"       // at_hash does not match the access token
	ReasonBadISSParam     = "bad_iss_parameter" // RFC 9207 iss parameter differs from the issuer, or is missing though advertised
	ReasonUserinfoSub     = "userinfo_sub_mismatch"
	ReasonBadHostedDomain = "bad_hosted_domain" // Google: hd missing or not a verified domain of the organization
	ReasonReplayed        = "replayed"          // kit tokens with a single-use jti
	// ReasonStaleAuthentication: /login required fresh authentication
	// (prompt=login, force_authn=1) and the IdP's authentication instant
	// (OIDC auth_time, SAML AuthnInstant) is missing or older than the
	// login's start minus Config.ClockSkew.
	ReasonStaleAuthentication = "stale_authentication"
)

// Error is the error every handler of the kit passes to Config.ErrorHandler
// and that routing, tokens and RequireSSO return. Code says what failed;
// Description is a short English sentence for logs and admins (it never
// contains token or assertion contents); Err is the private cause (a store
// error, a go-oidc error), for logs only.
type Error struct {
	Code        ErrorCode
	Reason      string // sub-reason, e.g. "bad_audience" for CodeTokenInvalid
	Description string
	// IDPError and IDPErrorDescription are the error and error_description
	// the identity provider sent (CodeAccessDenied, CodeIDPError). They are
	// untrusted text: escape them before display.
	IDPError            string
	IDPErrorDescription string
	ConnectionID        string // when known
	OrganizationID      string // when known
	Err                 error
}

// Error formats the error as "ssokit: code (reason): description: cause".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ssokit: ")
	b.WriteString(string(e.Code))
	if e.Reason != "" {
		b.WriteString(" (" + e.Reason + ")")
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	if e.IDPError != "" {
		b.WriteString(": idp error " + e.IDPError)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code (and the same
// Reason when target sets one), so errors.Is(err, &ssokit.Error{Code:
// ssokit.CodeFlowExpired}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Reason == "" || t.Reason == e.Reason)
}

// Status is the HTTP status the code maps to.
func (e *Error) Status() int {
	switch e.Code {
	case CodeInvalidConnectionSelector, CodeReturnURLNotAllowed, CodeInvalidRequest,
		CodeInvalidState, CodeCodeInvalid, CodeFlowExpired:
		return http.StatusBadRequest
	case CodeConnectionNotFound, CodeOrganizationNotFound, CodeDomainNotFound, CodeNoActiveConnection:
		return http.StatusNotFound
	case CodeConnectionInactive, CodeAccessDenied, CodeBindingMismatch,
		CodeEmailOutsideDomains, CodeEmailMissing:
		return http.StatusForbidden
	case CodeTokenInvalid:
		return http.StatusUnauthorized
	case CodeIDPError:
		return http.StatusBadGateway
	case CodeConnectionUnsupported:
		return http.StatusNotImplemented
	case CodeRequestTooLarge:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// ErrUserDenied is what a [UserStore] returns (wrapped or not) to refuse a
// user it will not admit, such as a seat limit or a suspended account; the
// login then fails with [CodeAccessDenied] instead of [CodeServerError].
var ErrUserDenied = errors.New("ssokit: user denied by the application")

// errorCode returns the code of err if it is an *Error, else
// CodeServerError.
func errorCode(err error) (ErrorCode, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, e.Reason
	}
	return CodeServerError, ""
}

// statusOf returns the HTTP status for any error.
func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status()
	}
	return http.StatusInternalServerError
}
