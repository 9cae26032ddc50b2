package samlsp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
)

// XML namespaces the pre-scan resolves.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
	nsXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
	nsXML       = "http://www.w3.org/XML/1998/namespace"
	nsXMLNS     = "http://www.w3.org/2000/xmlns/"

	statusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success"
)

// Structural limits of the pre-scan. SAML Responses from real IdPs are about
// a dozen levels deep and carry a handful of attributes per element.
const (
	maxDepth        = 64
	maxAttrsPerElem = 128
	// maxXMLTokens bounds the document at 3 tokens per '<', as gosaml2's
	// default MaximumXMLTokens did.
	maxXMLTokens = 50000
)

// kind is the role of an element the pre-scan cares about.
type kind uint8

const (
	kOther kind = iota
	kResponse
	kStatus
	kStatusCode
	kAssertion
	kEncryptedAssertion
	kSubjectConfirmation
	kSubjectConfirmationData
	kSignature
	kSignedInfo
	kSignatureMethod
	kReference
	kDigestMethod
	kKeyInfo
	kKeyValue
	kX509Data
	kX509Certificate
	kEncryptionMethod
	kEncryptedKey
)

func classify(uri, local string) kind {
	switch uri {
	case nsProtocol:
		switch local {
		case "Response":
			return kResponse
		case "Status":
			return kStatus
		case "StatusCode":
			return kStatusCode
		}
	case nsAssertion:
		switch local {
		case "Assertion":
			return kAssertion
		case "EncryptedAssertion":
			return kEncryptedAssertion
		case "SubjectConfirmation":
			return kSubjectConfirmation
		case "SubjectConfirmationData":
			return kSubjectConfirmationData
		}
	case nsDSig:
		switch local {
		case "Signature":
			return kSignature
		case "SignedInfo":
			return kSignedInfo
		case "SignatureMethod":
			return kSignatureMethod
		case "Reference":
			return kReference
		case "DigestMethod":
			return kDigestMethod
		case "KeyInfo":
			return kKeyInfo
		case "KeyValue":
			return kKeyValue
		case "X509Data":
			return kX509Data
		case "X509Certificate":
			return kX509Certificate
		}
	case nsXMLEnc:
		switch local {
		case "EncryptionMethod":
			return kEncryptionMethod
		case "EncryptedKey":
			return kEncryptedKey
		}
	}
	return kOther
}

// sigInfo describes one ds:Signature element found in the document.
type sigInfo struct {
	parentKind  kind
	parentDepth int
	parentID    string
	// refersToParent: a Reference URI selects the parent element, by the same
	// rule goxmldsig applies (empty URI, or URI[1:] equal to the parent ID).
	refersToParent bool
	keyInfo        bool
	keyValue       bool   // KeyInfo carries a bare key
	inAssertion    bool   // the Signature sits inside the (plaintext) Assertion
	cert           []byte // first X509Certificate text in KeyInfo, as sent
	certSeen       bool
}

// scan is what one pass over the raw document learned. It is advisory for
// everything verify checks again on the signed elements, and authoritative
// for the policy checks (algorithms, assertion count, KeyInfo trust).
type scan struct {
	statusCode, subStatusCode string

	assertions      int  // Assertion + EncryptedAssertion, anywhere
	encrypted       bool // at least one EncryptedAssertion
	nestedAssertion bool // an assertion that is not a direct child of the root

	sigs []sigInfo

	weakAlg string // first refused algorithm

	subjectConfirmations int
	scds                 int

	// doc is the document as etree would have read it, built from the same
	// tokens (etree reads with encoding/xml's RawToken too), so that the
	// verifier does not tokenize the bytes a second time.
	doc *etree.Document
}

// responseSigned reports whether the root carries its own enveloped
// signature.
func (sc *scan) responseSigned() bool {
	for i := range sc.sigs {
		if sc.sigs[i].parentDepth == 0 && sc.sigs[i].refersToParent {
			return true
		}
	}
	return false
}

// assertionSigned reports whether the plaintext assertion (a direct child of
// the root) carries its own enveloped signature.
func (sc *scan) assertionSigned() bool {
	for i := range sc.sigs {
		s := &sc.sigs[i]
		if s.parentKind == kAssertion && s.parentDepth == 1 && s.refersToParent {
			return true
		}
	}
	return false
}

