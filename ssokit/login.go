package ssokit

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
)

// maxFormBytes caps the email-first form body.
const maxFormBytes = 8 << 10

func (s *SSO) serveLogin(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	var q url.Values
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		q = r.URL.Query()
	case http.MethodPost:
		if err := s.cop.Check(r); err != nil {
			s.fail(w, r, &Error{Code: CodeInvalidRequest, Description: "cross-origin form post refused", Err: err})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, &Error{Code: CodeInvalidRequest, Description: "unreadable form", Err: err})
			return
		}
		if id := r.PostForm.Get("connection_id"); id != "" {
			// The confirmation of a login another site started
			// (login_confirm.go).
			q = url.Values{"connection_id": {id}, "login_hint": {r.PostForm.Get("login_hint")}, "return_to": {r.PostForm.Get("return_to")}}
			break
		}
		// The email-first form: route by the address typed in.
		q = url.Values{"login_hint": {r.PostForm.Get("email")}, "return_to": {r.PostForm.Get("return_to")}}
		if q.Get("login_hint") == "" {
			s.renderEmailPage(w, r, r.PostForm.Get("return_to"), "Enter your work email address.")
			return
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	if raw := q.Get("idp_initiated_login"); raw != "" {
		s.serveIDPInitiated(w, r, raw)
		return
	}
	sel := Selector{
		ConnectionID:   q.Get("connection_id"),
		OrganizationID: q.Get("organization_id"),
		DomainHint:     q.Get("domain_hint"),
		LoginHint:      q.Get("login_hint"),
	}
	returnTo, err := s.cfg.checkReturnURL(q.Get("return_to"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if sel.empty() {
		s.renderEmailPage(w, r, returnTo, "")
		return
	}
	conn, err := s.Route(r.Context(), sel)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.Method != http.MethodPost && s.needsLoginConfirmation(r) {
		s.renderLoginConfirmation(w, r, conn, returnTo, sel.LoginHint)
		return
	}
	s.startLogin(w, r, conn, returnTo, sel.LoginHint)
}

// startLogin records a flow for conn and sends the browser to its
// identity provider.
func (s *SSO) startLogin(w http.ResponseWriter, r *http.Request, conn *Connection, returnTo, loginHint string) {
	f := s.newLoginFlow(r, conn, returnTo, loginHint)
	var target string
	var err error
	switch conn.Type {
	case ConnectionOIDC:
		target, err = s.oidcAuthURL(r.Context(), r, conn, f)
	case ConnectionSAML:
		// The SAML engine fills f.SAMLRequestID, saves the flow and
		// writes the response itself (HTTP-Redirect or POST binding).
		s.startSAMLLogin(w, r, conn, f)
		return
	default:
		err = &Error{Code: CodeConnectionUnsupported, Description: "unknown connection type"}
	}
	if err != nil {
		s.fail(w, r, withConn(err, conn))
		return
	}
	if err := s.saveLoginFlow(r.Context(), w, r, f); err != nil {
		s.fail(w, r, withConn(&Error{Code: CodeServerError, Description: "storing the flow failed", Err: err}, conn))
		return
	}
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "login_started",
		slog.String("connection_id", conn.ID), slog.String("organization_id", conn.OrganizationID),
		slog.String("connection_type", string(conn.Type)))
	http.Redirect(w, r, target, http.StatusFound)
}

// withConn fills the connection and organization of an *Error that lacks
// them.
func withConn(err error, conn *Connection) error {
	if e, ok := err.(*Error); ok && conn != nil {
		if e.ConnectionID == "" {
			e.ConnectionID = conn.ID
		}
		if e.OrganizationID == "" {
			e.OrganizationID = conn.OrganizationID
		}
	}
	return err
}

// emailPage is the email-first page. It is deliberately plain: the host
// styles its own login page and links to /login with a hint; this page is
// the fallback when no hint is known.
var emailPage = template.Must(template.New("email").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sign in with SSO</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=email]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #666;border-radius:4px}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem;border:0;border-radius:4px;background:#1f4fd1;color:#fff;cursor:pointer}
input:focus-visible,button:focus-visible{outline:3px solid #f5a700;outline-offset:2px}
.error{color:#a00000}
</style>
</head>
<body>
<main>
<h1>Sign in with SSO</h1>
<form method="post" action="{{.Action}}">
<label for="email">Work email</label>
<input id="email" name="email" type="email" autocomplete="email" inputmode="email" required autofocus{{if .Message}} aria-describedby="msg" aria-invalid="true"{{end}}>
{{if .Message}}<p id="msg" class="error" role="alert">{{.Message}}</p>{{end}}
<input type="hidden" name="return_to" value="{{.ReturnTo}}">
<button type="submit">Continue</button>
</form>
</main>
</body>
</html>
`))

func (s *SSO) renderEmailPage(w http.ResponseWriter, r *http.Request, returnTo, message string) {
	if _, err := s.cfg.checkReturnURL(returnTo); err != nil {
		returnTo = ""
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// The form posts to the page's own URL, whatever prefix the host
	// mounted the kit under.
	_ = emailPage.Execute(w, struct{ Action, ReturnTo, Message string }{"", returnTo, message})
}
