package samlmeta

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/url"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// SignatureRSASHA256 is the only SigAlg this package signs with.
const SignatureRSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

// MaxRelayStateSize is the SAML bindings limit on RelayState (§3.4.3, §3.5.3).
const MaxRelayStateSize = 80

// Key is an SP signing key with its certificate (published in SP metadata
// and carried in the KeyInfo of POST-binding request signatures).
type Key struct {
	PrivateKey  *rsa.PrivateKey
	Certificate *x509.Certificate
}

// AuthnRequest is the SP's SAML 2.0 AuthnRequest. The response is always
// requested with the HTTP-POST binding.
type AuthnRequest struct {
	// ID is the request ID; the response must carry it in InResponseTo.
	// Default: generated ("_" and 40 hex digits). Store it with the flow.
	ID string
	// Issuer is the SP entity id. Required.
	Issuer string
	// Destination is the IdP SSO URL the request is sent to; empty omits
	// the attribute (RedirectURL and PostForm fill it from ssoURL when empty).
	Destination string
	// ACSURL is AssertionConsumerServiceURL. Required.
	ACSURL string
	// NameIDFormat is NameIDPolicy/@Format. Default:
	// [NameIDFormatEmailAddress]; use [NameIDFormatUnspecified] for IdPs
	// such as ADFS that answer InvalidNameIDPolicy otherwise.
	NameIDFormat string
	// ForceAuthn asks the IdP to re-authenticate the user.
	ForceAuthn bool
	// IssueInstant is written as IssueInstant. Required.
	IssueInstant time.Time
}

// XML returns the request document (no XML declaration, no signature),
// deterministic for the same fields. When ID is empty a fresh one is
// generated for this call only; set ID to keep it.
func (a *AuthnRequest) XML() ([]byte, error) {
	el, err := a.element(a.Destination)
	if err != nil {
		return nil, err
	}
	return serialize(el)
}

func (a *AuthnRequest) element(destination string) (*etree.Element, error) {
	if a.Issuer == "" {
		return nil, fmt.Errorf("%w: AuthnRequest.Issuer is required", ErrInvalidInput)
	}
	if err := checkEndpoint("AuthnRequest.ACSURL", a.ACSURL, true); err != nil {
		return nil, err
	}
	if a.IssueInstant.IsZero() {
		return nil, fmt.Errorf("%w: AuthnRequest.IssueInstant is required", ErrInvalidInput)
	}
	id := a.ID
	if id == "" {
		id = newID()
	}
	el := etree.NewElement("samlp:AuthnRequest")
	el.CreateAttr("xmlns:samlp", NamespaceProtocol)
	el.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	el.CreateAttr("ID", id)
	el.CreateAttr("Version", "2.0")
	el.CreateAttr("IssueInstant", a.IssueInstant.UTC().Format("2006-01-02T15:04:05.999Z"))
	if destination != "" {
		el.CreateAttr("Destination", destination)
	}
	el.CreateAttr("AssertionConsumerServiceURL", a.ACSURL)
	el.CreateAttr("ProtocolBinding", BindingHTTPPOST)
	if a.ForceAuthn {
		el.CreateAttr("ForceAuthn", "true")
	}
	el.CreateElement("saml:Issuer").SetText(a.Issuer)
	policy := el.CreateElement("samlp:NameIDPolicy")
	policy.CreateAttr("Format", orDefault(a.NameIDFormat, NameIDFormatEmailAddress))
	policy.CreateAttr("AllowCreate", "true")
	return el, nil
}

