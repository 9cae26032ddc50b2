package ssokit

import "net/http"

// This file is the seam where the SAML engine plugs in; the SAML issue
// replaces it with the real implementation (saml*.go files):
//
//   - startSAMLLogin builds the AuthnRequest for flow f with ID "_"+f.ID
//     (recorded in f.SAMLRequestID), calls s.saveLoginFlow and writes the
//     redirect or POST form.
//   - registerSAMLRoutes adds the ACS and SP metadata routes to the mux.
//
// Until then, SAML connections fail with CodeConnectionUnsupported: an
// honest refusal, not a pretend login.

func (s *SSO) startSAMLLogin(w http.ResponseWriter, r *http.Request, conn *Connection, f *loginFlow) {
	s.fail(w, r, withConn(&Error{Code: CodeConnectionUnsupported, Description: "SAML connections are not available in this build"}, conn))
}

func (s *SSO) registerSAMLRoutes(mux *http.ServeMux) {}
