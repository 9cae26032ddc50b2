package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
)

// The operator commands: what an operator does before the admin portal
// exists. Each opens the same store the server uses (-data or -postgres)
// and prints the URLs to enter at the identity provider, built from
// -base-url.
const commandUsage = `Operator commands of the Acme Notes example app:

  example-app org create -id ID -name NAME -domain DOMAIN [-domain DOMAIN]… [-enforce-sso] [-unverified]
  example-app org list
  example-app connection add-oidc -org ID -issuer URL -client-id ID [-client-secret SECRET] [-provider P] [-name NAME]
  example-app connection add-saml -org ID [-metadata-url URL | -metadata-file PATH] [-provider P] [-name NAME] [-allow-idp-initiated]
  example-app connection set-metadata ID (-metadata-url URL | -metadata-file PATH)
  example-app connection list [-org ID]
  example-app connection enable ID
  example-app connection disable ID
  example-app connection delete ID
  example-app create-directory [-org ID] [-name NAME] [-dialect generic|entra|okta]   (a SCIM directory; prints its token once)

Each command also takes -data, -postgres, -base-url and -idpsim, as the server
does (and the same environment variables). -client-secret defaults to
$GATEHOUSE_OIDC_CLIENT_SECRET, which keeps it out of the shell history.
Loopback identity-provider URLs (http://localhost…) are accepted in
development mode (-idpsim, the default) only.

A new connection is checked by starting a login with it, as the app would:
the OIDC discovery document or the SAML metadata must be readable and valid,
or the connection is not kept (-skip-check skips this, for an IdP that is not
reachable from here). A SAML identity provider usually wants the app's SP
entity ID and ACS URL before it shows its metadata: run add-saml without
metadata to get them (the connection stays a draft), then set-metadata.
Run a command with -h for its flags.
`

// runCommand dispatches "example-app <command> <subcommand> …".
func runCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := &commander{getenv: getenv, stdout: stdout, stderr: stderr}
	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	var rest []string
	if len(args) > 2 {
		rest = args[2:]
	}
	switch args[0] + " " + sub {
	case "org create":
		return c.orgCreate(ctx, rest)
	case "org list":
		return c.orgList(ctx, rest)
	case "connection add-oidc":
		return c.connectionAddOIDC(ctx, rest)
	case "connection add-saml":
		return c.connectionAddSAML(ctx, rest)
	case "connection set-metadata":
		return c.connectionSetMetadata(ctx, rest)
	case "connection list":
		return c.connectionList(ctx, rest)
	case "connection enable":
		return c.connectionSetStatus(ctx, "connection enable", rest, ssokit.ConnectionActive)
	case "connection disable":
		return c.connectionSetStatus(ctx, "connection disable", rest, ssokit.ConnectionInactive)
	case "connection delete":
		return c.connectionDelete(ctx, rest)
	}
	if args[0] == "create-directory" {
		return runCreateDirectory(ctx, args[1:], getenv, stdout)
	}
	if args[0] == "help" || args[0] == "-h" {
		fmt.Fprint(stdout, commandUsage)
		return nil
	}
	fmt.Fprint(stderr, commandUsage)
	return fmt.Errorf("unknown command %q", strings.TrimSpace(args[0]+" "+sub))
}

// commander runs one operator command.
type commander struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	opts           options
	probeErr       error // the kit's error during check
}

// flags returns a flag set with the store flags registered.
func (c *commander) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("example-app "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	storeFlags(fs, &c.opts, c.getenv)
	return fs
}

// parse parses the flags, refuses stray arguments beyond want positional
// ones, derives the base URL and returns the positional arguments.
func (c *commander) parse(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	// Flags may come before or after the positional arguments
	// ("connection set-metadata ID -metadata-url …").
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != want {
		fs.Usage()
		return nil, fmt.Errorf("%s: want %d argument(s), got %d", fs.Name(), want, len(pos))
	}
	c.opts.addr = envOr(c.getenv, "GATEHOUSE_ADDR", "localhost:8080")
	return pos, c.opts.finish()
}

