package scimkit

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/patch"
	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// Groups keep their members in the store's membership table, never in the
// stored resource: adding one member to a group of any size writes one row,
// and PATCH touches only the memberships it changes (patch.MemberOps splits
// them from the other operations). Members must be users of the same
// directory (nested groups are not supported).

func requireDisplayName(res map[string]any) error {
	if str(res["displayName"]) == "" {
		return badRequest(ScimTypeInvalidValue, "displayName is required", nil)
	}
	return nil
}

// memberDisplay reads a member element: its value and display ("display",
// or "displayName" as Microsoft's test collection sends it).
func memberDisplay(e any) (id, display string) {
	switch t := e.(type) {
	case string:
		return t, ""
	case map[string]any:
		id = str(getAny(t, "value"))
		display = str(getAny(t, "display"))
		if display == "" {
			display = str(getAny(t, "displayName"))
		}
	}
	return id, display
}

// bodyMembers takes the members out of a POST or PUT body (before it is
// normalized, so that "displayName" survives) and returns them: those of a
// core schema container ({"urn:…:core:2.0:Group": {"members": …}}) first,
// then the top-level ones.
func bodyMembers(body map[string]any) (list []Member, present bool) {
	seen := map[string]bool{}
	take := func(m map[string]any) {
		for k, v := range m {
			if !strings.EqualFold(k, "members") {
				continue
			}
			present = true
			delete(m, k)
			elems, ok := v.([]any)
			if !ok && v != nil {
				elems = []any{v}
			}
			for _, e := range elems {
				id, display := memberDisplay(e)
				if id != "" && !seen[id] {
					seen[id] = true
					list = append(list, Member{UserID: id, Display: display})
				}
			}
		}
	}
	for k, v := range body {
		if inner, ok := v.(map[string]any); ok && strings.EqualFold(k, schema.GroupSchemaURN) {
			take(inner)
		}
	}
	take(body)
	return list, present
}

// opDisplays collects the display texts that add and replace operations
// give for members, by member id.
func opDisplays(ops []patch.Operation) map[string]string {
	out := map[string]string{}
	collect := func(v any) {
		elems, ok := v.([]any)
		if !ok {
			elems = []any{v}
		}
		for _, e := range elems {
			if id, d := memberDisplay(e); id != "" && d != "" {
				out[id] = d
			}
		}
	}
	for _, op := range ops {
		if op.Op == patch.Remove || len(op.Value) == 0 {
			continue
		}
		var v any
		if json.Unmarshal(op.Value, &v) != nil {
			continue
		}
		switch {
		case strings.EqualFold(op.Path, "members"):
			collect(v)
		case op.Path == "":
			if m, ok := v.(map[string]any); ok {
				if mv := getAny(m, "members"); mv != nil {
					collect(mv)
				}
			}
		}
	}
	return out
}

// createGroup serves POST /Groups.
func (s *Server) createGroup(q *request) error {
	body, err := s.readBody(q)
	if err != nil {
		return err
	}
	members, _ := bodyMembers(body)
	res, err := s.normalizeBody(s.groupRT, body)
	if err != nil {
		return err
	}
	if err := requireDisplayName(res); err != nil {
		return err
	}
	g := &DirectoryGroup{DirectoryID: q.dir.ID}
	if err := fillGroup(g, res); err != nil {
		return err
	}
	err = s.write(q.ctx, q.dir, func(c *change) error {
		if err := c.st.CreateGroup(c.ctx, g); err != nil {
			if errors.Is(err, ErrConflict) {
				return newError(http.StatusConflict, ScimTypeUniqueness, "a group with this displayName already exists", err)
			}
			return err
		}
		hg := s.hostGroup(q.dir, g)
		if c.host != nil {
			if err := hostErr("create group", c.host.CreateGroup(c.ctx, hg)); err != nil {
				return err
			}
		}
		if err := c.event(EventGroupCreated, hg); err != nil {
			return err
		}
		return s.changeMembers(c, hg, members, nil)
	})
	if err != nil {
		return err
	}
	if loc := s.location("Group", g.ID); loc != "" {
		q.w.Header().Set("Location", loc)
	}
	q.w.Header().Set("ETag", etag(g.Version))
	res = s.groupResource(g)
	if ms, err := s.membersOf(q, g.ID); err != nil {
		return err
	} else if len(ms) > 0 {
		res["members"] = ms
	}
	return s.writeJSON(q, http.StatusCreated, res)
}

