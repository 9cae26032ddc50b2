package idpsim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Lifetimes of what the OpenID provider issues.
const (
	codeLifetime    = time.Minute // authorization codes: short, single use
	tokenLifetime   = time.Hour   // access tokens and ID tokens
	expiredIssuedAt = 2 * time.Hour
	expiredExpiry   = time.Hour
)

// verifierPattern is the code_verifier syntax of RFC 7636 section 4.1.
var verifierPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// codeGrant is what an authorization code stands for.
type codeGrant struct {
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	scope       string
	profile     profile
	outcome     Outcome
	authTime    time.Time
}

// accessGrant is what an access token stands for.
type accessGrant struct {
	clientID string
	scope    string
	profile  profile
}

// idTokenClaims are the claims of the ID tokens the simulator issues.
type idTokenClaims struct {
	Issuer          string   `json:"iss"`
	Subject         string   `json:"sub"`
	Audience        string   `json:"aud"`
	AuthorizedParty string   `json:"azp"`
	Expiry          int64    `json:"exp"`
	IssuedAt        int64    `json:"iat"`
	AuthTime        int64    `json:"auth_time"`
	Nonce           string   `json:"nonce,omitempty"`
	AccessTokenHash string   `json:"at_hash,omitempty"`
	Email           string   `json:"email"`
	EmailVerified   bool     `json:"email_verified"`
	GivenName       string   `json:"given_name,omitempty"`
	FamilyName      string   `json:"family_name,omitempty"`
	Name            string   `json:"name,omitempty"`
	Groups          []string `json:"groups"`
}

// tokenResponse is the successful token response (RFC 6749 section 5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
	Scope       string `json:"scope,omitempty"`
}

// tokenError is an error of the token endpoint (RFC 6749 section 5.2).
type tokenError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	basic       bool   // answer 401 with a Basic challenge
}

func (e *tokenError) Error() string { return "idpsim: token request: " + e.Code + ": " + e.Description }

// finishOIDC answers an OpenID authorization request after the login page.
func (s *Simulator) finishOIDC(w http.ResponseWriter, r *http.Request, req *loginRequest, p profile, o Outcome) {
	if o == OutcomeRefuse {
		s.redirectToClient(w, r, req.redirectURI, url.Values{
			"error":             {"access_denied"},
			"error_description": {"The user refused to sign in (IdP simulator outcome)."},
			"state":             {req.state},
		})
		return
	}
	code := rand.Text()
	now := s.now()
	grant := &codeGrant{
		clientID:    req.clientID,
		redirectURI: req.redirectURI,
		challenge:   req.challenge,
		nonce:       req.nonce,
		scope:       req.scope,
		profile:     p,
		outcome:     o,
		authTime:    now,
	}
	if err := s.codes.put(code, grant, now, now.Add(codeLifetime)); err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, "idpsim_login_refused", "The simulator holds too many pending sign-ins; try again later.", err)
		return
	}
	s.redirectToClient(w, r, req.redirectURI, url.Values{"code": {code}, "state": {req.state}})
}

