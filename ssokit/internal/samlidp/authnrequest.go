package samlidp

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Limits applied by [ParseAuthnRequest].
const (
	// MaxEncodedRequestSize bounds the POST body and the encoded SAMLRequest.
	MaxEncodedRequestSize = 1 << 20
	// MaxRequestXMLSize bounds the decoded (inflated) AuthnRequest XML.
	MaxRequestXMLSize = 1 << 20
	// MaxRequestXMLTokens bounds the number of XML tokens in an AuthnRequest.
	MaxRequestXMLTokens = 10000
	// MaxRelayStateSize is the SAML bindings limit on RelayState (§3.4.3).
	MaxRelayStateSize = 80
)

// AuthnRequest is a parsed SAML 2.0 AuthnRequest as an IdP receives it.
type AuthnRequest struct {
	// ID is the request ID the response must answer in InResponseTo.
	ID string
	// Issuer is the SP entity id (may be empty: it is optional).
	Issuer string
	// Destination is the request's Destination attribute, when present.
	Destination string
	// AssertionConsumerServiceURL is where the SP wants the response; empty
	// means "the ACS in the SP's metadata".
	AssertionConsumerServiceURL string
	// ProtocolBinding is the binding the SP wants the response in.
	ProtocolBinding string
	// NameIDFormat is NameIDPolicy/@Format, when present.
	NameIDFormat string
	// AllowCreate is NameIDPolicy/@AllowCreate.
	AllowCreate bool
	// ForceAuthn asks the IdP to authenticate the user again.
	ForceAuthn bool
	// IsPassive asks the IdP not to interact with the user.
	IsPassive bool
	// IssueInstant is when the SP created the request.
	IssueInstant time.Time
	// RelayState is the opaque value to return with the response.
	RelayState string
	// Binding is [BindingHTTPRedirect] or [BindingHTTPPOST].
	Binding string
	// Signed reports whether the request carries a signature (query
	// Signature for HTTP-Redirect, an enveloped ds:Signature for HTTP-POST).
	// It says nothing about validity: see [AuthnRequest.VerifySignature].
	Signed bool
	// XML is the decoded (inflated) request document.
	XML []byte
}

