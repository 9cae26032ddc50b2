package samlmeta

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxDepth bounds element nesting; real metadata nests about 8 deep.
const maxDepth = 64

// checkXML walks the token stream before any decoding: valid UTF-8, no
// directives (DOCTYPE, ENTITY), at most maxTokens tokens, nesting at most
// maxDepth, one root element and nothing but whitespace, comments and
// processing instructions around it. It returns the root element's name.
func checkXML(data []byte, maxTokens int) (xml.Name, error) {
	var root xml.Name
	if !utf8.Valid(data) {
		return root, fmt.Errorf("%w: not valid UTF-8", ErrMalformed)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, roots, tokens := 0, 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return root, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		tokens++
		if tokens > maxTokens {
			return root, fmt.Errorf("%w: more than %d xml tokens", ErrTooLarge, maxTokens)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return root, ErrDTDNotAllowed
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return root, fmt.Errorf("%w: more than one root element", ErrMalformed)
				}
				root = t.Name
			}
			depth++
			if depth > maxDepth {
				return root, fmt.Errorf("%w: nesting deeper than %d", ErrMalformed, maxDepth)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return root, fmt.Errorf("%w: text outside the root element", ErrMalformed)
			}
		}
	}
	if roots != 1 {
		return root, fmt.Errorf("%w: no root element", ErrMalformed)
	}
	return root, nil
}
