package ssokit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlsp"
)

// acsFormOverhead is what the ACS body may hold besides the SAMLResponse
// (RelayState, field names).
const acsFormOverhead = 8 << 10

// SAMLACSHandler is every SAML connection's Assertion Consumer Service
// (POST Paths.SAML + "/{connection_id}/acs", HTTP-POST binding).
//
// The connection comes from the URL path, never from the response's
// unverified Issuer. The body is capped before it is read (413 beyond
// three times Config.SAML.MaxResponseBytes); anything malformed is a 400,
// and a panic in the XML stack is recovered as one. The response is
// validated by the connection's settings only (see internal/samlsp: one
// assertion, signatures with configured certificates only, issuer,
// audience, destination, recipient, InResponseTo from the signed
// SubjectConfirmationData, time bounds, algorithm policy); its assertion ID
// is then burnt with Store.Remember until it expires (a second use is
// ReasonReplayed). When Config.Store is a [TxStore], the burn, the flow,
// the domain list and the one-time code of a solicited response share one
// transaction. A solicited response consumes its flow (InResponseTo is
// "_" + flow id; the flow must belong to this connection) and continues
// like OIDC: profile, email domain check, one-time code, /auth/callback,
// where the browser binding is checked. An unsolicited response, where the
// connection allows it, logs nobody in: it becomes an idp_initiated_login
// token and a redirect to /login, which starts an SP-initiated flow.
//
// Every refusal reaches Config.ErrorHandler as an *[Error] whose Reason
// names the failed check; its text never contains library messages or
// document content (those are in Err, for the log).
func (s *SSO) SAMLACSHandler() http.Handler { return http.HandlerFunc(s.serveACS) }

func (s *SSO) serveACS(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "saml_acs_panic",
				slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
			s.fail(w, r, &Error{Code: CodeInvalidRequest, Reason: ReasonMalformed,
				Description: "the SAML response could not be processed", Err: errors.New("ssokit: recovered panic in the ACS")})
		}
	}()
	ctx := r.Context()
	b64, relayState, e := s.readACSForm(w, r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	conn, e := s.samlConnection(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	fail := func(e *Error) { s.fail(w, r, withConnErr(e, conn)) }

	// InResponseTo, unverified, only to choose what to expect: the engine
	// compares it with the signed SubjectConfirmationData.
	requestID, encrypted := peekResponse(b64, s.cfg.SAML.MaxResponseBytes)
	if requestID != "" && !isSAMLRequestID(requestID) {
		fail(&Error{Code: CodeInvalidState, Reason: ReasonBadInResponseTo, Description: "the response answers no request of this application"})
		return
	}
	idp, e := s.samlIDP(ctx, conn)
	if e != nil {
		fail(e)
		return
	}
	var keys []*parsedSigningKey
	if encrypted {
		var err error
		if keys, err = s.samlKeys(ctx, conn, KeyUseSAMLEncryption, false); err != nil {
			fail(&Error{Code: CodeServerError, Description: "reading the SAML decryption keys failed", Err: err})
			return
		}
	}
	a, err := samlsp.Validate(s.samlSettings(conn, idp, keys), b64, samlsp.Expectation{RequestID: requestID}, s.cfg.Now())
	if err != nil {
		fail(samlError(err, conn))
		return
	}
	if requestID == "" && !conn.AllowIDPInitiated {
		fail(&Error{Code: CodeTokenInvalid, Reason: ReasonIDPInitiatedNotAllowed,
			Description: "the identity provider sent an unsolicited response and the connection does not allow IdP-initiated login"})
		return
	}
	if requestID == "" {
		p, e := s.burnAssertion(ctx, s.cfg.Store, conn, a)
		if e != nil {
			fail(e)
			return
		}
		s.convertIDPInitiated(w, r, conn, p, relayState)
		return
	}
	var code string
	if txs, ok := s.cfg.Store.(TxStore); ok {
		// One transaction for the writes. A refusal (replayed, unknown
		// state, expired flow, …) commits what preceded it, as the
		// one-by-one path does; only a store failure rolls back.
		err = txs.InTx(ctx, func(tx Store) error {
			code, e = s.acsIssueCode(ctx, tx, conn, a, requestID)
			if e != nil && e.Code == CodeServerError {
				return e
			}
			return nil
		})
		if err != nil && e == nil {
			e = &Error{Code: CodeServerError, Description: "committing the login failed", Err: err}
		}
	} else {
		code, e = s.acsIssueCode(ctx, s.cfg.Store, conn, a, requestID)
	}
	if e != nil {
		fail(e)
		return
	}
	s.redirectToCallback(w, r, code)
}

// burnAssertion records the assertion ID (per connection: IDs are chosen
// by each IdP) through st until the assertion could no longer be accepted
// anyway, so that a second use is ReasonReplayed, and returns the profile
// of the assertion.
func (s *SSO) burnAssertion(ctx context.Context, st Store, conn *Connection, a *samlsp.Assertion) (*Profile, *Error) {
	err := st.Remember(ctx, "saml_assertion:"+conn.ID+":"+a.ID, a.NotOnOrAfter)
	if errors.Is(err, ErrConflict) {
		return nil, &Error{Code: CodeTokenInvalid, Reason: ReasonReplayed, Description: "the SAML assertion was already used"}
	}
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "recording the assertion id failed", Err: err}
	}
	return samlProfile(conn, a)
}

