package main

import (
	"bytes"
	"database/sql"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// layout is the frame of every page: plain, server-rendered, no script.
const layout = `{{define "layout"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Acme Notes</title>
<style>
:root{color-scheme:light;--ink:#1b1f24;--muted:#555d66;--line:#d0d5db;--brand:#1d4ed8;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
header{background:#fff;border-bottom:1px solid var(--line)}
.bar{max-width:52rem;margin:0 auto;padding:.75rem 1rem;display:flex;gap:1rem;align-items:center;justify-content:space-between}
.brand{font-weight:700;font-size:1.15rem;color:var(--ink);text-decoration:none}
main{max-width:52rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:.25rem 0 1rem}
h2{font-size:1.15rem;margin:0 0 .75rem}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1.25rem;margin-bottom:1.25rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1.25rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin-bottom:.35rem}
input[type=email],textarea{width:100%;padding:.55rem .6rem;font:inherit;border:1px solid #8a939d;border-radius:6px}
textarea{min-height:5rem}
button,.button{display:inline-block;margin-top:.75rem;padding:.55rem 1.1rem;font:inherit;font-weight:600;border:0;border-radius:6px;background:var(--brand);color:#fff;text-decoration:none;cursor:pointer}
.link{background:none;color:var(--brand);padding:0;margin:0;font-weight:500;text-decoration:underline}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.muted{color:var(--muted)}
.error{color:#a30d0d}
.notice{background:#fff8e1;border:1px solid #e0b400;border-radius:8px;padding:.75rem 1rem;margin-bottom:1.25rem}
.tags{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0;margin:0}
.tags li{background:#e8eefc;color:#17358f;border-radius:999px;padding:.1rem .65rem;font-size:.9rem}
.notes{list-style:none;padding:0;margin:1rem 0 0}
.notes li{border-top:1px solid var(--line);padding:.75rem 0}
.notes p{margin:0 0 .25rem;white-space:pre-wrap}
.choices{list-style:none;padding:0}
code{font-size:.9em;overflow-wrap:anywhere}
</style>
</head>
<body>
<header><div class="bar">
<a class="brand" href="/">Acme Notes</a>
{{with .Account}}<form method="post" action="/sso/logout">
<span class="muted">{{.User.Email}}</span>
<input type="hidden" name="return_to" value="/signed-out">
<button type="submit" class="link">Sign out</button>
</form>{{end}}
</div></header>
<main>
{{template "content" .}}
</main>
</body>
</html>{{end}}`

// pageTemplate parses a page's "content" into a copy of the layout.
func pageTemplate(content string) *template.Template {
	funcs := template.FuncMap{"protocol": protocolName}
	return template.Must(template.Must(template.New("layout").Funcs(funcs).Parse(layout)).Parse(content))
}

// The app's pages. Each is parsed once at start and never changed.
var (
	homeTemplate = pageTemplate(`{{define "content"}}
<h1>Sign in to Acme Notes</h1>
{{if .Dev}}<div class="notice" role="note">
<strong>Development mode.</strong> The IdP simulator is on: sign in with any address at
<strong>example.com</strong> (try <code>alice@example.com</code>) and choose what the simulator answers.
You can also start from the simulator's <a href="{{.AppsURL}}">application list</a> (IdP-initiated SAML).
</div>{{end}}
<div class="card">
<form method="post" action="/signin">
<label for="email">Work email</label>
<input id="email" name="email" type="email" autocomplete="email" required value="{{.Email}}"{{if .Message}} aria-invalid="true" aria-describedby="email-error"{{end}}>
{{with .Message}}<p id="email-error" class="error" role="alert">{{.}}</p>{{end}}
<input type="hidden" name="return_to" value="{{.ReturnTo}}">
<button type="submit">Continue with single sign-on</button>
</form>
</div>
{{end}}`)

	chooseTemplate = pageTemplate(`{{define "content"}}
<h1>Choose how to sign in</h1>
<div class="card">
<p>{{.Org}} has more than one identity provider for <strong>{{.Email}}</strong>.</p>
<ul class="choices">{{range .Choices}}
<li><a class="button" href="{{.URL}}">Sign in with {{.Name}}</a></li>{{end}}
</ul>
</div>
{{end}}`)

	dashboardTemplate = pageTemplate(`{{define "content"}}{{$a := .Account}}
<h1>{{$a.Org.Name}}</h1>
<div class="grid">
<section class="card" aria-labelledby="profile-h">
<h2 id="profile-h">Your profile</h2>
<dl>
<dt>Name</dt><dd id="profile-name">{{$a.User.Name}}</dd>
<dt>Email</dt><dd id="profile-email">{{$a.User.Email}}</dd>
<dt>First name</dt><dd>{{$a.User.GivenName}}</dd>
<dt>Last name</dt><dd>{{$a.User.FamilyName}}</dd>
<dt>User id</dt><dd><code>{{$a.User.ID}}</code></dd>
</dl>
</section>
<section class="card" aria-labelledby="signin-h">
<h2 id="signin-h">This sign-in</h2>
<dl>
<dt>Organization</dt><dd id="org-name">{{$a.Org.Name}} <span class="muted">(<code>{{$a.Org.ID}}</code>)</span></dd>
<dt>Connection</dt><dd id="connection">{{with $a.Connection}}{{.Name}}{{else}}<code>{{$a.Session.ConnectionID}}</code>{{end}}</dd>
<dt>Protocol</dt><dd id="protocol">{{protocol $a.Session.ConnectionType}}</dd>
<dt>Signed in</dt><dd>{{$a.Session.AuthTime.UTC.Format "2006-01-02 15:04 MST"}}</dd>
<dt>Until</dt><dd>{{$a.Session.ExpiresAt.UTC.Format "2006-01-02 15:04 MST"}}</dd>
</dl>
</section>
</div>
<p><a id="directory-link" href="/orgs/{{$a.Org.ID}}/directory">Users provisioned by {{$a.Org.Name}}'s directory</a></p>
<section class="card" aria-labelledby="groups-h">
<h2 id="groups-h">Your groups</h2>
{{if $a.Groups}}<ul class="tags" id="groups">{{range $a.Groups}}<li>{{.}}</li>{{end}}</ul>
{{else}}<p class="muted" id="groups">Your identity provider sent no groups.</p>{{end}}
</section>
<section class="card" aria-labelledby="notes-h">
<h2 id="notes-h">Notes of {{$a.Org.Name}}</h2>
<form method="post" action="/orgs/{{$a.Org.ID}}/notes">
<label for="body">New note</label>
<textarea id="body" name="body" maxlength="2000" required{{if .Message}} aria-invalid="true" aria-describedby="body-error"{{end}}></textarea>
{{with .Message}}<p id="body-error" class="error" role="alert">{{.}}</p>{{end}}
<button type="submit">Add note</button>
</form>
{{if .Notes}}<ul class="notes">{{range .Notes}}
<li><p>{{.Body}}</p><span class="muted">{{.AuthorName}} · <time datetime="{{.CreatedAt.Format "2006-01-02T15:04:05Z"}}">{{.CreatedAt.Format "2006-01-02 15:04 UTC"}}</time></span></li>{{end}}
</ul>{{else}}<p class="muted">No notes yet: write the first one.</p>{{end}}
</section>
{{end}}`)

	signedOutTemplate = pageTemplate(`{{define "content"}}
<h1>You are signed out</h1>
<div class="card"><p>Your Acme Notes session has ended.</p><p><a href="/">Sign in again</a></p></div>
{{end}}`)

	errorTemplate = pageTemplate(`{{define "content"}}
<h1>{{.Heading}}</h1>
<div class="card" role="alert">
<p id="error-message">{{.Message}}</p>
{{with .IDPSaid}}<p>Your identity provider said: <q>{{.}}</q></p>{{end}}
{{with .Code}}<p class="muted">Error code: <code id="error-code">{{.}}</code></p>{{end}}
<p><a href="/">Back to sign-in</a></p>
</div>
{{end}}`)
)

// page is what every template receives.
type page struct {
	Title   string
	Account *account // the signed-in user, for the header; may be nil
	Dev     bool
	AppsURL string
	Email   string
	Message string
	// ReturnTo is the path to come back to after sign-in.
	ReturnTo string
	// Choices are the connections offered for an email.
	Org     string
	Choices []choice
	Notes   []note
	// Directory is the directory page's content.
	Directory *directoryView
	// Error page.
	Heading, Code, IDPSaid string
}

type choice struct{ Name, URL string }

func protocolName(t ssokit.ConnectionType) string {
	switch t {
	case ssokit.ConnectionSAML:
		return "SAML 2.0"
	case ssokit.ConnectionOIDC:
		return "OpenID Connect"
	}
	return string(t)
}

// render writes a page; the body is rendered first, so a template error
// becomes a clean 500.
func (a *app) render(w http.ResponseWriter, status int, t *template.Template, p page) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		a.logger.Error("render_page", "page", p.Title, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// No form-action: sign-in and sign-out forms redirect on to the
	// identity provider, which is another origin in production.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// home is the landing page: the signed-in user goes to their organization,
// everyone else gets the email-first sign-in form.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	acct, err := a.currentAccount(r)
	if err != nil {
		a.internalError(w, r, "read_account", err)
		return
	}
	if acct != nil {
		http.Redirect(w, r, orgPath(acct.Org.ID), http.StatusSeeOther)
		return
	}
	a.showHome(w, http.StatusOK, "", safeReturnPath(r.URL.Query().Get("return_to")), "")
}

func (a *app) showHome(w http.ResponseWriter, status int, email, returnTo, msg string) {
	p := page{Title: "Sign in", Dev: a.sim != nil, Email: email, ReturnTo: returnTo, Message: msg}
	if a.sim != nil {
		p.AppsURL = a.sim.AppsURL()
	}
	a.render(w, status, homeTemplate, p)
}

// signIn handles the email-first form: it asks the kit which connections
// serve the address's domain and starts the login at the kit's /login, or
// offers a choice when the organization has several.
func (a *app) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		a.renderError(w, r, http.StatusBadRequest, "The form could not be read.", "")
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	returnTo := safeReturnPath(r.PostForm.Get("return_to"))
	conns, err := a.sso.ListConnectionsByDomain(r.Context(), email)
	var se *ssokit.Error
	switch {
	case errors.As(err, &se) && se.Code != ssokit.CodeServerError:
		a.showHome(w, http.StatusUnprocessableEntity, email, returnTo,
			"No organization uses single sign-on for this address. Check it, or ask your administrator.")
		return
	case err != nil:
		a.internalError(w, r, "list_connections", err)
		return
	case len(conns) == 0:
		a.showHome(w, http.StatusUnprocessableEntity, email, returnTo,
			"Single sign-on for your organization is turned off. Ask your administrator.")
		return
	case len(conns) == 1:
		http.Redirect(w, r, loginURL(conns[0].ID, email, returnTo), http.StatusSeeOther)
		return
	}
	p := page{Title: "Choose how to sign in", Email: email}
	if org, err := a.store.Organization(r.Context(), conns[0].OrganizationID); err == nil {
		p.Org = org.Name
	}
	for _, c := range conns {
		p.Choices = append(p.Choices, choice{Name: c.Name, URL: loginURL(c.ID, email, returnTo)})
	}
	a.render(w, http.StatusOK, chooseTemplate, p)
}

