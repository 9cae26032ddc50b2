package samlsp

import (
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

func TestValidateReturnsVerifiedFields(t *testing.T) {
	t.Parallel()
	s := testSettings(t)
	a := expectReason(t, s, build(t, goodResponse(), idpKey(t)), solicited, testNow, "")
	checks := []struct {
		name      string
		got, want any
	}{
		{"Issuer", a.Issuer, testIDPEntityID},
		{"NameID", a.NameID, testNameID},
		{"NameIDFormat", a.NameIDFormat, samlidp.NameIDFormatEmailAddress},
		{"SessionIndex", a.SessionIndex, "_session_1"},
		{"InResponseTo", a.InResponseTo, testRequestID},
		// min(SCD 5m, Conditions 5m) + 90s default skew.
		{"NotOnOrAfter", a.NotOnOrAfter, testNow.Add(5*time.Minute + DefaultClockSkew)},
		{"SessionNotOnOrAfter", a.SessionNotOnOrAfter, testNow.Add(8 * time.Hour)},
		{"AuthnInstant", a.AuthnInstant, testNow.Add(-5 * time.Second)},
		{"AuthnContextClassRef", a.AuthnContextClassRef, samlidp.AuthnContextPasswordProtected},
		{"ResponseSigned", a.ResponseSigned, true},
		{"AssertionSigned", a.AssertionSigned, true},
		{"groups", len(a.Attributes["groups"]), 2},
		{"firstName", a.Attributes["firstName"][0], "Ada"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if a.ID == "" {
		t.Error("empty assertion ID")
	}
}

func TestValidateNotOnOrAfterIsTheEarlierWindow(t *testing.T) {
	t.Parallel()
	r := goodResponse()
	r.SubjectNotOnOrAfter = testNow.Add(2 * time.Minute)
	r.NotOnOrAfter = testNow.Add(time.Hour)
	s := testSettings(t)
	s.ClockSkew = time.Minute
	a := expectReason(t, s, build(t, r, idpKey(t)), solicited, testNow, "")
	if want := testNow.Add(3 * time.Minute); !a.NotOnOrAfter.Equal(want) {
		t.Errorf("NotOnOrAfter = %v, want %v", a.NotOnOrAfter, want)
	}
}

func TestValidateFriendlyNames(t *testing.T) {
	t.Parallel()
	r := goodResponse()
	r.Attributes = []samlidp.Attribute{
		{Name: "urn:oid:0.9.2342.19200300.100.1.3", FriendlyName: "mail", Values: []string{"ada@example.com"}},
		{Name: "email", FriendlyName: "urn:oid:x", Values: []string{"a@b.c"}},
		// A FriendlyName never shadows a real Name.
		{Name: "urn:oid:2.5.4.42", FriendlyName: "email", Values: []string{"Ada"}},
	}
	a := expectReason(t, testSettings(t), build(t, r, idpKey(t)), solicited, testNow, "")
	if got := a.Attributes["mail"]; len(got) != 1 || got[0] != "ada@example.com" {
		t.Errorf(`Attributes["mail"] = %q`, got)
	}
	if got := a.Attributes["email"]; len(got) != 1 || got[0] != "a@b.c" {
		t.Errorf(`Attributes["email"] = %q`, got)
	}
	if got := a.Attributes["urn:oid:x"]; len(got) != 1 || got[0] != "a@b.c" {
		t.Errorf(`Attributes["urn:oid:x"] = %q`, got)
	}
}

// TestProtocolChecks covers security.md section B: each case changes one
// thing in an otherwise good, properly signed response.
func TestProtocolChecks(t *testing.T) {
	t.Parallel()
	skew := DefaultClockSkew
	cases := []struct {
		name     string
		mutate   func(r *samlidp.Response)
		settings func(s *Settings)
		expect   *Expectation
		want     Reason
	}{
		{name: "40 status responder", want: ReasonStatus, mutate: func(r *samlidp.Response) {
			r.StatusCode, r.SubStatusCode = samlidp.StatusResponder, "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
			r.OmitAssertion, r.SignAssertion, r.SignResponse = true, false, false
		}},
		{name: "40 status requester on a signed response with assertion", want: ReasonStatus, mutate: func(r *samlidp.Response) {
			r.StatusCode = samlidp.StatusRequester
		}},
		{name: "41 assertion issuer mismatch", want: ReasonBadIssuer, mutate: func(r *samlidp.Response) {
			r.Issuer = "https://evil.example.net/"
		}},
		{name: "41 response issuer mismatch", want: ReasonBadIssuer, mutate: func(r *samlidp.Response) {
			r.ResponseIssuer = "https://evil.example.net/"
		}},
		{name: "41 entra issuer without trailing slash", want: ReasonBadIssuer,
			settings: func(s *Settings) { s.IDPEntityID = "https://sts.windows.net/tenant-id/" },
			mutate:   func(r *samlidp.Response) { r.Issuer = "https://sts.windows.net/tenant-id" }},
		{name: "42 audience restriction absent", want: ReasonBadAudience, mutate: func(r *samlidp.Response) {
			r.Audiences = nil
		}},
		{name: "42 conditions absent", want: ReasonBadAudience, mutate: func(r *samlidp.Response) {
			r.Audiences, r.NotBefore, r.NotOnOrAfter = nil, time.Time{}, time.Time{}
		}},
		{name: "43 audience is another tenant", want: ReasonBadAudience, mutate: func(r *samlidp.Response) {
			r.Audiences = []string{"https://app.example.com/sso/saml/metadata/conn_02"}
		}},
		{name: "43 audience alias accepted", want: "",
			settings: func(s *Settings) { s.AudienceAliases = []string{"spn:00000000-1111-2222-3333-444444444444"} },
			mutate: func(r *samlidp.Response) {
				r.Audiences = []string{"spn:00000000-1111-2222-3333-444444444444"}
			}},
		{name: "43 audience among several accepted", want: "", mutate: func(r *samlidp.Response) {
			r.Audiences = []string{"https://other.example/", testSPEntityID}
		}},
		{name: "44 recipient trailing slash", want: ReasonBadRecipient, mutate: func(r *samlidp.Response) {
			r.Recipient = testACSURL + "/"
		}},
		{name: "44 recipient http", want: ReasonBadRecipient, mutate: func(r *samlidp.Response) {
			r.Recipient = "http://app.example.com/sso/saml/acs/conn_01"
		}},
		{name: "44 recipient absent", want: ReasonBadRecipient, mutate: func(r *samlidp.Response) {
			r.Recipient = ""
		}},
		{name: "45 destination mismatch", want: ReasonBadDestination, mutate: func(r *samlidp.Response) {
			r.Destination = "https://app.example.com/sso/saml/acs/conn_02"
		}},
		{name: "45 destination empty on signed response", want: ReasonBadDestination, mutate: func(r *samlidp.Response) {
			r.Destination = ""
		}},
		{name: "45 destination empty on unsigned response accepted", want: "", mutate: func(r *samlidp.Response) {
			r.Destination, r.SignResponse = "", false
		}},
		{name: "46 not before beyond skew", want: ReasonNotYetValid, mutate: func(r *samlidp.Response) {
			r.NotBefore = testNow.Add(skew + time.Second)
		}},
		{name: "46 not before within skew accepted", want: "", mutate: func(r *samlidp.Response) {
			r.NotBefore = testNow.Add(skew - time.Second)
		}},
		{name: "46 not before missing", want: ReasonNotYetValid, mutate: func(r *samlidp.Response) {
			r.NotBefore = time.Time{}
		}},
		{name: "47 conditions expired beyond skew", want: ReasonExpired, mutate: func(r *samlidp.Response) {
			r.NotOnOrAfter = testNow.Add(-skew - time.Second)
		}},
		{name: "47 conditions expired exactly at skew (exclusive)", want: ReasonExpired, mutate: func(r *samlidp.Response) {
			r.NotOnOrAfter = testNow.Add(-skew)
		}},
		{name: "47 conditions expired within skew accepted", want: "", mutate: func(r *samlidp.Response) {
			r.NotOnOrAfter = testNow.Add(-skew + time.Second)
		}},
		{name: "47 conditions not on or after missing", want: ReasonExpired, mutate: func(r *samlidp.Response) {
			r.NotOnOrAfter = time.Time{}
		}},
		{name: "48 scd not on or after missing", want: ReasonBadSubject, mutate: func(r *samlidp.Response) {
			r.SubjectNotOnOrAfter = time.Time{}
		}},
		{name: "48 scd not on or after past", want: ReasonExpired, mutate: func(r *samlidp.Response) {
			r.SubjectNotOnOrAfter = testNow.Add(-skew - time.Minute)
		}},
		{name: "48 scd not on or after exactly at skew", want: ReasonExpired, mutate: func(r *samlidp.Response) {
			r.SubjectNotOnOrAfter = testNow.Add(-skew)
		}},
		{name: "48 scd not on or after within skew accepted", want: "", mutate: func(r *samlidp.Response) {
			r.SubjectNotOnOrAfter = testNow.Add(-skew + time.Second)
		}},
		{name: "49 scd not before in the future", want: ReasonNotYetValid, mutate: func(r *samlidp.Response) {
			r.SubjectNotBefore = testNow.Add(skew + time.Minute)
		}},
		{name: "49 scd not before past accepted", want: "", mutate: func(r *samlidp.Response) {
			r.SubjectNotBefore = testNow.Add(-time.Minute)
		}},
		{name: "50 method holder of key", want: ReasonBadSubject, mutate: func(r *samlidp.Response) {
			r.SubjectConfirmationMethod = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
		}},
		{name: "50 scd missing", want: ReasonBadSubject, mutate: func(r *samlidp.Response) {
			r.Recipient, r.InResponseTo, r.SubjectNotOnOrAfter = "", "", time.Time{}
		}},
		{name: "51 in response to another request", want: ReasonBadInResponseTo, mutate: func(r *samlidp.Response) {
			r.InResponseTo = "_someone_elses_request"
		}},
		{name: "51 in response to absent in solicited flow", want: ReasonBadInResponseTo, mutate: func(r *samlidp.Response) {
			r.InResponseTo = ""
		}},
		{name: "54 in response to present when unsolicited expected", want: ReasonBadInResponseTo,
			expect: &Expectation{}},
		{name: "54 unsolicited accepted when expected", want: "", expect: &Expectation{},
			mutate: func(r *samlidp.Response) { r.InResponseTo = "" }},
		{name: "56 empty name id", want: ReasonBadSubject, mutate: func(r *samlidp.Response) {
			r.NameID = ""
		}},
		{name: "56 whitespace name id", want: ReasonBadSubject, mutate: func(r *samlidp.Response) {
			r.NameID = "  \n "
		}},
		{name: "56 name id missing", want: ReasonBadSubject, mutate: func(r *samlidp.Response) {
			r.NameID, r.NameIDFormat = "", ""
		}},
		{name: "59 assertion version 1.1", want: ReasonBadVersion, mutate: func(r *samlidp.Response) {
			r.AssertionVersion = "1.1"
		}},
		{name: "skew setting widens the window", want: "",
			settings: func(s *Settings) { s.ClockSkew = 5 * time.Minute },
			mutate:   func(r *samlidp.Response) { r.NotBefore = testNow.Add(4 * time.Minute) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := goodResponse()
			if tc.mutate != nil {
				tc.mutate(r)
			}
			s := testSettings(t)
			if tc.settings != nil {
				tc.settings(s)
			}
			exp := solicited
			if tc.expect != nil {
				exp = *tc.expect
			}
			expectReason(t, s, build(t, r, idpKey(t)), exp, testNow, tc.want)
		})
	}
}

// TestProtocolChecksAssertionOnly repeats the checks that matter most when
// only the assertion is signed (ADFS, Entra): every Response-level value is
// then unauthenticated, and the decision rests on the signed assertion.
func TestProtocolChecksAssertionOnly(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(r *samlidp.Response)
		want   Reason
	}{
		{"accepted", func(r *samlidp.Response) {}, ""},
		{"41 issuer", func(r *samlidp.Response) { r.Issuer = "https://evil.example.net/" }, ReasonBadIssuer},
		{"43 audience", func(r *samlidp.Response) { r.Audiences = []string{"https://evil.example.net/"} }, ReasonBadAudience},
		{"44 recipient", func(r *samlidp.Response) { r.Recipient = "https://evil.example.net/acs" }, ReasonBadRecipient},
		{"47 expired", func(r *samlidp.Response) { r.NotOnOrAfter = testNow.Add(-time.Hour) }, ReasonExpired},
		{"51 in response to", func(r *samlidp.Response) { r.InResponseTo = "_other" }, ReasonBadInResponseTo},
		{"59 version", func(r *samlidp.Response) { r.AssertionVersion = "2.1" }, ReasonBadVersion},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := goodResponse()
			r.SignResponse = false
			tc.mutate(r)
			a := expectReason(t, testSettings(t), build(t, r, idpKey(t)), solicited, testNow, tc.want)
			if a != nil && (a.ResponseSigned || !a.AssertionSigned) {
				t.Errorf("ResponseSigned=%v AssertionSigned=%v, want false, true", a.ResponseSigned, a.AssertionSigned)
			}
		})
	}
}