// acsIssueCode does the store work of a solicited response through st:
// burn the assertion ID, consume the flow named by requestID (which must
// belong to conn), and issue the one-time code (issueCode).
func (s *SSO) acsIssueCode(ctx context.Context, st Store, conn *Connection, a *samlsp.Assertion, requestID string) (string, *Error) {
	p, e := s.burnAssertion(ctx, st, conn, a)
	if e != nil {
		return "", e
	}
	f, err := s.takeLoginFlowFrom(ctx, st, strings.TrimPrefix(requestID, "_"))
	if err != nil {
		fe, ok := err.(*Error)
		if !ok {
			fe = &Error{Code: CodeServerError, Description: "reading the flow failed", Err: err}
		}
		if fe.Code == CodeInvalidState {
			fe.Reason = ReasonBadInResponseTo
		}
		return "", withConnErr(fe, conn)
	}
	if f.SAMLRequestID != requestID || f.ConnectionID != conn.ID || f.ConnectionType != ConnectionSAML {
		return "", &Error{Code: CodeInvalidState, Reason: ReasonBadInResponseTo, Description: "the response answers a login of another connection"}
	}
	return s.issueCode(ctx, st, f, conn, &authResult{Profile: p, SessionIndex: a.SessionIndex, NotOnOrAfter: a.SessionNotOnOrAfter})
}

// readACSForm reads the HTTP-POST binding form under the size cap.
func (s *SSO) readACSForm(w http.ResponseWriter, r *http.Request) (samlResponse, relayState string, e *Error) {
	limit := int64(3*s.cfg.SAML.MaxResponseBytes + acsFormOverhead)
	tooLarge := &Error{Code: CodeRequestTooLarge, Reason: ReasonMalformed, Description: "the SAML response is too large"}
	if r.ContentLength > limit {
		return "", "", tooLarge
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return "", "", &Error{Code: CodeInvalidRequest, Reason: ReasonMalformed, Description: "the ACS takes an HTTP-POST binding form"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", "", tooLarge
		}
		return "", "", &Error{Code: CodeInvalidRequest, Reason: ReasonMalformed, Description: "the request body could not be read", Err: err}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", "", &Error{Code: CodeInvalidRequest, Reason: ReasonMalformed, Description: "the form is malformed", Err: err}
	}
	resp, relay := form["SAMLResponse"], form["RelayState"]
	if len(resp) != 1 || resp[0] == "" || len(relay) > 1 {
		return "", "", &Error{Code: CodeInvalidRequest, Reason: ReasonMalformed, Description: "the form needs exactly one SAMLResponse"}
	}
	if len(relay) == 1 {
		relayState = relay[0]
	}
	return resp[0], relayState, nil
}

// samlConnection reads the active SAML connection named by the URL path.
func (s *SSO) samlConnection(r *http.Request) (*Connection, *Error) {
	id := r.PathValue("connection_id")
	conn, err := s.cfg.Store.Connection(r.Context(), id)
	if errors.Is(err, ErrNotFound) || (err == nil && (conn.Type != ConnectionSAML || conn.SAML == nil)) {
		return nil, &Error{Code: CodeConnectionNotFound, Description: "no SAML connection with this id"}
	}
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "reading the connection failed", Err: err}
	}
	if conn.Status != ConnectionActive {
		return nil, withConnErr(&Error{Code: CodeConnectionInactive, Description: "the connection is not active"}, conn)
	}
	return conn, nil
}

