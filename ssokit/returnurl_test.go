package ssokit

import (
	"context"
	"errors"
	"net/url"
	"path"
	"strings"
	"testing"
)

func testConfig(t *testing.T, allowed ...string) *config {
	t.Helper()
	c, err := Config{BaseURL: "https://app.example.com/sso", Store: struct{ Store }{}, Users: userFunc(nil),
		Sessions: SessionFuncs{}, AllowedReturnURLs: allowed}.validate()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type userFunc func() (string, error)

func (userFunc) UpsertSSOUser(_ context.Context, _ *Profile) (string, error) { return "", nil }

func TestCheckReturnURL(t *testing.T) {
	c := testConfig(t, "https://admin.example.com/console", "https://docs.example.com/", "https://partner.example.com/sso-return/")
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "/", true},
		{"/dashboard", "/dashboard", true},
		{"/a/b?x=1#frag", "/a/b?x=1#frag", true},
		{"/%2Fnot-host", "/%2Fnot-host", false}, // decodes to //not-host
		{"//evil.example", "", false},
		{"//evil.example/path", "", false},
		{"/\\evil.example", "", false},
		{"\\\\evil.example", "", false},
		{"/ok\\path", "", false},
		{"https://evil.example", "", false},
		{"http://evil.example/", "", false},
		{"javascript:alert(1)", "", false},
		{"JaVaScRiPt:alert(1)", "", false},
		{"data:text/html,hi", "", false},
		{"/a\r\nLocation: https://evil.example", "", false},
		{"/a\tb", "", false},
		{"relative/path", "", false},
		{"https://admin.example.com/console", "https://admin.example.com/console", true},
		{"https://admin.example.com/console/users?x=1", "https://admin.example.com/console/users?x=1", true},
		{"https://admin.example.com/consoleX", "", false},
		{"https://admin.example.com/other", "", false},
		{"https://user@admin.example.com/console", "", false},
		{"http://admin.example.com/console", "", false},
		{"https://docs.example.com/anything", "https://docs.example.com/anything", true},
		{"https://docs.example.com.evil.example/", "", false},
		{"https://partner.example.com/sso-return/done", "https://partner.example.com/sso-return/done", true},
		{"https://partner.example.com/sso-return/a.b/..c/...", "https://partner.example.com/sso-return/a.b/..c/...", true},
		{"https://partner.example.com/sso-return/../admin", "", false},
		{"https://partner.example.com/sso-return/%2e%2e/admin", "", false},
		{"https://partner.example.com/sso-return/%2E%2E/admin", "", false},
		{"https://partner.example.com/sso-return/.%2e/admin", "", false},
		{"https://partner.example.com/sso-return/..%2fadmin", "", false},
		{"https://partner.example.com/sso-return/x/../../admin", "", false},
		{"https://partner.example.com/sso-return/./x", "", false},
		{"https://partner.example.com/sso-return/..", "", false},
		{"https://partner.example.com/sso-return/..?x=1", "", false},
		{"https://partner.example.com/sso-return/%zz", "", false},
		{"https://admin.example.com/console/../admin", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := c.checkReturnURL(tt.in)
			if tt.ok {
				if err != nil || got != tt.want {
					t.Fatalf("checkReturnURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, &Error{Code: CodeReturnURLNotAllowed}) {
				t.Fatalf("checkReturnURL(%q) = %q, %v; want return_url_not_allowed", tt.in, got, err)
			}
		})
	}
}

func FuzzReturnURL(f *testing.F) {
	for _, s := range []string{"/", "/a?b", "//evil", "/\\evil", "https://evil", "javascript:x", "/%2F%2Fx", "/.//evil", "https://admin.example.com/console/x",
		"https://admin.example.com/console/../x", "https://admin.example.com/console/%2e%2e/x", "https://admin.example.com/console/.%2E/x",
		"https://admin.example.com/console/..%2Fx", "https://admin.example.com/console/x/./y", "https://Admin.eXAmple.Com/console#0"} {
		f.Add(s)
	}
	c, err := Config{BaseURL: "https://app.example.com", Store: struct{ Store }{}, Users: userFunc(nil),
		Sessions: SessionFuncs{}, AllowedReturnURLs: []string{"https://admin.example.com/console"}}.validate()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := c.checkReturnURL(in)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil {
			t.Fatalf("accepted unparsable %q", got)
		}
		if u.Host != "" && !strings.EqualFold(u.Host, "admin.example.com") {
			t.Fatalf("accepted %q pointing at host %q", in, u.Host)
		}
		if u.Host != "" {
			// Resolved as the browser will, the path must stay under the
			// allowed path.
			dec, derr := url.PathUnescape(u.EscapedPath())
			clean := path.Clean(strings.ReplaceAll(dec, "\\", "/"))
			if derr != nil || (clean != "/console" && !strings.HasPrefix(clean, "/console/")) {
				t.Fatalf("accepted %q, which resolves to %q outside /console", in, clean)
			}
		}
		if strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n") {
			t.Fatalf("accepted %q", got)
		}
		if u.Host == "" && (u.Scheme != "" || !strings.HasPrefix(got, "/")) {
			t.Fatalf("accepted %q with scheme %q", got, u.Scheme)
		}
	})
}
