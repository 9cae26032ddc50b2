package idpsim

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
)

// Banner is the warning at the top of every page the simulator serves.
const Banner = "Gatehouse IdP simulator — development only, not a real identity provider"

// HeaderName is a response header set on every response of the simulator,
// with the value "development-only", so that a proxy or a test can tell
// that a simulator answered.
const HeaderName = "X-Gatehouse-Idp-Simulator"

//go:embed templates/*.html
var templateFS embed.FS

// pages holds each page parsed with the layout. It is built once and only
// read afterwards.
var pages = func() map[string]*template.Template {
	names := []string{"login", "error", "signedout", "autopost", "apps", "index"}
	out := make(map[string]*template.Template, len(names))
	for _, n := range names {
		out[n] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html"))
	}
	return out
}()

// page is what every template receives.
type page struct {
	Title  string
	Banner string
	Nonce  string // CSP nonce of the page's one script, if any
	Body   any
}

// securityHeaders sets the headers shared by every simulator response.
func securityHeaders(h http.Header) {
	h.Set(HeaderName, "development-only")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// render writes the named page with the given status.
func (s *Simulator) render(w http.ResponseWriter, r *http.Request, status int, name, title string, body any) {
	p := page{Title: title, Banner: Banner, Body: body}
	csp := "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
	if name == "autopost" {
		p.Nonce = rand.Text()
		csp += "; script-src 'nonce-" + p.Nonce + "'"
	}
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.logger.LogAttrs(r.Context(), slog.LevelError, "idpsim_render_failed", slog.String("page", name), slog.Any("error", err))
		http.Error(w, "idpsim: internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the body of the "error" template.
type errorPage struct {
	Heading string
	Message string
}

// fail logs err (the private cause) and shows the tester a page with a
// public message. It is used where the browser cannot be sent back to the
// application safely.
func (s *Simulator) fail(w http.ResponseWriter, r *http.Request, status int, event, message string, err error) {
	s.logger.LogAttrs(context.WithoutCancel(r.Context()), slog.LevelWarn, event,
		slog.String("path", r.URL.Path), slog.String("reason", message), slog.Any("error", err))
	s.render(w, r, status, "error", "Request refused", errorPage{Heading: "Request refused", Message: message})
}
