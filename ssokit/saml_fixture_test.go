package ssokit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// acsFixture is the kit on a SQLite store with one Okta-shaped SAML
// connection, driven through its handler without a network, for the fuzz
// target and the benchmark (which take a testing.TB, unlike newEnv).
type acsFixture struct {
	tb      testing.TB
	ctx     context.Context
	store   *store.Store
	sso     *ssokit.SSO
	handler http.Handler
	idp     *samlIdP
	conn    *ssokit.Connection
	now     time.Time
}

func newACSFixture(tb testing.TB) *acsFixture {
	tb.Helper()
	ctx := context.Background()
	f := &acsFixture{tb: tb, ctx: ctx, now: time.Now().Truncate(time.Second)}
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "kit.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	f.store = st
	f.sso, err = ssokit.New(ssokit.Config{
		BaseURL: "https://app.example.com/sso", Store: st, Users: noUsers{},
		Sessions: ssokit.SessionFuncs{
			LogInFunc:   func(http.ResponseWriter, *http.Request, *ssokit.Session) error { return nil },
			CurrentFunc: func(*http.Request) (*ssokit.Session, error) { return nil, ssokit.ErrNoSession },
			LogOutFunc:  func(http.ResponseWriter, *http.Request) error { return nil }},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { ssokit.DefaultErrorHandler(w, r, err) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	f.handler = http.StripPrefix("/sso", f.sso.Handler())
	org := &ssokit.Organization{ID: "org_acme", Name: "Acme"}
	f.must(st.CreateOrganization(ctx, org))
	f.must(st.CreateDomain(ctx, &ssokit.Domain{OrganizationID: org.ID, Name: "acme.example", State: ssokit.DomainVerified}))
	f.idp = &samlIdP{p: loadIDPParams(tb, "okta"), key: newIDPKey(tb, f.now, 365*24*time.Hour)}
	f.conn = &ssokit.Connection{OrganizationID: org.ID, Type: ssokit.ConnectionSAML, Provider: "okta", Name: "Okta",
		Status: ssokit.ConnectionActive, SAML: &ssokit.SAMLConfig{IDPEntityID: f.idp.p.EntityID,
			SSOURL: f.idp.p.SSORedirectURL, Certificates: []string{string(f.idp.key.CertificatePEM())}}}
	f.must(st.CreateConnection(ctx, f.conn))
	return f
}

func (f *acsFixture) must(err error) {
	f.tb.Helper()
	if err != nil {
		f.tb.Fatal(err)
	}
}

// start runs /login for the connection and returns the AuthnRequest ID.
func (f *acsFixture) start() string {
	f.tb.Helper()
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, httptest.NewRequest("GET", "https://app.example.com/sso/login?connection_id="+f.conn.ID, nil))
	if rec.Code != http.StatusFound {
		f.tb.Fatalf("login: %d", rec.Code)
	}
	req, err := http.NewRequest("GET", rec.Header().Get("Location"), nil)
	f.must(err)
	ar, err := samlidp.ParseAuthnRequest(req)
	f.must(err)
	return ar.ID
}

// response is the Okta-shaped response to requestID, padded with groups
// to about 8 KB.
func (f *acsFixture) response(requestID string) *samlidp.Response {
	sp := f.sso.SAMLServiceProvider(f.conn)
	p := f.idp.p.Response
	r := &samlidp.Response{
		IssueInstant: f.now, Issuer: p.Issuer, InResponseTo: requestID, Destination: sp.ACSURL, Recipient: sp.ACSURL,
		SubjectNotOnOrAfter: f.now.Add(5 * time.Minute), NotBefore: f.now.Add(-5 * time.Minute), NotOnOrAfter: f.now.Add(5 * time.Minute),
		Audiences: []string{sp.EntityID}, NameID: "ada@acme.example", NameIDFormat: p.NameIDFormat, SessionIndex: "_s1",
		SignResponse: true, SignAssertion: true,
	}
	groups := make([]string, 14)
	for i := range groups {
		groups[i] = "engineering-platform-team-" + strings.Repeat("x", 40)[:i%40]
	}
	for _, a := range p.Attributes {
		vals := a.ExampleValues
		if a.Name == "groups" {
			vals = groups
		}
		r.Attributes = append(r.Attributes, samlidp.Attribute{Name: a.Name, NameFormat: a.NameFormat, Values: vals})
	}
	return r
}

// post sends a SAMLResponse form to the connection's ACS.
func (f *acsFixture) post(samlResponse, relayState string) *httptest.ResponseRecorder {
	form := url.Values{"SAMLResponse": {samlResponse}}
	if relayState != "" {
		form.Set("RelayState", relayState)
	}
	req := httptest.NewRequest("POST", f.sso.SAMLServiceProvider(f.conn).ACSURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}
