package samlidp

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/russellhaering/gosaml2/types"
)

func baseResponse(now time.Time) *Response {
	return &Response{
		IssueInstant:        now,
		Issuer:              "http://www.okta.com/exk1fxl0example",
		Destination:         "https://sp.example.com/saml/acs/conn_1",
		InResponseTo:        "_req123",
		Recipient:           "https://sp.example.com/saml/acs/conn_1",
		SubjectNotOnOrAfter: now.Add(5 * time.Minute),
		NotBefore:           now.Add(-time.Minute),
		NotOnOrAfter:        now.Add(5 * time.Minute),
		Audiences:           []string{"https://sp.example.com/saml/conn_1"},
		NameID:              "ada@example.com",
		NameIDFormat:        NameIDFormatEmailAddress,
		SessionIndex:        "_sess1",
		Attributes: []Attribute{
			{Name: "email", NameFormat: AttrNameFormatBasic, Values: []string{"ada@example.com"}},
			{Name: "groups", Values: []string{"eng", "admins"}},
		},
	}
}

func TestBuildSignatures(t *testing.T) {
	key := testKey(t, 0)
	other := testKey(t, 1)
	now := time.Now().UTC()
	tests := []struct {
		name                      string
		signResponse, signAssert  bool
		sigAlg, digestAlg         string
		omitKeyInfo               bool
		wantSigMethod, wantDigest string
	}{
		{name: "response only", signResponse: true, wantSigMethod: SignatureRSASHA256, wantDigest: DigestSHA256},
		{name: "assertion only", signAssert: true, wantSigMethod: SignatureRSASHA256, wantDigest: DigestSHA256},
		{name: "both", signResponse: true, signAssert: true, wantSigMethod: SignatureRSASHA256, wantDigest: DigestSHA256},
		{name: "sha1", signAssert: true, sigAlg: SignatureRSASHA1, digestAlg: DigestSHA1, wantSigMethod: SignatureRSASHA1, wantDigest: DigestSHA1},
		{name: "sha256 signature over sha1 digest", signResponse: true, digestAlg: DigestSHA1, wantSigMethod: SignatureRSASHA256, wantDigest: DigestSHA1},
		{name: "sha1 signature over sha256 digest", signResponse: true, sigAlg: SignatureRSASHA1, wantSigMethod: SignatureRSASHA1, wantDigest: DigestSHA256},
		{name: "sha512", signResponse: true, signAssert: true, sigAlg: SignatureRSASHA512, digestAlg: DigestSHA512, wantSigMethod: SignatureRSASHA512, wantDigest: DigestSHA512},
		{name: "no key info", signResponse: true, signAssert: true, omitKeyInfo: true, wantSigMethod: SignatureRSASHA256, wantDigest: DigestSHA256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := baseResponse(now)
			r.SignResponse, r.SignAssertion = tt.signResponse, tt.signAssert
			r.SignatureAlgorithm, r.DigestAlgorithm, r.OmitKeyInfo = tt.sigAlg, tt.digestAlg, tt.omitKeyInfo
			out, err := r.Build(key)
			if err != nil {
				t.Fatal(err)
			}
			doc := parseDoc(t, out)
			resp := doc.Root()
			assertion := child(resp, "Assertion")
			for _, c := range []struct {
				el     *etree.Element
				signed bool
			}{{resp, tt.signResponse}, {assertion, tt.signAssert}} {
				sig := child(c.el, "Signature")
				if (sig != nil) != c.signed {
					t.Fatalf("%s: signature present = %v, want %v", c.el.Tag, sig != nil, c.signed)
				}
				if !c.signed {
					if _, err := validate(c.el, key.Certificate); err == nil {
						t.Fatalf("%s: unsigned element validated", c.el.Tag)
					}
					continue
				}
				// Schema order: Signature immediately after Issuer.
				kids := c.el.ChildElements()
				if kids[0].Tag != "Issuer" || kids[1].Tag != "Signature" {
					t.Fatalf("%s: children start %s, %s", c.el.Tag, kids[0].Tag, kids[1].Tag)
				}
				if got := sig.FindElement("./SignedInfo/SignatureMethod").SelectAttrValue("Algorithm", ""); got != tt.wantSigMethod {
					t.Errorf("SignatureMethod = %s", got)
				}
				if got := sig.FindElement("./SignedInfo/Reference/DigestMethod").SelectAttrValue("Algorithm", ""); got != tt.wantDigest {
					t.Errorf("DigestMethod = %s", got)
				}
				if (child(sig, "KeyInfo") == nil) != tt.omitKeyInfo {
					t.Errorf("KeyInfo present = %v", child(sig, "KeyInfo") != nil)
				}
				verified, err := validate(c.el, key.Certificate)
				if err != nil {
					t.Fatalf("%s: validate: %v", c.el.Tag, err)
				}
				if verified.SelectAttrValue("ID", "") != c.el.SelectAttrValue("ID", "") {
					t.Fatalf("verified a different element")
				}
				if _, err := validate(c.el, other.Certificate); err == nil {
					t.Fatalf("%s: validated under another certificate", c.el.Tag)
				}
			}
		})
	}
}

