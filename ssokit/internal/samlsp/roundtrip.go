package samlsp

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// errUnstable reports a token that encoding/xml does not read back as it
// was written.
var errUnstable = errors.New("token does not survive an encoding/xml round trip")

// stability refuses tokens that change when encoding/xml writes and re-reads
// them. Go's encoder and decoder disagree about some namespace prefixes on
// elements and attributes and about some directives (CVE-2020-29509,
// CVE-2020-29510, CVE-2020-29511): a document built on that disagreement
// can mean one thing to the code that verifies its signature and another to
// the code that reads it.
//
// The check is the one github.com/mattermost/xml-roundtrip-validator makes
// (each token on its own: encode it with a fresh Encoder, decode the output
// with a fresh Decoder, and compare, allowing for the xmlns attributes the
// encoder adds when it writes a prefix as a namespace). That package pays a
// 4 KiB write buffer per token, which made it half the cost of verifying a
// response; here every Encoder writes through one reused bufio.Writer (which
// xml.NewEncoder adopts instead of allocating its own) and every Decoder
// reads from one reused bytes.Reader. TestStabilityMatchesValidator holds
// the two to the same verdicts.
type stability struct {
	out bytes.Buffer
	w   *bufio.Writer
	in  bytes.Reader
}

func newStability() *stability {
	st := &stability{}
	st.w = bufio.NewWriter(&st.out)
	return st
}

// passCharset reads any declared encoding as is, as the validator does (the
// pre-scan's own decoder refuses encodings other than UTF-8).
func passCharset(_ string, r io.Reader) (io.Reader, error) { return r, nil }

// check returns nil when tok survives the round trip unchanged.
//
// Two kinds of token skip the encoder and decoder, because the round trip
// cannot change them: non-empty text made of characters XML allows (empty
// text, an empty CDATA section, writes nothing to read back; the encoder
// escapes only markup characters and whitespace controls, which the decoder
// unescapes, and replaces only characters outside the XML range), and end
// tags whose local name is a plain ASCII NCName (the encoder writes
// </name>, which the decoder reads back whole; a local part such as the "0"
// of "A:0" is not a name on its own, and takes the full check). Those are
// most of a response's tokens.
// FuzzStability holds the shortcuts to the validator's verdicts.
func (st *stability) check(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.CharData:
		if len(t) > 0 && xmlChars(t) {
			return nil
		}
	case xml.EndElement:
		if asciiNCName(t.Name.Local) {
			return nil
		}
	}
	st.out.Reset()
	st.w.Reset(&st.out)
	enc := xml.NewEncoder(st.w)
	end, isEnd := tok.(xml.EndElement)
	if isEnd {
		// The encoder refuses an end tag it did not open.
		if err := enc.EncodeToken(xml.StartElement{Name: end.Name}); err != nil {
			return err
		}
	}
	if err := enc.EncodeToken(tok); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	written := st.out.Bytes()
	st.in.Reset(written)
	dec := xml.NewDecoder(&st.in)
	dec.CharsetReader = passCharset
	if isEnd {
		if _, err := dec.RawToken(); err != nil {
			return err
		}
	}
	back, err := dec.RawToken()
	if err != nil {
		return err
	}
	if !sameToken(tok, back) {
		return fmt.Errorf("%w: wrote %v, read %v", errUnstable, tok, back)
	}
	if dec.InputOffset() != int64(len(written)) {
		return fmt.Errorf("%w: input left after %v", errUnstable, tok)
	}
	return nil
}

// asciiNCName reports whether s is a non-empty NCName made of ASCII
// letters, digits, '_', '-' and '.', starting with a letter or '_'.
func asciiNCName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// xmlChars reports whether b is valid UTF-8 made only of characters in the
// XML Char production.
func xmlChars(b []byte) bool {
	for len(b) > 0 {
		c := b[0]
		if c >= 0x20 && c < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			return false
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
		b = b[n:]
	}
	return true
}

// sameToken compares a token with what the decoder read back after the
// encoder wrote it.
func sameToken(orig, back xml.Token) bool {
	switch o := orig.(type) {
	case xml.StartElement:
		b, ok := back.(xml.StartElement)
		return ok && sameStart(o, b)
	case xml.EndElement:
		// The encoder writes the end tag without a prefix.
		b, ok := back.(xml.EndElement)
		return ok && b.Name.Space == "" && b.Name.Local == o.Name.Local
	case xml.CharData:
		b, ok := back.(xml.CharData)
		return ok && bytes.Equal(o, b)
	case xml.Comment:
		b, ok := back.(xml.Comment)
		return ok && bytes.Equal(o, b)
	case xml.Directive:
		b, ok := back.(xml.Directive)
		return ok && bytes.Equal(o, b)
	case xml.ProcInst:
		b, ok := back.(xml.ProcInst)
		return ok && o.Target == b.Target && bytes.Equal(o.Inst, b.Inst)
	}
	return false
}

// sameStart compares start tags. RawToken leaves prefixes unresolved, so the
// encoder takes a prefix p for a namespace name: it writes the element's as
// a default declaration (xmlns="p", first attribute) and each attribute's as
// a declaration of a made-up prefix right before that attribute. Those
// additions are undone here, and only those.
func sameStart(orig, back xml.StartElement) bool {
	attrs := back.Attr
	name := back.Name
	if len(attrs) > len(orig.Attr) && orig.Name.Space != "" && name.Space == "" &&
		attrs[0].Name == (xml.Name{Local: "xmlns"}) {
		name.Space = attrs[0].Value
		attrs = attrs[1:]
	}
	if name != orig.Name {
		return false
	}
	// Undo made-up attribute prefixes. Work on a copy: attrs aliases the
	// decoder's token.
	if len(attrs) > len(orig.Attr) {
		attrs = append([]xml.Attr(nil), attrs...)
	}
	for len(attrs) > len(orig.Attr) {
		i := madeUpDecl(attrs)
		if i < 0 {
			break
		}
		prefix, space := attrs[i].Name.Local, attrs[i].Value
		attrs = append(attrs[:i], attrs[i+1:]...)
		for j := range attrs {
			if attrs[j].Name.Space == prefix {
				attrs[j].Name.Space = space
			}
		}
	}
	if len(attrs) != len(orig.Attr) {
		return false
	}
	for i := range attrs {
		if attrs[i] != orig.Attr[i] {
			return false
		}
	}
	return true
}

// madeUpDecl returns the index of the first xmlns:p declaration that is
// immediately followed by an attribute in prefix p, or -1.
func madeUpDecl(attrs []xml.Attr) int {
	for i := 0; i+1 < len(attrs); i++ {
		if attrs[i].Name.Space == "xmlns" && attrs[i+1].Name.Space == attrs[i].Name.Local {
			return i
		}
	}
	return -1
}
