package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// mountSCIM serves the SCIM 2.0 endpoints
// at /scim/v2/ (each directory's identity provider finds its directory by
// its bearer token) with the app's own tables as the kit's UserStore, and
// serves GET /orgs/{org}/directory, the members' view of their
// organization's provisioned users.
func (a *app) mountSCIM() error {
	srv, err := scimkit.New(scimkit.Config{
		Store:  a.store,
		Users:  &scimUsers{db: a.db, now: time.Now},
		Logger: a.logger,
	})
	if err != nil {
		return err
	}
	a.mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv.Handler()))
	a.mux.Handle("GET /orgs/{org}/directory", a.require.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.orgDirectory(w, r, srv)
	})))
	return nil
}

// scimSchema is the app's side of provisioning, beside appSchema: which
// app user each SCIM user of a directory is, and the SCIM groups with
// their members. The statements run on SQLite and PostgreSQL alike.
var scimSchema = []string{
	// A provisioned user: the kit's key (directory, SCIM id) → the app's
	// user. active mirrors the SCIM user's; an inactive user keeps its
	// row but not its membership of the organization.
	`CREATE TABLE IF NOT EXISTS acme_scim_users (
		directory_id TEXT NOT NULL,
		scim_id TEXT NOT NULL,
		user_id TEXT NOT NULL REFERENCES acme_users (id) ON DELETE CASCADE,
		organization_id TEXT NOT NULL,
		user_name TEXT NOT NULL,
		active BOOLEAN NOT NULL,
		updated_at BIGINT NOT NULL,
		PRIMARY KEY (directory_id, scim_id))`,
	`CREATE UNIQUE INDEX IF NOT EXISTS acme_scim_users_user ON acme_scim_users (user_id)`,
	`CREATE TABLE IF NOT EXISTS acme_scim_groups (
		directory_id TEXT NOT NULL,
		scim_id TEXT NOT NULL,
		organization_id TEXT NOT NULL,
		display_name TEXT NOT NULL,
		updated_at BIGINT NOT NULL,
		PRIMARY KEY (directory_id, scim_id))`,
	`CREATE TABLE IF NOT EXISTS acme_scim_group_members (
		directory_id TEXT NOT NULL,
		group_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		PRIMARY KEY (directory_id, group_id, user_id),
		FOREIGN KEY (directory_id, group_id) REFERENCES acme_scim_groups (directory_id, scim_id) ON DELETE CASCADE,
		FOREIGN KEY (directory_id, user_id) REFERENCES acme_scim_users (directory_id, scim_id) ON DELETE CASCADE)`,
}

// scimUsers is the app's scimkit.UserStore: provisioning creates the app's
// users (acme_users) and their membership of the directory's organization
// (acme_memberships), deactivation ends the membership (the dashboard and
// every /orgs/{org}/ page then answer 403), and deletion removes the
// membership and the user unless another organization or directory still
// holds it. The kit passes its transaction (WithTx), so the app's rows
// commit or roll back with the SCIM resource and its event; on SQLite that
// transaction is the only writer, so every statement goes through it.
//
// Email addresses are not unique in acme_users (see appSchema), so no
// change collides with the app's data and no method returns
// scimkit.ErrConflict.
type scimUsers struct {
	db  *sql.DB
	tx  *sql.Tx // nil outside the kit's transaction
	now func() time.Time
}

var _ scimkit.TxUserStore = (*scimUsers)(nil)

// WithTx returns the store bound to the kit's transaction.
func (s *scimUsers) WithTx(tx *sql.Tx) scimkit.UserStore {
	return &scimUsers{db: s.db, tx: tx, now: s.now}
}