type authnRequestXML struct {
	XMLName         xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:protocol AuthnRequest"`
	ID              string   `xml:"ID,attr"`
	Version         string   `xml:"Version,attr"`
	IssueInstant    string   `xml:"IssueInstant,attr"`
	Destination     string   `xml:"Destination,attr"`
	ACSURL          string   `xml:"AssertionConsumerServiceURL,attr"`
	ProtocolBinding string   `xml:"ProtocolBinding,attr"`
	ForceAuthn      string   `xml:"ForceAuthn,attr"`
	IsPassive       string   `xml:"IsPassive,attr"`
	Issuer          *struct {
		Value string `xml:",chardata"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
	Signature *struct {
		XMLName xml.Name
	} `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
	NameIDPolicy *struct {
		Format      string `xml:"Format,attr"`
		AllowCreate string `xml:"AllowCreate,attr"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:protocol NameIDPolicy"`
}

// ParseAuthnRequest reads an AuthnRequest from an IdP's SSO endpoint: a GET
// with the HTTP-Redirect binding (SAMLRequest deflated and base64-encoded in
// the query, optional SigAlg and Signature) or a POST with the HTTP-POST
// binding (SAMLRequest base64-encoded in a form body). The POST body is
// consumed. It enforces the size limits above, rejects DTDs and duplicate
// binding parameters, and checks that the message is a SAML 2.0
// AuthnRequest with an ID and IssueInstant. It does not verify signatures:
// call [AuthnRequest.VerifySignature].
func ParseAuthnRequest(r *http.Request) (*AuthnRequest, error) {
	var (
		binding          string
		encoded          string
		relayState       string
		signedByRedirect bool
	)
	switch r.Method {
	case http.MethodGet:
		params, err := bindingParams(r.URL.RawQuery)
		if err != nil {
			return nil, err
		}
		binding = BindingHTTPRedirect
		encoded = params.value("SAMLRequest")
		relayState = params.value("RelayState")
		signedByRedirect = params.has("Signature")
	case http.MethodPost:
		form, err := readForm(r)
		if err != nil {
			return nil, err
		}
		for _, k := range []string{"SAMLRequest", "RelayState"} {
			if len(form[k]) > 1 {
				return nil, fmt.Errorf("%w: parameter %s repeated", ErrMalformedRequest, k)
			}
		}
		binding = BindingHTTPPOST
		encoded = form.Get("SAMLRequest")
		relayState = form.Get("RelayState")
	default:
		return nil, fmt.Errorf("%w: method %s", ErrMalformedRequest, r.Method)
	}
	if encoded == "" {
		return nil, fmt.Errorf("%w: no SAMLRequest", ErrMalformedRequest)
	}
	if len(relayState) > MaxRelayStateSize {
		return nil, fmt.Errorf("%w: RelayState longer than %d bytes", ErrMalformedRequest, MaxRelayStateSize)
	}
	raw, err := decodeMessage(encoded, binding == BindingHTTPRedirect)
	if err != nil {
		return nil, err
	}
	parsed, err := parseAuthnRequestXML(raw)
	if err != nil {
		return nil, err
	}
	issueInstant, err := parseTime(parsed.IssueInstant)
	if err != nil {
		return nil, fmt.Errorf("%w: IssueInstant: %w", ErrMalformedRequest, err)
	}
	a := &AuthnRequest{
		ID:                          parsed.ID,
		Destination:                 parsed.Destination,
		AssertionConsumerServiceURL: parsed.ACSURL,
		ProtocolBinding:             parsed.ProtocolBinding,
		IssueInstant:                issueInstant,
		RelayState:                  relayState,
		Binding:                     binding,
		XML:                         raw,
	}
	if parsed.Issuer != nil {
		a.Issuer = strings.TrimSpace(parsed.Issuer.Value)
	}
	if parsed.NameIDPolicy != nil {
		a.NameIDFormat = parsed.NameIDPolicy.Format
		if a.AllowCreate, err = parseBool(parsed.NameIDPolicy.AllowCreate); err != nil {
			return nil, fmt.Errorf("%w: AllowCreate: %w", ErrMalformedRequest, err)
		}
	}
	if a.ForceAuthn, err = parseBool(parsed.ForceAuthn); err != nil {
		return nil, fmt.Errorf("%w: ForceAuthn: %w", ErrMalformedRequest, err)
	}
	if a.IsPassive, err = parseBool(parsed.IsPassive); err != nil {
		return nil, fmt.Errorf("%w: IsPassive: %w", ErrMalformedRequest, err)
	}
	if binding == BindingHTTPRedirect {
		a.Signed = signedByRedirect
	} else {
		a.Signed = parsed.Signature != nil
	}
	return a, nil
}

func readForm(r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("%w: content type %q", ErrMalformedRequest, r.Header.Get("Content-Type"))
	}
	if r.Body == nil {
		return nil, fmt.Errorf("%w: no body", ErrMalformedRequest)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxEncodedRequestSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read body: %w", ErrMalformedRequest, err)
	}
	if len(body) > MaxEncodedRequestSize {
		return nil, ErrRequestTooLarge
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: form: %w", ErrMalformedRequest, err)
	}
	return form, nil
}

// rawParams holds the HTTP-Redirect binding parameters as they appear in the
// query string (still URL-encoded), which is what the signature covers.
type rawParams map[string]string

func (p rawParams) has(k string) bool { _, ok := p[k]; return ok }

func (p rawParams) value(k string) string {
	v, err := url.QueryUnescape(p[k])
	if err != nil {
		return ""
	}
	return v
}

func bindingParams(rawQuery string) (rawParams, error) {
	if len(rawQuery) > MaxEncodedRequestSize {
		return nil, ErrRequestTooLarge
	}
	p := rawParams{}
	for part := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("%w: query: %w", ErrMalformedRequest, err)
		}
		switch key {
		case "SAMLRequest", "RelayState", "SigAlg", "Signature", "SAMLEncoding":
		default:
			continue
		}
		if p.has(key) {
			return nil, fmt.Errorf("%w: parameter %s repeated", ErrMalformedRequest, key)
		}
		if _, err := url.QueryUnescape(v); err != nil {
			return nil, fmt.Errorf("%w: parameter %s: %w", ErrMalformedRequest, key, err)
		}
		p[key] = v
	}
	if enc := p.value("SAMLEncoding"); enc != "" && enc != "urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE" {
		return nil, fmt.Errorf("%w: unsupported SAMLEncoding %q", ErrMalformedRequest, enc)
	}
	return p, nil
}