// signatureInAssertion reports a Signature anywhere inside the plaintext
// assertion. Without one, goxmldsig would find none to check there.
func (sc *scan) signatureInAssertion() bool {
	for i := range sc.sigs {
		if sc.sigs[i].inAssertion {
			return true
		}
	}
	return false
}

// envelopedSignature reports a Signature placed as a direct child of the
// root or of the plaintext assertion, whether or not it references them.
func (sc *scan) envelopedSignature() bool {
	for i := range sc.sigs {
		s := &sc.sigs[i]
		if s.parentDepth == 0 || (s.parentKind == kAssertion && s.parentDepth == 1) {
			return true
		}
	}
	return false
}

type nsDecl struct{ prefix, uri string }

type frame struct {
	prefix, local string // as written, to match the end tag
	kind          kind
	nsMark        int    // len(decls) before this element's declarations
	id            string // ID attribute of Response and Assertion
	sig           int    // index in scan.sigs of the enclosing Signature, or -1
	inEncKey      bool   // inside an xenc:EncryptedKey
	inAssertion   bool   // inside the Assertion
}

var errMalformed = errors.New("malformed")

// prescan walks the document once with encoding/xml's tokenizer. It refuses
// what must never reach the library (directives, several roots, trailing
// content, duplicate attributes or IDs, excessive depth) and records what the
// policy needs. The returned error, if any, is an *Error.
func (s *Settings) prescan(raw []byte) (*scan, *Error) {
	return s.prescanAs(raw, kResponse)
}

