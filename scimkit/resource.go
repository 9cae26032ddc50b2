package scimkit

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// Resources are kept as the normalized SCIM JSON without id, meta and (for
// groups) members: the store's Resource field. The server adds id, meta
// and members when it serves them.

// etag returns the weak entity tag of a version (RFC 7644 §3.14).
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// decodeResource decodes a stored resource of type rt. Numbers stay
// json.Number. What [schema.ResourceType.Scrub] removes is removed, so that
// a secret a row may hold (written before the kit scrubbed on write) is
// never served, passed to the host, put in an event or filtered on.
func decodeResource(rt *schema.ResourceType, raw json.RawMessage) map[string]any {
	m := map[string]any{}
	if len(raw) == 0 {
		return m
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	rt.Scrub(m)
	return m
}

// stripServerAttributes removes what the kit adds when serving a resource.
func stripServerAttributes(res map[string]any, members bool) {
	for k := range res {
		switch strings.ToLower(k) {
		case "id", "meta":
			delete(res, k)
		case "members":
			if members {
				delete(res, k)
			}
		}
	}
}

func (s *Server) meta(resourceType, id string, created, updated time.Time, version int64) map[string]any {
	m := map[string]any{
		"resourceType": resourceType,
		"created":      created.UTC().Format(time.RFC3339Nano),
		"lastModified": updated.UTC().Format(time.RFC3339Nano),
		"version":      etag(version),
	}
	if loc := s.location(resourceType, id); loc != "" {
		m["location"] = loc
	}
	return m
}

func (s *Server) location(resourceType, id string) string {
	if s.baseURL == "" {
		return ""
	}
	return s.baseURL + "/" + resourceType + "s/" + id
}

// userResource returns the full SCIM User of u: its stored attributes with
// id, meta and schemas.
func (s *Server) userResource(u *DirectoryUser) map[string]any {
	res := decodeResource(s.userRT, u.Resource)
	res["id"] = u.ID
	res["meta"] = s.meta("User", u.ID, u.CreatedAt, u.UpdatedAt, u.Version)
	res["schemas"] = s.userRT.SchemaURNs(res)
	return res
}

// groupResource returns the SCIM Group of g without members.
func (s *Server) groupResource(g *DirectoryGroup) map[string]any {
	res := decodeResource(s.groupRT, g.Resource)
	res["id"] = g.ID
	res["meta"] = s.meta("Group", g.ID, g.CreatedAt, g.UpdatedAt, g.Version)
	res["schemas"] = s.groupRT.SchemaURNs(res)
	return res
}

// fillUser sets the indexed fields of u from its normalized resource res
// and stores res (without server attributes) in u.Resource.
func fillUser(u *DirectoryUser, res map[string]any) error {
	stripServerAttributes(res, false)
	res["schemas"] = nil
	delete(res, "schemas")
	u.ExternalID = str(res["externalId"])
	u.UserName = str(res["userName"])
	u.Active = true
	if a, ok := res["active"].(bool); ok {
		u.Active = a
	}
	u.DisplayName = str(res["displayName"])
	if n, ok := res["name"].(map[string]any); ok {
		u.GivenName, u.FamilyName = str(n["givenName"]), str(n["familyName"])
	} else {
		u.GivenName, u.FamilyName = "", ""
	}
	u.Email = strings.ToLower(primaryEmail(emailsOf(res)))
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	u.Resource = b
	return nil
}

// fillGroup is fillUser for groups; members are not part of the resource.
func fillGroup(g *DirectoryGroup, res map[string]any) error {
	stripServerAttributes(res, true)
	delete(res, "schemas")
	g.ExternalID = str(res["externalId"])
	g.DisplayName = str(res["displayName"])
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	g.Resource = b
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func emailsOf(res map[string]any) []Email {
	list, _ := res["emails"].([]any)
	var out []Email
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		v := str(m["value"])
		if v == "" {
			continue
		}
		p, _ := m["primary"].(bool)
		out = append(out, Email{Value: v, Type: str(m["type"]), Primary: p})
	}
	return out
}

func primaryEmail(emails []Email) string {
	u := User{Emails: emails}
	return u.PrimaryEmail()
}

// emailKeys returns the lower-cased distinct email values of a resource
// other than its primary one, for the email index.
func emailKeys(res map[string]any) []string {
	var out []string
	seen := map[string]bool{strings.ToLower(primaryEmail(emailsOf(res))): true}
	for _, e := range emailsOf(res) {
		k := strings.ToLower(e.Value)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// hostUser converts a stored user to what the host receives.
func (s *Server) hostUser(dir *Directory, u *DirectoryUser) *User {
	res := decodeResource(s.userRT, u.Resource)
	out := &User{
		ID: u.ID, DirectoryID: u.DirectoryID, OrganizationID: dir.OrganizationID,
		ExternalID: u.ExternalID, UserName: u.UserName, Active: u.Active,
		DisplayName: u.DisplayName, Emails: emailsOf(res),
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
	if n, ok := res["name"].(map[string]any); ok {
		out.Name = Name{Formatted: str(n["formatted"]), GivenName: str(n["givenName"]), FamilyName: str(n["familyName"])}
	}
	for k, v := range res {
		if _, ok := v.(map[string]any); ok && strings.HasPrefix(strings.ToLower(k), "urn:") {
			if b, err := json.Marshal(v); err == nil {
				if out.Extensions == nil {
					out.Extensions = map[string]json.RawMessage{}
				}
				out.Extensions[k] = b
			}
		}
	}
	res["id"] = u.ID
	res["schemas"] = s.userRT.SchemaURNs(res)
	out.Raw, _ = json.Marshal(res)
	return out
}

// hostGroup converts a stored group to what the host receives.
func (s *Server) hostGroup(dir *Directory, g *DirectoryGroup) *Group {
	res := decodeResource(s.groupRT, g.Resource)
	res["id"] = g.ID
	res["schemas"] = s.groupRT.SchemaURNs(res)
	raw, _ := json.Marshal(res)
	return &Group{
		ID: g.ID, DirectoryID: g.DirectoryID, OrganizationID: dir.OrganizationID,
		ExternalID: g.ExternalID, DisplayName: g.DisplayName, Raw: raw,
		CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt,
	}
}

// schemaRT returns the resource type.
func (s *Server) schemaRT(isUser bool) *schema.ResourceType {
	if isUser {
		return s.userRT
	}
	return s.groupRT
}