// decodeMessage base64-decodes (tolerating line breaks, and spaces left by
// an unencoded "+") and, for HTTP-Redirect, inflates with a bound.
func decodeMessage(encoded string, deflated bool) ([]byte, error) {
	if len(encoded) > MaxEncodedRequestSize {
		return nil, ErrRequestTooLarge
	}
	cleaned := strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\t':
			return -1
		case ' ':
			return '+'
		}
		return r
	}, encoded)
	data, err := base64.StdEncoding.DecodeString(cleaned)
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %w", ErrMalformedRequest, err)
	}
	if !deflated {
		if len(data) > MaxRequestXMLSize {
			return nil, ErrRequestTooLarge
		}
		return data, nil
	}
	fr := flate.NewReader(bytes.NewReader(data))
	defer fr.Close()
	out, err := io.ReadAll(io.LimitReader(fr, MaxRequestXMLSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: inflate: %w", ErrMalformedRequest, err)
	}
	if len(out) > MaxRequestXMLSize {
		return nil, ErrRequestTooLarge
	}
	return out, nil
}

// parseAuthnRequestXML checks the token stream (no directives, a token cap,
// exactly one root element) and then decodes the namespace-pinned struct.
func parseAuthnRequestXML(data []byte) (*authnRequestXML, error) {
	if err := checkXML(data, MaxRequestXMLTokens); err != nil {
		return nil, err
	}
	var parsed authnRequestXML
	if err := xml.Unmarshal(data, &parsed); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedRequest, err)
	}
	if parsed.ID == "" {
		return nil, fmt.Errorf("%w: no ID", ErrMalformedRequest)
	}
	if parsed.Version != "2.0" {
		return nil, fmt.Errorf("%w: version %q", ErrMalformedRequest, parsed.Version)
	}
	return &parsed, nil
}

// checkXML walks the token stream: no directives (DOCTYPE, ENTITY), at most
// maxTokens tokens, one root element and nothing but whitespace, comments
// and processing instructions around it.
func checkXML(data []byte, maxTokens int) error {
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: not valid UTF-8", ErrMalformedRequest)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, roots, tokens := 0, 0, 0
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformedRequest, err)
		}
		tokens++
		if tokens > maxTokens {
			return ErrRequestTooLarge
		}
		switch t := tok.(type) {
		case xml.Directive:
			return ErrDTDNotAllowed
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return fmt.Errorf("%w: more than one root element", ErrMalformedRequest)
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("%w: text outside the root element", ErrMalformedRequest)
			}
		}
	}
	if roots != 1 {
		return fmt.Errorf("%w: no root element", ErrMalformedRequest)
	}
	return nil
}

func parseBool(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, fmt.Errorf("not an xs:boolean: %q", s)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	return time.Parse(time.RFC3339Nano, s)
}

