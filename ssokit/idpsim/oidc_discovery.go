package idpsim

import (
	"encoding/json"
	"net/http"
)

// discovery is the OpenID provider metadata (OpenID Connect Discovery 1.0,
// section 3).
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	AuthorizationResponseISSSupported bool     `json:"authorization_response_iss_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
}

func (s *Simulator) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                            s.baseURL,
		AuthorizationEndpoint:             s.baseURL + "/authorize",
		TokenEndpoint:                     s.baseURL + "/token",
		UserinfoEndpoint:                  s.baseURL + "/userinfo",
		JWKSURI:                           s.baseURL + "/jwks",
		EndSessionEndpoint:                s.baseURL + "/end_session",
		ScopesSupported:                   []string{"openid", "email", "profile", "groups"},
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported: []string{"iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "at_hash",
			"email", "email_verified", "given_name", "family_name", "name", "groups"},
		AuthorizationResponseISSSupported: true,
	})
}

func (s *Simulator) serveJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.jwks())
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "idpsim: internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