// changeMembers adds and removes memberships of a group within c, calls
// the host and appends one event per membership that changed. Members that
// are not users of the directory fail the request with 400 (or are
// skipped, in the entra dialect).
func (s *Server) changeMembers(c *change, g *Group, add []Member, remove []string) error {
	if len(remove) > 0 {
		removed, err := c.st.RemoveMembers(c.ctx, g.DirectoryID, g.ID, remove)
		if err != nil {
			return err
		}
		if len(removed) > 0 {
			if c.host != nil {
				if err := hostErr("remove group members", c.host.RemoveGroupMembers(c.ctx, g.DirectoryID, g.ID, removed)); err != nil {
					return err
				}
			}
			for _, id := range removed {
				u := &User{ID: id, DirectoryID: g.DirectoryID, OrganizationID: g.OrganizationID}
				if du, err := c.st.User(c.ctx, g.DirectoryID, id); err == nil {
					u = s.hostUser(c.dir, du)
				} else if !errors.Is(err, ErrNotFound) {
					return err
				}
				if err := c.event(EventGroupUserRemoved, MembershipEvent{
					DirectoryID: g.DirectoryID, OrganizationID: g.OrganizationID, Group: g, User: u,
				}); err != nil {
					return err
				}
			}
		}
	}
	if len(add) == 0 {
		return nil
	}
	users := make(map[string]*DirectoryUser, len(add))
	kept := add[:0:0]
	for _, m := range add {
		u, err := c.st.User(c.ctx, g.DirectoryID, m.UserID)
		switch {
		case errors.Is(err, ErrNotFound):
			if dialectOf(c.dir).skipUnknownMembers() {
				c.s.logger.LogAttrs(c.ctx, slogDebug, "scim_unknown_member_skipped",
					strAttr("directory_id", g.DirectoryID), strAttr("group_id", g.ID))
				continue
			}
			return badRequest(ScimTypeInvalidValue, "member "+quote(m.UserID)+" is not a user of this directory", err)
		case err != nil:
			return err
		}
		users[m.UserID] = u
		kept = append(kept, m)
	}
	if len(kept) == 0 {
		return nil
	}
	added, err := c.st.AddMembers(c.ctx, g.DirectoryID, g.ID, kept)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return badRequest(ScimTypeInvalidValue, "a member is not a user of this directory", err)
		}
		return err
	}
	if len(added) == 0 {
		return nil
	}
	if c.host != nil {
		if err := hostErr("add group members", c.host.AddGroupMembers(c.ctx, g.DirectoryID, g.ID, added)); err != nil {
			return err
		}
	}
	for _, id := range added {
		if err := c.event(EventGroupUserAdded, MembershipEvent{
			DirectoryID: g.DirectoryID, OrganizationID: g.OrganizationID, Group: g, User: s.hostUser(c.dir, users[id]),
		}); err != nil {
			return err
		}
	}
	return nil
}

// allMembers lists every member id of a group within c.
func allMembers(c *change, dirID, groupID string) (map[string]bool, error) {
	out := map[string]bool{}
	after := ""
	for {
		ms, err := c.st.GroupMembers(c.ctx, dirID, groupID, Page{After: after, Limit: membersPage})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			out[m.UserID] = true
		}
		if len(ms) < membersPage {
			return out, nil
		}
		after = ms[len(ms)-1].UserID
	}
}

// setMembers makes the membership exactly list: the delta against the
// stored membership is applied.
func (s *Server) setMembers(c *change, g *Group, list []Member) error {
	cur, err := allMembers(c, g.DirectoryID, g.ID)
	if err != nil {
		return err
	}
	want := make(map[string]bool, len(list))
	var add []Member
	for _, m := range list {
		want[m.UserID] = true
		if !cur[m.UserID] {
			add = append(add, m)
		}
	}
	var remove []string
	for id := range cur {
		if !want[id] {
			remove = append(remove, id)
		}
	}
	return s.changeMembers(c, g, add, remove)
}

// lockGroup takes the group's row for the transaction and checks If-Match
// against the version it had.
func lockGroup(c *change, r *http.Request, id string) (*DirectoryGroup, error) {
	g, err := c.st.LockGroup(c.ctx, c.dir.ID, id)
	if err != nil {
		return nil, err
	}
	if err := checkIfMatch(r, g.Version-1); err != nil {
		return nil, err
	}
	return g, nil
}