// prescanAs is prescan for a document whose root is of kind root: the
// Response, or the Assertion decrypted from an EncryptedAssertion.
func (s *Settings) prescanAs(raw []byte, root kind) (*scan, *Error) {
	if bound := 3*bytes.Count(raw, []byte("<")) + 1; bound > maxXMLTokens {
		return nil, fail(ReasonMalformed, "samlsp: document has too many xml tokens")
	}
	sc := &scan{doc: etree.NewDocument()}
	tree := etreeBuilder{parent: &sc.doc.Element}
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = true
	st := newStability()

	var (
		stack    = make([]frame, 0, 24)
		decls    = make([]nsDecl, 0, 16)
		ids      = make(map[string]struct{}, 4)
		text     []byte // accumulates X509Certificate text
		capture  int    // stack depth of the X509Certificate being read, or 0
		rootSeen bool
		started  bool // any token seen
	)
	lookup := func(prefix string) (string, bool) {
		if prefix == "xml" {
			return nsXML, true
		}
		for i := len(decls) - 1; i >= 0; i-- {
			if decls[i].prefix == prefix {
				return decls[i].uri, true
			}
		}
		return "", prefix == ""
	}
	malformed := func(detail string) (*scan, *Error) {
		return nil, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: %s: %w", detail, errMalformed))
	}

	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: xml syntax: %w", err))
		}
		if err := st.check(tok); err != nil {
			return nil, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: %w", err))
		}
		first := !started
		started = true
		switch t := tok.(type) {
		case xml.ProcInst:
			// Only the XML declaration, and only first. encoding/xml has
			// already refused an encoding other than UTF-8.
			if t.Target != "xml" || !first {
				return malformed("processing instruction")
			}
			tree.parent.CreateProcInst(t.Target, string(t.Inst))
		case xml.Directive:
			return malformed("DOCTYPE or other directive")
		case xml.Comment:
			tree.parent.CreateComment(string(t))
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) != 0 {
				return malformed("text outside the root element")
			}
			tree.text(string(t))
			if len(stack) == 0 {
				continue
			}
			if capture != 0 && len(stack) == capture {
				// Direct text only, as goxmldsig reads it.
				text = append(text, t...)
			}
		case xml.StartElement:
			if len(stack) == 0 && rootSeen {
				return malformed("more than one root element")
			}
			if len(stack) >= maxDepth {
				return malformed("document is nested too deeply")
			}
			if len(t.Attr) > maxAttrsPerElem {
				return malformed("too many attributes")
			}
			if !qname(t.Name) {
				return malformed("element name is not a QName")
			}
			mark := len(decls)
			for i, a := range t.Attr {
				if !qname(a.Name) {
					return malformed("attribute name is not a QName")
				}
				// Attribute pollution (security.md item 26): etree's
				// SelectAttr("ID") matches an ID in any namespace, even an
				// xmlns:ID declaration, and encoding/xml fills a field
				// from the last attribute of that local name, whatever
				// its prefix (xmlns included). Refuse every such
				// ambiguity so that the libraries and this scan read the
				// same values.
				if a.Name.Local == "ID" && a.Name.Space != "" {
					return malformed("prefixed ID attribute")
				}
				for _, b := range t.Attr[:i] {
					if a.Name.Local == b.Name.Local {
						return malformed("duplicate attribute")
					}
				}
				switch {
				case a.Name.Space == "xmlns" && !reservedOK(a.Name.Local, a.Value):
					// etree would honour what encoding/xml ignores
					// (an xmlns:xml redeclaration), so refuse it.
					return malformed("reserved namespace prefix or name redeclared")
				case a.Name.Space == "" && a.Name.Local == "xmlns" && (a.Value == nsXML || a.Value == nsXMLNS):
					return malformed("reserved namespace name as the default namespace")
				case a.Name.Space == "xmlns":
					decls = append(decls, nsDecl{a.Name.Local, a.Value})
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					decls = append(decls, nsDecl{"", a.Value})
				}
			}
			uri, ok := lookup(t.Name.Space)
			if !ok {
				return malformed("unbound namespace prefix")
			}
			k := classify(uri, t.Name.Local)
			f := frame{prefix: t.Name.Space, local: t.Name.Local, kind: k, nsMark: mark, sig: -1}
			var parent *frame
			if n := len(stack); n > 0 {
				parent = &stack[n-1]
				f.sig = parent.sig
				f.inEncKey = parent.inEncKey
				f.inAssertion = parent.inAssertion
			}
			depth := len(stack)
			var id string
			for _, a := range t.Attr {
				if a.Name.Space == "" && a.Name.Local == "ID" {
					id = a.Value
					if _, dup := ids[id]; dup {
						return malformed("duplicate ID")
					}
					ids[id] = struct{}{}
				}
			}

			switch k {
			case kResponse:
				f.id = id
			case kStatusCode:
				if parent != nil && parent.kind == kStatus && depth == 2 {
					sc.statusCode = attr(t.Attr, "Value")
				} else if parent != nil && parent.kind == kStatusCode && depth == 3 && sc.subStatusCode == "" {
					sc.subStatusCode = attr(t.Attr, "Value")
				}
			case kAssertion, kEncryptedAssertion:
				sc.assertions++
				if depth != 1 && !(root == kAssertion && depth == 0) {
					sc.nestedAssertion = true
				}
				if k == kEncryptedAssertion {
					sc.encrypted = true
				}
				f.id = id
				f.inAssertion = true
			case kSubjectConfirmation:
				if f.inAssertion {
					sc.subjectConfirmations++
				}
			case kSubjectConfirmationData:
				if f.inAssertion {
					sc.scds++
				}
			case kSignature:
				si := sigInfo{parentDepth: depth - 1, inAssertion: f.inAssertion}
				if parent != nil {
					si.parentKind = parent.kind
					si.parentID = parent.id
				}
				sc.sigs = append(sc.sigs, si)
				f.sig = len(sc.sigs) - 1
			case kReference:
				if f.sig >= 0 && parent != nil && parent.kind == kSignedInfo {
					si := &sc.sigs[f.sig]
					if u := attr(t.Attr, "URI"); u == "" || u[1:] == si.parentID {
						si.refersToParent = true
					}
				}
			case kSignatureMethod:
				if alg := attr(t.Attr, "Algorithm"); !s.signatureMethodAllowed(alg) && sc.weakAlg == "" {
					sc.weakAlg = alg
				}
			case kDigestMethod:
				if parent != nil && parent.kind == kReference {
					if alg := attr(t.Attr, "Algorithm"); !s.digestMethodAllowed(alg) && sc.weakAlg == "" {
						sc.weakAlg = alg
					}
				}
			case kEncryptionMethod:
				if alg := attr(t.Attr, "Algorithm"); !s.encryptionMethodAllowed(alg) && sc.weakAlg == "" {
					sc.weakAlg = alg
				}
			case kEncryptedKey:
				f.inEncKey = true
			case kKeyInfo:
				if f.sig >= 0 && parent != nil && parent.kind == kSignature {
					sc.sigs[f.sig].keyInfo = true
				}
			case kKeyValue:
				if f.sig >= 0 && parent != nil && parent.kind == kKeyInfo && !f.inEncKey {
					sc.sigs[f.sig].keyValue = true
				}
			case kX509Certificate:
				if !f.inEncKey && f.sig >= 0 && !sc.sigs[f.sig].certSeen && depth >= 3 &&
					stack[depth-1].kind == kX509Data && stack[depth-2].kind == kKeyInfo && stack[depth-3].kind == kSignature {
					// Signature/KeyInfo/X509Data/X509Certificate: the one
					// goxmldsig reads (the first).
					capture, text = depth+1, text[:0]
				}
			}
			stack = append(stack, f)
			tree.start(t)
			if depth == 0 {
				rootSeen = true
				if k != root {
					if root == kAssertion {
						return malformed("decrypted root element is not a saml:Assertion")
					}
					return malformed("root element is not a samlp:Response")
				}
			}
		case xml.EndElement:
			n := len(stack)
			if n == 0 {
				return malformed("unexpected end tag")
			}
			f := stack[n-1]
			if f.prefix != t.Name.Space || f.local != t.Name.Local {
				return malformed("mismatched end tag")
			}
			if f.kind == kX509Certificate && capture == n {
				sc.sigs[f.sig].cert = append([]byte(nil), text...)
				sc.sigs[f.sig].certSeen = true
				capture = 0
			}
			decls = decls[:f.nsMark]
			stack = stack[:n-1]
			tree.end()
		}
	}
	if !rootSeen {
		return malformed("no root element")
	}
	if len(stack) != 0 {
		return malformed("unclosed element")
	}
	return sc, nil
}

