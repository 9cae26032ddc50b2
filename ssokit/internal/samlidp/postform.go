package samlidp

import (
	"bytes"
	"html/template"
)

// postFormHTML is the HTTP-POST binding page. html/template escapes every
// value and neutralizes a non-http(s) action URL. The script only clicks
// the button; without JavaScript the user presses it.
const postFormHTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Signing in…</title></head>
<body>
<form id="saml-post" method="post" action="{{.Action}}">
<input type="hidden" name="{{.Field}}" value="{{.Message}}">
{{- if .RelayState}}
<input type="hidden" name="RelayState" value="{{.RelayState}}">
{{- end}}
<noscript><p>JavaScript is off. Press the button to continue.</p><button type="submit">Continue</button></noscript>
</form>
<script>document.getElementById("saml-post").submit();</script>
</body>
</html>
`

// PostForm returns an HTML page that POSTs samlResponseB64 (and relayState,
// when not empty) to acsURL as the HTTP-POST binding's SAMLResponse field.
// Every value is HTML-escaped; an acsURL whose scheme is not http or https is
// replaced with a harmless value by html/template.
func PostForm(acsURL, samlResponseB64, relayState string) []byte {
	return renderPostForm(acsURL, "SAMLResponse", samlResponseB64, relayState)
}

func renderPostForm(action, field, message, relayState string) []byte {
	tmpl := template.Must(template.New("post").Parse(postFormHTML))
	var buf bytes.Buffer
	// Execution of this fixed template over strings cannot fail.
	_ = tmpl.Execute(&buf, struct{ Action, Field, Message, RelayState string }{action, field, message, relayState})
	return buf.Bytes()
}
