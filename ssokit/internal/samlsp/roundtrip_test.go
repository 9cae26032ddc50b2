package samlsp

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"

	rtvalidator "github.com/mattermost/xml-roundtrip-validator"
)

// stableDocument runs the stability check over every token of raw, read the
// way the validator reads a document (non-strict, any declared charset).
func stableDocument(raw []byte) error {
	st := newStability()
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	d.CharsetReader = passCharset
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := st.check(tok); err != nil {
			return err
		}
	}
}

// stabilityCases are documents on both sides of the line. The constructs
// behind the three CVEs no longer change in a round trip on the Go this
// module requires: its decoder refuses names with two colons and reads back
// what it writes for the rest. The check stays for constructs nobody has
// found yet; TestStabilityCatchesChanges shows it catches a change.
var stabilityCases = []struct {
	name   string
	doc    string
	stable bool // false: refused (a syntax error or a change)
}{
	{"plain element", `<a>text</a>`, true},
	{"prefixed element and attribute", `<p:a xmlns:p="urn:x" p:b="1">t</p:a>`, true},
	{"default namespace", `<a xmlns="urn:x"><b c="d"/></a>`, true},
	{"two prefixed attributes", `<a xmlns:p="urn:p" xmlns:q="urn:q" p:x="1" q:y="2"/>`, true},
	{"xml declaration", `<?xml version="1.0" encoding="UTF-8"?><a/>`, true},
	{"comment", `<a><!-- note --></a>`, true},
	{"entities in text and attributes", `<a b="&lt;&amp;&quot;">&lt;x&gt; &amp; y</a>`, true},
	{"CDATA", `<a><![CDATA[<not markup>]]></a>`, true},
	{"character references", `<a b="&#xD;&#x9;">&#xD;&#xA;&#x9;&#x10000;é</a>`, true},
	{"control character reference", `<a>&#x1;</a>`, false},
	{"empty CDATA section", `<a><![CDATA[]]></a>`, false},
	{"xsi:type value", `<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">v</a>`, true},
	{"saml response", samlLike, true},

	// CVE-2020-29511 and CVE-2020-29509: prefixes on element and
	// attribute names.
	{"empty element prefix", `<:a>x</:a>`, true},
	{"colon-leading end tag", `<a></:a>`, true},
	{"empty attribute prefix", `<a :b="x"/>`, true},
	{"empty attribute local", `<a x:="1"/>`, true},
	{"xmlns with empty local", `<a xmlns:="urn:x"/>`, true},
	{"two colons in element name", `<a:b:c xmlns:a="urn:a">x</a:b:c>`, false},
	{"two colons in attribute name", `<a xmlns:p="urn:p" p:b:c="x"/>`, false},
	{"double colon element", `<x::Root/>`, false},
	{"end tag whose local part is not a name", `<a></A:0>`, false},
	// CVE-2020-29510: directives.
	{"directive with a comment", `<!DOCTYPE a [<!-- c --> ]><a/>`, true},
	{"directive with a quoted bracket", `<!DOCTYPE a [<!ENTITY e "]>">]><a/>`, true},
	{"nested comment openers", `<Root><! <<!-- -->!-- x --> y></Root>`, true},
}

const samlLike = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0">` +
	`<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://idp.example.org</saml:Issuer>` +
	`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>` +
	`<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:SignedInfo></ds:Signature>` +
	`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="_a">` +
	`<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">ada@example.com</saml:AttributeValue>` +
	`</saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>`

// TestStabilityMatchesValidator holds the stability check to the verdicts
// of github.com/mattermost/xml-roundtrip-validator, document by document.
func TestStabilityMatchesValidator(t *testing.T) {
	t.Parallel()
	for _, tc := range stabilityCases {
		t.Run(tc.name, func(t *testing.T) {
			ours := stableDocument([]byte(tc.doc))
			theirs := rtvalidator.Validate(bytes.NewReader([]byte(tc.doc)))
			if (ours == nil) != (theirs == nil) {
				t.Fatalf("stability check: %v; validator: %v", ours, theirs)
			}
			if (ours == nil) != tc.stable {
				t.Fatalf("stable = %v, want %v (%v)", ours == nil, tc.stable, ours)
			}
		})
	}
}

