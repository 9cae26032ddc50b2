package ssokit_test

import (
	"crypto/x509"
	"encoding/base64"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// idpParams is testdata/saml/<idp>/params.json.
type idpParams = samlidp.Fixture

var samlIDPs = samlidp.FixtureIDPs

func loadIDPParams(t testing.TB, idp string) *idpParams {
	t.Helper()
	p, err := samlidp.LoadFixture(filepath.Join("testdata", "saml"), idp)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newIDPKey makes an IdP signing key valid around now.
func newIDPKey(t testing.TB, now time.Time, validFor time.Duration) *samlidp.Key {
	t.Helper()
	k, err := samlidp.NewKey(2048, "test idp", now.Add(-24*time.Hour), now.Add(validFor))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// samlIdP is an identity provider of a test: the shape of one vendor and
// its current signing key.
type samlIdP struct {
	p   *idpParams
	key *samlidp.Key
}

// samlConnection creates an active SAML connection of e.org for idp,
// configured by fields (entity ID, SSO URL, certificate).
func (e *env) samlConnection(idp *samlIdP, edit ...func(*ssokit.Connection)) *ssokit.Connection {
	e.t.Helper()
	c := &ssokit.Connection{OrganizationID: e.org.ID, Type: ssokit.ConnectionSAML, Provider: idp.p.IDP,
		Name: idp.p.IDP, Status: ssokit.ConnectionActive,
		SAML: &ssokit.SAMLConfig{IDPEntityID: idp.p.EntityID, SSOURL: idp.p.SSORedirectURL,
			Certificates: []string{string(idp.key.CertificatePEM())}}}
	for _, f := range edit {
		f(c)
	}
	e.must(e.store.CreateConnection(e.ctx, c))
	e.clock.Advance(time.Millisecond)
	return c
}

// samlStart GETs /login for conn and returns the AuthnRequest the IdP
// receives (HTTP-Redirect, or the auto-submitted HTTP-POST form).
func (e *env) samlStart(b *browser, conn *ssokit.Connection, query url.Values) *samlidp.AuthnRequest {
	e.t.Helper()
	ar, _, _ := e.samlStartRequest(b, conn, query)
	return ar
}

// samlStartRequest is samlStart that also returns the request the IdP
// received (for signature checks) and the kit's response to /login.
func (e *env) samlStartRequest(b *browser, conn *ssokit.Connection, query url.Values) (*samlidp.AuthnRequest, *http.Request, *response) {
	e.t.Helper()
	q := url.Values{"connection_id": {conn.ID}}
	for k, v := range query {
		q[k] = v
	}
	r := b.get(e.app.URL + "/sso/login?" + q.Encode())
	var req *http.Request
	var err error
	switch r.StatusCode {
	case http.StatusFound:
		loc := r.Header.Get("Location")
		if req, err = http.NewRequest("GET", loc, nil); err != nil {
			e.t.Fatal(err)
		}
	case http.StatusOK:
		action, fields := parsePostForm(e.t, r.body)
		req, err = http.NewRequest("POST", action, strings.NewReader(fields.Encode()))
		if err != nil {
			e.t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		e.t.Fatalf("login: status %d (err %v): %.300s", r.StatusCode, e.lastErr(), r.body)
	}
	ar, err := samlidp.ParseAuthnRequest(req)
	if err != nil {
		e.t.Fatalf("IdP cannot parse the AuthnRequest: %v", err)
	}
	// ParseAuthnRequest consumed a POST body; give it back for
	// VerifySignature.
	if req.Method == "POST" {
		_, fields := parsePostForm(e.t, r.body)
		req, _ = http.NewRequest("POST", req.URL.String(), strings.NewReader(fields.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return ar, req, r
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// parsePostForm reads an HTTP-POST binding page.
func parsePostForm(t testing.TB, page string) (string, url.Values) {
	t.Helper()
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form in %.300s", page)
	}
	v := url.Values{}
	for _, in := range formInput.FindAllStringSubmatch(page, -1) {
		v.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return html.UnescapeString(m[1]), v
}

// samlResponse is the response idp sends to conn in its vendor's shape,
// answering inResponseTo ("" for IdP-initiated), for Ada of acme.example.
func (e *env) samlResponse(idp *samlIdP, conn *ssokit.Connection, inResponseTo string) *samlidp.Response {
	e.t.Helper()
	sp := e.sso.SAMLServiceProvider(conn)
	now := e.clock.Now()
	secs := func(n int) time.Duration { return time.Duration(n) * time.Second }
	p := idp.p.Response
	nameID := map[string]string{"email": "ada@acme.example", "upn": "ada@acme.example",
		"username": "ada", "persistent_id": "00u1ada7xk"}[p.NameIDValue]
	r := &samlidp.Response{
		IssueInstant:           now,
		Issuer:                 p.Issuer,
		OmitResponseIssuer:     !p.ResponseIssuer,
		InResponseTo:           inResponseTo,
		Recipient:              sp.ACSURL,
		SubjectNotOnOrAfter:    now.Add(secs(p.SubjectConfirmationLifetimeSeconds)),
		NotBefore:              now.Add(-secs(p.NotBeforeSkewSeconds)),
		NotOnOrAfter:           now.Add(secs(p.AssertionLifetimeSeconds)),
		Audiences:              []string{sp.EntityID},
		NameID:                 nameID,
		NameIDFormat:           p.NameIDFormat,
		SessionIndex:           "_session-1",
		AuthnContextClassRef:   p.AuthnContextClassRef,
		UntypedAttributeValues: !p.TypedAttributeValues,
		SignResponse:           p.Signs != "assertion",
		SignAssertion:          p.Signs != "response",
		SignatureAlgorithm:     p.SignatureAlgorithm,
		DigestAlgorithm:        p.DigestAlgorithm,
		OmitKeyInfo:            !p.KeyInfo,
	}
	if p.Destination {
		r.Destination = sp.ACSURL
	}
	if p.SessionNotOnOrAfter {
		r.SessionNotOnOrAfter = now.Add(8 * time.Hour)
	}
	for _, a := range p.Attributes {
		r.Attributes = append(r.Attributes, samlidp.Attribute{Name: a.Name, NameFormat: a.NameFormat,
			FriendlyName: a.FriendlyName, Values: a.ExampleValues})
	}
	return r
}

// encryptFor makes r encrypted for the SP's encryption certificate as the
// vendor encrypts, reading the certificate from the SP metadata over HTTP
// as an IdP admin's import would.
func (e *env) encryptFor(b *browser, idp *samlIdP, conn *ssokit.Connection, r *samlidp.Response) {
	e.t.Helper()
	certs := e.spCertificates(b, conn, "encryption")
	if len(certs) == 0 {
		e.t.Fatal("SP metadata has no encryption certificate")
	}
	enc := idp.p.Response.Encryption
	r.Encrypt = certs[len(certs)-1]
	r.EncryptionAlgorithm = enc.ContentAlgorithm
	r.KeyTransportAlgorithm = enc.KeyTransportAlgorithm
	if enc.KeyPlacement == "retrieval_method" {
		r.KeyPlacement = samlidp.EncryptedKeyRetrievalMethod
	}
}

var keyDescriptor = regexp.MustCompile(`(?s)<md:KeyDescriptor use="(\w+)">\s*<ds:KeyInfo>\s*<ds:X509Data>\s*<ds:X509Certificate>([^<]+)</ds:X509Certificate>`)

// spCertificates fetches conn's SP metadata and returns its certificates of
// use ("signing" or "encryption").
func (e *env) spCertificates(b *browser, conn *ssokit.Connection, use string) []*x509.Certificate {
	e.t.Helper()
	r := b.get(e.sso.SAMLServiceProvider(conn).MetadataURL)
	if r.StatusCode != http.StatusOK {
		e.t.Fatalf("metadata: %d", r.StatusCode)
	}
	var out []*x509.Certificate
	for _, m := range keyDescriptor.FindAllStringSubmatch(r.body, -1) {
		if m[1] != use {
			continue
		}
		der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(m[2]))
		if err != nil {
			e.t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// build signs r with key and returns the SAMLResponse form value.
func build(t testing.TB, r *samlidp.Response, key *samlidp.Key) string {
	t.Helper()
	b64, err := r.BuildBase64(key)
	if err != nil {
		t.Fatal(err)
	}
	return b64
}

// postACS posts a SAMLResponse (and RelayState, when not empty) to conn's
// ACS as the IdP's auto-submitted form does.
func (e *env) postACS(b *browser, conn *ssokit.Connection, samlResponse, relayState string) *response {
	e.t.Helper()
	form := url.Values{"SAMLResponse": {samlResponse}}
	if relayState != "" {
		form.Set("RelayState", relayState)
	}
	return b.post(e.sso.SAMLServiceProvider(conn).ACSURL, form, map[string]string{"Origin": "https://idp.example"})
}

// finishSAML follows the ACS's redirect to /auth/callback and returns where
// the kit finally sends the browser.
func (e *env) finishSAML(b *browser, acs *response) *url.URL {
	e.t.Helper()
	cb := acs.location(e.t, http.StatusSeeOther)
	if !strings.HasPrefix(cb.String(), e.app.URL+"/sso/auth/callback?code=") {
		e.t.Fatalf("ACS sent the browser to %s (err %v)", cb, e.lastErr())
	}
	return b.get(cb.String()).location(e.t, http.StatusSeeOther)
}

// whoami returns "user org connection" for a signed-in browser.
func (e *env) whoami(b *browser) string {
	e.t.Helper()
	r := b.get(e.app.URL + "/whoami")
	if r.StatusCode != http.StatusOK {
		e.t.Fatalf("whoami: %d %s", r.StatusCode, r.body)
	}
	return r.body
}

// newBrowser is a browser with its own client and cookie jar. (env.browser
// sets the jar on the server's shared client, so two of its browsers end
// up sharing the jar set last.)
func (e *env) newBrowser() *browser {
	e.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := *e.app.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: e.t, client: &c}
}

// parseAuthnRequest is the IdP reading an HTTP-Redirect AuthnRequest.
func parseAuthnRequest(t testing.TB, req *http.Request) *samlidp.AuthnRequest {
	t.Helper()
	ar, err := samlidp.ParseAuthnRequest(req)
	if err != nil {
		t.Fatalf("IdP cannot parse the AuthnRequest: %v", err)
	}
	return ar
}
