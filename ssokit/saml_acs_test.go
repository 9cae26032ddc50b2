package ssokit_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// editDoc builds r with key, lets f change the signed document (as an
// attacker in the middle would), and returns the form value.
func editDoc(t testing.TB, r *samlidp.Response, key *samlidp.Key, f func(doc *etree.Document)) string {
	t.Helper()
	doc, err := r.BuildDocument(key)
	if err != nil {
		t.Fatal(err)
	}
	f(doc)
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(out)
}

// rawDoc builds r and lets f change the serialized bytes.
func rawDoc(t testing.TB, r *samlidp.Response, key *samlidp.Key, f func(string) string) string {
	t.Helper()
	out, err := r.Build(key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString([]byte(f(string(out))))
}

func find(t testing.TB, el *etree.Element, path string) *etree.Element {
	t.Helper()
	found := el.FindElement(path)
	if found == nil {
		t.Fatalf("no %s in the document", path)
	}
	return found
}

// acsCase is one refusal at the ACS. respond gets the response the IdP
// would send for the browser's flow, in the vendor's shape, and returns
// what is posted instead.
type acsCase struct {
	name    string
	idp     string // vendor shape; default "okta"
	respond func(t *testing.T, c *acsContext) string
	// status, code and reason of the refusal.
	status int
	code   ssokit.ErrorCode
	reason string
}

// acsContext is what a case may use.
type acsContext struct {
	e        *env
	b        *browser
	idp      *samlIdP
	conn     *ssokit.Connection
	r        *samlidp.Response
	other    *ssokit.Connection // a second SAML connection of the same IdP
	attacker *samlidp.Key       // a key the connection does not trust
}

// TestSAMLACSRefusals posts every applicable attack of security.md A-C to
// the ACS, end to end: each is refused with the reason an admin can act
// on, with the right status (400 for malformed input, never 500), and
// nobody is created or signed in.
func TestSAMLACSRefusals(t *testing.T) {
	cases := []acsCase{
		{name: "XSW3 unsigned evil assertion before the signed one", idp: "adfs",
			respond: func(t *testing.T, c *acsContext) string {
				return editDoc(t, c.r, c.idp.key, func(doc *etree.Document) {
					signed := find(t, doc.Root(), "Assertion")
					evil := signed.Copy()
					evil.CreateAttr("ID", "_evil")
					evil.RemoveChild(find(t, evil, "Signature"))
					find(t, evil, "Subject/NameID").SetText("eve@acme.example")
					doc.Root().InsertChildAt(signed.Index(), evil)
				})
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonMultipleAssertions},
		{name: "XSW4 evil assertion wrapping the signed one", idp: "adfs",
			respond: func(t *testing.T, c *acsContext) string {
				return editDoc(t, c.r, c.idp.key, func(doc *etree.Document) {
					signed := find(t, doc.Root(), "Assertion")
					evil := signed.Copy()
					evil.CreateAttr("ID", "_evil")
					evil.RemoveChild(find(t, evil, "Signature"))
					find(t, evil, "Subject/NameID").SetText("eve@acme.example")
					doc.Root().InsertChildAt(signed.Index(), evil)
					doc.Root().RemoveChild(signed)
					evil.AddChild(signed)
				})
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonMultipleAssertions},
		{name: "XSW7 signed assertion hidden in Extensions, evil one in its place", idp: "adfs",
			respond: func(t *testing.T, c *acsContext) string {
				return editDoc(t, c.r, c.idp.key, func(doc *etree.Document) {
					signed := find(t, doc.Root(), "Assertion")
					evil := signed.Copy()
					evil.CreateAttr("ID", "_evil")
					evil.RemoveChild(find(t, evil, "Signature"))
					find(t, evil, "Subject/NameID").SetText("eve@acme.example")
					ext := etree.NewElement("samlp:Extensions")
					doc.Root().InsertChildAt(signed.Index(), ext)
					doc.Root().RemoveChild(signed)
					ext.AddChild(signed)
					doc.Root().AddChild(evil)
				})
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonMultipleAssertions},
		{name: "two individually signed assertions", idp: "adfs",
			respond: func(t *testing.T, c *acsContext) string {
				second := *c.r
				second.AssertionID = ""
				other, err := second.BuildDocument(c.idp.key)
				if err != nil {
					t.Fatal(err)
				}
				return editDoc(t, c.r, c.idp.key, func(doc *etree.Document) {
					doc.Root().AddChild(find(t, other.Root(), "Assertion").Copy())
				})
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonMultipleAssertions},
		{name: "one-byte tamper of the signed NameID", idp: "google",
			respond: func(t *testing.T, c *acsContext) string {
				return rawDoc(t, c.r, c.idp.key, func(s string) string {
					return strings.Replace(s, "ada@acme.example<", "adb@acme.example<", 1)
				})
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadSignature},
		{name: "comment injection in NameID cannot truncate it", idp: "google",
			respond: func(t *testing.T, c *acsContext) string {
				// The IdP signs the attacker's own account
				// ada@acme.example.evil.example; a comment inserted after
				// signing (c14n drops comments, so the signature holds)
				// must not turn it into ada@acme.example.
				c.r.NameID = "ada@acme.example.evil.example"
				c.r.Attributes = nil
				return editDoc(t, c.r, c.idp.key, func(doc *etree.Document) {
					nid := find(t, doc.Root(), "Assertion/Subject/NameID")
					nid.SetText("ada@acme.example")
					nid.CreateComment("")
					nid.CreateText(".evil.example")
				})
			}, status: 403, code: ssokit.CodeEmailOutsideDomains},
		{name: "signature exclusion", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.SignResponse, c.r.SignAssertion = false, false
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonUnsignedAssertion},
		{name: "certificate embedded in KeyInfo (attacker's own)", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				return build(t, c.r, c.attacker)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadCertificate},
		{name: "attacker's key without KeyInfo", idp: "adfs",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.OmitKeyInfo = true
				return build(t, c.r, c.attacker)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadSignature},
		{name: "DTD with an external entity (XXE)", idp: "google",
			respond: func(t *testing.T, c *acsContext) string {
				return rawDoc(t, c.r, c.idp.key, func(s string) string {
					return `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + s
				})
			}, status: 400, code: ssokit.CodeInvalidRequest, reason: ssokit.ReasonMalformed},
		{name: "entity expansion (billion laughs)", idp: "google",
			respond: func(t *testing.T, c *acsContext) string {
				return rawDoc(t, c.r, c.idp.key, func(s string) string {
					dtd := `<!DOCTYPE r [<!ENTITY l0 "lol">`
					for i := 1; i < 10; i++ {
						dtd += `<!ENTITY l` + string(rune('0'+i)) + ` "` + strings.Repeat("&l"+string(rune('0'+i-1))+";", 10) + `">`
					}
					return dtd + "]>" + strings.Replace(s, "ada@acme.example<", "&l9;<", 1)
				})
			}, status: 400, code: ssokit.CodeInvalidRequest, reason: ssokit.ReasonMalformed},
		{name: "wrong audience (another connection's SP entity ID)", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.Audiences = []string{c.e.sso.SAMLServiceProvider(c.other).EntityID}
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadAudience},
		{name: "spn: audience on a connection without that alias", idp: "entra",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.Audiences = []string{"spn:5b1c7d0e-8f6a-4c2b-9e3d-1a2b3c4d5e6f"}
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadAudience},
		{name: "wrong recipient", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.Recipient = c.e.sso.SAMLServiceProvider(c.other).ACSURL
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadRecipient},
		{name: "wrong destination", idp: "google",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.Destination = c.e.sso.SAMLServiceProvider(c.conn).ACSURL + "/"
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadDestination},
		{name: "wrong issuer", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.Issuer = "http://www.okta.com/exkEVIL"
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadIssuer},
		{name: "InResponseTo unknown", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.InResponseTo = "_" + strings.Repeat("A", 43)
				return build(t, c.r, c.idp.key)
			}, status: 400, code: ssokit.CodeInvalidState, reason: ssokit.ReasonBadInResponseTo},
		{name: "InResponseTo not one of ours", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.InResponseTo = "id4711"
				return build(t, c.r, c.idp.key)
			}, status: 400, code: ssokit.CodeInvalidState, reason: ssokit.ReasonBadInResponseTo},
		{name: "InResponseTo of another connection's flow", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.InResponseTo = c.e.samlStart(c.b, c.other, nil).ID
				return build(t, c.r, c.idp.key)
			}, status: 400, code: ssokit.CodeInvalidState, reason: ssokit.ReasonBadInResponseTo},
		{name: "Response InResponseTo rewritten over a signed assertion", idp: "adfs",
			respond: func(t *testing.T, c *acsContext) string {
				other := c.e.samlStart(c.b, c.other, nil).ID
				return editDoc(t, c.r, c.idp.key, func(doc *etree.Document) {
					doc.Root().CreateAttr("InResponseTo", other)
				})
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonBadInResponseTo},
		{name: "expired assertion", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.IssueInstant = c.r.IssueInstant.Add(-20 * time.Minute)
				c.r.NotBefore = c.r.IssueInstant
				c.r.NotOnOrAfter = c.r.IssueInstant.Add(5 * time.Minute)
				c.r.SubjectNotOnOrAfter = c.r.IssueInstant.Add(5 * time.Minute)
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonExpired},
		{name: "not yet valid assertion", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.NotBefore = c.r.IssueInstant.Add(10 * time.Minute)
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonNotYetValid},
		{name: "SHA-1 signature", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.SignatureAlgorithm, c.r.DigestAlgorithm = samlidp.SignatureRSASHA1, samlidp.DigestSHA1
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonWeakAlgorithm},
		{name: "SHA-1 digest under an RSA-SHA256 signature", idp: "adfs",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.DigestAlgorithm = samlidp.DigestSHA1
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonWeakAlgorithm},
		{name: "IdP-initiated on a connection that does not allow it", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.InResponseTo = ""
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonIDPInitiatedNotAllowed},
		{name: "email outside the organization's domains", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.NameID = "ada@evil.example"
				c.r.Attributes[0].Values = []string{"ada@evil.example"}
				return build(t, c.r, c.idp.key)
			}, status: 403, code: ssokit.CodeEmailOutsideDomains},
		{name: "IdP failure status", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.r.StatusCode, c.r.SubStatusCode, c.r.OmitAssertion = samlidp.StatusResponder, "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", true
				c.r.SignAssertion = false
				return build(t, c.r, c.idp.key)
			}, status: 403, code: ssokit.CodeAccessDenied, reason: ssokit.ReasonIDPStatus},
		{name: "invalid UTF-8", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				return rawDoc(t, c.r, c.idp.key, func(s string) string {
					return strings.Replace(s, "Ada", "A\xffa", 1)
				})
			}, status: 400, code: ssokit.CodeInvalidRequest, reason: ssokit.ReasonMalformed},
		{name: "malformed XML", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				return base64.StdEncoding.EncodeToString([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" InResponseTo="` + c.r.InResponseTo + `"><saml:Assertion>`))
			}, status: 400, code: ssokit.CodeInvalidRequest, reason: ssokit.ReasonMalformed},
		{name: "not base64", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string { return "<samlp:Response/>" },
			status:  400, code: ssokit.CodeInvalidRequest, reason: ssokit.ReasonMalformed},
		{name: "RSA PKCS#1 v1.5 key transport", idp: "okta",
			respond: func(t *testing.T, c *acsContext) string {
				c.e.encryptFor(c.b, c.idp, c.conn, c.r)
				c.r.KeyTransportAlgorithm = samlidp.KeyTransportRSA15
				return build(t, c.r, c.idp.key)
			}, status: 401, code: ssokit.CodeTokenInvalid, reason: ssokit.ReasonWeakAlgorithm},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c := &acsContext{e: e, b: e.newBrowser()}
			name := tc.idp
			if name == "" {
				name = "okta"
			}
			c.idp = &samlIdP{p: loadIDPParams(t, name), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
			c.attacker = newIDPKey(t, e.clock.Now(), 365*24*time.Hour)
			c.conn = e.samlConnection(c.idp, func(cn *ssokit.Connection) { cn.SAML.WantEncryptedAssertions = true })
			c.other = e.samlConnection(c.idp)
			c.r = e.samlResponse(c.idp, c.conn, e.samlStart(c.b, c.conn, nil).ID)
			acs := e.postACS(c.b, c.conn, tc.respond(t, c), "")
			if acs.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (err %v)", acs.StatusCode, tc.status, e.lastErr())
			}
			se := e.wantErr(tc.code, tc.reason)
			if se.ConnectionID != c.conn.ID {
				t.Errorf("error names connection %q", se.ConnectionID)
			}
			if strings.Contains(acs.body, "gosaml2") || strings.Contains(acs.body, "samlsp") || strings.Contains(acs.body, "etree") {
				t.Errorf("library text reached the browser: %s", acs.body)
			}
			e.nothingWritten(c.b)
		})
	}
}

// TestSAMLACSReplay posts the same signed response twice: the second is
// refused as replayed (the assertion id is burnt before the flow is
// consumed), and only one login happens.
func TestSAMLACSReplay(t *testing.T) {
	e := newEnv(t)
	idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
	conn := e.samlConnection(idp)
	b := e.newBrowser()
	resp := build(t, e.samlResponse(idp, conn, e.samlStart(b, conn, nil).ID), idp.key)
	e.finishSAML(b, e.postACS(b, conn, resp, ""))
	attacker := e.newBrowser()
	again := e.postACS(attacker, conn, resp, "")
	if again.StatusCode != http.StatusUnauthorized {
		t.Fatalf("replay: status %d", again.StatusCode)
	}
	e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonReplayed)
	if n := e.users.count(t); n != 1 {
		t.Fatalf("%d users", n)
	}
	if r := attacker.get(e.app.URL + "/whoami"); r.StatusCode != http.StatusUnauthorized {
		t.Fatal("the replaying browser is signed in")
	}
}

// TestSAMLACSOtherBrowser: a response to browser A's flow posted from
// browser B passes the ACS (the IdP's cross-site POST carries no cookie),
// but /auth/callback refuses B: the flow is bound to A.
func TestSAMLACSOtherBrowser(t *testing.T) {
	e := newEnv(t)
	idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
	conn := e.samlConnection(idp)
	victim, attacker := e.newBrowser(), e.newBrowser()
	resp := build(t, e.samlResponse(idp, conn, e.samlStart(victim, conn, nil).ID), idp.key)
	cb := e.postACS(attacker, conn, resp, "").location(t, http.StatusSeeOther)
	if r := attacker.get(cb.String()); r.StatusCode != http.StatusForbidden {
		t.Fatalf("callback: %d", r.StatusCode)
	}
	e.wantErr(ssokit.CodeBindingMismatch, "")
	e.nothingWritten(attacker)
	e.nothingWritten(victim)
}

// TestSAMLACSRequests covers requests that are not a SAMLResponse at all:
// an oversized body is 413 before it is read, everything else is 400, an
// unknown or OIDC connection is 404, an inactive one 403.
func TestSAMLACSRequests(t *testing.T) {
	e := newEnv(t)
	idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
	conn := e.samlConnection(idp)
	inactive := e.samlConnection(idp, func(c *ssokit.Connection) { c.Status = ssokit.ConnectionInactive })
	acs := e.sso.SAMLServiceProvider(conn).ACSURL
	huge := strings.Repeat("A", 3*256<<10+16<<10)
	for _, tc := range []struct {
		name        string
		url         string
		contentType string
		body        string
		status      int
		code        ssokit.ErrorCode
	}{
		{"oversized body", acs, "application/x-www-form-urlencoded", "SAMLResponse=" + huge, 413, ssokit.CodeRequestTooLarge},
		{"oversized SAMLResponse under the body cap", acs, "application/x-www-form-urlencoded", "SAMLResponse=" + huge[:300<<10], 400, ssokit.CodeInvalidRequest},
		{"no SAMLResponse", acs, "application/x-www-form-urlencoded", "RelayState=x", 400, ssokit.CodeInvalidRequest},
		{"empty SAMLResponse", acs, "application/x-www-form-urlencoded", "SAMLResponse=", 400, ssokit.CodeInvalidRequest},
		{"two SAMLResponses", acs, "application/x-www-form-urlencoded", "SAMLResponse=PHg%2BPC94Pg%3D%3D&SAMLResponse=PHg%2BPC94Pg%3D%3D", 400, ssokit.CodeInvalidRequest},
		{"multipart", acs, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"SAMLResponse\"\r\n\r\nPHg+\r\n--x--\r\n", 400, ssokit.CodeInvalidRequest},
		{"bad form encoding", acs, "application/x-www-form-urlencoded", "SAMLResponse=%zz", 400, ssokit.CodeInvalidRequest},
		{"unknown connection", e.app.URL + "/sso/saml/conn_nope/acs", "application/x-www-form-urlencoded", "SAMLResponse=PHg%2BPC94Pg%3D%3D", 404, ssokit.CodeConnectionNotFound},
		{"OIDC connection", e.app.URL + "/sso/saml/" + e.conn.ID + "/acs", "application/x-www-form-urlencoded", "SAMLResponse=PHg%2BPC94Pg%3D%3D", 404, ssokit.CodeConnectionNotFound},
		{"inactive connection", e.sso.SAMLServiceProvider(inactive).ACSURL, "application/x-www-form-urlencoded", "SAMLResponse=PHg%2BPC94Pg%3D%3D", 403, ssokit.CodeConnectionInactive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.newBrowser()
			req, err := http.NewRequest("POST", tc.url, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tc.contentType)
			r := b.do(req)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (err %v)", r.StatusCode, tc.status, e.lastErr())
			}
			e.wantErr(tc.code, "")
			e.nothingWritten(b)
		})
	}
	b := e.newBrowser()
	if r := b.get(acs); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET ACS: %d", r.StatusCode)
	}
}

// TestSAMLACSInsecureAllowSHA1 shows the opt-in: a connection with
// InsecureAllowSHA1 accepts an RSA-SHA1 response that others refuse.
func TestSAMLACSInsecureAllowSHA1(t *testing.T) {
	e := newEnv(t)
	idp := &samlIdP{p: loadIDPParams(t, "adfs"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
	conn := e.samlConnection(idp, func(c *ssokit.Connection) { c.SAML.InsecureAllowSHA1 = true })
	b := e.newBrowser()
	r := e.samlResponse(idp, conn, e.samlStart(b, conn, nil).ID)
	r.SignatureAlgorithm, r.DigestAlgorithm = samlidp.SignatureRSASHA1, samlidp.DigestSHA1
	e.finishSAML(b, e.postACS(b, conn, build(t, r, idp.key), ""))
	e.whoami(b)
}