// VerifySignature checks the request's signature with the SP's certificate.
//
// For HTTP-Redirect it verifies the Signature query parameter over
// "SAMLRequest=…&RelayState=…&SigAlg=…" built from the raw (still
// URL-encoded) query values of r, the same request a was parsed from; the
// SAMLRequest in r must decode to a.XML. For HTTP-POST it verifies the
// enveloped XML signature of a.XML with goxmldsig and checks that the signed
// content is the parsed one. RSA-SHA256 and RSA-SHA512 are accepted; SHA-1 is
// refused with [ErrUnsupportedAlgorithm]. A request without a signature
// returns [ErrUnsigned].
func (a *AuthnRequest) VerifySignature(r *http.Request, cert *x509.Certificate) error {
	if cert == nil {
		return errors.New("samlidp: no certificate to verify the authn request with")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: certificate key is not RSA", ErrUnsupportedAlgorithm)
	}
	if a.Binding == BindingHTTPPOST {
		return a.verifyXMLSignature(cert)
	}
	params, err := bindingParams(r.URL.RawQuery)
	if err != nil {
		return err
	}
	if !params.has("Signature") {
		return ErrUnsigned
	}
	sigAlg := params.value("SigAlg")
	var hash crypto.Hash
	switch sigAlg {
	case SignatureRSASHA256:
		hash = crypto.SHA256
	case SignatureRSASHA512:
		hash = crypto.SHA512
	default:
		return fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, sigAlg)
	}
	raw, err := decodeMessage(params.value("SAMLRequest"), true)
	if err != nil {
		return err
	}
	if !bytes.Equal(raw, a.XML) {
		return fmt.Errorf("%w: the request's SAMLRequest is not the parsed one", ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(params.value("Signature"), " ", "+"))
	if err != nil {
		return fmt.Errorf("%w: signature base64: %w", ErrBadSignature, err)
	}
	signed := "SAMLRequest=" + params["SAMLRequest"]
	if params.has("RelayState") {
		signed += "&RelayState=" + params["RelayState"]
	}
	signed += "&SigAlg=" + params["SigAlg"]
	h := hash.New()
	h.Write([]byte(signed))
	if err := rsa.VerifyPKCS1v15(pub, hash, h.Sum(nil), sig); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

func (a *AuthnRequest) verifyXMLSignature(cert *x509.Certificate) error {
	if !a.Signed {
		return ErrUnsigned
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(a.XML); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformedRequest, err)
	}
	root := doc.Root()
	for _, sig := range root.SelectElements("Signature") {
		si := sig.SelectElement("SignedInfo")
		if si == nil {
			continue
		}
		if sm := si.SelectElement("SignatureMethod"); sm != nil {
			switch alg := sm.SelectAttrValue("Algorithm", ""); alg {
			case SignatureRSASHA256, SignatureRSASHA512:
			default:
				return fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
			}
		}
		for _, ref := range si.SelectElements("Reference") {
			if dm := ref.SelectElement("DigestMethod"); dm != nil {
				switch alg := dm.SelectAttrValue("Algorithm", ""); alg {
				case DigestSHA256, DigestSHA512:
				default:
					return fmt.Errorf("%w: digest %q", ErrUnsupportedAlgorithm, alg)
				}
			}
		}
	}
	vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	verified, err := vctx.Validate(root)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	vdoc := etree.NewDocument()
	vdoc.SetRoot(verified)
	vbytes, err := vdoc.WriteToBytes()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	var signedReq authnRequestXML
	if err := xml.Unmarshal(vbytes, &signedReq); err != nil {
		return fmt.Errorf("%w: signed content: %w", ErrBadSignature, err)
	}
	issuer := ""
	if signedReq.Issuer != nil {
		issuer = strings.TrimSpace(signedReq.Issuer.Value)
	}
	if signedReq.ID != a.ID || issuer != a.Issuer || signedReq.ACSURL != a.AssertionConsumerServiceURL ||
		signedReq.Destination != a.Destination || signedReq.ProtocolBinding != a.ProtocolBinding {
		return fmt.Errorf("%w: signed content differs from the parsed request", ErrBadSignature)
	}
	return nil
}
