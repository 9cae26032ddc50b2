package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// mountSCIM serves the SCIM 2.0 endpoints at /scim/v2/ (each directory's
// identity provider finds its directory by its bearer token) and a page
// listing a directory's users at /directories/{id}/users.
func (a *app) mountSCIM() error {
	srv, err := scimkit.New(scimkit.Config{Store: a.store, Logger: a.logger})
	if err != nil {
		return err
	}
	a.mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv.Handler()))
	a.mux.HandleFunc("GET /directories/{id}/users", func(w http.ResponseWriter, r *http.Request) {
		a.directoryUsers(w, r, srv)
	})
	return nil
}

var directoryUsersPage = template.Must(template.New("users").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Directory users</title></head>
<body><main>
<h1>Users of directory {{.ID}}</h1>
<table><thead><tr><th>userName</th><th>name</th><th>email</th><th>active</th></tr></thead><tbody>
{{range .Users}}<tr><td>{{.UserName}}</td><td>{{.Name.GivenName}} {{.Name.FamilyName}}</td><td>{{.PrimaryEmail}}</td><td>{{.Active}}</td></tr>
{{else}}<tr><td colspan="4">No users yet.</td></tr>{{end}}
</tbody></table>
{{if .Next}}<p><a href="?page_token={{.Next}}">Next page</a></p>{{end}}
</main></body></html>`))

// directoryUsers shows a page of a directory's users through the
// Directory API. (A real application would check that the signed-in
// administrator belongs to the directory's organization.)
func (a *app) directoryUsers(w http.ResponseWriter, r *http.Request, srv *scimkit.Server) {
	id := r.PathValue("id")
	page, err := srv.ListUsers(r.Context(), id, scimkit.ListOptions{PageSize: 50, PageToken: r.URL.Query().Get("page_token")})
	switch {
	case errors.Is(err, scimkit.ErrNotFound):
		http.NotFound(w, r)
		return
	case errors.Is(err, scimkit.ErrInvalidPageToken):
		http.Error(w, "invalid page token", http.StatusBadRequest)
		return
	case err != nil:
		a.logger.Error("list_directory_users", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	data := struct {
		ID    string
		Users []*scimkit.User
		Next  string
	}{id, page.Users, page.NextPageToken}
	if err := directoryUsersPage.Execute(w, data); err != nil {
		a.logger.Error("render_directory_users", "err", err)
	}
}

// runCreateDirectory is the "create-directory" subcommand: it opens the
// store in the data folder (-data, or GATEHOUSE_DATA, default "data") and
// runs cmdCreateDirectory with the other arguments.
func runCreateDirectory(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	dataDir := envOr(getenv, "GATEHOUSE_DATA", "data")
	var rest []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "-data" || a == "--data") && i+1 < len(args):
			dataDir = args[i+1]
			i++
		case strings.HasPrefix(a, "-data=") || strings.HasPrefix(a, "--data="):
			_, dataDir, _ = strings.Cut(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	st, err := sqlite.Open(ctx, filepath.Join(dataDir, "gatehouse.db"), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return cmdCreateDirectory(ctx, st, rest, stdout)
}

// cmdCreateDirectory creates a SCIM directory, and its organization if
// missing, and prints the SCIM base URL and the bearer token (once: only
// its hash is kept).
//
//	create-directory [-org ID] [-org-name NAME] [-name NAME] [-dialect generic|entra|okta] [-base-url URL]
func cmdCreateDirectory(ctx context.Context, st *store.Store, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("create-directory", flag.ContinueOnError)
	fs.SetOutput(stdout)
	orgID := fs.String("org", "org_example", "organization id (the host's tenant id); created if missing")
	orgName := fs.String("org-name", "Example organization", "organization name, when it is created")
	name := fs.String("name", "SCIM directory", "directory name")
	dialect := fs.String("dialect", scimkit.DialectGeneric, "SCIM client dialect: generic, entra or okta")
	baseURL := fs.String("base-url", "http://localhost:8080/scim/v2", "the SCIM base URL to print")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !scimkit.ValidDialect(*dialect) {
		return fmt.Errorf("create-directory: unknown dialect %q (want generic, entra or okta)", *dialect)
	}
	if _, err := st.Organization(ctx, *orgID); errors.Is(err, store.ErrNotFound) {
		if err := st.CreateOrganization(ctx, &ssokit.Organization{ID: *orgID, Name: *orgName}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	srv, err := scimkit.New(scimkit.Config{Store: st})
	if err != nil {
		return err
	}
	d, token, err := srv.CreateDirectory(ctx, *orgID, *name, *dialect)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "directory %s (%s) of organization %s\n", d.ID, d.Dialect, d.OrganizationID)
	fmt.Fprintf(stdout, "SCIM_BASE=%s\n", *baseURL)
	fmt.Fprintf(stdout, "SCIM_TOKEN=%s\n", token)
	fmt.Fprintln(stdout, "(the token is shown once: enter it in the identity provider now)")
	return nil
}
