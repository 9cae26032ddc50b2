package idpsim_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

const (
	spEntityID = "https://app.example.test/saml/metadata"
	spACS      = "https://app.example.test/saml/acs"
)

// serviceProvider is a gosaml2 SP configured with the simulator's
// certificate, as an application would configure it from the metadata.
func serviceProvider(e *testEnv, entityID, acs string) *saml2.SAMLServiceProvider {
	return &saml2.SAMLServiceProvider{
		IdentityProviderSSOURL:      e.sim.SSOURL(),
		IdentityProviderIssuer:      e.sim.SAMLEntityID(),
		ServiceProviderIssuer:       entityID,
		AssertionConsumerServiceURL: acs,
		AudienceURI:                 entityID,
		IDPCertificateStore:         &dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{e.sim.Certificate()}},
	}
}

// authnRequest builds an AuthnRequest with gosaml2 and returns its ID and
// the URL (HTTP-Redirect binding) that carries it.
func authnRequest(t *testing.T, sp *saml2.SAMLServiceProvider, relayState string) (id, redirectURL string, doc *etree.Document) {
	t.Helper()
	doc, err := sp.BuildAuthRequestDocument()
	if err != nil {
		t.Fatal(err)
	}
	u, err := sp.BuildAuthURLFromDocument(relayState, doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc.Root().SelectAttrValue("ID", ""), u, doc
}

var (
	samlResponseRE = regexp.MustCompile(`name="SAMLResponse" value="([^"]+)"`)
	relayStateRE   = regexp.MustCompile(`name="RelayState" value="([^"]*)"`)
)

// postedResponse reads the auto-submitting form the simulator answers with:
// it must post to acs, show the banner, and carry a SAMLResponse.
func postedResponse(t *testing.T, resp *http.Response, body, acs string) (samlResponse, relayState string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body:\n%s", resp.StatusCode, body)
	}
	action, _, _ := strings.Cut(strings.TrimPrefix(formActionRE.FindString(body), `<form method="post" action="`), `"`)
	if html.UnescapeString(action) != acs {
		t.Fatalf("form posts to %q, want %q:\n%s", action, acs, body)
	}
	if !strings.Contains(body, idpsim.Banner) {
		t.Errorf("response page lacks the banner")
	}
	m := samlResponseRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no SAMLResponse in page:\n%s", body)
	}
	if rs := relayStateRE.FindStringSubmatch(body); rs != nil {
		relayState = html.UnescapeString(rs[1])
	}
	return html.UnescapeString(m[1]), relayState
}

