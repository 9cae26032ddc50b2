package ssokit

import "context"

// MintIDPInitiatedLogin exposes the SAML ACS's idp_initiated_login minting
// to the external tests.
func (s *SSO) MintIDPInitiatedLogin(ctx context.Context, conn *Connection, loginHint, relayState string) (string, error) {
	return s.mintIDPInitiatedLogin(ctx, conn, loginHint, relayState)
}