// loginURL is the kit's /login for a connection.
func loginURL(connID, email, returnTo string) string {
	v := url.Values{"connection_id": {connID}, "login_hint": {email}}
	if returnTo != "" {
		v.Set("return_to", returnTo)
	}
	return ssoPrefix + "/login?" + v.Encode()
}

// safeReturnPath keeps a return path only if it is a local path; the kit
// checks it again.
func safeReturnPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || len(p) > 1024 {
		return ""
	}
	return p
}

func orgPath(orgID string) string { return "/orgs/" + url.PathEscape(orgID) + "/" }

func (a *app) signedOut(w http.ResponseWriter, r *http.Request) {
	a.render(w, http.StatusOK, signedOutTemplate, page{Title: "Signed out"})
}

// dashboard is GET /orgs/{org}/: the member's profile, this sign-in,
// groups, and the organization's notes.
func (a *app) dashboard(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.orgMember(w, r)
	if !ok {
		return
	}
	a.showDashboard(w, r, acct, http.StatusOK, "")
}

func (a *app) showDashboard(w http.ResponseWriter, r *http.Request, acct *account, status int, msg string) {
	notes, err := a.notes.list(r.Context(), acct.Org.ID, 100)
	if err != nil {
		a.internalError(w, r, "list_notes", err)
		return
	}
	a.render(w, status, dashboardTemplate, page{Title: acct.Org.Name, Account: acct, Notes: notes, Message: msg})
}

