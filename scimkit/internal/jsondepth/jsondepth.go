// Package jsondepth measures how deeply a JSON document nests, without
// decoding it, so that SCIM request bodies can be refused before
// encoding/json spends work on a hostile nesting.
package jsondepth

// Of returns the deepest nesting of objects and arrays in b, ignoring
// brackets inside strings. It does not validate b: malformed input gets a
// number, and the decoder reports the syntax error later.
func Of(b []byte) int {
	depth, d := 0, 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			d++
			depth = max(depth, d)
		case '}', ']':
			d--
		}
	}
	return depth
}