// Item 13: in an unsigned Response the Response InResponseTo is not
// authenticated, so only the signed SubjectConfirmationData value counts.
func TestUnsignedResponseInResponseToIsIgnored(t *testing.T) {
	t.Parallel()
	r := goodResponse()
	r.SignResponse = false
	doc := buildDoc(t, r, idpKey(t))
	doc.Root().RemoveAttr("InResponseTo")
	doc.Root().CreateAttr("InResponseTo", "_attacker_request")
	a := expectReason(t, testSettings(t), encodeDoc(t, doc), solicited, testNow, "")
	if a.InResponseTo != testRequestID {
		t.Errorf("InResponseTo = %q, want the signed %q", a.InResponseTo, testRequestID)
	}
}

func TestStatusCarriesCodes(t *testing.T) {
	t.Parallel()
	r := goodResponse()
	r.StatusCode, r.SubStatusCode = samlidp.StatusResponder, "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
	r.OmitAssertion, r.SignAssertion = true, false
	_, err := Validate(testSettings(t), build(t, r, idpKey(t)), solicited, testNow)
	e, ok := err.(*Error)
	if !ok || e.Reason != ReasonStatus {
		t.Fatalf("err = %v, want status", err)
	}
	if e.StatusCode != samlidp.StatusResponder || e.SubStatusCode != "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed" {
		t.Errorf("codes = %q, %q", e.StatusCode, e.SubStatusCode)
	}
	if e.Error() != "samlsp: identity provider reported a failure status" {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestSettingsCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(s *Settings)
	}{
		{"no sp entity id", func(s *Settings) { s.SPEntityID = "" }},
		{"no acs", func(s *Settings) { s.ACSURL = "" }},
		{"no idp entity id", func(s *Settings) { s.IDPEntityID = "" }},
		{"no certificates", func(s *Settings) { s.IDPCertificates = nil }},
		{"nil certificate", func(s *Settings) { s.IDPCertificates = append(s.IDPCertificates, nil) }},
		{"negative skew", func(s *Settings) { s.ClockSkew = -time.Second }},
		{"skew over 5 min", func(s *Settings) { s.ClockSkew = 6 * time.Minute }},
		{"size over max", func(s *Settings) { s.MaxResponseBytes = MaxMaxResponseBytes + 1 }},
		{"nil decryption key", func(s *Settings) { s.DecryptionKeys = append(s.DecryptionKeys, nil) }},
	}
	if err := testSettings(t).Check(); err != nil {
		t.Fatalf("good settings: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := testSettings(t)
			tc.mutate(s)
			if got := reasonOf(t, s.Check()); got != ReasonConfig {
				t.Errorf("Check reason = %q, want config", got)
			}
			_, err := Validate(s, b64("<x/>"), solicited, testNow)
			if got := reasonOf(t, err); got != ReasonConfig {
				t.Errorf("Validate reason = %q, want config", got)
			}
		})
	}
}