// RedirectURL returns ssoURL with the HTTP-Redirect binding parameters
// appended (ssoURL may already carry a query): SAMLRequest (deflated,
// base64), RelayState when not empty, and, when signer is not nil, SigAlg
// (RSA-SHA256) and Signature over "SAMLRequest=…&RelayState=…&SigAlg=…" as
// the bindings spec §3.4.4.1 defines. Destination defaults to ssoURL.
func (a *AuthnRequest) RedirectURL(ssoURL, relayState string, signer *rsa.PrivateKey) (string, error) {
	u, err := a.target(ssoURL, relayState)
	if err != nil {
		return "", err
	}
	el, err := a.element(orDefault(a.Destination, ssoURL))
	if err != nil {
		return "", err
	}
	raw, err := serialize(el)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return "", fmt.Errorf("samlmeta: deflate: %w", err)
	}
	if _, err := fw.Write(raw); err != nil {
		return "", fmt.Errorf("samlmeta: deflate: %w", err)
	}
	if err := fw.Close(); err != nil {
		return "", fmt.Errorf("samlmeta: deflate: %w", err)
	}
	q := "SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(buf.Bytes()))
	if relayState != "" {
		q += "&RelayState=" + url.QueryEscape(relayState)
	}
	if signer != nil {
		q += "&SigAlg=" + url.QueryEscape(SignatureRSASHA256)
		digest := sha256.Sum256([]byte(q))
		sig, err := rsa.SignPKCS1v15(rand.Reader, signer, crypto.SHA256, digest[:])
		if err != nil {
			return "", fmt.Errorf("samlmeta: sign authn request: %w", err)
		}
		q += "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + q
	} else {
		u.RawQuery = q
	}
	return u.String(), nil
}

// PostForm returns an HTML page that POSTs the request to ssoURL with the
// HTTP-POST binding (SAMLRequest base64-encoded, RelayState when not
// empty). When signer is not nil the request carries an enveloped XML
// signature (RSA-SHA256, exclusive canonicalization, placed after Issuer,
// with the signer's certificate in KeyInfo). Destination defaults to ssoURL.
func (a *AuthnRequest) PostForm(ssoURL, relayState string, signer *Key) ([]byte, error) {
	if _, err := a.target(ssoURL, relayState); err != nil {
		return nil, err
	}
	el, err := a.element(orDefault(a.Destination, ssoURL))
	if err != nil {
		return nil, err
	}
	if signer != nil {
		if signer.PrivateKey == nil || signer.Certificate == nil {
			return nil, fmt.Errorf("%w: signer needs a private key and a certificate", ErrInvalidInput)
		}
		ctx, err := dsig.NewSigningContext(signer.PrivateKey, [][]byte{signer.Certificate.Raw})
		if err != nil {
			return nil, fmt.Errorf("samlmeta: signing context: %w", err)
		}
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
		sig, err := ctx.ConstructSignature(el, true)
		if err != nil {
			return nil, fmt.Errorf("samlmeta: sign authn request: %w", err)
		}
		el.InsertChildAt(1, sig) // after saml:Issuer, the first child
	}
	raw, err := serialize(el)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tmpl := template.Must(template.New("post").Parse(postFormHTML))
	err = tmpl.Execute(&buf, struct{ Action, Message, RelayState string }{ssoURL, base64.StdEncoding.EncodeToString(raw), relayState})
	if err != nil {
		return nil, fmt.Errorf("samlmeta: render post form: %w", err)
	}
	return buf.Bytes(), nil
}

// target validates ssoURL (absolute http(s), no fragment) and relayState.
func (a *AuthnRequest) target(ssoURL, relayState string) (*url.URL, error) {
	if err := checkEndpoint("ssoURL", ssoURL, true); err != nil {
		return nil, err
	}
	if len(relayState) > MaxRelayStateSize {
		return nil, fmt.Errorf("%w: RelayState longer than %d bytes", ErrInvalidInput, MaxRelayStateSize)
	}
	u, err := url.Parse(ssoURL)
	if err != nil {
		return nil, fmt.Errorf("%w: ssoURL: %w", ErrInvalidInput, err)
	}
	return u, nil
}

const postFormHTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Signing in…</title></head>
<body>
<form id="saml-post" method="post" action="{{.Action}}">
<input type="hidden" name="SAMLRequest" value="{{.Message}}">
{{- if .RelayState}}
<input type="hidden" name="RelayState" value="{{.RelayState}}">
{{- end}}
<noscript><p>JavaScript is off. Press the button to continue.</p><button type="submit">Continue</button></noscript>
</form>
<script>document.getElementById("saml-post").submit();</script>
</body>
</html>
`

func serialize(el *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el)
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("samlmeta: serialize: %w", err)
	}
	return out, nil
}

func newID() string {
	var b [20]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "_" + hex.EncodeToString(b[:])
}
