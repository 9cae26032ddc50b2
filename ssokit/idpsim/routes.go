package idpsim

import (
	"net/http"
	"net/url"
)

// routes builds the simulator's handler. Paths are relative to the mount
// point; every response carries [HeaderName] and no-store caching.
func (s *Simulator) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveIndex)

	// OpenID provider.
	mux.HandleFunc("GET /.well-known/openid-configuration", s.serveDiscovery)
	mux.HandleFunc("GET /jwks", s.serveJWKS)
	mux.HandleFunc("GET /authorize", s.serveAuthorize)
	mux.HandleFunc("POST /authorize", s.serveAuthorize)
	mux.HandleFunc("POST /token", s.serveToken)
	mux.HandleFunc("GET /userinfo", s.serveUserinfo)
	mux.HandleFunc("POST /userinfo", s.serveUserinfo)
	mux.HandleFunc("GET /end_session", s.serveEndSession)
	mux.HandleFunc("POST /end_session", s.serveEndSession)

	// SAML identity provider.
	mux.HandleFunc("GET /saml/metadata", s.serveSAMLMetadata)
	mux.HandleFunc("GET /saml/sso", s.serveSSO)
	mux.HandleFunc("POST /saml/sso", s.serveSSO)
	mux.HandleFunc("GET /saml/apps", s.serveApps)
	mux.HandleFunc("GET /saml/apps/login", s.serveAppLogin)

	// The login form posts back to the simulator's own origin; refuse
	// cross-origin posts (a page elsewhere must not sign the tester in).
	csrf := http.NewCrossOriginProtection()
	if u, err := url.Parse(s.baseURL); err == nil {
		_ = csrf.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	mux.Handle("POST /login", csrf.Handler(http.HandlerFunc(s.serveLogin)))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		mux.ServeHTTP(w, r)
	})
}

// indexPage is the body of the "index" template.
type indexPage struct {
	Issuer      string
	EntityID    string
	SSOURL      string
	MetadataURL string
	AppsURL     string
}

func (s *Simulator) serveIndex(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "index", "Gatehouse IdP simulator", indexPage{
		Issuer:      s.baseURL,
		EntityID:    s.entityID,
		SSOURL:      s.SSOURL(),
		MetadataURL: s.MetadataURL(),
		AppsURL:     s.AppsURL(),
	})
}
