// Package samlmeta is the SP side of SAML 2.0 set-up: it reads and fetches an
// identity provider's metadata, writes the SP's own metadata, and builds the
// AuthnRequests the SP sends. It has no HTTP handlers; ssokit wires these
// pieces into its login and metadata endpoints.
//
//	md, err := samlmeta.ParseIDPMetadata(xmlBytes, samlmeta.ParseOptions{})
//	req := &samlmeta.AuthnRequest{Issuer: spEntityID, ACSURL: acs, IssueInstant: now}
//	loc, err := req.RedirectURL(md.SSORedirectURL, relayState, nil)
//
// Untrusted input is treated as such: metadata is size- and token-capped,
// DTDs are refused, SSO and SLO URLs must be https (plain http only for
// loopback hosts and only when the caller allows it), and
// [FetchIDPMetadata] refuses private, loopback, link-local and unspecified
// addresses at dial time, so neither DNS rebinding nor a redirect reaches
// the internal network.
//
// Output is deterministic: [SPMetadata] and [AuthnRequest.XML] produce the
// same bytes for the same input, so they can be compared with golden files.
// Nothing here reads the clock: IssueInstant and ValidUntil come from the
// caller, and [ParseOptions.Now] defaults to time.Now only for the
// validUntil check.
//
// All functions are safe for concurrent use.
package samlmeta