// serveToken handles the token endpoint: the authorization_code grant with
// client_secret_basic or client_secret_post authentication and PKCE.
func (s *Simulator) serveToken(w http.ResponseWriter, r *http.Request) {
	resp, err := s.token(w, r)
	if err != nil {
		var te *tokenError
		if !errors.As(err, &te) {
			te = &tokenError{status: http.StatusInternalServerError, Code: "server_error", Description: "internal error"}
		}
		s.logger.LogAttrs(r.Context(), slog.LevelWarn, "idpsim_token_refused",
			slog.String("error", te.Code), slog.String("error_description", te.Description), slog.Any("cause", err))
		if te.basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="idpsim"`)
		}
		w.Header().Set("Pragma", "no-cache")
		writeJSON(w, te.status, te)
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func (s *Simulator) token(w http.ResponseWriter, r *http.Request) (*tokenResponse, error) {
	bad := func(code, desc string) error {
		return &tokenError{status: http.StatusBadRequest, Code: code, Description: desc}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil, bad("invalid_request", "the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, bad("invalid_request", "the body cannot be parsed")
	}
	form := r.PostForm
	for k, vs := range form {
		if len(vs) > 1 {
			return nil, bad("invalid_request", "the parameter "+k+" appears more than once")
		}
	}
	if form.Get("grant_type") != "authorization_code" {
		return nil, bad("unsupported_grant_type", "only authorization_code is supported")
	}
	client, err := s.authenticateClient(r, form)
	if err != nil {
		return nil, err
	}
	now := s.now()
	code := form.Get("code")
	grant, ok := s.codes.take(code, now)
	if !ok {
		if token, spent := s.spentCodes.take(code, now); spent {
			// RFC 6749 section 4.1.2: a replayed code revokes what it bought.
			s.tokens.remove(token)
			return nil, bad("invalid_grant", "the code was already used; the tokens it bought are revoked")
		}
		return nil, bad("invalid_grant", "the code is unknown or expired")
	}
	switch {
	case grant.clientID != client.ID:
		return nil, bad("invalid_grant", "the code was issued to another client")
	case form.Get("redirect_uri") != grant.redirectURI:
		return nil, bad("invalid_grant", "redirect_uri does not match the authorization request")
	case !verifierPattern.MatchString(form.Get("code_verifier")):
		return nil, bad("invalid_grant", "a PKCE code_verifier of 43 to 128 unreserved characters is required")
	}
	sum := sha256.Sum256([]byte(form.Get("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(b64.EncodeToString(sum[:])), []byte(grant.challenge)) != 1 {
		return nil, bad("invalid_grant", "the PKCE code_verifier does not match the code_challenge")
	}

	accessToken := rand.Text() + rand.Text()
	if err := s.tokens.put(accessToken, &accessGrant{clientID: client.ID, scope: grant.scope, profile: grant.profile}, now, now.Add(tokenLifetime)); err != nil {
		return nil, &tokenError{status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: err.Error()}
	}
	if err := s.spentCodes.put(code, accessToken, now, now.Add(codeLifetime)); err != nil {
		return nil, &tokenError{status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: err.Error()}
	}
	idToken, err := s.idToken(grant, accessToken, now)
	if err != nil {
		return nil, err
	}
	return &tokenResponse{
		AccessToken: accessToken,
		TokenType:   "Bearer",
		ExpiresIn:   int(tokenLifetime / time.Second),
		IDToken:     idToken,
		Scope:       grant.scope,
	}, nil
}

// authenticateClient checks client_secret_basic or client_secret_post.
func (s *Simulator) authenticateClient(r *http.Request, form url.Values) (OIDCClient, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		if form.Has("client_secret") {
			return OIDCClient{}, &tokenError{status: http.StatusBadRequest, Code: "invalid_request", Description: "use one client authentication method, not two"}
		}
		// RFC 6749 section 2.3.1: both are form-encoded before Basic.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return OIDCClient{}, &tokenError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "malformed Basic credentials", basic: true}
		}
		if form.Has("client_id") && form.Get("client_id") != id {
			return OIDCClient{}, &tokenError{status: http.StatusBadRequest, Code: "invalid_request", Description: "client_id differs from the Basic credentials"}
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
		if id == "" || secret == "" {
			return OIDCClient{}, &tokenError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "client authentication is required (client_secret_basic or client_secret_post)", basic: true}
		}
	}
	client, ok := s.client(id)
	wantSum := sha256.Sum256([]byte(client.Secret))
	gotSum := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(wantSum[:], gotSum[:]) != 1 || !ok {
		return OIDCClient{}, &tokenError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "unknown client or wrong secret", basic: basic}
	}
	return client, nil
}

// idToken builds the ID token of a redeemed code, shaped by its outcome.
func (s *Simulator) idToken(g *codeGrant, accessToken string, now time.Time) (string, error) {
	claims := idTokenClaims{
		Issuer:          s.baseURL,
		Subject:         g.profile.subject(),
		Audience:        g.clientID,
		AuthorizedParty: g.clientID,
		IssuedAt:        now.Unix(),
		Expiry:          now.Add(tokenLifetime).Unix(),
		AuthTime:        g.authTime.Unix(),
		Nonce:           g.nonce,
		AccessTokenHash: halfHash(accessToken),
		Email:           g.profile.Email,
		EmailVerified:   true,
		GivenName:       g.profile.GivenName,
		FamilyName:      g.profile.FamilyName,
		Name:            g.profile.name(),
		Groups:          g.profile.Groups,
	}
	if claims.Groups == nil {
		claims.Groups = []string{}
	}
	switch g.outcome {
	case OutcomeExpired:
		claims.IssuedAt = now.Add(-expiredIssuedAt).Unix()
		claims.AuthTime = claims.IssuedAt
		claims.Expiry = now.Add(-expiredExpiry).Unix()
	case OutcomeWrongAudience:
		claims.Audience = WrongAudience
		claims.AuthorizedParty = WrongAudience
	case OutcomeUnsigned:
		return unsignedJWT(claims)
	}
	return s.signJWT(claims)
}
