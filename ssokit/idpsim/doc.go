// Package idpsim is an identity provider simulator for development and
// tests: a real OpenID Connect provider and a real SAML 2.0 identity
// provider behind one [http.Handler]. It signs in anyone as anyone.
//
// # Development only
//
// The simulator has no passwords and no users: whoever reaches its login page
// chooses the email, names and groups the application receives. It must
// never be reachable in production unless the host explicitly turns it on.
// To make that hard to miss, every page it serves carries a red banner
// ([Banner]), every response carries the [HeaderName] header, and [New] logs
// a warning ("idpsim_enabled"). For the same reason a nil [Config.Logger]
// means slog.Default() here, not silence as elsewhere in the kit.
//
// # Mounting
//
// The host creates the simulator with the external URL it will be served at
// and mounts its handler under that path:
//
//	sim, err := idpsim.New(idpsim.Config{BaseURL: "http://localhost:8080/idpsim",
//		Clients: []idpsim.OIDCClient{{ID: "app", Secret: "dev", RedirectURIs: []string{cb}}}})
//	mux.Handle("/idpsim/", http.StripPrefix("/idpsim", sim.Handler()))
//
// Clients and service providers can also be registered after New, with
// [Simulator.AddClient] and [Simulator.AddServiceProvider], for hosts that
// learn their redirect URIs and entity IDs (which contain connection ids) at
// run time.
//
// # Endpoints
//
// Relative to [Config.BaseURL]:
//
//	/.well-known/openid-configuration  OpenID discovery; the issuer is BaseURL
//	/jwks                              the signing key (RS256)
//	/authorize                         authorization code flow, PKCE S256 required
//	/token                             authorization_code grant; client_secret_basic or _post
//	/userinfo                          bearer access token in the Authorization header
//	/end_session                       RP-initiated logout
//	/saml/metadata                     IdP metadata (entity ID, certificate, SSO URL)
//	/saml/sso                          AuthnRequests, HTTP-Redirect and HTTP-POST bindings
//	/saml/apps                         IdP-initiated sign-in: a list of service providers
//	/saml/apps/login?sp=…&RelayState=… the login page for an IdP-initiated sign-in
//	/login                             the login form's target (same-origin posts only)
//
// # The login page
//
// Every sign-in, OpenID or SAML, SP- or IdP-initiated, shows one login page
// with the fields [FieldEmail], [FieldGivenName], [FieldFamilyName],
// [FieldGroups] (comma-separated) and an [Outcome] ([FieldOutcome]); the
// hidden [FieldRequest] names the pending request. A test without a browser
// reads the form's action and request id from the page and posts the fields.
// The outcomes let an application prove its error handling: the user
// refuses, an expired token or assertion, a wrong audience, no signature
// (see [Outcome] for exactly what each sends).
//
// OpenID answers: the redirect back carries code, state and iss (RFC 9207).
// The ID token (RS256, one hour) has iss, sub, aud, azp, exp, iat,
// auth_time, nonce, at_hash, email, email_verified (always true),
// given_name, family_name, name and groups; UserInfo returns the same user
// claims whatever the scope. sub is "idpsim_" plus 24 hex digits of the
// SHA-256 of the lower-cased email: stable for one email across logins,
// restarts and both protocols. Codes live one minute and are single-use; a
// replayed code revokes the access token it bought.
//
// SAML answers: a Response posted to the service provider's registered ACS
// URL by an auto-submitting form (a button without JavaScript), with
// InResponseTo (absent when IdP-initiated) and the RelayState. NameID is the
// email (emailAddress format); the attributes are email, firstName, lastName
// and groups (one AttributeValue per group); the audience is the SP's entity
// ID; Destination and Recipient are the ACS URL; NotBefore is a minute before
// issue and NotOnOrAfter five minutes after. Signatures are RSA-SHA256 with
// SHA-256 digests, on the Response and the Assertion unless
// [SAMLServiceProvider.Signing] says otherwise; assertions are encrypted when
// the SP registered [SAMLServiceProvider.EncryptionCert].
//
// # Limits
//
//   - State (pending logins, codes, access tokens) lives in process memory
//     with expiry, bounded at 10,000 entries per table: run one instance
//     only. A restart forgets it, and, unless the host passes [Config.Key],
//     changes the signing key.
//   - The simulator keeps no session: every sign-in shows the login page,
//     prompt=none answers login_required, IsPassive AuthnRequests get a
//     NoPassive status, and end_session has nothing to end.
//   - OpenID: authorization code flow only (no implicit, hybrid, refresh
//     tokens, request objects, PAR or dynamic registration); confidential
//     clients only; query response mode only.
//   - SAML: responses only through HTTP-POST; NameID is always the email,
//     whatever NameIDPolicy asks; no single logout; AuthnRequest signatures
//     are checked only for SPs that register [SAMLServiceProvider.RequestSigningCert].
//   - RelayState is limited to 80 bytes, as the SAML bindings specify.
//
// A [Simulator] is safe for concurrent use.
package idpsim
