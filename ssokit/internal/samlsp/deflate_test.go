package samlsp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"strings"
	"testing"

	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"
)

func deflate(t *testing.T, raw []byte, level int) string {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// TestDeflatedResponseRefused: gosaml2 inflates a SAMLResponse that etree
// cannot parse and verifies the result, so a deflated, validly signed
// response passes the library with its default settings. Validate must
// refuse it as malformed: only the bytes the pre-scan read may be verified.
// The pre-scan refuses these bytes, and verify parses exactly them; the
// oracle runLibrary is held to the same with a one-byte inflate cap.
func TestDeflatedResponseRefused(t *testing.T) {
	t.Parallel()
	s := testSettings(t)
	raw := mustDecode(t, build(t, goodResponse(), idpKey(t)))
	for _, level := range []int{flate.BestCompression, flate.NoCompression, flate.HuffmanOnly} {
		enc := deflate(t, raw, level)
		// The threat: the library with its default settings accepts it.
		lib := &saml2.SAMLServiceProvider{
			IdentityProviderIssuer:      s.IDPEntityID,
			AssertionConsumerServiceURL: s.ACSURL,
			AudienceURI:                 s.SPEntityID,
			IDPCertificateStore:         &certStore{certs: s.IDPCertificates},
			Clock:                       dsig.NewFakeClockAt(testNow),
			AllowMissingAttributes:      true,
		}
		if _, err := lib.ValidateEncodedResponse(enc); err != nil {
			t.Fatalf("level %d: gosaml2 no longer inflates (%v); this test's premise is gone", level, err)
		}
		// The library as Validate configures it refuses it on its own.
		if _, err := s.runLibrary(enc, s.IDPCertificates, nil, testNow); err == nil {
			t.Errorf("level %d: runLibrary verified a deflated response", level)
		}
		expectReason(t, s, enc, solicited, testNow, ReasonMalformed)
	}
	expectReason(t, s, base64.StdEncoding.EncodeToString(raw), solicited, testNow, "")
}

// TestTokenBound: documents over gosaml2's token bound (three tokens per
// '<') are refused by the pre-scan before any parsing.
func TestTokenBound(t *testing.T) {
	t.Parallel()
	good := mustDecode(t, build(t, goodResponse(), idpKey(t)))
	for _, tt := range []struct {
		name string
		raw  []byte
		ok   bool
	}{
		{"signed response", good, true},
		{"token bound", []byte("<a>" + strings.Repeat("<b/>", maxXMLTokens/3) + "</a>"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, e := testSettings(t).prescan(tt.raw)
			if tt.ok != (e == nil) || (e != nil && e.Reason != ReasonMalformed) {
				t.Fatalf("prescan = %v, want ok=%v", e, tt.ok)
			}
		})
	}
}
