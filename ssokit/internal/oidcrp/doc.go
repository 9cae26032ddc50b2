// Package oidcrp is the OpenID Connect relying party of ssokit: it wraps
// github.com/coreos/go-oidc/v3 and golang.org/x/oauth2 and adds what they
// leave to the caller (security.md section 3): PKCE S256 always, the nonce
// comparison, azp and multiple audiences, sub and iat required, the RFC
// 9207 iss parameter, a token size cap, the userinfo sub check, and claim
// maps per identity provider.
//
// Discovery documents are fetched on first use with the configured HTTP
// client, cached per issuer, refreshed after a day, and retried with an
// exponential backoff after a failure, so an identity provider that is down
// when the application starts does not stop it. Background requests use a
// context derived from context.WithoutCancel; no request context is
// stored.
//
// Issuers and endpoints come from connection settings that a tenant's
// admin may control, so by default ([Options]) every call goes through a
// transport that dials public addresses only (package netguard, shared
// with the SAML metadata fetch) and no proxy, the issuer and every endpoint
// of the discovery document must be https, and redirects are checked the
// same way.
//
// Every error is an *Error with a Kind and, for token failures, a Reason.
package oidcrp
