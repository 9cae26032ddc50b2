package samlidp

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"
)

// Attribute is one saml:Attribute of the assertion's AttributeStatement.
type Attribute struct {
	// Name is the attribute name, e.g. "email" or an Entra claim URI.
	Name string
	// NameFormat is the NameFormat attribute; empty omits it.
	NameFormat string
	// FriendlyName is the FriendlyName attribute; empty omits it.
	FriendlyName string
	// Values become one saml:AttributeValue each.
	Values []string
}

// EncryptedKeyPlacement says where the xenc:EncryptedKey of an encrypted
// assertion goes.
type EncryptedKeyPlacement int

const (
	// EncryptedKeyInKeyInfo puts the EncryptedKey inside
	// EncryptedData/ds:KeyInfo (the default; ADFS, Entra, Keycloak).
	EncryptedKeyInKeyInfo EncryptedKeyPlacement = iota
	// EncryptedKeyRetrievalMethod puts the EncryptedKey as a sibling of
	// EncryptedData and points to it from EncryptedData/ds:KeyInfo with a
	// ds:RetrievalMethod, as Okta does.
	EncryptedKeyRetrievalMethod
)

// Response describes one SAML 2.0 Response. The zero value of each field
// means "the usual thing" as documented on the field; a zero time.Time always
// means "leave this attribute out", so that tests can build responses that
// lack a required attribute. Build does not modify the Response.
type Response struct {
	// ID is the Response ID. Default: generated, "_" followed by 40 hex digits.
	ID string
	// AssertionID is the Assertion ID. Default: generated like ID.
	AssertionID string
	// IssueInstant is the IssueInstant of the Response and the Assertion.
	// Required.
	IssueInstant time.Time

	// Issuer is the IdP entity id, written in the Assertion and (unless
	// ResponseIssuer or OmitResponseIssuer says otherwise) the Response.
	// Required.
	Issuer string
	// ResponseIssuer, when not empty, is written as the Response Issuer
	// instead of Issuer.
	ResponseIssuer string
	// OmitResponseIssuer leaves the (optional) Response Issuer out.
	OmitResponseIssuer bool

	// Destination is the Response Destination (the ACS URL). Empty omits it.
	Destination string
	// InResponseTo is the AuthnRequest ID, written on the Response and on the
	// SubjectConfirmationData. Empty omits it (IdP-initiated).
	InResponseTo string

	// SubjectConfirmationMethod defaults to [ConfirmationMethodBearer].
	SubjectConfirmationMethod string
	// Recipient is SubjectConfirmationData/@Recipient. Empty omits it.
	Recipient string
	// SubjectNotBefore is SubjectConfirmationData/@NotBefore (rarely sent).
	SubjectNotBefore time.Time
	// SubjectNotOnOrAfter is SubjectConfirmationData/@NotOnOrAfter.
	SubjectNotOnOrAfter time.Time

	// NotBefore is Conditions/@NotBefore.
	NotBefore time.Time
	// NotOnOrAfter is Conditions/@NotOnOrAfter.
	NotOnOrAfter time.Time
	// Audiences are the AudienceRestriction/Audience values; empty omits the
	// AudienceRestriction. Conditions itself is omitted when NotBefore,
	// NotOnOrAfter and Audiences are all empty.
	Audiences []string

	// NameID is the Subject NameID value. The NameID element is omitted when
	// both NameID and NameIDFormat are empty.
	NameID string
	// NameIDFormat is NameID/@Format. Empty omits the attribute.
	NameIDFormat string
	// SPNameQualifier is NameID/@SPNameQualifier (Okta, OneLogin). Empty
	// omits it.
	SPNameQualifier string

	// SessionIndex is AuthnStatement/@SessionIndex. Empty omits it.
	SessionIndex string
	// SessionNotOnOrAfter is AuthnStatement/@SessionNotOnOrAfter.
	SessionNotOnOrAfter time.Time
	// AuthnInstant is AuthnStatement/@AuthnInstant. Default: IssueInstant.
	AuthnInstant time.Time
	// AuthnContextClassRef defaults to [AuthnContextPasswordProtected].
	AuthnContextClassRef string

	// Attributes fill the AttributeStatement; none omits it.
	Attributes []Attribute
	// UntypedAttributeValues leaves xsi:type="xs:string" off the
	// AttributeValues, as Entra and ADFS do. Default: typed, as Okta does.
	UntypedAttributeValues bool

	// StatusCode is the top-level status. Default: [StatusSuccess].
	StatusCode string
	// SubStatusCode, when set, is nested in StatusCode (e.g.
	// "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed").
	SubStatusCode string
	// StatusMessage, when set, is written as Status/StatusMessage.
	StatusMessage string
	// OmitAssertion leaves the assertion out (error responses).
	OmitAssertion bool
	// AssertionVersion is Assertion/@Version. Default: "2.0".
	AssertionVersion string

	// SignResponse adds an enveloped signature to the Response, computed after
	// the assertion was signed and encrypted.
	SignResponse bool
	// SignAssertion adds an enveloped signature to the Assertion, computed
	// before encryption.
	SignAssertion bool
	// SignatureAlgorithm defaults to [SignatureRSASHA256].
	SignatureAlgorithm string
	// DigestAlgorithm defaults to [DigestSHA256]. It may differ from the
	// signature's hash (e.g. RSA-SHA256 over a SHA-1 digest).
	DigestAlgorithm string
	// OmitKeyInfo leaves ds:KeyInfo out of the signatures. Default: KeyInfo
	// carries the signing certificate as ds:X509Data/ds:X509Certificate.
	OmitKeyInfo bool

	// Encrypt, when set, encrypts the assertion for this SP certificate (RSA
	// public key) into a saml:EncryptedAssertion.
	Encrypt *x509.Certificate
	// EncryptionAlgorithm is the content encryption algorithm. Default:
	// [EncryptionAES256GCM]. [EncryptionAES128CBC] and [EncryptionAES256CBC]
	// exist for refusal tests.
	EncryptionAlgorithm string
	// KeyTransportAlgorithm defaults to [KeyTransportRSAOAEPMGF1P] (with a
	// SHA-1 OAEP digest, as every IdP sends it). [KeyTransportRSA15] exists for
	// refusal tests.
	KeyTransportAlgorithm string
	// KeyPlacement says where the EncryptedKey goes. Default:
	// [EncryptedKeyInKeyInfo].
	KeyPlacement EncryptedKeyPlacement

	// EditAssertion, when set, may change the assertion after it is built
	// and before it is signed and encrypted, for test shapes the fields
	// above do not describe (an Advice, a second AuthnStatement).
	EditAssertion func(assertion *etree.Element)
}

