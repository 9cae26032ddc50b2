package main

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// maxNoteRunes bounds a note's length.
const maxNoteRunes = 2000

// note is a row of acme_notes with its author.
type note struct {
	ID          string
	Body        string
	AuthorName  string
	AuthorEmail string
	CreatedAt   time.Time
}

// noteStore keeps each organization's notes.
type noteStore struct {
	db  *sql.DB
	now func() time.Time
}

// list returns the organization's latest notes, newest first.
func (n *noteStore) list(ctx context.Context, orgID string, limit int) ([]note, error) {
	rows, err := n.db.QueryContext(ctx, `SELECT n.id, n.body, u.name, u.email, n.created_at
		FROM acme_notes n JOIN acme_users u ON u.id = n.author_id
		WHERE n.organization_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []note
	for rows.Next() {
		var x note
		var at int64
		if err := rows.Scan(&x.ID, &x.Body, &x.AuthorName, &x.AuthorEmail, &at); err != nil {
			return nil, err
		}
		x.CreatedAt = time.UnixMicro(at).UTC()
		out = append(out, x)
	}
	return out, rows.Err()
}

// add stores a note by author in the organization.
func (n *noteStore) add(ctx context.Context, orgID, authorID, body string) error {
	_, err := n.db.ExecContext(ctx, `INSERT INTO acme_notes (id, organization_id, author_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5)`, newID("note"), orgID, authorID, body, n.now().UnixMicro())
	return err
}

// addNote handles the dashboard's form: POST /orgs/{org}/notes. RequireSSO
// has run; the member check is the app's own.
func (a *app) addNote(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.orgMember(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.renderError(w, r, http.StatusBadRequest, "The form could not be read.", "")
		return
	}
	body := strings.TrimSpace(r.PostForm.Get("body"))
	if body == "" || !utf8.ValidString(body) || utf8.RuneCountInString(body) > maxNoteRunes {
		a.showDashboard(w, r, acct, http.StatusUnprocessableEntity, "Write a note of 1 to 2000 characters.")
		return
	}
	if err := a.notes.add(r.Context(), acct.Org.ID, acct.User.ID, body); err != nil {
		a.internalError(w, r, "add_note", err)
		return
	}
	http.Redirect(w, r, orgPath(acct.Org.ID), http.StatusSeeOther)
}