// TestStabilityCatchesChanges feeds the check tokens that do change when
// written and read back, as a decoder would produce them if it split names
// differently from the encoder, and tokens that only look different because
// the encoder declared the prefixes it was given.
func TestStabilityCatchesChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tok    xml.Token
		stable bool
	}{
		{"colon inside an element local name", xml.StartElement{Name: xml.Name{Local: "saml:Assertion"}}, false},
		{"colon inside an end tag local name", xml.EndElement{Name: xml.Name{Local: "saml:Assertion"}}, false},
		{"colon inside an attribute local name", xml.StartElement{Name: xml.Name{Local: "a"},
			Attr: []xml.Attr{{Name: xml.Name{Local: "p:ID"}, Value: "x"}}}, false},
		{"prefixed element", xml.StartElement{Name: xml.Name{Space: "saml", Local: "Assertion"}}, true},
		{"prefixed element and attributes", xml.StartElement{Name: xml.Name{Space: "saml", Local: "Assertion"},
			Attr: []xml.Attr{{Name: xml.Name{Local: "ID"}, Value: "_a"}, {Name: xml.Name{Space: "xsi", Local: "type"}, Value: "t"},
				{Name: xml.Name{Space: "xmlns", Local: "saml"}, Value: nsAssertion}}}, true},
		{"prefixed end tag", xml.EndElement{Name: xml.Name{Space: "saml", Local: "Assertion"}}, true},
		{"end tag whose local part is not a name", xml.EndElement{Name: xml.Name{Space: "A", Local: "0"}}, false},
		{"text", xml.CharData("ada@example.com <&>"), true},
		{"text with a carriage return and a tab", xml.CharData("a\r\n\tb"), true},
		{"text with a control character", xml.CharData("a\x01b"), false},
		{"text with invalid UTF-8", xml.CharData("a\xffb"), false},
		{"text with U+FFFE", xml.CharData("a\uFFFEb"), false},
		{"empty text", xml.CharData(""), false},
		{"comment", xml.Comment(" c "), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := newStability().check(tc.tok)
			if (err == nil) != tc.stable {
				t.Fatalf("check = %v, want stable=%v", err, tc.stable)
			}
		})
	}
}

// TestPrescanRefusesNonQNames: a name encoding/xml leaves unsplit (an empty
// prefix or local part) is not a QName; etree might read it otherwise, so
// the pre-scan refuses it rather than let the two parsers disagree.
func TestPrescanRefusesNonQNames(t *testing.T) {
	t.Parallel()
	s := testSettings(t)
	raw := mustDecode(t, build(t, goodResponse(), idpKey(t)))
	if _, e := s.prescan(raw); e != nil {
		t.Fatalf("intact response refused: %v", e.Err)
	}
	i := bytes.Index(raw, []byte(" ID="))
	j := bytes.Index(raw, []byte("</samlp:Response>"))
	for name, edit := range map[string]func() []byte{
		"empty attribute prefix": func() []byte { return splice(raw, i, ` :ID="x"`) },
		"empty attribute local":  func() []byte { return splice(raw, i, ` p:="x"`) },
		"empty element prefix":   func() []byte { return splice(raw, j, `<:Assertion xmlns="`+nsAssertion+`"></:Assertion>`) },
	} {
		t.Run(name, func(t *testing.T) {
			_, e := s.prescan(edit())
			if e == nil || e.Reason != ReasonMalformed {
				t.Fatalf("prescan = %v, want malformed", e)
			}
		})
	}
}

func splice(b []byte, at int, s string) []byte {
	return append(append(append([]byte(nil), b[:at]...), s...), b[at:]...)
}

// FuzzStability: on any input, the stability check and the validator agree
// on whether the document survives a round trip, and neither panics.
func FuzzStability(f *testing.F) {
	for _, tc := range stabilityCases {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		ours := stableDocument(doc)
		theirs := rtvalidator.Validate(bytes.NewReader(doc))
		if (ours == nil) != (theirs == nil) {
			t.Fatalf("stability check: %v; validator: %v", ours, theirs)
		}
	})
}