// signInFailed is the kit's Config.ErrorHandler: every failed sign-in
// lands on the app's own error page, with the kit's error code (safe to
// show) and never the error's text.
func (a *app) signInFailed(w http.ResponseWriter, r *http.Request, err error) {
	var e *ssokit.Error
	if !errors.As(err, &e) {
		a.logger.Error("sign_in_failed", "err", err)
		a.renderError(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again.", "")
		return
	}
	msg := "We could not sign you in. Please start again."
	switch e.Code {
	case ssokit.CodeAccessDenied:
		msg = "The sign-in was refused: your identity provider or Acme Notes did not allow it."
	case ssokit.CodeTokenInvalid:
		msg = "Your identity provider's answer did not pass our checks, so you are not signed in."
		if e.Reason == ssokit.ReasonExpired {
			msg = "Your identity provider's answer had expired, so you are not signed in. Please sign in again."
		}
	case ssokit.CodeFlowExpired, ssokit.CodeInvalidState, ssokit.CodeCodeInvalid, ssokit.CodeBindingMismatch:
		msg = "This sign-in is no longer valid. Please start again from the sign-in page, in the same browser."
	case ssokit.CodeEmailOutsideDomains, ssokit.CodeEmailMissing:
		msg = "Your account's email address does not belong to your organization."
	case ssokit.CodeDomainNotFound, ssokit.CodeOrganizationNotFound, ssokit.CodeConnectionNotFound,
		ssokit.CodeNoActiveConnection, ssokit.CodeInvalidConnectionSelector:
		msg = "Single sign-on is not set up for this account."
	case ssokit.CodeConnectionInactive:
		msg = "Single sign-on for your organization is turned off. Ask your administrator."
	case ssokit.CodeConnectionUnsupported:
		msg = "This kind of connection is not available in this build."
	case ssokit.CodeIDPError:
		msg = "Your identity provider could not complete the sign-in. Please try again later."
	case ssokit.CodeServerError:
		msg = "Something went wrong on our side. Please try again."
	}
	code := string(e.Code)
	if e.Reason != "" {
		code += " (" + e.Reason + ")"
	}
	p := page{Title: "Sign-in failed", Heading: "Sign-in failed", Message: msg, Code: code}
	if e.Code == ssokit.CodeAccessDenied || e.Code == ssokit.CodeIDPError {
		p.IDPSaid = truncateRunes(e.IDPErrorDescription, 200)
	}
	a.render(w, e.Status(), errorTemplate, p)
}

// renderError writes the app's error page.
func (a *app) renderError(w http.ResponseWriter, r *http.Request, status int, msg, code string) {
	acct, _ := a.currentAccount(r)
	a.render(w, status, errorTemplate, page{Title: http.StatusText(status), Heading: http.StatusText(status),
		Message: msg, Code: code, Account: acct})
}

// internalError logs err and writes a generic 500 page.
func (a *app) internalError(w http.ResponseWriter, r *http.Request, event string, err error) {
	a.logger.ErrorContext(r.Context(), event, "err", err)
	a.render(w, http.StatusInternalServerError, errorTemplate, page{Title: "Error", Heading: "Something went wrong",
		Message: "Something went wrong on our side. Please try again."})
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// isNotFound reports a missing row of the app or of the kit.
func isNotFound(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, ssokit.ErrNotFound)
}
