// Package ssokit adds single sign-on against each customer's own identity
// provider (OpenID Connect now, SAML 2.0 through the same seams) to an
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
// CrossOriginProtection.
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
// # The seam for SAML
//
// The SAML engine (saml*.go files of this package) reuses the flow and the
// completion step; it needs these unexported functions and fields:
//
//   - startSAMLLogin(w, r, conn, f) is called by /login for SAML
//     connections with a fresh *loginFlow f (newLoginFlow). It sets
//     f.SAMLRequestID = "_" + f.ID and uses it as the AuthnRequest ID,
//     calls s.saveLoginFlow(ctx, w, r, f) (stores the flow, sets the
//     binding cookie), then writes the redirect or POST form.
//     registerSAMLRoutes(mux) adds the ACS and metadata routes.
//   - The ACS takes the flow with s.takeLoginFlow(ctx, strings.TrimPrefix(
//     inResponseTo, "_")) (single use; CodeInvalidState, CodeFlowExpired),
//     compares f.SAMLRequestID and f.ConnectionID, reads the connection with
//     s.activeConnection, and after validating calls
//     s.completeLogin(w, r, f, conn, &authResult{Profile: p, SessionIndex:
//     …, NotOnOrAfter: SessionNotOnOrAfter}) with p.Subject, the attributes
//     (p.Raw) and p.AuthTime filled. The binding cookie is not sent on the
//     IdP's cross-site POST; /auth/callback checks it.
//   - IdP-initiated: s.mintIDPInitiatedLogin(ctx, conn, loginHint,
//     relayState) returns the two-minute, single-use idp_initiated_login
//     JWT; redirect to Paths.Login + "?idp_initiated_login=" + it. /login
//     verifies it (signJWT/verifyJWT machinery, jti burnt with
//     Store.Remember) and starts an ordinary SP-initiated flow.
//   - Errors go through s.fail(w, r, err), which logs login_failed and calls
//     Config.ErrorHandler.
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
//   - Google connections also require the hd claim to be a domain of the
//     organization, so a consumer account cannot sign in.
//   - The email-first form posts the address (rather than putting it in a
//     GET URL), so it does not land in logs and history.
//   - Kit-issued tokens put the connection id in amr, as Scalekit does.
//   - [RequireSSO.Check] returns the verified session with the error
//     (net/http's CrossOriginProtection.Check returns only an error), so
//     the session is read once per request; the reason of a refusal is a
//     *[RequireSSOError] wrapping ErrNotSignedIn, ErrNotSSOSession or
//     ErrSessionTooOld. A too-old session is sent back with prompt=login.
//   - OIDC connections need the tenant-specific issuer (Entra ID:
//     https://login.microsoftonline.com/{tenant}/v2.0); multi-tenant issuer
//     templates are refused by the exact issuer check on purpose.
//
// # Logging
//
// Events go to Config.Logger with LogAttrs: login_started,
// login_succeeded, login_failed (reason, sub_reason, connection_id,
// organization_id), logout, signing_key_created. Tokens, codes and
// assertions are never logged.
package ssokit