// isSAMLRequestID reports whether id has the shape of the kit's
// AuthnRequest IDs ("_" + flow id).
func isSAMLRequestID(id string) bool {
	return strings.HasPrefix(id, "_") && isToken(id[1:])
}

// peekResponse reads, without trusting it, the InResponseTo of a base64
// SAMLResponse (the Response's, else the first SubjectConfirmationData's in
// plaintext) and whether it holds an encrypted assertion. It only steers
// what the engine expects; a response that cannot be read here yields ""
// and is refused by the engine.
func peekResponse(b64 string, max int) (inResponseTo string, encrypted bool) {
	if len(b64) == 0 || len(b64) > max {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", false
	}
	encrypted = bytes.Contains(raw, []byte("EncryptedAssertion"))
	d := xml.NewDecoder(bytes.NewReader(raw))
	for range 2000 {
		tok, err := d.RawToken()
		if err != nil {
			return "", encrypted
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local == "Response" || se.Name.Local == "SubjectConfirmationData" {
			for _, at := range se.Attr {
				if at.Name.Space == "" && at.Name.Local == "InResponseTo" && at.Value != "" {
					return at.Value, encrypted
				}
			}
		}
		if se.Name.Local == "SubjectConfirmationData" || se.Name.Local == "EncryptedAssertion" {
			return "", encrypted
		}
	}
	return "", encrypted
}

// samlProfile builds the kit profile of a verified assertion: the subject
// is the NameID, or the attribute AttributeMap["subject"] names (for IdPs
// whose NameID can change, such as Entra ID's UPN: map it to the object
// id); the rest comes from samlsp.Normalize with the connection's
// provider and overrides.
func samlProfile(conn *Connection, a *samlsp.Assertion) (*Profile, *Error) {
	subject := a.NameID
	if attr := conn.AttributeMap["subject"]; attr != "" {
		subject = ""
		if v := a.Attributes[attr]; len(v) > 0 {
			subject = strings.TrimSpace(v[0])
		}
		if subject == "" {
			return nil, &Error{Code: CodeTokenInvalid, Reason: ReasonBadSubject,
				Description: "the attribute the connection maps to the subject is missing"}
		}
	}
	np := samlsp.Normalize(conn.Provider, a.NameID, a.Attributes, conn.AttributeMap)
	raw := make(map[string]any, len(a.Attributes))
	for k, vs := range a.Attributes {
		l := make([]any, len(vs))
		for i, v := range vs {
			l[i] = v
		}
		raw[k] = l
	}
	return &Profile{
		Subject:       subject,
		Email:         np.Email,
		EmailVerified: np.EmailVerified,
		GivenName:     np.GivenName,
		FamilyName:    np.FamilyName,
		Name:          np.Name,
		Username:      np.Username,
		Groups:        np.Groups,
		Raw:           raw,
		AuthTime:      a.AuthnInstant,
	}, nil
}

// convertIDPInitiated turns a verified, burnt, unsolicited response into
// the idp_initiated_login restart. RelayState survives only as a relative
// path (Google's "Start URL", Okta's "Default RelayState"); /login checks it
// again as a return path. Anything else is dropped, never followed.
func (s *SSO) convertIDPInitiated(w http.ResponseWriter, r *http.Request, conn *Connection, p *Profile, relayState string) {
	ctx := r.Context()
	if relayState != "" && !isRelativeReturnPath(relayState) {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "relay_state_ignored", slog.String("connection_id", conn.ID))
		relayState = ""
	}
	hint := strings.ToLower(p.Email)
	if _, _, ok := splitEmail(hint); !ok {
		hint = ""
	}
	tok, err := s.mintIDPInitiatedLogin(ctx, conn, hint, relayState)
	if err != nil {
		s.fail(w, r, withConn(&Error{Code: CodeServerError, Description: "minting idp_initiated_login failed", Err: err}, conn))
		return
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "saml_idp_initiated",
		slog.String("connection_id", conn.ID), slog.String("organization_id", conn.OrganizationID))
	http.Redirect(w, r, s.cfg.url(s.cfg.Paths.Login)+"?"+url.Values{"idp_initiated_login": {tok}}.Encode(), http.StatusSeeOther)
}