// open opens the store.
func (c *commander) open(ctx context.Context) (*store.Store, error) {
	return openStore(ctx, c.opts)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func (c *commander) orgCreate(ctx context.Context, args []string) error {
	fs := c.flags("org create")
	id := fs.String("id", "", "organization id: your tenant id, such as org_acme (required)")
	name := fs.String("name", "", "display name (required)")
	var domains stringList
	fs.Var(&domains, "domain", "an email domain of the organization, such as acme.com (repeat for several; at least one)")
	enforce := fs.Bool("enforce-sso", false, "members must sign in through SSO to see the organization's pages")
	unverified := fs.Bool("unverified", false, "leave the domains pending instead of verified (pending domains do not route logins)")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	if *id == "" || *name == "" || len(domains) == 0 {
		fs.Usage()
		return errors.New("org create: -id, -name and at least one -domain are required")
	}
	if strings.ContainsAny(*id, "/?#% ") || len(*id) > 64 {
		return fmt.Errorf("org create: -id %q: use letters, digits, - and _ only", *id)
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	org := &ssokit.Organization{ID: *id, Name: *name, SSOEnforced: *enforce}
	err = st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateOrganization(ctx, org); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("organization %s already exists", *id)
			}
			return err
		}
		for _, dn := range domains {
			d := &ssokit.Domain{OrganizationID: org.ID, Name: strings.ToLower(strings.TrimSpace(dn)), State: ssokit.DomainVerified, VerifiedAt: time.Now()}
			if !validDomain(d.Name) {
				return fmt.Errorf("-domain %q is not a domain name", dn)
			}
			if *unverified {
				d.State, d.VerifiedAt = ssokit.DomainPending, time.Time{}
			}
			if err := tx.CreateDomain(ctx, d); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return fmt.Errorf("domain %s belongs to another organization", d.Name)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("org create: %w", err)
	}
	state := "verified"
	if *unverified {
		state = "pending"
	}
	fmt.Fprintf(c.stdout, "organization %s (%s) created, SSO enforced: %t, domains (%s): %s\n",
		org.ID, org.Name, org.SSOEnforced, state, strings.Join(domains, ", "))
	return nil
}

func (c *commander) orgList(ctx context.Context, args []string) error {
	fs := c.flags("org list")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	orgs, err := st.Organizations(ctx)
	if err != nil {
		return fmt.Errorf("org list: %w", err)
	}
	if len(orgs) == 0 {
		fmt.Fprintln(c.stdout, "no organizations")
	}
	for _, org := range orgs {
		doms, err := st.Domains(ctx, org.ID)
		if err != nil {
			return fmt.Errorf("org list: %w", err)
		}
		var ds []string
		for _, d := range doms {
			ds = append(ds, d.Name+" ("+string(d.State)+")")
		}
		fmt.Fprintf(c.stdout, "%s  %q  SSO enforced: %t  domains: %s\n", org.ID, org.Name, org.SSOEnforced, strings.Join(ds, ", "))
	}
	return nil
}

