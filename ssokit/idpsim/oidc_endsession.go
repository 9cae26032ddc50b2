package idpsim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// serveEndSession handles RP-initiated logout (OpenID Connect RP-Initiated
// Logout 1.0). The simulator keeps no session, so it only checks the request
// and sends the browser to the registered post_logout_redirect_uri with the
// state, or shows a "signed out" page.
func (s *Simulator) serveEndSession(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "idpsim_end_session_refused", "The logout request could not be read.", err)
		return
	}
	form := r.Form
	clientID := form.Get("client_id")
	if hint := form.Get("id_token_hint"); hint != "" {
		var claims struct {
			Audience audience `json:"aud"`
		}
		if err := s.verifyOwnJWT(hint, &claims); err != nil {
			s.fail(w, r, http.StatusBadRequest, "idpsim_end_session_refused", "The id_token_hint was not issued by this simulator.", err)
			return
		}
		if len(claims.Audience) != 1 || (clientID != "" && clientID != claims.Audience[0]) {
			s.fail(w, r, http.StatusBadRequest, "idpsim_end_session_refused", "The id_token_hint was issued to another client than client_id.", nil)
			return
		}
		clientID = claims.Audience[0]
	}
	target := form.Get("post_logout_redirect_uri")
	if target == "" {
		s.render(w, r, http.StatusOK, "signedout", "Signed out", nil)
		return
	}
	client, ok := s.client(clientID)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "idpsim_end_session_refused",
			"A post_logout_redirect_uri needs an id_token_hint or client_id of a registered client.", nil)
		return
	}
	if !slices.Contains(client.PostLogoutRedirectURIs, target) {
		s.fail(w, r, http.StatusBadRequest, "idpsim_end_session_refused",
			fmt.Sprintf("The post_logout_redirect_uri %q is not registered for client %q (it must match exactly).", target, clientID), nil)
		return
	}
	u, err := url.Parse(target)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "idpsim_end_session_refused", "The post_logout_redirect_uri cannot be parsed.", err)
		return
	}
	if state := form.Get("state"); state != "" {
		q := u.Query()
		q.Set("state", state)
		u.RawQuery = q.Encode()
	}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
