package idpsim

import (
	"net/http"
	"strings"
)

// userinfo is the UserInfo response (OpenID Connect Core 5.3.2).
type userinfo struct {
	Subject       string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	GivenName     string   `json:"given_name,omitempty"`
	FamilyName    string   `json:"family_name,omitempty"`
	Name          string   `json:"name,omitempty"`
	Groups        []string `json:"groups"`
}

// serveUserinfo answers the UserInfo endpoint for a bearer access token in
// the Authorization header (RFC 6750 section 2.1; tokens in the query or
// body are not accepted).
func (s *Simulator) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="idpsim"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request", "error_description": "a bearer access token is required"})
		return
	}
	grant, ok := s.tokens.get(strings.TrimSpace(token), s.now())
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="idpsim", error="invalid_token", error_description="unknown, expired or revoked access token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "unknown, expired or revoked access token"})
		return
	}
	p := grant.profile
	groups := p.Groups
	if groups == nil {
		groups = []string{}
	}
	writeJSON(w, http.StatusOK, userinfo{
		Subject:       p.subject(),
		Email:         p.Email,
		EmailVerified: true,
		GivenName:     p.GivenName,
		FamilyName:    p.FamilyName,
		Name:          p.name(),
		Groups:        groups,
	})
}