// reservedOK applies the Namespaces in XML constraints on the reserved
// prefixes and names to the declaration xmlns:prefix="uri": xml may only be
// bound to its own name, xmlns never, and neither name to another prefix.
func reservedOK(prefix, uri string) bool {
	switch {
	case prefix == "xmlns", uri == nsXMLNS:
		return false
	case prefix == "xml":
		return uri == nsXML
	}
	return uri != nsXML
}

// qname reports whether n, as RawToken split it, is a QName: encoding/xml
// leaves a name with an empty prefix or local part (":a", "a:") whole in
// Local, where another parser might split it.
func qname(n xml.Name) bool {
	return n.Local != "" && !strings.Contains(n.Local, ":") && !strings.Contains(n.Space, ":")
}

// etreeBuilder builds an etree document from RawToken tokens exactly as
// etree's own reader does (same element and attribute split, whitespace
// flag on text, no CDATA preserved), through its public API.
type etreeBuilder struct {
	parent *etree.Element   // where the next token goes
	open   []*etree.Element // the parents of parent
}

func (b *etreeBuilder) start(t xml.StartElement) {
	tag := t.Name.Local
	if t.Name.Space != "" {
		tag = t.Name.Space + ":" + tag
	}
	el := b.parent.CreateElement(tag)
	for _, a := range t.Attr {
		key := a.Name.Local
		if a.Name.Space != "" {
			key = a.Name.Space + ":" + key
		}
		el.CreateAttr(key, a.Value)
	}
	b.open = append(b.open, b.parent)
	b.parent = el
}

func (b *etreeBuilder) end() {
	b.parent = b.open[len(b.open)-1]
	b.open = b.open[:len(b.open)-1]
}

func (b *etreeBuilder) text(data string) {
	b.parent.CreateText(data).SetData(data) // SetData sets the whitespace flag
}

// attr returns the value of the unprefixed attribute local, or "".
func attr(attrs []xml.Attr, local string) string {
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// isSpace reports whether b is XML whitespace.
func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// stripSpace removes XML whitespace, as found in wrapped base64 text.
func stripSpace(b []byte) []byte {
	if bytes.IndexFunc(b, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) }) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if !isSpace(c) {
			out = append(out, c)
		}
	}
	return out
}