func TestBuildTamperBreaksSignature(t *testing.T) {
	key := testKey(t, 0)
	r := baseResponse(time.Now())
	r.SignAssertion = true
	out, err := r.Build(key)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(out, []byte("ada@example.com</saml:NameID>"), []byte("eve@example.com</saml:NameID>"), 1)
	if bytes.Equal(tampered, out) {
		t.Fatal("tamper did not apply")
	}
	doc := parseDoc(t, tampered)
	if _, err := validate(child(doc.Root(), "Assertion"), key.Certificate); err == nil {
		t.Fatal("tampered assertion validated")
	}
}

func TestBuildShape(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := baseResponse(now)
	r.ID, r.AssertionID = "_resp", "_assert"
	r.SubjectNotBefore = now.Add(-time.Minute)
	r.SessionNotOnOrAfter = now.Add(8 * time.Hour)
	r.ResponseIssuer = "https://other.example/"
	out, err := r.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Decode with gosaml2's types: what the SP library will read.
	var resp types.Response
	if err := xml.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	a := resp.Assertions[0]
	checks := []struct{ name, got, want string }{
		{"response id", resp.ID, "_resp"},
		{"destination", resp.Destination, r.Destination},
		{"in response to", resp.InResponseTo, "_req123"},
		{"response issuer", resp.Issuer.Value, "https://other.example/"},
		{"status", resp.Status.StatusCode.Value, StatusSuccess},
		{"assertion id", a.ID, "_assert"},
		{"assertion version", a.Version, "2.0"},
		{"assertion issuer", a.Issuer.Value, r.Issuer},
		{"name id", a.Subject.NameID.Value, "ada@example.com"},
		{"name id format", a.Subject.NameID.Format, NameIDFormatEmailAddress},
		{"method", a.Subject.SubjectConfirmation.Method, ConfirmationMethodBearer},
		{"recipient", a.Subject.SubjectConfirmation.SubjectConfirmationData.Recipient, r.Recipient},
		{"scd in response to", a.Subject.SubjectConfirmation.SubjectConfirmationData.InResponseTo, "_req123"},
		{"scd not on or after", a.Subject.SubjectConfirmation.SubjectConfirmationData.NotOnOrAfter, "2026-03-01T12:05:00Z"},
		{"conditions not before", a.Conditions.NotBefore, "2026-03-01T11:59:00Z"},
		{"audience", a.Conditions.AudienceRestrictions[0].Audiences[0].Value, r.Audiences[0]},
		{"session index", a.AuthnStatement.SessionIndex, "_sess1"},
		{"authn context", a.AuthnStatement.AuthnContext.AuthnContextClassRef.Value, AuthnContextPasswordProtected},
		{"attribute", a.AttributeStatement.Attributes[1].Values[1].Value, "admins"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !bytes.Contains(out, []byte(`NotBefore="2026-03-01T11:59:00Z" NotOnOrAfter="2026-03-01T12:05:00Z" Recipient=`)) {
		t.Error("SubjectConfirmationData NotBefore missing")
	}
	if !bytes.Contains(out, []byte(`<saml:AttributeValue xsi:type="xs:string">eng</saml:AttributeValue>`)) {
		t.Error("typed attribute value missing")
	}
	if got := a.AuthnStatement.SessionNotOnOrAfter; got == nil || !got.Equal(now.Add(8*time.Hour)) {
		t.Errorf("SessionNotOnOrAfter = %v", got)
	}
}

func TestBuildOptionalParts(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name   string
		mutate func(*Response)
		absent []string // element or attribute markers that must not appear
		want   []string
	}{
		{"no response issuer", func(r *Response) { r.OmitResponseIssuer = true }, nil, nil},
		{"no destination or in response to", func(r *Response) { r.Destination, r.InResponseTo = "", "" }, []string{"Destination=", "InResponseTo="}, nil},
		{"no audiences", func(r *Response) { r.Audiences = nil }, []string{"AudienceRestriction"}, []string{"<saml:Conditions"}},
		{"no conditions", func(r *Response) { r.Audiences, r.NotBefore, r.NotOnOrAfter = nil, time.Time{}, time.Time{} }, []string{"Conditions"}, nil},
		{"no name id", func(r *Response) { r.NameID, r.NameIDFormat = "", "" }, []string{"NameID"}, nil},
		{"no attributes", func(r *Response) { r.Attributes = nil }, []string{"AttributeStatement", "xmlns:xsi"}, nil},
		{"untyped values", func(r *Response) { r.UntypedAttributeValues = true }, []string{"xsi:type"}, []string{"<saml:AttributeValue>eng<"}},
		{"failed status", func(r *Response) {
			r.StatusCode, r.SubStatusCode, r.StatusMessage, r.OmitAssertion = StatusResponder, "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", "no <access>", true
		}, []string{"Assertion"}, []string{`<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/>`, "no &lt;access&gt;"}},
		{"assertion version", func(r *Response) { r.AssertionVersion = "1.1" }, nil, []string{`Version="1.1"`}},
		{"holder of key", func(r *Response) { r.SubjectConfirmationMethod = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key" }, []string{ConfirmationMethodBearer}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseResponse(now)
			tt.mutate(r)
			r.SignResponse = true
			out, err := r.Build(testKey(t, 0))
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tt.absent {
				if bytes.Contains(out, []byte(a)) {
					t.Errorf("output contains %q", a)
				}
			}
			for _, w := range tt.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			doc := parseDoc(t, out)
			if _, err := validate(doc.Root(), testKey(t, 0).Certificate); err != nil {
				t.Fatalf("validate: %v", err)
			}
			if tt.name == "no response issuer" {
				if child(doc.Root(), "Issuer") != nil || doc.Root().ChildElements()[0].Tag != "Signature" {
					t.Fatal("signature should be the first child when the response has no issuer")
				}
			}
		})
	}
}

func TestBuildIDs(t *testing.T) {
	ncname := regexp.MustCompile(`^_[0-9a-f]{40}$`)
	seen := map[string]bool{}
	for range 20 {
		id := NewID()
		if !ncname.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
	r := baseResponse(time.Now())
	out, err := r.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseDoc(t, out)
	rid, aid := doc.Root().SelectAttrValue("ID", ""), child(doc.Root(), "Assertion").SelectAttrValue("ID", "")
	if !ncname.MatchString(rid) || !ncname.MatchString(aid) || rid == aid {
		t.Fatalf("generated ids %q %q", rid, aid)
	}
}

func TestBuildErrors(t *testing.T) {
	key := testKey(t, 0)
	now := time.Now()
	tests := []struct {
		name   string
		mutate func(*Response)
		key    *Key
	}{
		{"no issue instant", func(r *Response) { r.IssueInstant = time.Time{} }, key},
		{"no issuer", func(r *Response) { r.Issuer = "" }, key},
		{"sign without key", func(r *Response) { r.SignAssertion = true }, nil},
		{"unknown signature algorithm", func(r *Response) { r.SignResponse, r.SignatureAlgorithm = true, "hmac-sha1" }, key},
		{"unknown digest", func(r *Response) { r.SignResponse, r.DigestAlgorithm = true, "md5" }, key},
		{"unknown encryption", func(r *Response) { r.Encrypt, r.EncryptionAlgorithm = key.Certificate, "tripledes" }, key},
		{"unknown key transport", func(r *Response) { r.Encrypt, r.KeyTransportAlgorithm = key.Certificate, "rsa-oaep-sha3" }, key},
		{"unknown placement", func(r *Response) { r.Encrypt, r.KeyPlacement = key.Certificate, 7 }, key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseResponse(now)
			tt.mutate(r)
			_, err := r.Build(tt.key)
			if err == nil || !strings.HasPrefix(err.Error(), "samlidp: ") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestBuildEncrypted(t *testing.T) {
	idpKey, spKey := testKey(t, 0), testKey(t, 2)
	tests := []struct {
		name      string
		enc, kt   string
		placement EncryptedKeyPlacement
		signResp  bool
	}{
		{name: "default in key info", signResp: true},
		{name: "okta retrieval method", placement: EncryptedKeyRetrievalMethod, signResp: true},
		{name: "aes128 gcm", enc: EncryptionAES128GCM},
		{name: "aes128 cbc", enc: EncryptionAES128CBC, placement: EncryptedKeyRetrievalMethod},
		{name: "aes256 cbc rsa 1.5", enc: EncryptionAES256CBC, kt: KeyTransportRSA15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := baseResponse(time.Now())
			r.AssertionID = "_enc_assertion"
			r.SignAssertion, r.SignResponse = true, tt.signResp
			r.Encrypt, r.EncryptionAlgorithm, r.KeyTransportAlgorithm, r.KeyPlacement = spKey.Certificate, tt.enc, tt.kt, tt.placement
			out, err := r.Build(idpKey)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte("ada@example.com")) {
				t.Fatal("plaintext leaked into the encrypted response")
			}
			doc := parseDoc(t, out)
			if tt.signResp {
				if _, err := validate(doc.Root(), idpKey.Certificate); err != nil {
					t.Fatalf("response signature over the encrypted assertion: %v", err)
				}
			}
			ea := child(doc.Root(), "EncryptedAssertion")
			if ea == nil || child(doc.Root(), "Assertion") != nil {
				t.Fatal("want exactly an EncryptedAssertion")
			}
			if got := child(ea, "EncryptedKey") != nil; got != (tt.placement == EncryptedKeyRetrievalMethod) {
				t.Fatalf("sibling EncryptedKey present = %v", got)
			}
			plain := decryptAssertion(t, ea, spKey.PrivateKey)
			adoc := parseDoc(t, plain)
			verified, err := validate(adoc.Root(), idpKey.Certificate)
			if err != nil {
				t.Fatalf("decrypted assertion signature: %v", err)
			}
			if verified.SelectAttrValue("ID", "") != "_enc_assertion" || !bytes.Contains(plain, []byte("ada@example.com")) {
				t.Fatalf("decrypted assertion:\n%s", plain)
			}

			// gosaml2 (the SP library) reads the same bytes.
			var gea types.EncryptedAssertion
			eadoc := etree.NewDocument()
			eadoc.SetRoot(ea.Copy())
			eaBytes, err := eadoc.WriteToBytes()
			if err != nil {
				t.Fatal(err)
			}
			if err := xml.Unmarshal(eaBytes, &gea); err != nil {
				t.Fatal(err)
			}
			gplain, err := gea.DecryptBytes(spKey.TLSCertificate())
			if err != nil {
				t.Fatalf("gosaml2 decrypt: %v", err)
			}
			if !bytes.Equal(gplain, plain) {
				t.Fatal("gosaml2 decrypted different bytes")
			}
		})
	}
}

func TestBuildBase64(t *testing.T) {
	r := baseResponse(time.Now())
	r.ID, r.AssertionID = "_a", "_b"
	b64s, err := r.BuildBase64(nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := base64.StdEncoding.DecodeString(b64s)
	if err != nil || !bytes.Equal(dec, out) {
		t.Fatalf("base64 form does not decode to the document: %v", err)
	}
}
