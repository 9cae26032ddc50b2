package scimkit

import (
	"errors"
	"net/http"
	"strconv"
)

// The scimType values of RFC 7644 §3.12 that the server sends.
const (
	ScimTypeInvalidFilter = "invalidFilter"
	ScimTypeTooMany       = "tooMany"
	ScimTypeUniqueness    = "uniqueness"
	ScimTypeMutability    = "mutability"
	ScimTypeInvalidSyntax = "invalidSyntax"
	ScimTypeInvalidPath   = "invalidPath"
	ScimTypeNoTarget      = "noTarget"
	ScimTypeInvalidValue  = "invalidValue"
	ScimTypeInvalidVers   = "invalidVers"
	ScimTypeSensitive     = "sensitive"
)

// ErrorSchemaURN is the schema of SCIM error bodies (RFC 7644 §3.12).
const ErrorSchemaURN = "urn:ietf:params:scim:api:messages:2.0:Error"

// Error is a failed SCIM request as the server answers it: an HTTP status,
// an optional RFC 7644 §3.12 scimType and a detail that is safe to show to
// the client. Err is the private cause (a store or host error), never sent
// to the client; [Config.OnError] receives the *Error with it.
type Error struct {
	Status   int    // HTTP status, such as 409
	ScimType string // "uniqueness", "invalidFilter", …; may be empty
	Detail   string // shown to the SCIM client
	Err      error  // the cause, if any
}

// Error returns the status, the detail and the cause for logs; clients
// receive the SCIM error body instead.
func (e *Error) Error() string {
	msg := "scimkit: " + strconv.Itoa(e.Status) + " " + e.Detail
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errorBody is the JSON of an error response.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

func newError(status int, scimType, detail string, cause error) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: detail, Err: cause}
}

func badRequest(scimType, detail string, cause error) *Error {
	return newError(http.StatusBadRequest, scimType, detail, cause)
}

func notFoundError(what string) *Error {
	return newError(http.StatusNotFound, "", what+" not found", nil)
}

// asError turns any error met while serving a request into the *Error to
// answer with. Store and host sentinels map to 404 and 409; anything else is
// a 500 whose detail says nothing about the cause.
func asError(err error) *Error {
	var se *Error
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, ErrNotFound):
		return newError(http.StatusNotFound, "", "resource not found", err)
	case errors.Is(err, ErrConflict):
		return newError(http.StatusConflict, ScimTypeUniqueness, "a resource with these unique attributes already exists", err)
	case errors.Is(err, errBodyTooLarge):
		return newError(http.StatusRequestEntityTooLarge, "", "request body too large", err)
	}
	return newError(http.StatusInternalServerError, "", "internal server error", err)
}
