package idpsim

import (
	"fmt"
	"net/http"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// appsPage is the body of the "apps" template.
type appsPage struct {
	Action string
	Apps   []SAMLServiceProvider
}

// serveApps lists the service providers that allow IdP-initiated sign-in.
func (s *Simulator) serveApps(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "apps", "Applications", appsPage{
		Action: s.baseURL + "/saml/apps/login",
		Apps:   s.idpInitiatedApps(),
	})
}

// serveAppLogin starts an IdP-initiated sign-in to the service provider
// named by the "sp" query parameter (its entity ID). An optional RelayState
// parameter is sent along with the response.
func (s *Simulator) serveAppLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	entityID := q.Get("sp")
	sp, ok := s.serviceProvider(entityID)
	if !ok || !sp.AllowIDPInitiated {
		s.fail(w, r, http.StatusBadRequest, "idpsim_idp_initiated_refused",
			fmt.Sprintf("No service provider %q allows IdP-initiated sign-in.", entityID), nil)
		return
	}
	relayState := q.Get("RelayState")
	if len(relayState) > samlidp.MaxRelayStateSize {
		s.fail(w, r, http.StatusBadRequest, "idpsim_idp_initiated_refused",
			fmt.Sprintf("RelayState has at most %d bytes.", samlidp.MaxRelayStateSize), nil)
		return
	}
	s.startLogin(w, r, &loginRequest{
		kind:       kindSAMLIDPInitiated,
		spEntityID: sp.EntityID,
		acsURL:     sp.ACSURL,
		relayState: relayState,
	})
}
