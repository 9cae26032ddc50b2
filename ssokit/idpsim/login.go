package idpsim

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
)

// The login form's field names, for tests that post the form without a
// browser.
const (
	FieldRequest    = "request"     // hidden: the pending request's id
	FieldEmail      = "email"       // the user's email (NameID in SAML)
	FieldGivenName  = "given_name"  // first name
	FieldFamilyName = "family_name" // last name
	FieldGroups     = "groups"      // comma-separated group names
	FieldOutcome    = "outcome"     // an [Outcome]
)

// loginPage is the body of the "login" template.
type loginPage struct {
	Action      string
	Request     string
	Protocol    string
	AppName     string
	Destination string
	Email       string
	GivenName   string
	FamilyName  string
	Groups      string
	Outcome     Outcome
	Outcomes    any
	Errors      fieldErrors
}

// startLogin keeps req and shows the login page for it.
func (s *Simulator) startLogin(w http.ResponseWriter, r *http.Request, req *loginRequest) {
	id := rand.Text()
	now := s.now()
	if err := s.logins.put(id, req, now, now.Add(loginLifetime)); err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, "idpsim_login_refused", "The simulator holds too many pending sign-ins; try again later.", err)
		return
	}
	email := s.defaults.Email
	if hint := strings.TrimSpace(req.loginHint); hint != "" && len(hint) <= 254 && strings.Contains(hint, "@") {
		email = hint
	}
	s.renderLogin(w, r, http.StatusOK, id, req, profile{
		Email:      email,
		GivenName:  s.defaults.GivenName,
		FamilyName: s.defaults.FamilyName,
		Groups:     s.defaults.Groups,
	}, OutcomeSuccess, nil)
}

func (s *Simulator) renderLogin(w http.ResponseWriter, r *http.Request, status int, id string, req *loginRequest, p profile, o Outcome, errs fieldErrors) {
	body := loginPage{
		Action:     s.baseURL + "/login",
		Request:    id,
		Email:      p.Email,
		GivenName:  p.GivenName,
		FamilyName: p.FamilyName,
		Groups:     p.groupsText(),
		Outcome:    o,
		Outcomes:   outcomes,
		Errors:     errs,
	}
	switch req.kind {
	case kindOIDC:
		body.Protocol = "OpenID Connect"
		body.AppName = req.clientID
		body.Destination = req.redirectURI
	default:
		body.Protocol = "SAML 2.0"
		if req.kind == kindSAMLIDPInitiated {
			body.Protocol = "IdP-initiated SAML 2.0"
		}
		body.AppName = req.spEntityID
		if sp, ok := s.serviceProvider(req.spEntityID); ok {
			body.AppName = sp.Name
		}
		body.Destination = req.acsURL
	}
	s.render(w, r, status, "login", "Sign in to "+body.AppName, body)
}

// serveLogin handles the login form. The route is guarded against
// cross-origin posts by [http.CrossOriginProtection].
func (s *Simulator) serveLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "idpsim_login_refused", "The login form could not be read.", err)
		return
	}
	id := r.PostForm.Get(FieldRequest)
	now := s.now()
	req, ok := s.logins.get(id, now)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "idpsim_login_refused", "This sign-in has expired or was already answered. Start again from the application.", nil)
		return
	}
	p := profile{
		Email:      strings.TrimSpace(r.PostForm.Get(FieldEmail)),
		GivenName:  strings.TrimSpace(r.PostForm.Get(FieldGivenName)),
		FamilyName: strings.TrimSpace(r.PostForm.Get(FieldFamilyName)),
		Groups:     parseGroups(r.PostForm.Get(FieldGroups)),
	}
	o := Outcome(r.PostForm.Get(FieldOutcome))
	if o == "" {
		o = OutcomeSuccess
	}
	errs := p.check()
	if !validOutcome(o) {
		if errs == nil {
			errs = fieldErrors{}
		}
		errs["outcome"] = "Choose one of the outcomes."
		o = OutcomeSuccess
	}
	if errs != nil {
		s.renderLogin(w, r, http.StatusUnprocessableEntity, id, req, p, o, errs)
		return
	}
	if _, ok := s.logins.take(id, now); !ok {
		s.fail(w, r, http.StatusBadRequest, "idpsim_login_refused", "This sign-in has expired or was already answered. Start again from the application.", nil)
		return
	}
	s.logger.LogAttrs(r.Context(), slog.LevelInfo, "idpsim_login",
		slog.String("email", p.Email), slog.String("outcome", string(o)),
		slog.String("client_id", req.clientID), slog.String("sp_entity_id", req.spEntityID))
	switch req.kind {
	case kindOIDC:
		s.finishOIDC(w, r, req, p, o)
	default:
		s.finishSAML(w, r, req, p, o)
	}
}