// NewID returns a fresh SAML identifier: "_" followed by 40 hex digits, a
// valid xs:ID (NCName) with 160 bits of randomness.
func NewID() string {
	var b [20]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "_" + hex.EncodeToString(b[:])
}

// Build renders the response as an XML document signed and encrypted with
// key as configured. key may be nil when nothing is signed.
func (r *Response) Build(key *Key) ([]byte, error) {
	doc, err := r.BuildDocument(key)
	if err != nil {
		return nil, err
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("samlidp: serialize response: %w", err)
	}
	return out, nil
}

// BuildBase64 is [Response.Build] encoded for the HTTP-POST binding's
// SAMLResponse form field (standard base64).
func (r *Response) BuildBase64(key *Key) (string, error) {
	out, err := r.Build(key)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(out), nil
}

// BuildDocument is [Response.Build] before serialization, for tests that
// mutate the signed tree (wrapping attacks, tampering).
func (r *Response) BuildDocument(key *Key) (*etree.Document, error) {
	if r.IssueInstant.IsZero() {
		return nil, errors.New("samlidp: Response.IssueInstant is required")
	}
	if r.Issuer == "" {
		return nil, errors.New("samlidp: Response.Issuer is required")
	}
	if (r.SignResponse || r.SignAssertion) && (key == nil || key.PrivateKey == nil || key.Certificate == nil) {
		return nil, errors.New("samlidp: a key with a certificate is required to sign")
	}
	signer, err := r.signer(key)
	if err != nil {
		return nil, err
	}

	resp := etree.NewElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", NamespaceProtocol)
	resp.CreateAttr("xmlns:saml", NamespaceAssertion)
	resp.CreateAttr("ID", orNewID(r.ID))
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", formatTime(r.IssueInstant))
	if r.Destination != "" {
		resp.CreateAttr("Destination", r.Destination)
	}
	if r.InResponseTo != "" {
		resp.CreateAttr("InResponseTo", r.InResponseTo)
	}
	if !r.OmitResponseIssuer {
		iss := resp.CreateElement("saml:Issuer")
		iss.SetText(orDefault(r.ResponseIssuer, r.Issuer))
	}
	r.buildStatus(resp)

	if !r.OmitAssertion {
		assertion := r.buildAssertion()
		if r.EditAssertion != nil {
			r.EditAssertion(assertion)
		}
		if r.SignAssertion {
			if err := signer.signEnveloped(assertion); err != nil {
				return nil, err
			}
		}
		if r.Encrypt != nil {
			enc, err := r.encryptAssertion(assertion)
			if err != nil {
				return nil, err
			}
			resp.AddChild(enc)
		} else {
			resp.AddChild(assertion)
		}
	}

	if r.SignResponse {
		if err := signer.signEnveloped(resp); err != nil {
			return nil, err
		}
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(resp)
	return doc, nil
}

func (r *Response) buildStatus(resp *etree.Element) {
	status := resp.CreateElement("samlp:Status")
	code := status.CreateElement("samlp:StatusCode")
	code.CreateAttr("Value", orDefault(r.StatusCode, StatusSuccess))
	if r.SubStatusCode != "" {
		code.CreateElement("samlp:StatusCode").CreateAttr("Value", r.SubStatusCode)
	}
	if r.StatusMessage != "" {
		status.CreateElement("samlp:StatusMessage").SetText(r.StatusMessage)
	}
}

// buildAssertion returns a standalone saml:Assertion that declares every
// namespace it uses, so it can be signed, serialized and encrypted on its own.
func (r *Response) buildAssertion() *etree.Element {
	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", NamespaceAssertion)
	if len(r.Attributes) > 0 && !r.UntypedAttributeValues {
		a.CreateAttr("xmlns:xs", NamespaceXS)
		a.CreateAttr("xmlns:xsi", NamespaceXSI)
	}
	a.CreateAttr("ID", orNewID(r.AssertionID))
	a.CreateAttr("Version", orDefault(r.AssertionVersion, "2.0"))
	a.CreateAttr("IssueInstant", formatTime(r.IssueInstant))
	a.CreateElement("saml:Issuer").SetText(r.Issuer)

	subject := a.CreateElement("saml:Subject")
	if r.NameID != "" || r.NameIDFormat != "" {
		nameID := subject.CreateElement("saml:NameID")
		if r.NameIDFormat != "" {
			nameID.CreateAttr("Format", r.NameIDFormat)
		}
		if r.SPNameQualifier != "" {
			nameID.CreateAttr("SPNameQualifier", r.SPNameQualifier)
		}
		nameID.SetText(r.NameID)
	}
	sc := subject.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", orDefault(r.SubjectConfirmationMethod, ConfirmationMethodBearer))
	if r.Recipient != "" || r.InResponseTo != "" || !r.SubjectNotBefore.IsZero() || !r.SubjectNotOnOrAfter.IsZero() {
		scd := sc.CreateElement("saml:SubjectConfirmationData")
		if r.InResponseTo != "" {
			scd.CreateAttr("InResponseTo", r.InResponseTo)
		}
		setTimeAttr(scd, "NotBefore", r.SubjectNotBefore)
		setTimeAttr(scd, "NotOnOrAfter", r.SubjectNotOnOrAfter)
		if r.Recipient != "" {
			scd.CreateAttr("Recipient", r.Recipient)
		}
	}

	if !r.NotBefore.IsZero() || !r.NotOnOrAfter.IsZero() || len(r.Audiences) > 0 {
		cond := a.CreateElement("saml:Conditions")
		setTimeAttr(cond, "NotBefore", r.NotBefore)
		setTimeAttr(cond, "NotOnOrAfter", r.NotOnOrAfter)
		if len(r.Audiences) > 0 {
			ar := cond.CreateElement("saml:AudienceRestriction")
			for _, aud := range r.Audiences {
				ar.CreateElement("saml:Audience").SetText(aud)
			}
		}
	}

	authn := a.CreateElement("saml:AuthnStatement")
	authnInstant := r.AuthnInstant
	if authnInstant.IsZero() {
		authnInstant = r.IssueInstant
	}
	authn.CreateAttr("AuthnInstant", formatTime(authnInstant))
	if r.SessionIndex != "" {
		authn.CreateAttr("SessionIndex", r.SessionIndex)
	}
	setTimeAttr(authn, "SessionNotOnOrAfter", r.SessionNotOnOrAfter)
	authn.CreateElement("saml:AuthnContext").
		CreateElement("saml:AuthnContextClassRef").
		SetText(orDefault(r.AuthnContextClassRef, AuthnContextPasswordProtected))

	if len(r.Attributes) > 0 {
		stmt := a.CreateElement("saml:AttributeStatement")
		for _, attr := range r.Attributes {
			el := stmt.CreateElement("saml:Attribute")
			el.CreateAttr("Name", attr.Name)
			if attr.NameFormat != "" {
				el.CreateAttr("NameFormat", attr.NameFormat)
			}
			if attr.FriendlyName != "" {
				el.CreateAttr("FriendlyName", attr.FriendlyName)
			}
			for _, v := range attr.Values {
				val := el.CreateElement("saml:AttributeValue")
				if !r.UntypedAttributeValues {
					val.CreateAttr("xsi:type", "xs:string")
				}
				val.SetText(v)
			}
		}
	}
	return a
}

// timeLayout is xs:dateTime in UTC with the fractional seconds real IdPs
// send only when they are not zero.
const timeLayout = "2006-01-02T15:04:05.999Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func setTimeAttr(el *etree.Element, name string, t time.Time) {
	if !t.IsZero() {
		el.CreateAttr(name, formatTime(t))
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orNewID(id string) string {
	if id == "" {
		return NewID()
	}
	return id
}
