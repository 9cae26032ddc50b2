package oidcrp

import "strings"

// Kind classifies an [Error].
type Kind int

// The kinds of error.
const (
	KindIDP    Kind = iota + 1 // the provider failed or refused: discovery, exchange, userinfo
	KindToken                  // the ID token (or userinfo) failed a check; see Reason
	KindConfig                 // the connection's configuration is unusable
)

// Error is every error of the package.
type Error struct {
	Kind        Kind
	Reason      string // for KindToken: the failed check, e.g. "bad_audience"
	IDPError    string // RFC 6749 error code from the token endpoint
	Description string // untrusted error_description from the provider
	Err         error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("oidcrp: ")
	switch e.Kind {
	case KindIDP:
		b.WriteString("identity provider error")
	case KindToken:
		b.WriteString("invalid token")
	case KindConfig:
		b.WriteString("invalid connection configuration")
	}
	if e.Reason != "" {
		b.WriteString(" (" + e.Reason + ")")
	}
	if e.IDPError != "" {
		b.WriteString(": " + e.IDPError)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func tokenErr(reason string, err error) *Error {
	return &Error{Kind: KindToken, Reason: reason, Err: err}
}
