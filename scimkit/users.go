package scimkit

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/patch"
	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// normalizeBody turns a POST or PUT body into the resource to store: names
// canonical, values coerced, read-only attributes (id, meta, groups) and
// password dropped.
func (s *Server) normalizeBody(rt *schema.ResourceType, body map[string]any) (map[string]any, error) {
	res, err := rt.Normalize(body)
	if err != nil {
		return nil, valueError(err)
	}
	return res, nil
}

func valueError(err error) error {
	var ve *schema.ValueError
	if errors.As(err, &ve) {
		return badRequest(ScimTypeInvalidValue, ve.Attribute+": "+ve.Reason, err)
	}
	return badRequest(ScimTypeInvalidValue, "invalid value", err)
}

func patchError(err error) error {
	var pe *patch.Error
	if errors.As(err, &pe) {
		if pe.ScimType == patch.TooMany && errors.Is(err, patch.ErrValueTooLarge) {
			return newError(http.StatusRequestEntityTooLarge, "", pe.Detail, err)
		}
		return badRequest(pe.ScimType, pe.Detail, err)
	}
	return valueError(err)
}

func requireUserName(res map[string]any) error {
	if str(res["userName"]) == "" {
		return badRequest(ScimTypeInvalidValue, "userName is required", nil)
	}
	return nil
}

// createUser serves POST /Users.
func (s *Server) createUser(q *request) error {
	body, err := s.readBody(q)
	if err != nil {
		return err
	}
	res, err := s.normalizeBody(s.userRT, body)
	if err != nil {
		return err
	}
	if err := requireUserName(res); err != nil {
		return err
	}
	if _, ok := res["active"]; !ok {
		res["active"] = true
	}
	u := &DirectoryUser{DirectoryID: q.dir.ID}
	emails := emailKeys(res)
	if err := fillUser(u, res); err != nil {
		return err
	}
	err = s.write(q.ctx, q.dir, func(c *change) error {
		if err := c.st.CreateUser(c.ctx, u); err != nil {
			if errors.Is(err, ErrConflict) {
				return newError(http.StatusConflict, ScimTypeUniqueness, "a user with this userName already exists", err)
			}
			return err
		}
		if len(emails) > 0 {
			if err := c.st.SetUserEmails(c.ctx, q.dir.ID, u.ID, emails); err != nil {
				return err
			}
		}
		hu := s.hostUser(q.dir, u)
		if c.host != nil {
			if err := hostErr("create user", c.host.CreateUser(c.ctx, hu)); err != nil {
				return err
			}
		}
		return c.event(EventUserCreated, hu)
	})
	if err != nil {
		return err
	}
	if loc := s.location("User", u.ID); loc != "" {
		q.w.Header().Set("Location", loc)
	}
	q.w.Header().Set("ETag", etag(u.Version))
	return s.writeJSON(q, http.StatusCreated, s.userResource(u))
}

