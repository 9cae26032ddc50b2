package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

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
  example-app connection list [-org ID]
  example-app connection enable ID
  example-app connection disable ID
  example-app connection delete ID
  example-app create-directory [-org ID] [-name NAME] [-dialect generic|entra|okta]   (a SCIM directory; prints its token once)

Each command also takes -data, -postgres, -base-url and -idpsim, as the server
does (and the same environment variables). -client-secret defaults to
$GATEHOUSE_OIDC_CLIENT_SECRET, which keeps it out of the shell history.
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
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != want {
		fs.Usage()
		return nil, fmt.Errorf("%s: want %d argument(s), got %d", fs.Name(), want, fs.NArg())
	}
	c.opts.addr = envOr(c.getenv, "GATEHOUSE_ADDR", "localhost:8080")
	return fs.Args(), c.opts.finish()
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
	rows, err := st.DB().QueryContext(ctx, `SELECT id FROM gatehouse_organizations ORDER BY id`)
	if err != nil {
		return fmt.Errorf("org list: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("org list: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("org list: %w", err)
	}
	if len(ids) == 0 {
		fmt.Fprintln(c.stdout, "no organizations")
	}
	for _, id := range ids {
		org, err := st.Organization(ctx, id)
		if err != nil {
			return fmt.Errorf("org list: %w", err)
		}
		doms, err := st.Domains(ctx, id)
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
	if err := createConnection(ctx, st, conn); err != nil {
		return fmt.Errorf("connection add-oidc: %w", err)
	}
	fmt.Fprintf(c.stdout, "connection %s created (active)\n", conn.ID)
	c.printConnection(conn)
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
	orgs := []string{*orgID}
	if *orgID == "" {
		orgs = nil
		rows, err := st.DB().QueryContext(ctx, `SELECT id FROM gatehouse_organizations ORDER BY id`)
		if err != nil {
			return fmt.Errorf("connection list: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("connection list: %w", err)
			}
			orgs = append(orgs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("connection list: %w", err)
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
			c.printConnection(conn)
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
func (c *commander) printConnection(conn *ssokit.Connection) {
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