// Cases that need the document edited before the IdP signs it.
func TestProtocolChecksOnEditedDocuments(t *testing.T) {
	t.Parallel()
	unsigned := func() *samlidp.Response {
		r := goodResponse()
		r.SignResponse, r.SignAssertion = false, false
		return r
	}
	cases := []struct {
		name string
		edit func(t testing.TB, root, assertion *etree.Element)
		want Reason
	}{
		{"51 signed response InResponseTo differs from the SubjectConfirmationData", func(t testing.TB, root, a *etree.Element) {
			root.CreateAttr("InResponseTo", "_other_request")
			signEnveloped(t, a, idpKey(t))
			signEnveloped(t, root, idpKey(t))
		}, ReasonBadInResponseTo},
		{"50 two SubjectConfirmations", func(t testing.TB, root, a *etree.Element) {
			sc := mustFind(t, a, "SubjectConfirmation")
			sc.Parent().InsertChildAt(sc.Index(), sc.Copy())
			signEnveloped(t, a, idpKey(t))
		}, ReasonBadSubject},
		{"unparsable Conditions NotBefore", func(t testing.TB, root, a *etree.Element) {
			mustFind(t, a, "Conditions").CreateAttr("NotBefore", "2026-03-10 09:00")
			signEnveloped(t, a, idpKey(t))
		}, ReasonMalformed},
		{"Response Issuer missing", func(t testing.TB, root, a *etree.Element) {
			root.RemoveChild(child(root, "Issuer"))
			signEnveloped(t, a, idpKey(t))
			signEnveloped(t, root, idpKey(t))
		}, ReasonBadIssuer},
		{"41 Assertion Issuer with surrounding whitespace (exact match)", func(t testing.TB, root, a *etree.Element) {
			child(a, "Issuer").SetText("\n  " + testIDPEntityID + "\n")
			signEnveloped(t, a, idpKey(t))
		}, ReasonBadIssuer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := buildDoc(t, unsigned(), nil)
			tc.edit(t, doc.Root(), assertionOf(t, doc))
			expectReason(t, testSettings(t), encodeDoc(t, doc), solicited, testNow, tc.want)
		})
	}
}
