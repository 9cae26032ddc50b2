package ssokit

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
)

// fail reports err: it logs login_failed and calls Config.ErrorHandler (or
// the default page).
func (s *SSO) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, reason := errorCode(err)
	attrs := []slog.Attr{slog.String("reason", string(code))}
	if reason != "" {
		attrs = append(attrs, slog.String("sub_reason", reason))
	}
	var e *Error
	if errors.As(err, &e) {
		if e.ConnectionID != "" {
			attrs = append(attrs, slog.String("connection_id", e.ConnectionID))
		}
		if e.OrganizationID != "" {
			attrs = append(attrs, slog.String("organization_id", e.OrganizationID))
		}
		if e.IDPError != "" {
			attrs = append(attrs, slog.String("idp_error", e.IDPError))
		}
	}
	attrs = append(attrs, slog.String("error", err.Error()))
	level := slog.LevelWarn
	if code == CodeServerError {
		level = slog.LevelError
	}
	s.cfg.Logger.LogAttrs(r.Context(), level, "login_failed", attrs...)
	if s.cfg.ErrorHandler != nil {
		s.cfg.ErrorHandler(w, r, err)
		return
	}
	writeErrorPage(w, err)
}

// DefaultErrorHandler writes the generic error page the kit uses when
// Config.ErrorHandler is nil: an HTML page with the status of err (see
// [Error.Status]) and a fixed sentence per code. It never shows the
// error's text, which may hold library or identity-provider messages.
// It does not log; the kit logs before calling the error handler.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	writeErrorPage(w, err)
}

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Message}}</p>{{if .Code}}<p><small>Error code: <code>{{.Code}}</code></small></p>{{end}}</main></body>
</html>
`))

func writeErrorPage(w http.ResponseWriter, err error) {
	code, _ := errorCode(err)
	status := statusOf(err)
	title, msg := "Sign-in failed", "Something went wrong while signing you in. Please try again."
	switch code {
	case CodeInvalidConnectionSelector, CodeConnectionNotFound, CodeOrganizationNotFound, CodeDomainNotFound,
		CodeNoActiveConnection:
		msg = "Single sign-on is not set up for this account. Check the address or ask your administrator."
	case CodeConnectionInactive:
		msg = "Single sign-on for your organization is currently disabled. Ask your administrator."
	case CodeAccessDenied:
		msg = "Your identity provider or this application did not allow the sign-in."
	case CodeFlowExpired, CodeInvalidState, CodeCodeInvalid, CodeBindingMismatch:
		msg = "This sign-in link is no longer valid. Please start again from the sign-in page, in the same browser."
	case CodeEmailOutsideDomains, CodeEmailMissing:
		msg = "Your account's email address does not belong to your organization. Ask your administrator."
	case CodeIDPError:
		msg = "Your identity provider could not complete the sign-in. Please try again later."
	case CodeReturnURLNotAllowed:
		msg = "The page you asked to return to is not allowed."
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	shown := string(code)
	if code == CodeServerError {
		shown = ""
	}
	_ = errorPage.Execute(w, struct{ Title, Message, Code string }{title, msg, shown})
}