// dbtx is what *sql.DB and *sql.Tx have in common.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// run runs fn in the kit's transaction, or in one of its own when called
// outside it.
func (s *scimUsers) run(ctx context.Context, op string, fn func(q dbtx) error) error {
	if s.tx != nil {
		if err := fn(s.tx); err != nil {
			return fmt.Errorf("scim %s: %w", op, err)
		}
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("scim %s: %w", op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("scim %s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("scim %s: %w", op, err)
	}
	return nil
}

// appUserOf returns the app user mapped to a SCIM user, or "".
func appUserOf(ctx context.Context, q dbtx, directoryID, scimID string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT user_id FROM acme_scim_users WHERE directory_id = $1 AND scim_id = $2`,
		directoryID, scimID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// profileOf is what the app keeps of a SCIM user in acme_users.
func profileOf(u *scimkit.User) (email, given, family, name string) {
	email = u.PrimaryEmail()
	if email == "" {
		email = u.UserName
	}
	name = u.DisplayName
	if name == "" {
		name = u.Name.Formatted
	}
	if name == "" {
		name = strings.TrimSpace(u.Name.GivenName + " " + u.Name.FamilyName)
	}
	return email, u.Name.GivenName, u.Name.FamilyName, name
}

// CreateUser creates the app user, maps it to the SCIM user and makes it
// a member of the organization (if active); a user already mapped is
// updated instead.
func (s *scimUsers) CreateUser(ctx context.Context, u *scimkit.User) error {
	return s.run(ctx, "create user", func(q dbtx) error { return s.upsert(ctx, q, u) })
}

// UpdateUser writes the changed user; a user the app lost is created.
func (s *scimUsers) UpdateUser(ctx context.Context, u *scimkit.User) error {
	return s.run(ctx, "update user", func(q dbtx) error { return s.upsert(ctx, q, u) })
}

// DeactivateUser keeps the user and its mapping, inactive, and ends its
// membership of the organization. An unknown user is a no-op.
func (s *scimUsers) DeactivateUser(ctx context.Context, u *scimkit.User) error {
	return s.run(ctx, "deactivate user", func(q dbtx) error {
		userID, err := appUserOf(ctx, q, u.DirectoryID, u.ID)
		if err != nil || userID == "" {
			return err
		}
		return s.write(ctx, q, userID, u)
	})
}

func (s *scimUsers) upsert(ctx context.Context, q dbtx, u *scimkit.User) error {
	userID, err := appUserOf(ctx, q, u.DirectoryID, u.ID)
	if err != nil {
		return err
	}
	if userID == "" {
		if userID, err = s.insert(ctx, q, u); err != nil {
			return err
		}
	}
	return s.write(ctx, q, userID, u)
}

// insert creates the app user and the mapping, and returns the user id.
// A concurrent insert of the same key (PostgreSQL) may win: then its user
// is used and ours is dropped.
func (s *scimUsers) insert(ctx context.Context, q dbtx, u *scimkit.User) (string, error) {
	now := s.now().UnixMicro()
	email, given, family, name := profileOf(u)
	userID := newID("usr")
	if _, err := q.ExecContext(ctx, `INSERT INTO acme_users (id, email, given_name, family_name, name, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, userID, email, given, family, name, now); err != nil {
		return "", err
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO acme_scim_users (directory_id, scim_id, user_id, organization_id, user_name, active, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (directory_id, scim_id) DO NOTHING`,
		u.DirectoryID, u.ID, userID, u.OrganizationID, u.UserName, u.Active, now); err != nil {
		return "", err
	}
	winner, err := appUserOf(ctx, q, u.DirectoryID, u.ID)
	if err != nil {
		return "", err
	}
	if winner != userID {
		if _, err := q.ExecContext(ctx, `DELETE FROM acme_users WHERE id = $1`, userID); err != nil {
			return "", err
		}
	}
	return winner, nil
}

// write stores u's attributes on the app user and the mapping, and makes
// the organization membership follow u.Active.
func (s *scimUsers) write(ctx context.Context, q dbtx, userID string, u *scimkit.User) error {
	now := s.now().UnixMicro()
	email, given, family, name := profileOf(u)
	stmts := []stmt{
		{`UPDATE acme_users SET email = $2, given_name = $3, family_name = $4, name = $5, updated_at = $6 WHERE id = $1`,
			[]any{userID, email, given, family, name, now}},
		{`UPDATE acme_scim_users SET user_name = $3, active = $4, organization_id = $5, updated_at = $6
			WHERE directory_id = $1 AND scim_id = $2`,
			[]any{u.DirectoryID, u.ID, u.UserName, u.Active, u.OrganizationID, now}},
	}
	if u.Active {
		stmts = append(stmts, stmt{`INSERT INTO acme_memberships (user_id, organization_id, role, created_at) VALUES ($1, $2, 'member', $3)
			ON CONFLICT (user_id, organization_id) DO NOTHING`, []any{userID, u.OrganizationID, now}})
	} else {
		stmts = append(stmts, stmt{`DELETE FROM acme_memberships WHERE user_id = $1 AND organization_id = $2`, []any{userID, u.OrganizationID}})
	}
	return execAll(ctx, q, stmts)
}

// stmt is one statement with its arguments.
type stmt struct {
	sql  string
	args []any
}

func execAll(ctx context.Context, q dbtx, stmts []stmt) error {
	for _, st := range stmts {
		if _, err := q.ExecContext(ctx, st.sql, st.args...); err != nil {
			return err
		}
	}
	return nil
}

// DeleteUser removes the mapping, the user's SCIM group memberships and its
// membership of the organization, then the app user itself unless it
// still belongs to an organization or another directory maps it (an
// account that signed in elsewhere is not deleted by one tenant's
// directory). An unknown user is a no-op.
func (s *scimUsers) DeleteUser(ctx context.Context, directoryID, scimID string) error {
	return s.run(ctx, "delete user", func(q dbtx) error {
		var userID, orgID string
		err := q.QueryRowContext(ctx, `SELECT user_id, organization_id FROM acme_scim_users WHERE directory_id = $1 AND scim_id = $2`,
			directoryID, scimID).Scan(&userID, &orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return execAll(ctx, q, []stmt{
			{`DELETE FROM acme_scim_group_members WHERE directory_id = $1 AND user_id = $2`, []any{directoryID, scimID}},
			{`DELETE FROM acme_scim_users WHERE directory_id = $1 AND scim_id = $2`, []any{directoryID, scimID}},
			{`DELETE FROM acme_memberships WHERE user_id = $1 AND organization_id = $2`, []any{userID, orgID}},
			{`DELETE FROM acme_users WHERE id = $1
				AND NOT EXISTS (SELECT 1 FROM acme_memberships WHERE user_id = $1)
				AND NOT EXISTS (SELECT 1 FROM acme_scim_users WHERE user_id = $1)`, []any{userID}},
		})
	})
}

// CreateGroup stores the group, or updates the one under the same key.
func (s *scimUsers) CreateGroup(ctx context.Context, g *scimkit.Group) error {
	return s.run(ctx, "create group", func(q dbtx) error { return s.upsertGroup(ctx, q, g) })
}

// UpdateGroup writes the group's name; a group the app lost is created.
func (s *scimUsers) UpdateGroup(ctx context.Context, g *scimkit.Group) error {
	return s.run(ctx, "update group", func(q dbtx) error { return s.upsertGroup(ctx, q, g) })
}

func (s *scimUsers) upsertGroup(ctx context.Context, q dbtx, g *scimkit.Group) error {
	_, err := q.ExecContext(ctx, `INSERT INTO acme_scim_groups (directory_id, scim_id, organization_id, display_name, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (directory_id, scim_id) DO UPDATE SET display_name = excluded.display_name,
			organization_id = excluded.organization_id, updated_at = excluded.updated_at`,
		g.DirectoryID, g.ID, g.OrganizationID, g.DisplayName, s.now().UnixMicro())
	return err
}

// DeleteGroup removes the group and its members; an unknown group is a
// no-op.
func (s *scimUsers) DeleteGroup(ctx context.Context, directoryID, groupID string) error {
	return s.run(ctx, "delete group", func(q dbtx) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM acme_scim_group_members WHERE directory_id = $1 AND group_id = $2`,
			directoryID, groupID); err != nil {
			return err
		}
		_, err := q.ExecContext(ctx, `DELETE FROM acme_scim_groups WHERE directory_id = $1 AND scim_id = $2`, directoryID, groupID)
		return err
	})
}

// AddGroupMembers adds the members; members already in are skipped.
func (s *scimUsers) AddGroupMembers(ctx context.Context, directoryID, groupID string, userIDs []string) error {
	return s.run(ctx, "add group members", func(q dbtx) error {
		for _, id := range userIDs {
			if _, err := q.ExecContext(ctx, `INSERT INTO acme_scim_group_members (directory_id, group_id, user_id)
				VALUES ($1, $2, $3) ON CONFLICT (directory_id, group_id, user_id) DO NOTHING`, directoryID, groupID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveGroupMembers removes the members; non-members are skipped.
func (s *scimUsers) RemoveGroupMembers(ctx context.Context, directoryID, groupID string, userIDs []string) error {
	return s.run(ctx, "remove group members", func(q dbtx) error {
		for _, id := range userIDs {
			if _, err := q.ExecContext(ctx, `DELETE FROM acme_scim_group_members WHERE directory_id = $1 AND group_id = $2 AND user_id = $3`,
				directoryID, groupID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

var directoryTemplate = pageTemplate(`{{define "content"}}{{$a := .Account}}{{$v := .Directory}}
<p><a href="/orgs/{{$a.Org.ID}}/">← {{$a.Org.Name}}</a></p>
<h1>Directory of {{$a.Org.Name}}</h1>
{{if not $v.Current}}<div class="card"><p class="muted" id="no-directory">{{$a.Org.Name}} has no SCIM directory yet.</p></div>
{{else}}{{if gt (len $v.Directories) 1}}<ul class="tags">{{range $v.Directories}}
<li><a href="/orgs/{{$a.Org.ID}}/directory?directory={{.ID}}">{{.Name}}</a></li>{{end}}
</ul>{{end}}
<section class="card" aria-labelledby="dir-h">
<h2 id="dir-h">{{$v.Current.Name}} <span class="muted">(<code>{{$v.Current.ID}}</code>{{if not $v.Current.Enabled}}, disabled{{end}})</span></h2>
<table id="directory-users"><thead><tr><th>User name</th><th>Name</th><th>Email</th><th>Active</th></tr></thead><tbody>
{{range $v.Users}}<tr><td>{{.UserName}}</td><td>{{.Name.GivenName}} {{.Name.FamilyName}}</td><td>{{.PrimaryEmail}}</td><td>{{if .Active}}yes{{else}}no{{end}}</td></tr>
{{else}}<tr><td colspan="4" class="muted">No users provisioned yet.</td></tr>{{end}}
</tbody></table>
{{with $v.Next}}<p><a href="{{.}}">Next page</a></p>{{end}}
</section>{{end}}
{{end}}`)

// directoryView is what the directory page shows.
type directoryView struct {
	Directories []*scimkit.Directory // the organization's
	Current     *scimkit.Directory   // nil when it has none
	Users       []*scimkit.User      // a page of Current's users
	Next        string               // the next page's URL, if any
}

// orgDirectory is GET /orgs/{org}/directory: a page of the users of one of
// the organization's directories (?directory=…, default the primary one),
// for its signed-in members only. Directories are looked up through the
// organization, so no id in the URL reaches another organization's.
func (a *app) orgDirectory(w http.ResponseWriter, r *http.Request, srv *scimkit.Server) {
	acct, ok := a.orgMember(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	dirs, err := srv.Directories(ctx, acct.Org.ID)
	if err != nil {
		a.internalError(w, r, "list_directories", err)
		return
	}
	v := &directoryView{Directories: dirs}
	p := page{Title: "Directory · " + acct.Org.Name, Account: acct, Directory: v}
	if len(dirs) == 0 {
		a.render(w, http.StatusOK, directoryTemplate, p)
		return
	}
	want := r.URL.Query().Get("directory")
	if want == "" {
		if v.Current, err = srv.PrimaryDirectory(ctx, acct.Org.ID); err != nil {
			a.internalError(w, r, "primary_directory", err)
			return
		}
	}
	for _, d := range dirs {
		if want != "" && d.ID == want {
			v.Current = d
		}
	}
	if v.Current == nil {
		a.renderError(w, r, http.StatusNotFound, acct.Org.Name+" has no such directory.", "")
		return
	}
	list, err := srv.ListUsers(ctx, v.Current.ID, scimkit.ListOptions{PageSize: 50, PageToken: r.URL.Query().Get("page_token")})
	switch {
	case errors.Is(err, scimkit.ErrInvalidPageToken):
		a.renderError(w, r, http.StatusBadRequest, "This page link is not valid.", "")
		return
	case err != nil:
		a.internalError(w, r, "list_directory_users", err)
		return
	}
	v.Users = list.Users
	if list.NextPageToken != "" {
		v.Next = orgPath(acct.Org.ID) + "directory?" + url.Values{"directory": {v.Current.ID}, "page_token": {list.NextPageToken}}.Encode()
	}
	a.render(w, http.StatusOK, directoryTemplate, p)
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
