package filter

// Default limits, used for fields of [Limits] that are zero or negative.
const (
	DefaultMaxLength = 4096 // bytes
	DefaultMaxDepth  = 64   // nested "(", "[" and "not("
	DefaultMaxTerms  = 100  // attribute expressions, value filters included
)

// Limits bounds the filters [Parse] accepts, so that a hostile filter is
// refused before it costs anything (security anchor F.116). The zero value
// means the defaults.
type Limits struct {
	// MaxLength is the longest filter in bytes. Default DefaultMaxLength.
	MaxLength int
	// MaxDepth is the deepest nesting of parentheses, value-path brackets
	// and "not". Default DefaultMaxDepth.
	MaxDepth int
	// MaxTerms is the largest number of attribute expressions. Default
	// DefaultMaxTerms.
	MaxTerms int
}

func (l Limits) withDefaults() Limits {
	if l.MaxLength <= 0 {
		l.MaxLength = DefaultMaxLength
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxTerms <= 0 {
		l.MaxTerms = DefaultMaxTerms
	}
	return l
}
