package idpsim

import (
	"time"
)

// loginLifetime is how long a login page stays answerable.
const loginLifetime = 30 * time.Minute

// loginKind says who asked for a login and how to answer it.
type loginKind int

const (
	kindOIDC             loginKind = iota // an OpenID authorization request
	kindSAML                              // an SP-initiated SAML AuthnRequest
	kindSAMLIDPInitiated                  // a tester on the /saml/apps page
)

// loginRequest is a request waiting on the login page, kept in
// [Simulator.logins] under a random id that the form carries.
type loginRequest struct {
	kind      loginKind
	loginHint string

	// OpenID Connect.
	clientID    string
	redirectURI string
	state       string
	nonce       string
	challenge   string
	scope       string

	// SAML.
	spEntityID string
	acsURL     string
	requestID  string // InResponseTo; empty when IdP-initiated
	relayState string
}
