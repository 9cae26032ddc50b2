package patch

import (
	"errors"
	"fmt"
)

// The scimType values of RFC 7644 §3.12 that [*Error] carries. The server
// answers all of them with 400 (it may prefer 413 for [ErrValueTooLarge]).
const (
	InvalidSyntax = "invalidSyntax"
	InvalidPath   = "invalidPath"
	InvalidFilter = "invalidFilter"
	NoTarget      = "noTarget"
	InvalidValue  = "invalidValue"
	Mutability    = "mutability"
	TooMany       = "tooMany"
)

// Sentinel causes wrapped by [*Error] when a request exceeds its [Limits].
var (
	ErrTooManyOperations = errors.New("too many operations")
	ErrValueTooLarge     = errors.New("operation value too large")
	ErrTooDeep           = errors.New("JSON nested too deeply")
)

// Error is a PATCH request that cannot be applied. Detail is safe to show to
// the SCIM client; nothing of the request has been applied.
type Error struct {
	ScimType  string // one of the constants above
	Operation int    // index into Operations, or -1 for the request as a whole
	Detail    string
	Err       error // the cause, if any
}

func (e *Error) Error() string {
	msg := "patch: "
	if e.Operation >= 0 {
		msg += fmt.Sprintf("operation %d: ", e.Operation)
	}
	msg += e.Detail
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

func opError(i int, scimType, detail string, err error) *Error {
	return &Error{ScimType: scimType, Operation: i, Detail: detail, Err: err}
}
