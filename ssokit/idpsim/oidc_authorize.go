package idpsim

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// maxFormBytes bounds every form body the simulator reads.
const maxFormBytes = 64 << 10

// challengePattern matches an S256 code_challenge: base64url of 32 bytes.
var challengePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// authorizeError is an OAuth 2.0 error sent back to the client's
// redirect_uri (RFC 6749 section 4.1.2.1).
type authorizeError struct {
	Code        string
	Description string
}

func (e *authorizeError) Error() string {
	return "idpsim: authorization request: " + e.Code + ": " + e.Description
}

// serveAuthorize handles the authorization endpoint (GET or POST): it checks
// the request and shows the login page.
func (s *Simulator) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "idpsim_authorize_refused", "The authorization request could not be read.", err)
		return
	}
	form := r.Form
	for _, p := range []string{"client_id", "redirect_uri"} {
		if len(form[p]) > 1 {
			s.fail(w, r, http.StatusBadRequest, "idpsim_authorize_refused", "The parameter "+p+" appears more than once.", nil)
			return
		}
	}
	clientID := form.Get("client_id")
	client, ok := s.client(clientID)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "idpsim_authorize_refused",
			fmt.Sprintf("Unknown client_id %q: register it in the simulator's Config.Clients or with AddClient.", clientID), nil)
		return
	}
	redirectURI := form.Get("redirect_uri")
	if !slices.Contains(client.RedirectURIs, redirectURI) {
		s.fail(w, r, http.StatusBadRequest, "idpsim_authorize_refused",
			fmt.Sprintf("The redirect_uri %q is not registered for client %q (redirect URIs must match exactly).", redirectURI, clientID), nil)
		return
	}
	// From here on the redirect URI is trusted: errors go back to the client.
	state := form.Get("state")
	req, err := checkAuthorizeParams(form)
	if err != nil {
		var ae *authorizeError
		if !errors.As(err, &ae) {
			ae = &authorizeError{Code: "server_error", Description: "internal error"}
		}
		s.logger.LogAttrs(r.Context(), slog.LevelWarn, "idpsim_authorize_refused",
			slog.String("client_id", clientID), slog.String("error", ae.Code), slog.String("error_description", ae.Description))
		s.redirectToClient(w, r, redirectURI, url.Values{"error": {ae.Code}, "error_description": {ae.Description}, "state": {state}})
		return
	}
	req.clientID = clientID
	req.redirectURI = redirectURI
	req.state = state
	s.startLogin(w, r, req)
}

// checkAuthorizeParams checks everything but the client and redirect URI.
func checkAuthorizeParams(form url.Values) (*loginRequest, error) {
	for _, p := range []string{"response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "response_mode", "prompt", "login_hint"} {
		if len(form[p]) > 1 {
			return nil, &authorizeError{"invalid_request", "the parameter " + p + " appears more than once"}
		}
	}
	switch {
	case form.Get("request") != "":
		return nil, &authorizeError{"request_not_supported", "request objects are not supported"}
	case form.Get("request_uri") != "":
		return nil, &authorizeError{"request_uri_not_supported", "request_uri is not supported"}
	case form.Get("response_type") != "code":
		return nil, &authorizeError{"unsupported_response_type", "only response_type=code is supported"}
	case form.Get("response_mode") != "" && form.Get("response_mode") != "query":
		return nil, &authorizeError{"invalid_request", "only response_mode=query is supported"}
	case !slices.Contains(strings.Fields(form.Get("scope")), "openid"):
		return nil, &authorizeError{"invalid_scope", "the scope must include openid"}
	case form.Get("code_challenge") == "":
		return nil, &authorizeError{"invalid_request", "PKCE is required: send code_challenge and code_challenge_method=S256"}
	case form.Get("code_challenge_method") != "S256":
		return nil, &authorizeError{"invalid_request", "code_challenge_method must be S256"}
	case !challengePattern.MatchString(form.Get("code_challenge")):
		return nil, &authorizeError{"invalid_request", "code_challenge is not a base64url SHA-256 value"}
	case slices.Contains(strings.Fields(form.Get("prompt")), "none"):
		return nil, &authorizeError{"login_required", "the simulator keeps no session: every sign-in needs the login page"}
	case len(form.Get("state")) > maxFieldLen*4 || len(form.Get("nonce")) > maxFieldLen*4:
		return nil, &authorizeError{"invalid_request", "state and nonce have at most 1024 characters"}
	}
	return &loginRequest{
		kind:      kindOIDC,
		nonce:     form.Get("nonce"),
		challenge: form.Get("code_challenge"),
		scope:     form.Get("scope"),
		loginHint: form.Get("login_hint"),
	}, nil
}

// redirectToClient sends the browser to a registered redirect URI with the
// given parameters added to its query, plus iss (RFC 9207). Empty values are
// left out.
func (s *Simulator) redirectToClient(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		// Registered URIs were parsed when they were added.
		s.fail(w, r, http.StatusInternalServerError, "idpsim_redirect_failed", "The redirect URI cannot be parsed.", err)
		return
	}
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				q.Add(k, v)
			}
		}
	}
	q.Set("iss", s.baseURL)
	u.RawQuery = q.Encode()
	securityHeaders(w.Header())
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
