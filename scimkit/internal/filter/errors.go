package filter

import "errors"

// ScimType is the RFC 7644 §3.12 error type of every [*Error]: a SCIM server
// answers it with 400 and {"scimType": "invalidFilter"}.
const ScimType = "invalidFilter"

// Sentinel causes wrapped by [*Error] when a filter exceeds its [Limits].
var (
	ErrTooLong      = errors.New("filter too long")
	ErrTooDeep      = errors.New("filter nested too deeply")
	ErrTooManyTerms = errors.New("filter has too many terms")
)

// Error reports a filter that cannot be used: bad syntax, an unknown or
// unfilterable attribute, an operator that does not fit the attribute's
// type, or a limit exceeded. Detail is safe to show to the SCIM client.
type Error struct {
	Detail string
	Err    error // the cause, if any: a sentinel, a *schema.PathError or a parser error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "filter: " + e.Detail + ": " + e.Err.Error()
	}
	return "filter: " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }
