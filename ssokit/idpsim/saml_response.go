package idpsim

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// Timing of SAML assertions.
const (
	assertionLifetime = 5 * time.Minute // NotOnOrAfter after issue
	assertionSkew     = time.Minute     // NotBefore before issue
)

// Second-level status codes the simulator sends.
const (
	statusRequestDenied = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
	statusNoPassive     = "urn:oasis:names:tc:SAML:2.0:status:NoPassive"
)

// The attribute names of the assertion.
const (
	attrEmail     = "email"
	attrFirstName = "firstName"
	attrLastName  = "lastName"
	attrGroups    = "groups"
)

// autopostPage is the body of the "autopost" template.
type autopostPage struct {
	Action       string
	AppName      string
	SAMLResponse string
	RelayState   string
	Outcome      string
}

// finishSAML answers a SAML login (SP- or IdP-initiated) after the login
// page: it builds the response the outcome asks for and posts it to the ACS.
func (s *Simulator) finishSAML(w http.ResponseWriter, r *http.Request, req *loginRequest, p profile, o Outcome) {
	sp, ok := s.serviceProvider(req.spEntityID)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "idpsim_saml_response_refused", "The service provider was removed while the login page was open.", nil)
		return
	}
	if o == OutcomeRefuse {
		s.postSAMLResponse(w, r, req, &samlidp.Response{
			StatusCode:    samlidp.StatusResponder,
			SubStatusCode: statusRequestDenied,
			StatusMessage: "The user refused to sign in (IdP simulator outcome).",
			OmitAssertion: true,
		}, sp, string(o))
		return
	}
	now := s.now().UTC().Truncate(time.Second)
	issued := now
	if o == OutcomeExpired {
		issued = now.Add(-expiredIssuedAt)
	}
	expires := issued.Add(assertionLifetime)
	if o == OutcomeExpired {
		expires = now.Add(-expiredExpiry)
	}
	audience := sp.EntityID
	if o == OutcomeWrongAudience {
		audience = WrongAudience
	}
	groups := p.Groups
	if groups == nil {
		groups = []string{}
	}
	resp := &samlidp.Response{
		IssueInstant:        issued,
		AuthnInstant:        issued,
		Recipient:           req.acsURL,
		SubjectNotOnOrAfter: expires,
		NotBefore:           issued.Add(-assertionSkew),
		NotOnOrAfter:        expires,
		Audiences:           []string{audience},
		NameID:              p.Email,
		NameIDFormat:        samlidp.NameIDFormatEmailAddress,
		SessionIndex:        samlidp.NewID(),
		Attributes: []samlidp.Attribute{
			{Name: attrEmail, NameFormat: samlidp.AttrNameFormatBasic, Values: []string{p.Email}},
			{Name: attrFirstName, NameFormat: samlidp.AttrNameFormatBasic, Values: []string{p.GivenName}},
			{Name: attrLastName, NameFormat: samlidp.AttrNameFormatBasic, Values: []string{p.FamilyName}},
			{Name: attrGroups, NameFormat: samlidp.AttrNameFormatBasic, Values: groups},
		},
		Encrypt: sp.EncryptionCert,
	}
	if o != OutcomeUnsigned {
		resp.SignResponse = sp.Signing == SignResponseAndAssertion || sp.Signing == SignResponse
		resp.SignAssertion = sp.Signing == SignResponseAndAssertion || sp.Signing == SignAssertion
	}
	s.postSAMLResponse(w, r, req, resp, sp, string(o))
}

// postSAMLResponse fills in the fields every response shares (issuer,
// destination, InResponseTo, issue instant if unset), signs it and renders
// the auto-submitting form to the ACS.
func (s *Simulator) postSAMLResponse(w http.ResponseWriter, r *http.Request, req *loginRequest, resp *samlidp.Response, sp SAMLServiceProvider, label string) {
	if resp.IssueInstant.IsZero() {
		resp.IssueInstant = s.now().UTC().Truncate(time.Second)
	}
	resp.Issuer = s.entityID
	resp.Destination = req.acsURL
	resp.InResponseTo = req.requestID
	if resp.OmitAssertion {
		// Error responses are signed (as IdPs sign them) so the SP can trust
		// the status.
		resp.SignResponse = true
	}
	b64, err := resp.BuildBase64(&samlidp.Key{PrivateKey: s.key.PrivateKey, Certificate: s.key.Certificate})
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "idpsim_saml_response_failed", "The SAML response could not be built.", err)
		return
	}
	s.logger.LogAttrs(r.Context(), slog.LevelDebug, "idpsim_saml_response",
		slog.String("sp_entity_id", sp.EntityID), slog.String("in_response_to", req.requestID), slog.String("outcome", label))
	s.render(w, r, http.StatusOK, "autopost", "Signing in to "+sp.Name, autopostPage{
		Action:       req.acsURL,
		AppName:      sp.Name,
		SAMLResponse: b64,
		RelayState:   req.relayState,
		Outcome:      label,
	})
}
