package idpsim

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// serveSSO is the SAML single sign-on endpoint (HTTP-Redirect and HTTP-POST
// bindings). It checks the AuthnRequest against the registered service
// providers and shows the login page.
func (s *Simulator) serveSSO(w http.ResponseWriter, r *http.Request) {
	req, err := samlidp.ParseAuthnRequest(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "idpsim_saml_request_refused", "The SAML AuthnRequest could not be read: "+publicReason(err), err)
		return
	}
	if req.Issuer == "" {
		s.fail(w, r, http.StatusBadRequest, "idpsim_saml_request_refused", "The AuthnRequest has no Issuer, so the simulator cannot tell which service provider sent it.", nil)
		return
	}
	sp, ok := s.serviceProvider(req.Issuer)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "idpsim_saml_request_refused",
			fmt.Sprintf("Unknown service provider %q: register it in the simulator's Config.ServiceProviders or with AddServiceProvider.", req.Issuer), nil)
		return
	}
	if req.AssertionConsumerServiceURL != "" && req.AssertionConsumerServiceURL != sp.ACSURL {
		s.fail(w, r, http.StatusBadRequest, "idpsim_saml_request_refused",
			fmt.Sprintf("The AssertionConsumerServiceURL %q is not the one registered for %q (%s).", req.AssertionConsumerServiceURL, sp.EntityID, sp.ACSURL), nil)
		return
	}
	if req.ProtocolBinding != "" && req.ProtocolBinding != samlidp.BindingHTTPPOST {
		s.fail(w, r, http.StatusBadRequest, "idpsim_saml_request_refused",
			fmt.Sprintf("The simulator answers only with the HTTP-POST binding, not %q.", req.ProtocolBinding), nil)
		return
	}
	if sp.RequestSigningCert != nil {
		if err := req.VerifySignature(r, sp.RequestSigningCert); err != nil {
			s.fail(w, r, http.StatusBadRequest, "idpsim_saml_request_refused",
				fmt.Sprintf("The AuthnRequest signature of %q does not verify: %s", sp.EntityID, publicReason(err)), err)
			return
		}
	}
	s.logger.LogAttrs(r.Context(), slog.LevelDebug, "idpsim_saml_request",
		slog.String("sp_entity_id", sp.EntityID), slog.String("request_id", req.ID), slog.String("binding", req.Binding))
	login := &loginRequest{
		kind:       kindSAML,
		spEntityID: sp.EntityID,
		acsURL:     sp.ACSURL,
		requestID:  req.ID,
		relayState: req.RelayState,
	}
	if req.IsPassive {
		// The simulator keeps no session: a passive request cannot succeed.
		s.postSAMLResponse(w, r, login, &samlidp.Response{
			StatusCode:    samlidp.StatusResponder,
			SubStatusCode: statusNoPassive,
			StatusMessage: "The IdP simulator keeps no session, so it cannot sign in passively.",
			OmitAssertion: true,
		}, sp, "no passive sign-in")
		return
	}
	s.startLogin(w, r, login)
}

// publicReason says which of samlidp's conditions an error is, without the
// details of the cause.
func publicReason(err error) string {
	for _, e := range []error{samlidp.ErrRequestTooLarge, samlidp.ErrDTDNotAllowed, samlidp.ErrUnsigned,
		samlidp.ErrUnsupportedAlgorithm, samlidp.ErrBadSignature, samlidp.ErrMalformedRequest} {
		if errors.Is(err, e) {
			return e.Error() + "."
		}
	}
	return "invalid request."
}
