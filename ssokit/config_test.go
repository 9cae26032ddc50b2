package ssokit_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

func TestNewValidates(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kit.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bridge := ssokit.SessionFuncs{
		LogInFunc:   func(http.ResponseWriter, *http.Request, *ssokit.Session) error { return nil },
		CurrentFunc: func(*http.Request) (*ssokit.Session, error) { return nil, ssokit.ErrNoSession },
		LogOutFunc:  func(http.ResponseWriter, *http.Request) error { return nil },
	}
	valid := func() ssokit.Config {
		return ssokit.Config{BaseURL: "https://app.example.com/sso", Store: st, Users: users{}, Sessions: bridge}
	}
	tests := []struct {
		name string
		edit func(*ssokit.Config)
		want string // substring of the error; "" for success
	}{
		{"valid", func(*ssokit.Config) {}, ""},
		{"localhost http", func(c *ssokit.Config) { c.BaseURL = "http://localhost:8080/sso" }, ""},
		{"loopback http", func(c *ssokit.Config) { c.BaseURL = "http://127.0.0.1:8080" }, ""},
		{"no BaseURL", func(c *ssokit.Config) { c.BaseURL = "" }, "Config.BaseURL is required"},
		{"http elsewhere", func(c *ssokit.Config) { c.BaseURL = "http://app.example.com" }, "http is allowed for localhost only"},
		{"relative BaseURL", func(c *ssokit.Config) { c.BaseURL = "/sso" }, "Config.BaseURL"},
		{"BaseURL with query", func(c *ssokit.Config) { c.BaseURL = "https://app.example.com/sso?x=1" }, "Config.BaseURL"},
		{"ftp", func(c *ssokit.Config) { c.BaseURL = "ftp://app.example.com" }, "scheme must be https"},
		{"no Store", func(c *ssokit.Config) { c.Store = nil }, "Config.Store is required"},
		{"no Users", func(c *ssokit.Config) { c.Users = nil }, "Config.Users is required"},
		{"no Sessions", func(c *ssokit.Config) { c.Sessions = nil }, "Config.Sessions is required"},
		{"incomplete SessionFuncs", func(c *ssokit.Config) { c.Sessions = ssokit.SessionFuncs{} }, "SessionFuncs needs"},
		{"path without slash", func(c *ssokit.Config) { c.Paths.Login = "login" }, "Config.Paths.Login"},
		{"path with pattern", func(c *ssokit.Config) { c.Paths.Callback = "/cb/{x}" }, "Config.Paths.Callback"},
		{"duplicate paths", func(c *ssokit.Config) { c.Paths.Logout = "/login" }, "are both"},
		{"absolute default return", func(c *ssokit.Config) { c.DefaultReturnPath = "https://evil.example" }, "Config.DefaultReturnPath"},
		{"http allowed return URL", func(c *ssokit.Config) { c.AllowedReturnURLs = []string{"http://admin.example.com"} }, "Config.AllowedReturnURLs[0]"},
		{"negative TTL", func(c *ssokit.Config) { c.FlowTTL = -time.Second }, "Config.FlowTTL"},
		{"overlap shorter than lifetime", func(c *ssokit.Config) { c.Tokens.Lifetime = 2 * time.Hour; c.Tokens.Overlap = time.Hour }, "Config.Tokens.Overlap"},
		{"strict cookie", func(c *ssokit.Config) { c.Cookie.SameSite = http.SameSiteStrictMode }, "Config.Cookie.SameSite"},
		{"prefixed cookie name", func(c *ssokit.Config) { c.Cookie.Name = "__Host-x" }, "Config.Cookie.Name"},
		{"unguardable transport", func(c *ssokit.Config) { c.HTTPClient = &http.Client{Transport: roundTripper{}} }, "Config.HTTPClient"},
		{"unguardable transport, insecure", func(c *ssokit.Config) {
			c.HTTPClient = &http.Client{Transport: roundTripper{}}
			c.InsecureAllowPrivateIdPAddresses = true
		}, ""},
		{"guardable transport", func(c *ssokit.Config) { c.HTTPClient = &http.Client{Transport: &http.Transport{}} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.edit(&cfg)
			_, err := ssokit.New(cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "ssokit: ") {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// roundTripper is a RoundTripper the address guard cannot re-dial.
type roundTripper struct{}

func (roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	return http.DefaultTransport.RoundTrip(r)
}

// TestNewCopiesConfig: changing the Config's slices after New has no
// effect.
func TestNewCopiesConfig(t *testing.T) {
	allowed := []string{"https://admin.acme.example/"}
	e := newEnv(t, func(c *ssokit.Config) { c.AllowedReturnURLs = allowed })
	allowed[0] = "https://evil.example/"
	got := e.login(e.browser(), map[string][]string{"connection_id": {e.conn.ID}, "return_to": {"https://admin.acme.example/x"}})
	if got.String() != "https://admin.acme.example/x" {
		t.Errorf("landed on %s", got)
	}
	e.browser().get(e.app.URL + "/sso/login?connection_id=" + e.conn.ID + "&return_to=https://evil.example/")
	e.wantErr(ssokit.CodeReturnURLNotAllowed, "")
}