func (c *commander) connectionAddOIDC(ctx context.Context, args []string) error {
	fs := c.flags("connection add-oidc")
	orgID := fs.String("org", "", "organization id (required)")
	issuer := fs.String("issuer", "", "the provider's issuer URL, such as https://acme.okta.com (required)")
	clientID := fs.String("client-id", "", "client id the provider gave the app (required)")
	secret := fs.String("client-secret", c.getenv("GATEHOUSE_OIDC_CLIENT_SECRET"), "client secret (env GATEHOUSE_OIDC_CLIENT_SECRET)")
	provider := fs.String("provider", "generic", "okta, entra, google, jumpcloud, onelogin, ping, keycloak or generic")
	name := fs.String("name", "", "display name, shown when an organization has several connections (default: the provider)")
	authPost := fs.Bool("client-secret-post", false, "send the secret in the token request body (default: HTTP Basic)")
	skipCheck := fs.Bool("skip-check", false, "keep the connection without checking that the provider's discovery document is readable")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	if *orgID == "" || *issuer == "" || *clientID == "" || *secret == "" {
		fs.Usage()
		return errors.New("connection add-oidc: -org, -issuer, -client-id and a client secret are required")
	}
	if err := checkIdPURL(*issuer, c.opts.idpsim); err != nil {
		return fmt.Errorf("connection add-oidc: -issuer: %w", err)
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	conn := &ssokit.Connection{
		OrganizationID: *orgID,
		Type:           ssokit.ConnectionOIDC,
		Provider:       *provider,
		Name:           displayName(*name, *provider, "OpenID Connect"),
		Status:         ssokit.ConnectionActive,
		OIDC:           &ssokit.OIDCConfig{Issuer: strings.TrimSuffix(*issuer, "/"), ClientID: *clientID, ClientSecret: *secret},
	}
	if *authPost {
		conn.OIDC.TokenAuthMethod = "client_secret_post"
	}
	sso, err := c.kit(st)
	if err != nil {
		return err
	}
	if err := c.createChecked(ctx, st, sso, conn, *skipCheck); err != nil {
		return fmt.Errorf("connection add-oidc: %w", err)
	}
	fmt.Fprintf(c.stdout, "connection %s created (active)\n", conn.ID)
	c.printConnection(sso, conn)
	return nil
}

// metadataFlags registers -metadata-url and -metadata-file.
func metadataFlags(fs *flag.FlagSet) (mdURL, mdFile *string) {
	mdURL = fs.String("metadata-url", "", "the IdP's SAML metadata URL (re-read every 12 hours)")
	mdFile = fs.String("metadata-file", "", "a file holding the IdP's SAML metadata XML")
	return mdURL, mdFile
}

// applyMetadata sets sc's IdP metadata from the flags; it reports whether
// any was given.
func (c *commander) applyMetadata(sc *ssokit.SAMLConfig, mdURL, mdFile string) (bool, error) {
	switch {
	case mdURL != "" && mdFile != "":
		return false, errors.New("give -metadata-url or -metadata-file, not both")
	case mdURL != "":
		if err := checkIdPURL(mdURL, c.opts.idpsim); err != nil {
			return false, fmt.Errorf("-metadata-url: %w", err)
		}
		// The kit fetches it on first use and on every refresh.
		sc.MetadataURL, sc.MetadataXML, sc.MetadataRefreshedAt = mdURL, "", time.Time{}
		return true, nil
	case mdFile != "":
		f, err := os.Open(mdFile)
		if err != nil {
			return false, err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxMetadataBytes+1))
		if err != nil {
			return false, err
		}
		if len(b) > maxMetadataBytes {
			return false, fmt.Errorf("-metadata-file: larger than %d bytes", maxMetadataBytes)
		}
		sc.MetadataURL, sc.MetadataXML = "", string(b)
		return true, nil
	}
	return false, nil
}

// maxMetadataBytes bounds a metadata file.
const maxMetadataBytes = 1 << 20