// responseXML is the part of a Response the tests look at directly.
type responseXML struct {
	InResponseTo string    `xml:"InResponseTo,attr"`
	Destination  string    `xml:"Destination,attr"`
	Signature    *struct{} `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
	Status       struct {
		StatusCode struct {
			Value      string `xml:"Value,attr"`
			StatusCode *struct {
				Value string `xml:"Value,attr"`
			} `xml:"StatusCode"`
		} `xml:"StatusCode"`
		StatusMessage string `xml:"StatusMessage"`
	} `xml:"Status"`
	Assertion *struct {
		Signature *struct{} `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
		Subject   struct {
			Confirmation struct {
				Data struct {
					InResponseTo string `xml:"InResponseTo,attr"`
					NotOnOrAfter string `xml:"NotOnOrAfter,attr"`
				} `xml:"SubjectConfirmationData"`
			} `xml:"SubjectConfirmation"`
		} `xml:"Subject"`
		Conditions struct {
			NotBefore    string   `xml:"NotBefore,attr"`
			NotOnOrAfter string   `xml:"NotOnOrAfter,attr"`
			Audiences    []string `xml:"AudienceRestriction>Audience"`
		} `xml:"Conditions"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	EncryptedAssertion *struct{} `xml:"urn:oasis:names:tc:SAML:2.0:assertion EncryptedAssertion"`
}

func decodeResponse(t *testing.T, b64 string) responseXML {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	var r responseXML
	if err := xml.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response XML: %v\n%s", err, raw)
	}
	return r
}

func spConfig(allowIDPInitiated bool) idpsim.SAMLServiceProvider {
	return idpsim.SAMLServiceProvider{Name: "Acme Notes", EntityID: spEntityID, ACSURL: spACS, AllowIDPInitiated: allowIDPInitiated}
}

func TestSAMLSPInitiated(t *testing.T) {
	encKey, err := samlidp.NewKey(2048, "sp-encryption", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name            string
		signing         idpsim.Signing
		encrypt         bool
		post            bool
		responseSigned  bool
		assertionSigned bool
	}{
		{name: "redirect binding, default signing", signing: idpsim.SignResponseAndAssertion, responseSigned: true, assertionSigned: true},
		{name: "POST binding", post: true, signing: idpsim.SignResponseAndAssertion, responseSigned: true, assertionSigned: true},
		{name: "response signed only", signing: idpsim.SignResponse, responseSigned: true},
		{name: "assertion signed only", signing: idpsim.SignAssertion, assertionSigned: true},
		{name: "encrypted assertion", signing: idpsim.SignResponseAndAssertion, encrypt: true, responseSigned: true, assertionSigned: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spc := spConfig(false)
			spc.Signing = tc.signing
			if tc.encrypt {
				spc.EncryptionCert = encKey.Certificate
			}
			e := newEnv(t, idpsim.Config{ServiceProviders: []idpsim.SAMLServiceProvider{spc}})
			sp := serviceProvider(e, spEntityID, spACS)
			if tc.encrypt {
				sp.SPKeyStore = dsig.TLSCertKeyStore(*encKey.TLSCertificate())
			}
			id, redirectURL, doc := authnRequest(t, sp, "relay-789")
			var resp *http.Response
			var body string
			if tc.post {
				xmlText, err := doc.WriteToString()
				if err != nil {
					t.Fatal(err)
				}
				resp, body = e.postForm(t, e.sim.SSOURL(), url.Values{
					"SAMLRequest": {base64.StdEncoding.EncodeToString([]byte(xmlText))},
					"RelayState":  {"relay-789"},
				})
			} else {
				resp, body = e.get(t, redirectURL)
			}
			action, request := loginForm(t, resp, body)
			if !strings.Contains(body, "Acme Notes") {
				t.Errorf("login page does not name the SP")
			}
			resp, body = e.postForm(t, action, alice.form(request))
			b64, relayState := postedResponse(t, resp, body, spACS)
			if relayState != "relay-789" {
				t.Errorf("RelayState = %q, want relay-789", relayState)
			}

			info, err := sp.RetrieveAssertionInfo(b64)
			if err != nil {
				t.Fatalf("gosaml2 refused the response: %v", err)
			}
			if info.WarningInfo.InvalidTime || info.WarningInfo.NotInAudience || info.WarningInfo.OneTimeUse || info.WarningInfo.ProxyRestriction != nil {
				t.Errorf("warnings: %+v", info.WarningInfo)
			}
			if info.NameID != "alice@example.com" || info.NameIDFormat != samlidp.NameIDFormatEmailAddress {
				t.Errorf("NameID = %q (%s)", info.NameID, info.NameIDFormat)
			}
			if info.Values.Get("email") != "alice@example.com" || info.Values.Get("firstName") != "Alice" ||
				info.Values.Get("lastName") != "Liddell" || !slices.Equal(info.Values.GetAll("groups"), []string{"Engineering", "Admins"}) {
				t.Errorf("attributes = %+v", info.Values)
			}
			if info.ResponseSignatureValidated != tc.responseSigned {
				t.Errorf("response signature validated = %v, want %v", info.ResponseSignatureValidated, tc.responseSigned)
			}
			if got := info.Assertions[0].Subject.SubjectConfirmation.SubjectConfirmationData.InResponseTo; got != id {
				t.Errorf("assertion InResponseTo = %q, want %q", got, id)
			}
			x := decodeResponse(t, b64)
			if x.InResponseTo != id || x.Destination != spACS {
				t.Errorf("Response InResponseTo = %q, Destination = %q", x.InResponseTo, x.Destination)
			}
			if (x.Signature != nil) != tc.responseSigned {
				t.Errorf("response signature present = %v, want %v", x.Signature != nil, tc.responseSigned)
			}
			if tc.encrypt {
				if x.EncryptedAssertion == nil || x.Assertion != nil {
					t.Errorf("assertion is not encrypted")
				}
			} else {
				if x.Assertion == nil {
					t.Fatal("no assertion")
				}
				if (x.Assertion.Signature != nil) != tc.assertionSigned {
					t.Errorf("assertion signature present = %v, want %v", x.Assertion.Signature != nil, tc.assertionSigned)
				}
				nb, _ := time.Parse(time.RFC3339, x.Assertion.Conditions.NotBefore)
				na, _ := time.Parse(time.RFC3339, x.Assertion.Conditions.NotOnOrAfter)
				if d := na.Sub(nb); d != 6*time.Minute {
					t.Errorf("validity window %v, want 5 minutes plus 1 minute of skew before issue", d)
				}
			}
		})
	}
}

func TestSAMLIDPInitiated(t *testing.T) {
	other := idpsim.SAMLServiceProvider{Name: "Closed App", EntityID: "https://closed.example.test", ACSURL: "https://closed.example.test/acs"}
	e := newEnv(t, idpsim.Config{ServiceProviders: []idpsim.SAMLServiceProvider{spConfig(true), other}})

	resp, body := e.get(t, e.sim.AppsURL())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, idpsim.Banner) || !strings.Contains(body, "Sign in to Acme Notes") {
		t.Fatalf("apps page: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "Closed App") {
		t.Errorf("apps page lists an SP that does not allow IdP-initiated sign-in")
	}

	start := e.sim.AppsURL() + "/login?" + url.Values{"sp": {spEntityID}, "RelayState": {"/notes"}}.Encode()
	resp, body = e.signIn(t, start, alice)
	b64, relayState := postedResponse(t, resp, body, spACS)
	if relayState != "/notes" {
		t.Errorf("RelayState = %q", relayState)
	}
	x := decodeResponse(t, b64)
	if x.InResponseTo != "" || x.Assertion == nil || x.Assertion.Subject.Confirmation.Data.InResponseTo != "" {
		t.Errorf("unsolicited response carries InResponseTo %q", x.InResponseTo)
	}
	info, err := serviceProvider(e, spEntityID, spACS).RetrieveAssertionInfo(b64)
	if err != nil {
		t.Fatalf("gosaml2: %v", err)
	}
	if info.NameID != "alice@example.com" {
		t.Errorf("NameID = %q", info.NameID)
	}

	for _, tc := range []struct{ name, sp string }{
		{"SP does not allow it", other.EntityID},
		{"unknown SP", "https://nobody.example.test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.get(t, e.sim.AppsURL()+"/login?"+url.Values{"sp": {tc.sp}}.Encode())
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, idpsim.Banner) {
				t.Errorf("status %d, want 400 with the banner", resp.StatusCode)
			}
		})
	}
}

func TestSAMLOutcomes(t *testing.T) {
	e := newEnv(t, idpsim.Config{ServiceProviders: []idpsim.SAMLServiceProvider{spConfig(false)}})
	sp := serviceProvider(e, spEntityID, spACS)
	answer := func(t *testing.T, o idpsim.Outcome) (string, responseXML) {
		t.Helper()
		_, u, _ := authnRequest(t, sp, "")
		usr := alice
		usr.outcome = o
		resp, body := e.signIn(t, u, usr)
		b64, _ := postedResponse(t, resp, body, spACS)
		return b64, decodeResponse(t, b64)
	}

	t.Run("refuse", func(t *testing.T) {
		b64, x := answer(t, idpsim.OutcomeRefuse)
		if x.Status.StatusCode.Value != samlidp.StatusResponder || x.Status.StatusCode.StatusCode == nil ||
			x.Status.StatusCode.StatusCode.Value != "urn:oasis:names:tc:SAML:2.0:status:RequestDenied" {
			t.Errorf("status = %+v, want Responder/RequestDenied", x.Status)
		}
		if x.Assertion != nil || x.Signature == nil || x.Status.StatusMessage == "" {
			t.Errorf("want a signed response with a message and no assertion")
		}
		if _, err := sp.RetrieveAssertionInfo(b64); err == nil {
			t.Errorf("gosaml2 accepted a refusal")
		}
	})
	t.Run("expired", func(t *testing.T) {
		b64, x := answer(t, idpsim.OutcomeExpired)
		na, err := time.Parse(time.RFC3339, x.Assertion.Conditions.NotOnOrAfter)
		if err != nil || !na.Before(time.Now().Add(-50*time.Minute)) {
			t.Errorf("Conditions NotOnOrAfter = %q, want an hour ago", x.Assertion.Conditions.NotOnOrAfter)
		}
		_, err = sp.RetrieveAssertionInfo(b64)
		var ev saml2.ErrVerification
		var iv saml2.ErrInvalidValue
		if !errors.As(err, &ev) || !errors.As(ev.Cause, &iv) || iv.Reason != saml2.ReasonExpired {
			t.Errorf("err = %v, want an expiry error", err)
		}
	})
	t.Run("wrong audience", func(t *testing.T) {
		b64, x := answer(t, idpsim.OutcomeWrongAudience)
		if !slices.Equal(x.Assertion.Conditions.Audiences, []string{idpsim.WrongAudience}) {
			t.Errorf("audiences = %v", x.Assertion.Conditions.Audiences)
		}
		info, err := sp.RetrieveAssertionInfo(b64)
		if err != nil {
			t.Fatalf("gosaml2: %v", err)
		}
		// gosaml2 reports audience mismatches as a warning for the caller.
		if !info.WarningInfo.NotInAudience {
			t.Errorf("gosaml2 did not flag the audience")
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		b64, x := answer(t, idpsim.OutcomeUnsigned)
		if x.Signature != nil || x.Assertion == nil || x.Assertion.Signature != nil {
			t.Errorf("response or assertion is signed")
		}
		_, err := sp.RetrieveAssertionInfo(b64)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), "signature") {
			t.Errorf("err = %v, want a missing-signature error", err)
		}
	})
}

func TestSAMLRequestRefusals(t *testing.T) {
	signer, err := samlidp.NewKey(2048, "sp-signing", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	signedSP := idpsim.SAMLServiceProvider{EntityID: "https://signed.example.test", ACSURL: "https://signed.example.test/acs", RequestSigningCert: signer.Certificate}
	e := newEnv(t, idpsim.Config{ServiceProviders: []idpsim.SAMLServiceProvider{spConfig(false), signedSP}})

	refused := func(t *testing.T, u string) {
		t.Helper()
		resp, body := e.get(t, u)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Request refused") || !strings.Contains(body, idpsim.Banner) {
			t.Errorf("status %d, want 400 refusal page with the banner:\n%s", resp.StatusCode, body)
		}
	}
	t.Run("unknown SP", func(t *testing.T) {
		_, u, _ := authnRequest(t, serviceProvider(e, "https://nobody.example.test", spACS), "")
		refused(t, u)
	})
	t.Run("ACS not registered for the SP", func(t *testing.T) {
		_, u, _ := authnRequest(t, serviceProvider(e, spEntityID, "https://evil.example/acs"), "")
		refused(t, u)
	})
	t.Run("no SAMLRequest", func(t *testing.T) { refused(t, e.sim.SSOURL()) })
	t.Run("garbage SAMLRequest", func(t *testing.T) { refused(t, e.sim.SSOURL()+"?SAMLRequest=%%%") })
	t.Run("unsigned request from an SP that signs", func(t *testing.T) {
		_, u, _ := authnRequest(t, serviceProvider(e, signedSP.EntityID, signedSP.ACSURL), "")
		refused(t, u)
	})
	t.Run("signed request from an SP that signs", func(t *testing.T) {
		sp := serviceProvider(e, signedSP.EntityID, signedSP.ACSURL)
		sp.SignAuthnRequests = true
		sp.SPSigningKeyStore = dsig.TLSCertKeyStore(*signer.TLSCertificate())
		// HTTP-Redirect carries the signature in the query, not in the XML.
		doc, err := sp.BuildAuthRequestDocumentNoSig()
		if err != nil {
			t.Fatal(err)
		}
		u, err := sp.BuildAuthURLRedirect("", doc)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := e.get(t, u)
		loginForm(t, resp, body)
		// The same request with its signature cut off is refused.
		refused(t, regexp.MustCompile(`&Signature=[^&]*`).ReplaceAllString(u, ""))
	})
	t.Run("signed POST request from an SP that signs", func(t *testing.T) {
		sp := serviceProvider(e, signedSP.EntityID, signedSP.ACSURL)
		sp.SignAuthnRequests = true
		sp.SPSigningKeyStore = dsig.TLSCertKeyStore(*signer.TLSCertificate())
		doc, err := sp.BuildAuthRequestDocument() // enveloped XML signature
		if err != nil {
			t.Fatal(err)
		}
		xmlText, err := doc.WriteToString()
		if err != nil {
			t.Fatal(err)
		}
		resp, body := e.postForm(t, e.sim.SSOURL(), url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString([]byte(xmlText))}})
		loginForm(t, resp, body)
	})
	t.Run("passive request gets NoPassive", func(t *testing.T) {
		sp := serviceProvider(e, spEntityID, spACS)
		sp.IsPassive = true
		id, u, _ := authnRequest(t, sp, "")
		resp, body := e.get(t, u)
		b64, _ := postedResponse(t, resp, body, spACS)
		x := decodeResponse(t, b64)
		if x.InResponseTo != id || x.Status.StatusCode.StatusCode == nil ||
			x.Status.StatusCode.StatusCode.Value != "urn:oasis:names:tc:SAML:2.0:status:NoPassive" {
			t.Errorf("response = %+v, want NoPassive in response to %s", x, id)
		}
	})
}

func TestSAMLMetadata(t *testing.T) {
	e := newEnv(t, idpsim.Config{})
	resp, body := e.get(t, e.sim.MetadataURL())
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "xml") {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var md struct {
		EntityID string `xml:"entityID,attr"`
		IDP      struct {
			Certs []string `xml:"KeyDescriptor>KeyInfo>X509Data>X509Certificate"`
			SSO   []struct {
				Binding  string `xml:"Binding,attr"`
				Location string `xml:"Location,attr"`
			} `xml:"SingleSignOnService"`
		} `xml:"IDPSSODescriptor"`
	}
	if err := xml.Unmarshal([]byte(body), &md); err != nil {
		t.Fatal(err)
	}
	if md.EntityID != e.sim.SAMLEntityID() || md.EntityID != e.sim.Issuer()+"/saml/metadata" {
		t.Errorf("entityID = %q", md.EntityID)
	}
	if len(md.IDP.Certs) != 1 {
		t.Fatalf("certificates = %d", len(md.IDP.Certs))
	}
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(md.IDP.Certs[0]))
	if err != nil || !bytes.Equal(der, e.sim.Certificate().Raw) {
		t.Errorf("metadata certificate is not the simulator's")
	}
	if len(md.IDP.SSO) != 2 || md.IDP.SSO[0].Location != e.sim.SSOURL() || md.IDP.SSO[1].Location != e.sim.SSOURL() {
		t.Errorf("SSO services = %+v", md.IDP.SSO)
	}
}
