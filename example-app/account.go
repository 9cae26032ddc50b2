package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// account is the signed-in user as the app's pages see them: the session
// the kit logged in, the app's user row, the organization and connection
// of the login, and the groups the identity provider sent.
type account struct {
	Session    *ssokit.Session
	User       *user
	Org        *ssokit.Organization
	Connection *ssokit.Connection // nil if it was deleted since
	Groups     []string
}

// currentAccount returns the signed-in account, or nil when nobody is
// signed in (no session, an expired one, or one whose user is gone).
func (a *app) currentAccount(r *http.Request) (*account, error) {
	ctx := r.Context()
	sess, ok := ssokit.SessionFrom(ctx) // set when RequireSSO checked it
	if !ok {
		var err error
		sess, err = a.session.Current(r)
		if errors.Is(err, ssokit.ErrNoSession) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if !sess.ExpiresAt.IsZero() && !time.Now().Before(sess.ExpiresAt) {
		return nil, nil
	}
	u, err := a.users.get(ctx, sess.UserID)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	org, err := a.store.Organization(ctx, sess.OrganizationID)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	acct := &account{Session: sess, User: u, Org: org}
	if sess.ConnectionID != "" {
		acct.Connection, err = a.store.Connection(ctx, sess.ConnectionID)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		if acct.Groups, err = a.users.groups(ctx, u.ID, sess.ConnectionID); err != nil {
			return nil, err
		}
	}
	return acct, nil
}

// orgMember resolves the organization of /orgs/{org}/… and the signed-in
// member of it, or answers the request itself (404, sign in, 403) and
// returns false.
func (a *app) orgMember(w http.ResponseWriter, r *http.Request) (*account, bool) {
	orgID := r.PathValue("org")
	org, err := a.store.Organization(r.Context(), orgID)
	if isNotFound(err) {
		a.renderError(w, r, http.StatusNotFound, "There is no such organization.", "")
		return nil, false
	}
	if err != nil {
		a.internalError(w, r, "read_organization", err)
		return nil, false
	}
	acct, err := a.currentAccount(r)
	if err != nil {
		a.internalError(w, r, "read_account", err)
		return nil, false
	}
	if acct == nil {
		// An organization that does not enforce SSO lets RequireSSO pass
		// signed-out visitors; the app still needs someone signed in.
		if r.Method != http.MethodGet {
			a.renderError(w, r, http.StatusUnauthorized, "Sign in first.", "")
			return nil, false
		}
		http.Redirect(w, r, "/?"+url.Values{"return_to": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
		return nil, false
	}
	member, err := a.users.isMember(r.Context(), acct.User.ID, org.ID)
	if err != nil {
		a.internalError(w, r, "read_membership", err)
		return nil, false
	}
	if !member {
		a.renderError(w, r, http.StatusForbidden, "You are not a member of "+org.Name+".", "")
		return nil, false
	}
	acct.Org = org
	return acct, true
}

// meResponse is the JSON of GET /me.
type meResponse struct {
	ID           string       `json:"id"`
	Email        string       `json:"email"`
	GivenName    string       `json:"given_name"`
	FamilyName   string       `json:"family_name"`
	Name         string       `json:"name"`
	Organization meOrg        `json:"organization"`
	Connection   meConnection `json:"connection"`
	Groups       []string     `json:"groups"`
	AuthTime     time.Time    `json:"auth_time"`
	ExpiresAt    time.Time    `json:"expires_at"`
}

type meOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type meConnection struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Provider string `json:"provider"`
	Name     string `json:"name,omitempty"`
}

// me answers GET /me: the signed-in user as JSON, or 401.
func (a *app) me(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	acct, err := a.currentAccount(r)
	if err != nil {
		a.logger.Error("read_account", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	if acct == nil {
		w.Header().Set("WWW-Authenticate", `Cookie realm="Acme Notes"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "not signed in"})
		return
	}
	resp := meResponse{
		ID: acct.User.ID, Email: acct.User.Email, GivenName: acct.User.GivenName,
		FamilyName: acct.User.FamilyName, Name: acct.User.Name,
		Organization: meOrg{ID: acct.Org.ID, Name: acct.Org.Name},
		Connection: meConnection{ID: acct.Session.ConnectionID, Type: string(acct.Session.ConnectionType),
			Provider: acct.Session.Provider},
		Groups:   acct.Groups,
		AuthTime: acct.Session.AuthTime.UTC(), ExpiresAt: acct.Session.ExpiresAt.UTC(),
	}
	if acct.Connection != nil {
		resp.Connection.Name = acct.Connection.Name
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
