package samlsp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"strings"
	"testing"
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
// response passes the library on its own. Validate must refuse it as
// malformed: only the bytes the pre-scan read may be verified.
func TestDeflatedResponseRefused(t *testing.T) {
	t.Parallel()
	s := testSettings(t)
	raw := mustDecode(t, build(t, goodResponse(), idpKey(t)))
	for _, level := range []int{flate.BestCompression, flate.NoCompression, flate.HuffmanOnly} {
		enc := deflate(t, raw, level)
		// The threat: the library alone accepts it.
		if _, err := s.runLibrary(enc, s.IDPCertificates, nil, testNow.Add(-s.skew())); err != nil {
			t.Fatalf("level %d: gosaml2 no longer inflates (%v); this test's premise is gone", level, err)
		}
		expectReason(t, s, enc, solicited, testNow, ReasonMalformed)
	}
	expectReason(t, s, base64.StdEncoding.EncodeToString(raw), solicited, testNow, "")
}

// TestLibraryReadsRaw: the guard refuses exactly what would send gosaml2
// down its inflate path: bytes etree does not parse, or more tokens than
// the library's bound.
func TestLibraryReadsRaw(t *testing.T) {
	t.Parallel()
	good := mustDecode(t, build(t, goodResponse(), idpKey(t)))
	deflated, err := base64.StdEncoding.DecodeString(deflate(t, good, flate.BestCompression))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		raw  []byte
		ok   bool
	}{
		{"signed response", good, true},
		{"deflated response", deflated, false},
		{"mismatched end tag", []byte(`<a></b>`), false},
		{"no root", []byte(`<!-- c -->`), false},
		{"empty", nil, false},
		{"token bound", []byte("<a>" + strings.Repeat("<b/>", maxXMLTokens/3) + "</a>"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := libraryReadsRaw(tt.raw)
			if tt.ok != (e == nil) || (e != nil && e.Reason != ReasonMalformed) {
				t.Fatalf("libraryReadsRaw = %v, want ok=%v", e, tt.ok)
			}
		})
	}
}
