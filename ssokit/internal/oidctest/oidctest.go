// Package oidctest is a small but real OpenID provider for ssokit's tests:
// discovery, JWKS, an authorization endpoint that checks PKCE parameters
// and redirect URIs, a token endpoint that authenticates the client and
// verifies the PKCE verifier, userinfo, and an end-session endpoint. It
// signs ID tokens with an RSA key generated per provider and can be told
// to mint bad ones (alg none, HS256 keyed with its public key, mutated
// claims) to test a relying party's refusals.
//
// It logs nobody in interactively: the authorization endpoint answers at
// once for the configured user. Tests drive the browser side by hand.
package oidctest

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Provider is a test OpenID provider. Set its exported fields before the
// first request or under Lock/Unlock.
type Provider struct {
	Server *httptest.Server
	Issuer string
	Key    *rsa.PrivateKey
	KeyID  string

	ClientID     string
	ClientSecret string
	// AuthMethod is the client authentication the token endpoint requires:
	// "client_secret_basic" (default) or "client_secret_post".
	AuthMethod string
	// RedirectURIs are the registered redirect URIs (exact match).
	RedirectURIs []string

	// ISSParameter advertises and sends the RFC 9207 iss parameter.
	ISSParameter bool
	// Now is the clock for iat and exp. Nil means time.Now.
	Now func() time.Time

	// User are the claims of the user who "logs in" (sub, email, names …).
	User map[string]any
	// UserinfoClaims, when set, are served by userinfo instead of User.
	UserinfoClaims map[string]any
	// IDTokenOmit lists User claims left out of the ID token (so userinfo
	// must supply them).
	IDTokenOmit []string

	// Deny makes the authorization endpoint answer with this error code
	// (e.g. "access_denied").
	Deny string
	// Mutate edits the ID token claims before signing.
	Mutate func(claims map[string]any)
	// Sign, when set, replaces the signing of ID tokens (see SignNone,
	// SignHS256WithPublicKey).
	Sign func(p *Provider, claims map[string]any) string

	mu     sync.Mutex
	grants map[string]*grant
	access map[string]map[string]any
	// Exchanges counts successful code exchanges.
	Exchanges int
}

type grant struct {
	clientID, redirectURI, nonce, challenge string
	claims                                  map[string]any
}

// New starts a provider on an httptest TLS server. Close it with
// p.Server.Close (tests: t.Cleanup).
func New() *Provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("oidctest: " + err.Error())
	}
	p := &Provider{
		Key:          key,
		KeyID:        "test-key-1",
		ClientID:     "client-1",
		ClientSecret: "secret-1",
		grants:       map[string]*grant{},
		access:       map[string]map[string]any{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	p.Server = httptest.NewTLSServer(mux)
	p.Issuer = p.Server.URL
	return p
}

// Lock and Unlock guard the exported fields while the server runs.
func (p *Provider) Lock()   { p.mu.Lock() }
func (p *Provider) Unlock() { p.mu.Unlock() }

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                         p.Issuer,
		"authorization_endpoint":                         p.Issuer + "/authorize",
		"token_endpoint":                                 p.Issuer + "/token",
		"userinfo_endpoint":                              p.Issuer + "/userinfo",
		"jwks_uri":                                       p.Issuer + "/jwks",
		"end_session_endpoint":                           p.Issuer + "/logout",
		"response_types_supported":                       []string{"code"},
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{"RS256"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_basic", "client_secret_post"},
		"authorization_response_iss_parameter_supported": p.ISSParameter,
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: p.Key.Public(), KeyID: p.KeyID, Algorithm: "RS256", Use: "sig",
	}}})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	redirect := q.Get("redirect_uri")
	if q.Get("client_id") != p.ClientID || !slices.Contains(p.RedirectURIs, redirect) {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(redirect)
	v := back.Query()
	v.Set("state", q.Get("state"))
	if p.ISSParameter {
		v.Set("iss", p.Issuer)
	}
	switch {
	case p.Deny != "":
		v.Set("error", p.Deny)
		v.Set("error_description", "The user <b>denied</b> the request")
	case q.Get("response_type") != "code", q.Get("code_challenge_method") != "S256", q.Get("code_challenge") == "",
		!slices.Contains(strings.Fields(q.Get("scope")), "openid"), q.Get("nonce") == "", q.Get("state") == "":
		v.Set("error", "invalid_request")
		v.Set("error_description", "PKCE S256, openid scope, state and nonce are required")
	default:
		code := random()
		p.grants[code] = &grant{clientID: p.ClientID, redirectURI: redirect, nonce: q.Get("nonce"),
			challenge: q.Get("code_challenge"), claims: maps.Clone(p.User)}
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	id, secret, basic := r.BasicAuth()
	if p.AuthMethod == "client_secret_post" {
		if basic {
			oauthError(w, http.StatusUnauthorized, "invalid_client")
			return
		}
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	} else if !basic {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	} else {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	code := r.PostForm.Get("code")
	g := p.grants[code]
	delete(p.grants, code)
	if r.PostForm.Get("grant_type") != "authorization_code" || g == nil || g.redirectURI != r.PostForm.Get("redirect_uri") {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	now := p.now()
	claims := map[string]any{
		"iss": p.Issuer, "aud": p.ClientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": g.nonce, "auth_time": now.Unix(),
	}
	for k, v := range g.claims {
		if !slices.Contains(p.IDTokenOmit, k) {
			claims[k] = v
		}
	}
	if p.Mutate != nil {
		p.Mutate(claims)
	}
	var idToken string
	if p.Sign != nil {
		idToken = p.Sign(p, claims)
	} else {
		idToken = p.SignRS256(claims)
	}
	at := random()
	p.access[at] = g.claims
	p.Exchanges++
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": at, "token_type": "Bearer", "expires_in": 300, "id_token": idToken,
	})
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	defer p.mu.Unlock()
	claims := p.access[at]
	if !ok || claims == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if p.UserinfoClaims != nil {
		claims = p.UserinfoClaims
	}
	writeJSON(w, http.StatusOK, claims)
}

// SignRS256 signs claims with the provider's key.
func (p *Provider) SignRS256(claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.Key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.KeyID))
	if err != nil {
		panic("oidctest: " + err.Error())
	}
	b, _ := json.Marshal(claims)
	jws, err := signer.Sign(b)
	if err != nil {
		panic("oidctest: " + err.Error())
	}
	s, _ := jws.CompactSerialize()
	return s
}

// SignNone returns an unsigned token with alg "none".
func SignNone(p *Provider, claims map[string]any) string {
	return compact(map[string]any{"alg": "none", "typ": "JWT"}, claims, nil)
}

// SignHS256WithPublicKey signs claims with HMAC-SHA256 keyed with the PEM
// of the provider's public key: the algorithm-confusion attack.
func SignHS256WithPublicKey(p *Provider, claims map[string]any) string {
	return SignHS256(PublicKeyPEM(p.Key.Public()), p.KeyID, claims)
}

// SignHS256 signs claims with HMAC-SHA256 under secret.
func SignHS256(secret []byte, kid string, claims map[string]any) string {
	hdr := map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}
	return compact(hdr, claims, func(in []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(in)
		return m.Sum(nil)
	})
}

// PublicKeyPEM encodes a public key as PKIX PEM.
func PublicKeyPEM(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("oidctest: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func compact(hdr, claims map[string]any, mac func([]byte) []byte) string {
	h, _ := json.Marshal(hdr)
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	var sig []byte
	if mac != nil {
		sig = mac([]byte(in))
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}
