package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// cli runs "example-app args…" on the data folder dir and returns stdout,
// stderr and the error.
func cli(t *testing.T, dir string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		switch k {
		case "GATEHOUSE_DATA":
			return dir
		case "GATEHOUSE_BASE_URL":
			return "https://notes.example.com"
		}
		return ""
	}
	err := run(context.Background(), args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, errOut, err := cli(t, dir, args...)
	if err != nil {
		t.Fatalf("example-app %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// openData opens the store of a data folder, for checks.
func openData(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), dir+"/gatehouse.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var connIDRE = regexp.MustCompile(`connection (conn_[0-9a-z]+) created`)

func TestCLIOrgCreateAndList(t *testing.T) {
	dir := t.TempDir()
	out := mustCLI(t, dir, "org", "create", "-id", "org_acme", "-name", "Acme Corp", "-domain", "acme.com", "-domain", "Acme.io", "-enforce-sso")
	wantContains(t, out, "organization org_acme (Acme Corp) created", "SSO enforced: true", "acme.com, Acme.io")

	st := openData(t, dir)
	org, err := st.Organization(t.Context(), "org_acme")
	if err != nil || !org.SSOEnforced || org.Name != "Acme Corp" {
		t.Fatalf("organization = %+v, %v", org, err)
	}
	d, err := st.DomainByName(t.Context(), "acme.io")
	if err != nil || d.State != ssokit.DomainVerified || d.OrganizationID != "org_acme" {
		t.Errorf("domain acme.io = %+v, %v", d, err)
	}
	st.Close()

	mustCLI(t, dir, "org", "create", "-id", "org_beta", "-name", "Beta", "-domain", "beta.example", "-unverified")
	out = mustCLI(t, dir, "org", "list")
	wantContains(t, out, `org_acme  "Acme Corp"  SSO enforced: true  domains: acme.com (verified), acme.io (verified)`,
		`org_beta  "Beta"  SSO enforced: false  domains: beta.example (pending)`)

	errs := []struct {
		name string
		args []string
		want string
	}{
		{"duplicate id", []string{"org", "create", "-id", "org_acme", "-name", "X", "-domain", "x.example"}, "already exists"},
		{"domain of another organization", []string{"org", "create", "-id", "org_c", "-name", "C", "-domain", "acme.com"}, "belongs to another organization"},
		{"no domain", []string{"org", "create", "-id", "org_d", "-name", "D"}, "at least one -domain"},
		{"bad domain", []string{"org", "create", "-id", "org_e", "-name", "E", "-domain", "not a domain"}, "is not a domain name"},
		{"bad id", []string{"org", "create", "-id", "a/b", "-name", "E", "-domain", "e.example"}, "letters, digits"},
		{"unknown command", []string{"org", "destroy"}, `unknown command "org destroy"`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := cli(t, dir, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// A failed create leaves nothing behind.
	st = openData(t, dir)
	if _, err := st.Organization(t.Context(), "org_c"); !isNotFound(err) {
		t.Errorf("org_c after a failed create: %v", err)
	}
}

func TestCLIConnectionLifecycle(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "org", "create", "-id", "org_acme", "-name", "Acme Corp", "-domain", "acme.com")

	out := mustCLI(t, dir, "connection", "add-oidc", "-org", "org_acme", "-issuer", "https://acme.okta.com/",
		"-client-id", "0oa123", "-client-secret", "s3cret", "-provider", "okta", "-skip-check")
	m := connIDRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no connection id in:\n%s", out)
	}
	id := m[1]
	wantContains(t, out, `oidc  active  "Okta (OpenID Connect)"  provider okta  organization org_acme`,
		"issuer:              https://acme.okta.com\n", "client id:           0oa123",
		"OIDC redirect URI:   https://notes.example.com/sso/oidc/callback")
	if strings.Contains(out, "s3cret") {
		t.Error("the client secret was printed")
	}

	st := openData(t, dir)
	conn, err := st.Connection(t.Context(), id)
	if err != nil || conn.OIDC.ClientSecret != "s3cret" || conn.OIDC.Issuer != "https://acme.okta.com" {
		t.Fatalf("stored connection = %+v, %v", conn, err)
	}
	st.Close()

	out = mustCLI(t, dir, "connection", "list")
	wantContains(t, out, id, "OIDC redirect URI:   https://notes.example.com/sso/oidc/callback")
	out = mustCLI(t, dir, "connection", "list", "-org", "org_nobody")
	wantContains(t, out, "no connections")

	wantContains(t, mustCLI(t, dir, "connection", "disable", id), "connection "+id+" is inactive")
	wantContains(t, mustCLI(t, dir, "connection", "list", "-org", "org_acme"), "oidc  inactive")
	wantContains(t, mustCLI(t, dir, "connection", "enable", id), "connection "+id+" is active")
	wantContains(t, mustCLI(t, dir, "connection", "list", "-org", "org_acme"), "oidc  active")
	wantContains(t, mustCLI(t, dir, "connection", "delete", id), "connection "+id+" deleted")
	wantContains(t, mustCLI(t, dir, "connection", "list"), "no connections")

	if _, _, err := cli(t, dir, "connection", "delete", id); err == nil || !isNotFound(err) {
		t.Errorf("deleting a deleted connection: %v, want not found", err)
	}
	if _, _, err := cli(t, dir, "connection", "enable"); err == nil {
		t.Error("enable without an id succeeded")
	}
}

func TestCLIAddOIDCChecks(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "org", "create", "-id", "org_acme", "-name", "Acme", "-domain", "acme.com")
	tests := []struct {
		name string
		args []string
		want string // "" means success
	}{
		{"loopback in development mode", []string{"-issuer", "http://localhost:8080/idpsim"}, ""},
		{"loopback outside development mode", []string{"-idpsim=false", "-issuer", "http://localhost:8080/idpsim"}, "development mode"},
		{"https loopback outside development mode", []string{"-idpsim=false", "-issuer", "https://127.0.0.1/x"}, "development mode"},
		{"plain http", []string{"-issuer", "http://idp.example.com"}, "must be an https URL"},
		{"relative", []string{"-issuer", "/oauth2"}, "not an absolute URL"},
		{"unknown organization", []string{"-issuer", "https://idp.example.com", "-org", "org_nope"}, "no organization org_nope"},
		{"missing secret", []string{"-issuer", "https://idp.example.com", "-client-secret", ""}, "client secret are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"connection", "add-oidc", "-org", "org_acme", "-client-id", "c", "-client-secret", "s", "-skip-check"}, tt.args...)
			_, _, err := cli(t, dir, args...)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCLIHelp(t *testing.T) {
	out := mustCLI(t, t.TempDir(), "help")
	wantContains(t, out, "org create", "connection add-oidc", "connection add-saml", "connection set-metadata",
		"connection list", "connection enable", "connection disable", "connection delete")
}

// TestCLIChecksAgainstSimulator adds connections pointing at a running
// simulator (the example app's, on a loopback port, as in development) and
// at broken settings: a connection is kept only when a login on it can
// start.
func TestCLIChecksAgainstSimulator(t *testing.T) {
	idp := newTestApp(t, "") // serves the simulator at idp.url/idpsim
	dir := t.TempDir()
	mustCLI(t, dir, "org", "create", "-id", "org_acme", "-name", "Acme", "-domain", "acme.com")

	t.Run("OIDC", func(t *testing.T) {
		out := mustCLI(t, dir, "connection", "add-oidc", "-org", "org_acme", "-issuer", idp.url+"/idpsim",
			"-client-id", "cli-client", "-client-secret", "s")
		wantContains(t, out, "created (active)")
		_, _, err := cli(t, dir, "connection", "add-oidc", "-org", "org_acme", "-issuer", idp.url+"/nope",
			"-client-id", "cli-client", "-client-secret", "s")
		if err == nil || !strings.Contains(err.Error(), "was not kept") || !strings.Contains(err.Error(), "idp_error") {
			t.Errorf("unreachable issuer: %v", err)
		}
	})

	t.Run("SAML from a metadata URL", func(t *testing.T) {
		out := mustCLI(t, dir, "connection", "add-saml", "-org", "org_acme", "-metadata-url", idp.url+"/idpsim/saml/metadata",
			"-provider", "okta", "-allow-idp-initiated")
		id := connIDRE.FindStringSubmatch(out)[1]
		base := "https://notes.example.com/sso/saml/" + id
		wantContains(t, out, `saml  active  "Okta (SAML)"`, "SP entity ID:        "+base+"/metadata",
			"ACS URL:             "+base+"/acs", "SP metadata URL:     "+base+"/metadata",
			"IdP metadata URL:    "+idp.url+"/idpsim/saml/metadata", "IdP-initiated:       true")
		// The check fetched and stored the metadata.
		st := openData(t, dir)
		conn, err := st.Connection(t.Context(), id)
		if err != nil || !strings.Contains(conn.SAML.MetadataXML, "IDPSSODescriptor") {
			t.Errorf("stored connection: %v %+v", err, conn)
		}
		st.Close()
		wantContains(t, mustCLI(t, dir, "connection", "list", "-org", "org_acme"), "SP entity ID:        "+base+"/metadata")
	})

	t.Run("SAML draft, then metadata from a file", func(t *testing.T) {
		out := mustCLI(t, dir, "connection", "add-saml", "-org", "org_acme", "-name", "Entra ID")
		id := connIDRE.FindStringSubmatch(out)[1]
		wantContains(t, out, "created as a draft", "set-metadata "+id, `saml  draft  "Entra ID"`,
			"ACS URL:             https://notes.example.com/sso/saml/"+id+"/acs", "IdP metadata:        none yet")

		bad := filepath.Join(t.TempDir(), "bad.xml")
		if err := os.WriteFile(bad, []byte("<html>not metadata</html>"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := cli(t, dir, "connection", "set-metadata", id, "-metadata-file", bad)
		if err == nil || !strings.Contains(err.Error(), "left as a draft") || !strings.Contains(err.Error(), "connection_misconfigured") {
			t.Errorf("bad metadata: %v", err)
		}
		wantContains(t, mustCLI(t, dir, "connection", "list", "-org", "org_acme"), `saml  draft  "Entra ID"`)

		good := filepath.Join(t.TempDir(), "idp.xml")
		md, err := idp.simulatorMetadata()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(good, []byte(md), 0o600); err != nil {
			t.Fatal(err)
		}
		out = mustCLI(t, dir, "connection", "set-metadata", id, "-metadata-file", good)
		wantContains(t, out, "connection "+id+" is active", "IdP metadata:        stored (from a file)")
	})

	t.Run("refusals", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			args []string
			want string
		}{
			{"loopback outside development mode", []string{"-idpsim=false", "-metadata-url", idp.url + "/idpsim/saml/metadata"}, "development mode"},
			{"http metadata URL", []string{"-metadata-url", "http://idp.example.com/md"}, "must be an https URL"},
			{"both sources", []string{"-metadata-url", "https://idp.example.com/md", "-metadata-file", "x.xml"}, "not both"},
			{"missing file", []string{"-metadata-file", filepath.Join(t.TempDir(), "none.xml")}, "no such file"},
			{"metadata that is not", []string{"-metadata-url", idp.url + "/me"}, "was not kept"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := cli(t, dir, append([]string{"connection", "add-saml", "-org", "org_acme"}, tt.args...)...)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("err = %v, want %q", err, tt.want)
				}
			})
		}
		// Nothing of the refused ones was kept: 2 OIDC tries kept 1, and
		// the two SAML subtests kept theirs.
		st := openData(t, dir)
		conns, err := st.Connections(t.Context(), "org_acme")
		if err != nil || len(conns) != 3 {
			t.Errorf("%d connections kept, want 3 (%v)", len(conns), err)
		}
	})
}