// replaceUser serves PUT /Users/{id}: the stored attributes are replaced
// by the body's (RFC 7644 §3.5.1); read-only ones are ignored.
func (s *Server) replaceUser(q *request, id string) error {
	body, err := s.readBody(q)
	if err != nil {
		return err
	}
	res, err := s.normalizeBody(s.userRT, body)
	if err != nil {
		return err
	}
	if err := requireUserName(res); err != nil {
		return err
	}
	_, hasActive := res["active"]
	var out *DirectoryUser
	err = s.write(q.ctx, q.dir, func(c *change) error {
		cur, err := c.st.User(c.ctx, q.dir.ID, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(q.r, cur.Version); err != nil {
			return err
		}
		next := schema.Clone(res).(map[string]any)
		if !hasActive {
			next["active"] = true
			if dialectOf(q.dir).putKeepsActive() {
				next["active"] = cur.Active
			}
		}
		out, err = s.updateUser(c, cur, next)
		return err
	})
	if err != nil {
		return err
	}
	q.w.Header().Set("ETag", etag(out.Version))
	return s.writeJSON(q, http.StatusOK, s.userResource(out))
}

// patchUser serves PATCH /Users/{id}: get, apply (a pure function), and a
// conditional update on the version, retried when a concurrent writer won.
func (s *Server) patchUser(q *request, id string) error {
	b, err := s.readBytes(q)
	if err != nil {
		return err
	}
	ops, err := patch.ParseRequest(b, s.patchLimits())
	if err != nil {
		return patchError(err)
	}
	var out *DirectoryUser
	err = s.write(q.ctx, q.dir, func(c *change) error {
		cur, err := c.st.User(c.ctx, q.dir.ID, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(q.r, cur.Version); err != nil {
			return err
		}
		next, err := patch.Apply(decodeResource(s.userRT, cur.Resource), ops, s.userRT)
		if err != nil {
			return patchError(err)
		}
		if err := requireUserName(next); err != nil {
			return err
		}
		out, err = s.updateUser(c, cur, next)
		return err
	})
	if err != nil {
		return err
	}
	q.w.Header().Set("ETag", etag(out.Version))
	if dialectOf(q.dir).patchStatus() == http.StatusNoContent {
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	v := q.r.URL.Query()
	return s.writeJSON(q, http.StatusOK, project(s.userRT, s.userResource(out),
		splitList(v.Get("attributes")), splitList(v.Get("excludedAttributes"))))
}

func (s *Server) patchLimits() patch.Limits {
	return patch.Limits{MaxOperations: s.cfg.MaxPatchOperations, MaxValueBytes: int(s.cfg.MaxBodyBytes), MaxDepth: s.cfg.MaxJSONDepth}
}

// updateUser writes next as the new state of cur within c: uniqueness of
// userName, the version check, the email index, the host and the event. An
// unchanged resource writes nothing and returns cur.
func (s *Server) updateUser(c *change, cur *DirectoryUser, next map[string]any) (*DirectoryUser, error) {
	u := *cur
	emails := emailKeys(next)
	if err := fillUser(&u, next); err != nil {
		return nil, err
	}
	if bytes.Equal(u.Resource, cur.Resource) {
		return cur, nil
	}
	if !strings.EqualFold(u.UserName, cur.UserName) {
		other, err := c.st.UserByUserName(c.ctx, cur.DirectoryID, u.UserName)
		switch {
		case err == nil && other.ID != cur.ID:
			return nil, newError(http.StatusConflict, ScimTypeUniqueness, "a user with this userName already exists", nil)
		case err != nil && !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	if err := c.st.UpdateUser(c.ctx, &u); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, errors.Join(errRetry, err)
		}
		return nil, err
	}
	if err := c.st.SetUserEmails(c.ctx, u.DirectoryID, u.ID, emails); err != nil {
		return nil, err
	}
	hu := s.hostUser(c.dir, &u)
	if c.host != nil {
		var err error
		if !u.Active && cur.Active {
			err = hostErr("deactivate user", c.host.DeactivateUser(c.ctx, hu))
		} else {
			err = hostErr("update user", c.host.UpdateUser(c.ctx, hu))
		}
		if err != nil {
			return nil, err
		}
	}
	return &u, c.event(EventUserUpdated, hu)
}

// deleteUser serves DELETE /Users/{id}.
func (s *Server) deleteUser(q *request, id string) error {
	err := s.write(q.ctx, q.dir, func(c *change) error {
		cur, err := c.st.User(c.ctx, q.dir.ID, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(q.r, cur.Version); err != nil {
			return err
		}
		if err := c.st.DeleteUser(c.ctx, q.dir.ID, id); err != nil {
			return err
		}
		if c.host != nil {
			if err := hostErr("delete user", c.host.DeleteUser(c.ctx, q.dir.ID, id)); err != nil {
				return err
			}
		}
		return c.event(EventUserDeleted, s.hostUser(q.dir, cur))
	})
	if err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

// get serves GET /Users/{id} and /Groups/{id}, with If-None-Match (304).
func (s *Server) get(q *request, isUser bool, id string) error {
	v := q.r.URL.Query()
	attrs, excluded := splitList(v.Get("attributes")), splitList(v.Get("excludedAttributes"))
	rt := s.schemaRT(isUser)
	var res map[string]any
	var version int64
	if isUser {
		u, err := s.store.User(q.ctx, q.dir.ID, id)
		if err != nil {
			return err
		}
		res, version = s.userResource(u), u.Version
	} else {
		g, err := s.store.Group(q.ctx, q.dir.ID, id)
		if err != nil {
			return err
		}
		res, version = s.groupResource(g), g.Version
	}
	q.w.Header().Set("ETag", etag(version))
	if h := q.r.Header.Get("If-None-Match"); h != "" && etagListMatches(h, version) {
		q.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if isUser && projectionIncludes(rt, "groups", attrs, excluded) {
		if err := s.addUserGroups(q, id, res); err != nil {
			return err
		}
	}
	if !isUser && projectionIncludes(rt, "members", attrs, excluded) {
		members, err := s.membersOf(q, id)
		if err != nil {
			return err
		}
		if len(members) > 0 {
			res["members"] = members
		}
	}
	return s.writeJSON(q, http.StatusOK, project(rt, res, attrs, excluded))
}

// addUserGroups sets the read-only "groups" of a user resource.
func (s *Server) addUserGroups(q *request, id string, res map[string]any) error {
	ids, err := s.store.UserGroups(q.ctx, q.dir.ID, id)
	if err != nil || len(ids) == 0 {
		return err
	}
	groups := make([]any, 0, len(ids))
	for _, gid := range ids {
		g, err := s.store.Group(q.ctx, q.dir.ID, gid)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return err
		}
		m := map[string]any{"value": gid, "display": g.DisplayName, "type": "direct"}
		if loc := s.location("Group", gid); loc != "" {
			m["$ref"] = loc
		}
		groups = append(groups, m)
	}
	res["groups"] = groups
	return nil
}

// membersPage is how many members a group read fetches per store call.
const membersPage = 5000

// membersOf returns the members of a group as SCIM values.
func (s *Server) membersOf(q *request, groupID string) ([]any, error) {
	var out []any
	after := ""
	for {
		ms, err := s.store.GroupMembers(q.ctx, q.dir.ID, groupID, Page{After: after, Limit: membersPage})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			v := map[string]any{"value": m.UserID, "type": "User"}
			if m.Display != "" {
				v["display"] = m.Display
			}
			if loc := s.location("User", m.UserID); loc != "" {
				v["$ref"] = loc
			}
			out = append(out, v)
		}
		if len(ms) < membersPage {
			return out, nil
		}
		after = ms[len(ms)-1].UserID
	}
}