// updateGroupResource writes a changed group resource within c.
func (s *Server) updateGroupResource(c *change, cur *DirectoryGroup, next map[string]any) (*DirectoryGroup, error) {
	g := *cur
	if err := fillGroup(&g, next); err != nil {
		return nil, err
	}
	if string(g.Resource) == string(cur.Resource) {
		return cur, nil
	}
	if !strings.EqualFold(g.DisplayName, cur.DisplayName) {
		other, err := c.st.GroupByDisplayName(c.ctx, cur.DirectoryID, g.DisplayName)
		switch {
		case err == nil && other.ID != cur.ID:
			return nil, newError(http.StatusConflict, ScimTypeUniqueness, "a group with this displayName already exists", nil)
		case err != nil && !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	if err := c.st.UpdateGroup(c.ctx, &g); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, errors.Join(errRetry, err)
		}
		return nil, err
	}
	hg := s.hostGroup(c.dir, &g)
	if c.host != nil {
		if err := hostErr("update group", c.host.UpdateGroup(c.ctx, hg)); err != nil {
			return nil, err
		}
	}
	return &g, c.event(EventGroupUpdated, hg)
}

// replaceGroup serves PUT /Groups/{id}. The body's members become the
// membership (none when absent, RFC 7644 §3.5.1).
func (s *Server) replaceGroup(q *request, id string) error {
	body, err := s.readBody(q)
	if err != nil {
		return err
	}
	members, _ := bodyMembers(body)
	res, err := s.normalizeBody(s.groupRT, body)
	if err != nil {
		return err
	}
	if err := requireDisplayName(res); err != nil {
		return err
	}
	var out *DirectoryGroup
	err = s.write(q.ctx, q.dir, func(c *change) error {
		cur, err := lockGroup(c, q.r, id)
		if err != nil {
			return err
		}
		out, err = s.updateGroupResource(c, cur, schema.Clone(res).(map[string]any))
		if err != nil {
			return err
		}
		return s.setMembers(c, s.hostGroup(q.dir, out), members)
	})
	if err != nil {
		return err
	}
	q.r.Header.Del("If-None-Match")
	return s.get(q, false, id)
}

// patchGroup serves PATCH /Groups/{id}: the group's row is locked, the
// non-member operations are applied to the resource by the pure PATCH
// function, and the member operations become a delta of membership rows.
// It answers 204 No Content (RFC 7644 §3.5.2 allows it), unless the request
// asks for attributes or excludedAttributes: returning a large group's
// members on every change would make its cost grow with the group.
func (s *Server) patchGroup(q *request, id string) error {
	b, err := s.readBytes(q)
	if err != nil {
		return err
	}
	ops, err := patch.ParseRequest(b, s.patchLimits())
	if err != nil {
		return patchError(err)
	}
	delta, rest, err := patch.MemberOps(ops, s.groupRT)
	if err != nil {
		return patchError(err)
	}
	displays := opDisplays(ops)
	var out *DirectoryGroup
	err = s.write(q.ctx, q.dir, func(c *change) error {
		cur, err := lockGroup(c, q.r, id)
		if err != nil {
			return err
		}
		out = cur
		if len(rest) > 0 {
			next, err := patch.Apply(decodeResource(s.groupRT, cur.Resource), rest, s.groupRT)
			if err != nil {
				return patchError(err)
			}
			if err := requireDisplayName(next); err != nil {
				return err
			}
			if out, err = s.updateGroupResource(c, cur, next); err != nil {
				return err
			}
		}
		if !delta.Changed() {
			return nil
		}
		hg := s.hostGroup(q.dir, out)
		add := make([]Member, 0, len(delta.Added))
		for _, uid := range delta.Added {
			add = append(add, Member{UserID: uid, Display: displays[uid]})
		}
		if delta.Replace {
			return s.setMembers(c, hg, add)
		}
		return s.changeMembers(c, hg, add, delta.Removed)
	})
	if err != nil {
		return err
	}
	q.w.Header().Set("ETag", etag(out.Version))
	v := q.r.URL.Query()
	if !v.Has("attributes") && !v.Has("excludedAttributes") {
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	q.r.Header.Del("If-None-Match")
	return s.get(q, false, id)
}

// deleteGroup serves DELETE /Groups/{id}.
func (s *Server) deleteGroup(q *request, id string) error {
	err := s.write(q.ctx, q.dir, func(c *change) error {
		cur, err := c.st.Group(c.ctx, q.dir.ID, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(q.r, cur.Version); err != nil {
			return err
		}
		if err := c.st.DeleteGroup(c.ctx, q.dir.ID, id); err != nil {
			return err
		}
		if c.host != nil {
			if err := hostErr("delete group", c.host.DeleteGroup(c.ctx, q.dir.ID, id)); err != nil {
				return err
			}
		}
		return c.event(EventGroupDeleted, s.hostGroup(q.dir, cur))
	})
	if err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