func (c *commander) connectionAddSAML(ctx context.Context, args []string) error {
	fs := c.flags("connection add-saml")
	orgID := fs.String("org", "", "organization id (required)")
	mdURL, mdFile := metadataFlags(fs)
	provider := fs.String("provider", "generic", "okta, entra, google, jumpcloud, onelogin, ping, adfs, keycloak or generic (selects attribute names)")
	name := fs.String("name", "", "display name, shown when an organization has several connections (default: the provider)")
	idpInit := fs.Bool("allow-idp-initiated", false, "accept sign-ins started from the IdP's dashboard (converted into an ordinary login)")
	skipCheck := fs.Bool("skip-check", false, "keep the connection without checking its metadata")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	if *orgID == "" {
		fs.Usage()
		return errors.New("connection add-saml: -org is required")
	}
	conn := &ssokit.Connection{
		OrganizationID:    *orgID,
		Type:              ssokit.ConnectionSAML,
		Provider:          *provider,
		Name:              displayName(*name, *provider, "SAML"),
		Status:            ssokit.ConnectionDraft,
		AllowIDPInitiated: *idpInit,
		SAML:              &ssokit.SAMLConfig{},
	}
	hasMetadata, err := c.applyMetadata(conn.SAML, *mdURL, *mdFile)
	if err != nil {
		return fmt.Errorf("connection add-saml: %w", err)
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sso, err := c.kit(st)
	if err != nil {
		return err
	}
	if !hasMetadata {
		if err := createConnection(ctx, st, conn); err != nil {
			return fmt.Errorf("connection add-saml: %w", err)
		}
		fmt.Fprintf(c.stdout, "connection %s created as a draft: enter these values at the identity provider,\n", conn.ID)
		fmt.Fprintf(c.stdout, "then run: example-app connection set-metadata %s -metadata-url <the IdP's metadata URL>\n", conn.ID)
		c.printConnection(sso, conn)
		return nil
	}
	conn.Status = ssokit.ConnectionActive
	if err := c.createChecked(ctx, st, sso, conn, *skipCheck); err != nil {
		return fmt.Errorf("connection add-saml: %w", err)
	}
	fmt.Fprintf(c.stdout, "connection %s created (active)\n", conn.ID)
	c.printConnection(sso, conn)
	return nil
}

func (c *commander) connectionSetMetadata(ctx context.Context, args []string) error {
	fs := c.flags("connection set-metadata ID")
	mdURL, mdFile := metadataFlags(fs)
	skipCheck := fs.Bool("skip-check", false, "keep the metadata without checking it")
	pos, err := c.parse(fs, args, 1)
	if err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	conn, err := st.Connection(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("connection set-metadata: %w", err)
	}
	if conn.Type != ssokit.ConnectionSAML {
		return fmt.Errorf("connection set-metadata: %s is not a SAML connection", conn.ID)
	}
	if conn.SAML == nil {
		conn.SAML = &ssokit.SAMLConfig{}
	}
	ok, err := c.applyMetadata(conn.SAML, *mdURL, *mdFile)
	if err != nil {
		return fmt.Errorf("connection set-metadata: %w", err)
	}
	if !ok {
		return errors.New("connection set-metadata: give -metadata-url or -metadata-file")
	}
	sso, err := c.kit(st)
	if err != nil {
		return err
	}
	conn.Status = ssokit.ConnectionActive
	if err := st.UpdateConnection(ctx, conn); err != nil {
		return fmt.Errorf("connection set-metadata: %w", err)
	}
	if !*skipCheck {
		if err := c.check(ctx, sso, conn); err != nil {
			conn.Status = ssokit.ConnectionDraft
			if uerr := st.UpdateConnection(ctx, conn); uerr != nil {
				err = errors.Join(err, uerr)
			}
			return fmt.Errorf("connection set-metadata: %s left as a draft: %w", conn.ID, err)
		}
	}
	fmt.Fprintf(c.stdout, "connection %s is active\n", conn.ID)
	c.printConnection(sso, conn)
	return nil
}

// kit returns the kit configured as the server configures it, for the
// URLs it prints and for checking connections. Its session bridge is
// never used (nobody signs in here).
func (c *commander) kit(st *store.Store) (*ssokit.SSO, error) {
	cookies := sessions.NewCookieStore(securecookie.GenerateRandomKey(32))
	bridge, err := ssokit.NewGorillaSessions(cookies, sessionCookieName)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	return newSSO(c.opts, st, &userStore{db: st.DB(), now: time.Now}, bridge, logger,
		func(w http.ResponseWriter, r *http.Request, err error) {
			c.probeErr = err
			ssokit.DefaultErrorHandler(w, r, err)
		})
}

// createChecked creates conn (active) and checks it, deleting it again
// when the check fails.
func (c *commander) createChecked(ctx context.Context, st *store.Store, sso *ssokit.SSO, conn *ssokit.Connection, skip bool) error {
	if err := createConnection(ctx, st, conn); err != nil {
		return err
	}
	if skip {
		return nil
	}
	if err := c.check(ctx, sso, conn); err != nil {
		if derr := st.DeleteConnection(ctx, conn.ID); derr != nil {
			err = errors.Join(err, derr)
		}
		return fmt.Errorf("the connection was not kept: %w", err)
	}
	return nil
}

// check starts a login on conn with the kit, as a browser at /login would:
// the kit reads the OIDC discovery document or the SAML metadata (fetching
// and storing a metadata URL) and builds the request to the identity
// provider. Nothing is sent to the identity provider; the flow record it
// leaves expires unused.
func (c *commander) check(ctx context.Context, sso *ssokit.SSO, conn *ssokit.Connection) error {
	c.probeErr = nil
	rec := httptest.NewRecorder()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/login?"+url.Values{"connection_id": {conn.ID}}.Encode(), nil)
	sso.LoginHandler().ServeHTTP(rec, req)
	if c.probeErr != nil {
		return fmt.Errorf("check failed: %w", c.probeErr)
	}
	if rec.Code >= 400 {
		return fmt.Errorf("check failed: status %d", rec.Code)
	}
	return nil
}

// createConnection stores conn after checking its organization exists.
func createConnection(ctx context.Context, st *store.Store, conn *ssokit.Connection) error {
	if _, err := st.Organization(ctx, conn.OrganizationID); err != nil {
		if isNotFound(err) {
			return fmt.Errorf("no organization %s (create it with: example-app org create)", conn.OrganizationID)
		}
		return err
	}
	return st.CreateConnection(ctx, conn)
}

func displayName(name, provider, protocol string) string {
	if name != "" {
		return name
	}
	if provider == "" || provider == "generic" {
		return protocol
	}
	return strings.ToUpper(provider[:1]) + provider[1:] + " (" + protocol + ")"
}

func (c *commander) connectionList(ctx context.Context, args []string) error {
	fs := c.flags("connection list")
	orgID := fs.String("org", "", "only this organization's connections")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sso, err := c.kit(st)
	if err != nil {
		return err
	}
	orgs := []string{*orgID}
	if *orgID == "" {
		all, err := st.Organizations(ctx)
		if err != nil {
			return fmt.Errorf("connection list: %w", err)
		}
		orgs = orgs[:0]
		for _, o := range all {
			orgs = append(orgs, o.ID)
		}
	}
	n := 0
	for _, id := range orgs {
		conns, err := st.Connections(ctx, id)
		if err != nil {
			return fmt.Errorf("connection list: %w", err)
		}
		for _, conn := range conns {
			if n > 0 {
				fmt.Fprintln(c.stdout)
			}
			c.printConnection(sso, conn)
			n++
		}
	}
	if n == 0 {
		fmt.Fprintln(c.stdout, "no connections")
	}
	return nil
}

// printConnection prints a connection and the values to enter at its
// identity provider.
func (c *commander) printConnection(sso *ssokit.SSO, conn *ssokit.Connection) {
	w := c.stdout
	fmt.Fprintf(w, "%s  %s  %s  %q  provider %s  organization %s\n",
		conn.ID, conn.Type, conn.Status, conn.Name, conn.Provider, conn.OrganizationID)
	switch conn.Type {
	case ssokit.ConnectionOIDC:
		if conn.OIDC != nil {
			fmt.Fprintf(w, "  issuer:              %s\n", conn.OIDC.Issuer)
			fmt.Fprintf(w, "  client id:           %s\n", conn.OIDC.ClientID)
		}
		fmt.Fprintf(w, "  OIDC redirect URI:   %s\n", c.opts.baseURL+ssoPrefix+oidcRedirectPath)
	case ssokit.ConnectionSAML:
		sp := sso.SAMLServiceProvider(conn)
		fmt.Fprintf(w, "  SP entity ID:        %s\n", sp.EntityID)
		fmt.Fprintf(w, "  ACS URL:             %s\n", sp.ACSURL)
		fmt.Fprintf(w, "  SP metadata URL:     %s\n", sp.MetadataURL)
		switch {
		case conn.SAML != nil && conn.SAML.MetadataURL != "":
			fmt.Fprintf(w, "  IdP metadata URL:    %s\n", conn.SAML.MetadataURL)
		case conn.SAML != nil && conn.SAML.MetadataXML != "":
			fmt.Fprintf(w, "  IdP metadata:        stored (from a file)\n")
		default:
			fmt.Fprintf(w, "  IdP metadata:        none yet (connection set-metadata)\n")
		}
		fmt.Fprintf(w, "  IdP-initiated:       %t\n", conn.AllowIDPInitiated)
	}
}

func (c *commander) connectionSetStatus(ctx context.Context, name string, args []string, status ssokit.ConnectionStatus) error {
	fs := c.flags(name + " ID")
	pos, err := c.parse(fs, args, 1)
	if err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	conn, err := st.Connection(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	conn.Status = status
	if err := st.UpdateConnection(ctx, conn); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(c.stdout, "connection %s is %s\n", conn.ID, status)
	return nil
}

func (c *commander) connectionDelete(ctx context.Context, args []string) error {
	fs := c.flags("connection delete ID")
	pos, err := c.parse(fs, args, 1)
	if err != nil {
		return err
	}
	st, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.DeleteConnection(ctx, pos[0]); err != nil {
		return fmt.Errorf("connection delete: %w", err)
	}
	fmt.Fprintf(c.stdout, "connection %s deleted\n", pos[0])
	return nil
}

// checkIdPURL accepts https URLs, and http on a loopback host in
// development mode only (the simulator, a local Keycloak).
func checkIdPURL(raw string, dev bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	host := strings.ToLower(u.Hostname())
	ip := net.ParseIP(host)
	loopback := host == "localhost" || strings.HasSuffix(host, ".localhost") || (ip != nil && ip.IsLoopback())
	switch {
	case loopback && !dev:
		return fmt.Errorf("%q is a loopback address, allowed in development mode (-idpsim) only", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopback:
		return nil
	}
	return fmt.Errorf("%q must be an https URL", raw)
}

// validDomain is a light check of a domain name: at least two labels of
// letters, digits and hyphens.
func validDomain(d string) bool {
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
