// Package ssokit adds single sign-on against each customer's own identity
// provider (OpenID Connect and SAML 2.0) to an
// application that already has users and sessions.
//
// The host keeps its user table and its session library. It passes the kit
// a [Store] for the kit's own state (package store implements it on SQLite
// or PostgreSQL), implements a [UserStore] so that logins write into its own
// users, and bridges its session with a [SessionBridge]
// ([NewGorillaSessions], [SessionFuncs]):
//
//	sso, err := ssokit.New(ssokit.Config{BaseURL: "https://app.example.com/sso",
//		Store: st, Users: users, Sessions: bridge})
//	mux.Handle("/sso/", http.StripPrefix("/sso", sso.Handler()))
//
// # Flows
//
// /login routes the request to a connection ([SSO.Route]: connection_id,
// then organization_id, then domain_hint, then login_hint; a miss is an
// *[Error], never a fallback), records a flow (random id, connection,
// return path validated up front, PKCE verifier, nonce, SHA-256 of a
// browser-binding value) in the Store, sets the binding cookie and
// redirects to the identity provider. Without a hint it shows an
// email-first page whose POST is protected by net/http's
// CrossOriginProtection. A cross-site GET (Sec-Fetch-Site: cross-site) in
// a browser that already has a session gets a confirmation page instead of
// the redirect, whose button POSTs under the same protection: a link on
// another site cannot start a login (perhaps at the linker's own,
// auto-approving IdP) that replaces the user's session.
//
// The OIDC redirect endpoint consumes the flow by state (single use),
// checks the binding cookie in constant time, the RFC 9207 iss parameter,
// the provider's error, exchanges the code with the PKCE verifier,
// verifies the ID token (go-oidc plus azp, sub, iat, nonce, at_hash, a
// 16 KiB cap; see internal/oidcrp), and hands the normalized [Profile] to
// the protocol-neutral completion step. That step refuses emails outside
// the organization's domains, stores the profile under a one-time code and
// 303-redirects to /auth/callback, which redeems the code once, checks the
// binding again, calls [UserStore], logs in through the [SessionBridge] and
// redirects to the return path. Every response on the way sends
// Cache-Control: no-store and Referrer-Policy: no-referrer.
//
// # SAML
//
// Each SAML connection is its own service provider: entity ID
// BaseURL+Paths.SAML+"/{connection id}/metadata" (which also serves its SP
// metadata) and ACS ".../acs" ([SSO.SAMLServiceProvider]), so an assertion
// minted for one tenant fails the audience, recipient and destination
// checks of every other. The IdP comes from metadata XML, from a metadata
// URL (fetched lazily on first use, a failure remembered per connection
// and retried after a backoff of 1 s doubling up to 5 minutes, then by
// [SSO.RefreshSAMLMetadata] and [SSO.Run]; SSRF-safe unless
// Config.InsecureAllowPrivateIdPAddresses) or from fields; see [SAMLConfig] for the precedence. Every configured
// certificate is trusted, so a rollover announced in the metadata works
// through its overlap; the last certificate nearing expiry is logged and
// written as [EventSAMLCertificateRenewalRequired] once.
//
// /login sends an AuthnRequest with ID "_" + flow id, by HTTP-Redirect, or
// by an auto-submitting POST form where the IdP offers only POST (or
// SAMLConfig.SSOBinding says "post"), signed when SAMLConfig.SignRequests,
// with ForceAuthn on prompt=login or force_authn=1 (OIDC sends prompt=login
// and max_age=0 then). Such a login requires the IdP's AuthnInstant
// (auth_time) to be no earlier than the flow's start minus
// Config.ClockSkew; a missing or older one, an IdP session reused despite
// the request, is refused with ReasonStaleAuthentication. The ACS
// ([SSO.SAMLACSHandler]) takes the connection from the path, caps the
// body, validates with internal/samlsp, burns the assertion ID (Remember,
// until the assertion expires) and only then consumes the flow named by the
// signed InResponseTo, which must belong to the connection; the same
// response posted twice is therefore reported as replayed. Unsolicited
// responses are refused unless Connection.AllowIDPInitiated, and even then
// only restart an SP-initiated login (idp_initiated_login); RelayState
// survives only as a relative path. Refusals carry a Reason (the constants
// of saml_errors.go) in the *[Error] the ErrorHandler receives.
//
// SP keys (signing requests, decrypting assertions) are per connection, in
// the Store, created on first need and rotated with [SSO.RotateSAMLKey] and
// [SSO.RetireSAMLKey]; the encryption certificate is published only when
// SAMLConfig.WantEncryptedAssertions, because ADFS encrypts whenever it
// finds one. Encrypted assertions are decrypted only inside a signed
// Response: ADFS's default (assertion-only signature) with encryption is
// refused as encrypted_unsigned; set its -SamlResponseSignature to
// MessageAndAssertion.
//
// # Decisions
//
//   - The binding cookie is "__Host-gatehouse_sso" with Path=/ on https,
//     not a cookie scoped to the kit's path: the __Host- prefix stops a
//     sibling subdomain from planting a binding value (login CSRF by cookie
//     tossing), which a path cannot. A browser with a binding cookie keeps
//     its value for the next flow, so two tabs can log in at once.
//   - The flow record lives in the Store FlowTTL longer than the flow, so
//     that an answer that comes too late is reported as flow_expired rather
//     than as an unknown state.
//   - Domains route logins (domain_hint, login_hint) only when verified. At
//     completion the email's domain must be one of the organization's
//     domains (any state); [Profile.EmailDomainVerified] tells the host
//     whether it is verified, the one case where it may link by email.
//   - Google connections also require the hd claim to be a verified
//     domain of the organization, so neither a consumer account nor a
//     Workspace that merely claims a pending domain can sign in.
//   - The email-first form posts the address (rather than putting it in a
//     GET URL), so it does not land in logs and history.
//   - Kit-issued tokens put the connection id in amr, as Scalekit does.
//   - [RequireSSO.Check] returns the verified session with the error
//     (net/http's CrossOriginProtection.Check returns only an error), so
//     the session is read once per request; the reason of a refusal is a
//     *[RequireSSOError] wrapping ErrNotSignedIn, ErrNotSSOSession or
//     ErrSessionTooOld. A too-old session is sent back with prompt=login.
//     An organization id the Store does not know is refused
//     (ErrUnknownOrganization, 404 by default) rather than let through, so
//     that an id mismatch cannot switch enforcement off; see
//     RequireSSOConfig.InsecurePassUnknownOrganizations.
//   - Issuers and metadata URLs are set per connection, possibly by a
//     tenant's admin, so the kit's calls to identity providers (OIDC
//     discovery, JWKS, token, userinfo, SAML metadata) dial only public
//     addresses, checked after DNS resolution, without a proxy; the OIDC
//     issuer and every endpoint of its discovery document must be https.
//     The guard clones Config.HTTPClient's *http.Transport and replaces its
//     dialer; any other RoundTripper is refused by [New]. Tests and local
//     simulators set Config.InsecureAllowPrivateIdPAddresses, which lifts
//     all of it (and allows http on loopback).
//   - OIDC connections need the tenant-specific issuer (Entra ID:
//     https://login.microsoftonline.com/{tenant}/v2.0); multi-tenant issuer
//     templates are refused by the exact issuer check on purpose.
//
// # Logging
//
// Events go to Config.Logger with LogAttrs: login_started,
// login_confirmation_shown, login_succeeded, login_failed (reason,
// sub_reason, connection_id, organization_id), logout,
// signing_key_created, saml_key_created, saml_key_retired,
// saml_idp_initiated, relay_state_ignored, saml_metadata_refreshed,
// saml_metadata_refresh_failed, saml_certificate_expiring,
// saml_connection_misconfigured, saml_acs_panic. Tokens, codes and
// assertions are never logged.
package ssokit
