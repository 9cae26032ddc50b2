package ssokit

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
)

// needsLoginConfirmation reports whether a GET to /login must be confirmed
// by the user before the kit redirects to the identity provider: the
// request comes from another site (Sec-Fetch-Site: cross-site) and the
// browser already has a session. Such a link could come from an attacker
// who runs an identity provider that approves at once: following it would
// sign the victim into the attacker's account, replacing their own session
// (login CSRF). The confirmation is a POST, which the kit's cross-origin
// protection refuses from other sites.
//
// idp_initiated_login never gets here: it is cross-site by nature and bound
// to a token the kit minted.
func (s *SSO) needsLoginConfirmation(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") != "cross-site" {
		return false
	}
	sess, err := s.cfg.Sessions.Current(r)
	if errors.Is(err, ErrNoSession) {
		return false
	}
	// A session, or one that could not be read: confirming costs a click.
	return err != nil || sess != nil
}

// loginConfirmPage asks a signed-in user to confirm a login that another
// site started. Its form posts to the page's own URL (so prompt and
// force_authn in the query still apply) with the routed connection.
var loginConfirmPage = template.Must(template.New("confirm").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Continue to sign in</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem;border:0;border-radius:4px;background:#1f4fd1;color:#fff;cursor:pointer}
a:focus-visible,button:focus-visible{outline:3px solid #f5a700;outline-offset:2px}
</style>
</head>
<body>
<main>
<h1>Continue to sign in with {{.Name}}?</h1>
<p>Another site sent you here to sign in. You are already signed in; continuing signs you in again with {{.Name}} and replaces your current session.</p>
<form method="post" action="">
<input type="hidden" name="connection_id" value="{{.ConnectionID}}">
<input type="hidden" name="return_to" value="{{.ReturnTo}}">
{{if .LoginHint}}<input type="hidden" name="login_hint" value="{{.LoginHint}}">{{end}}
<button type="submit">Continue to sign in with {{.Name}}</button>
</form>
<p><a href="{{.Cancel}}">Stay signed in as you are</a></p>
</main>
</body>
</html>
`))

// renderLoginConfirmation writes the confirmation page for conn.
func (s *SSO) renderLoginConfirmation(w http.ResponseWriter, r *http.Request, conn *Connection, returnTo, loginHint string) {
	name := conn.Name
	if name == "" {
		name = "your identity provider"
	}
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "login_confirmation_shown",
		slog.String("connection_id", conn.ID), slog.String("organization_id", conn.OrganizationID))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	_ = loginConfirmPage.Execute(w, struct{ Name, ConnectionID, ReturnTo, LoginHint, Cancel string }{
		name, conn.ID, returnTo, loginHint, s.cfg.DefaultReturnPath})
}
