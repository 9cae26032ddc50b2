package scimkit

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/filter"
	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// ListResponseURN is the schema of list responses (RFC 7644 §3.4.2).
const ListResponseURN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

// SearchRequestURN is the schema of POST /.search bodies (RFC 7644 §3.4.3).
const SearchRequestURN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

// listParams are the query parameters of a list (RFC 7644 §3.4.2).
type listParams struct {
	filter     string
	hasFilter  bool
	startIndex int
	count      int
	sortBy     string
	descending bool
	attributes []string
	excluded   []string
}

type listResponse struct {
	Schemas      []string         `json:"schemas"`
	TotalResults int              `json:"totalResults"`
	StartIndex   int              `json:"startIndex"`
	ItemsPerPage int              `json:"itemsPerPage"`
	Resources    []map[string]any `json:"Resources"`
}

// pageBounds turns startIndex and count as sent into the ones served:
// startIndex < 1 is 1; count < 0 is 0; count above MaxCount (or absent) is
// MaxCount (RFC 7644 §3.4.2.4).
func (s *Server) pageBounds(startIndex, count string) (start, n int, err error) {
	start, n = 1, s.cfg.MaxCount
	if startIndex != "" {
		v, perr := strconv.Atoi(strings.TrimSpace(startIndex))
		if perr != nil {
			return 0, 0, badRequest(ScimTypeInvalidValue, "startIndex must be an integer", perr)
		}
		start = max(v, 1)
	}
	if count != "" {
		v, perr := strconv.Atoi(strings.TrimSpace(count))
		if perr != nil {
			return 0, 0, badRequest(ScimTypeInvalidValue, "count must be an integer", perr)
		}
		n = min(max(v, 0), s.cfg.MaxCount)
	}
	return start, n, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) queryParams(q *request) (*listParams, error) {
	v := q.r.URL.Query()
	p := &listParams{}
	var err error
	if p.startIndex, p.count, err = s.pageBounds(v.Get("startIndex"), v.Get("count")); err != nil {
		return nil, err
	}
	p.filter, p.hasFilter = v.Get("filter"), v.Has("filter")
	p.sortBy = v.Get("sortBy")
	p.descending = strings.EqualFold(v.Get("sortOrder"), "descending")
	p.attributes = splitList(v.Get("attributes"))
	p.excluded = splitList(v.Get("excludedAttributes"))
	return p, nil
}

// search serves POST /Users/.search and /Groups/.search (RFC 7644 §3.4.3).
func (s *Server) search(q *request, isUser bool) error {
	body, err := s.readBody(q)
	if err != nil {
		return err
	}
	p := &listParams{}
	get := func(name string) (any, bool) {
		for k, v := range body {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return nil, false
	}
	num := func(name string) string {
		v, ok := get(name)
		if !ok {
			return ""
		}
		if n, ok := v.(json.Number); ok {
			return n.String()
		}
		return "x" // not a number: pageBounds reports it
	}
	if p.startIndex, p.count, err = s.pageBounds(num("startIndex"), num("count")); err != nil {
		return err
	}
	if v, ok := get("filter"); ok {
		p.filter, p.hasFilter = str(v), true
	}
	if v, ok := get("sortBy"); ok {
		p.sortBy = str(v)
	}
	if v, ok := get("sortOrder"); ok {
		p.descending = strings.EqualFold(str(v), "descending")
	}
	strs := func(name string) []string {
		v, _ := get(name)
		switch t := v.(type) {
		case string:
			return splitList(t)
		case []any:
			var out []string
			for _, e := range t {
				if s := str(e); s != "" {
					out = append(out, s)
				}
			}
			return out
		}
		return nil
	}
	p.attributes, p.excluded = strs("attributes"), strs("excludedAttributes")
	return s.list(q, isUser, p)
}

// parseFilter parses a list filter for the directory's dialect.
func (s *Server) parseFilter(dir *Directory, rt *schema.ResourceType, text string) (*filter.Filter, error) {
	if strings.TrimSpace(text) == "" {
		return nil, badRequest(ScimTypeInvalidFilter, "the filter is empty", nil)
	}
	if len(text) > s.cfg.MaxFilterLength {
		return nil, badRequest(ScimTypeInvalidFilter, "the filter is too long", nil)
	}
	text = dialectOf(dir).filter(text)
	f, err := filter.Parse(text, rt, filter.Limits{MaxLength: s.cfg.MaxFilterLength})
	if err != nil {
		detail := "invalid filter"
		var fe *filter.Error
		if errors.As(err, &fe) {
			detail = "invalid filter: " + fe.Detail
		}
		return nil, badRequest(ScimTypeInvalidFilter, detail, err)
	}
	return f, nil
}

// list serves GET /Users and /Groups: filter, sort, page, project.
func (s *Server) list(q *request, isUser bool, p *listParams) error {
	if p == nil {
		var err error
		if p, err = s.queryParams(q); err != nil {
			return err
		}
	}
	rt := s.schemaRT(isUser)
	var f *filter.Filter
	if p.hasFilter {
		var err error
		if f, err = s.parseFilter(q.dir, rt, p.filter); err != nil {
			return err
		}
	}
	var sortRef *schema.Ref
	if p.sortBy != "" {
		ref, err := rt.ResolveName(p.sortBy)
		if err != nil || ref.Attr == nil || ref.Leaf().Secret() {
			return badRequest(ScimTypeInvalidValue, "sortBy names an unknown attribute", err)
		}
		sortRef = &ref
	}
	withMembers := !isUser && projectionIncludes(rt, "members", p.attributes, p.excluded)
	withGroups := isUser && len(p.attributes) > 0 && projectionIncludes(rt, "groups", p.attributes, p.excluded)

	var total int
	var page []map[string]any
	if f == nil && sortRef == nil {
		// Plain paging: the store counts and pages in id (creation) order.
		var err error
		total, page, err = s.storePage(q, isUser, p.startIndex-1, p.count)
		if err != nil {
			return err
		}
	} else {
		matched, err := s.matching(q, isUser, f, filterMentions(p.filter, "members"))
		if err != nil {
			return err
		}
		if sortRef != nil {
			sortResources(matched, *sortRef, p.descending)
		}
		total = len(matched)
		lo := min(p.startIndex-1, len(matched))
		hi := min(lo+p.count, len(matched))
		page = matched[lo:hi]
	}
	for _, res := range page {
		id := str(res["id"])
		if withMembers {
			if _, ok := res["members"]; !ok {
				members, err := s.membersOf(q, id)
				if err != nil {
					return err
				}
				if len(members) > 0 {
					res["members"] = members
				}
			}
		}
		if withGroups {
			if err := s.addUserGroups(q, id, res); err != nil {
				return err
			}
		}
	}
	out := listResponse{
		Schemas:      []string{ListResponseURN},
		TotalResults: total,
		StartIndex:   p.startIndex,
		ItemsPerPage: len(page),
		Resources:    make([]map[string]any, 0, len(page)),
	}
	for _, res := range page {
		out.Resources = append(out.Resources, project(rt, res, p.attributes, p.excluded))
	}
	return s.writeJSON(q, http.StatusOK, out)
}

// storePage counts a directory's resources and returns one page of them.
func (s *Server) storePage(q *request, isUser bool, offset, limit int) (int, []map[string]any, error) {
	var out []map[string]any
	if isUser {
		total, err := s.store.CountUsers(q.ctx, q.dir.ID, Query{})
		if err != nil || limit == 0 || offset >= total {
			return total, nil, err
		}
		users, err := s.store.QueryUsers(q.ctx, q.dir.ID, Query{Offset: offset, Limit: limit})
		if err != nil {
			return 0, nil, err
		}
		for _, u := range users {
			out = append(out, s.userResource(u))
		}
		return total, out, nil
	}
	total, err := s.store.CountGroups(q.ctx, q.dir.ID, Query{})
	if err != nil || limit == 0 || offset >= total {
		return total, nil, err
	}
	groups, err := s.store.QueryGroups(q.ctx, q.dir.ID, Query{Offset: offset, Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	for _, g := range groups {
		out = append(out, s.groupResource(g))
	}
	return total, out, nil
}

// scanPage is how many resources a scan reads per store call.
const scanPage = 1000

// matching returns the directory's resources that f matches (all when f is
// nil), in id order: through an index lookup when f has one, else by a scan
// bounded by MaxFilterScan.
func (s *Server) matching(q *request, isUser bool, f *filter.Filter, needMembers bool) ([]map[string]any, error) {
	var out []map[string]any
	keep := func(res map[string]any) error {
		if needMembers {
			members, err := s.membersOf(q, str(res["id"]))
			if err != nil {
				return err
			}
			if len(members) > 0 {
				res["members"] = members
			}
		}
		if f == nil || f.Match(res) {
			out = append(out, res)
		}
		return nil
	}
	if f != nil {
		if l, ok := f.Lookup(); ok {
			cands, err := s.lookup(q, isUser, l)
			if err != nil {
				return nil, err
			}
			for _, res := range cands {
				if err := keep(res); err != nil {
					return nil, err
				}
			}
			return out, nil
		}
	}
	after, seen := "", 0
	for {
		var batch []map[string]any
		if isUser {
			users, err := s.store.QueryUsers(q.ctx, q.dir.ID, Query{After: after, Limit: scanPage})
			if err != nil {
				return nil, err
			}
			for _, u := range users {
				batch = append(batch, s.userResource(u))
			}
		} else {
			groups, err := s.store.QueryGroups(q.ctx, q.dir.ID, Query{After: after, Limit: scanPage})
			if err != nil {
				return nil, err
			}
			for _, g := range groups {
				batch = append(batch, s.groupResource(g))
			}
		}
		seen += len(batch)
		if seen > s.cfg.MaxFilterScan {
			return nil, badRequest(ScimTypeTooMany,
				"the directory is too large for this filter or sort: filter by userName, externalId, emails.value or displayName equality", nil)
		}
		for _, res := range batch {
			if err := keep(res); err != nil {
				return nil, err
			}
		}
		if len(batch) < scanPage {
			return out, nil
		}
		after = str(batch[len(batch)-1]["id"])
	}
}

// lookupLimit bounds the candidates of a non-unique index lookup.
const lookupLimit = 1000

// lookup fetches the candidates of an index lookup.
func (s *Server) lookup(q *request, isUser bool, l filter.Lookup) ([]map[string]any, error) {
	var out []map[string]any
	addUsers := func(us []*DirectoryUser, err error) ([]map[string]any, error) {
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			out = append(out, s.userResource(u))
		}
		return out, nil
	}
	addGroups := func(gs []*DirectoryGroup, err error) ([]map[string]any, error) {
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			out = append(out, s.groupResource(g))
		}
		return out, nil
	}
	one := func(err error) error {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	dir := q.dir.ID
	switch {
	case isUser && l.Attribute == "id":
		u, err := s.store.User(q.ctx, dir, l.Value)
		if err != nil {
			return nil, one(err)
		}
		return addUsers([]*DirectoryUser{u}, nil)
	case isUser && l.Attribute == "userName":
		u, err := s.store.UserByUserName(q.ctx, dir, l.Value)
		if err != nil {
			return nil, one(err)
		}
		return addUsers([]*DirectoryUser{u}, nil)
	case isUser && l.Attribute == "externalId":
		return addUsers(s.store.UsersByExternalID(q.ctx, dir, l.Value, lookupLimit))
	case isUser && l.Attribute == "emails.value":
		return addUsers(s.store.UsersByEmail(q.ctx, dir, l.Value, lookupLimit))
	case !isUser && l.Attribute == "id":
		g, err := s.store.Group(q.ctx, dir, l.Value)
		if err != nil {
			return nil, one(err)
		}
		return addGroups([]*DirectoryGroup{g}, nil)
	case !isUser && l.Attribute == "displayName":
		g, err := s.store.GroupByDisplayName(q.ctx, dir, l.Value)
		if err != nil {
			return nil, one(err)
		}
		return addGroups([]*DirectoryGroup{g}, nil)
	case !isUser && l.Attribute == "externalId":
		return addGroups(s.store.GroupsByExternalID(q.ctx, dir, l.Value, lookupLimit))
	}
	return nil, newError(http.StatusInternalServerError, "", "internal server error",
		errors.New("scimkit: filter lookup on an unindexed attribute "+l.Attribute))
}

// filterMentions reports whether a filter text names an attribute, roughly:
// enough to decide whether group members must be loaded for matching.
func filterMentions(text, name string) bool {
	return strings.Contains(strings.ToLower(text), strings.ToLower(name))
}

// sortResources sorts by the attribute of ref (RFC 7644 §3.4.2.3): for a
// multi-valued attribute, the primary value (else the first); resources
// without a value sort last in ascending order.
func sortResources(list []map[string]any, ref schema.Ref, descending bool) {
	type keyed struct {
		res map[string]any
		key any
	}
	ks := make([]keyed, len(list))
	for i, res := range list {
		ks[i] = keyed{res, sortKey(res, ref)}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		c := compareKeys(a.key, b.key)
		if descending {
			return -c
		}
		return c
	})
	for i := range ks {
		list[i] = ks[i].res
	}
}

func sortKey(res map[string]any, ref schema.Ref) any {
	container := res
	if ref.Extension != "" {
		container = getFold(res, ref.Extension)
		if container == nil {
			return nil
		}
	}
	v := getAny(container, ref.Attr.Name)
	if ref.Attr.MultiValued {
		list, _ := v.([]any)
		var chosen any
		for _, e := range list {
			if m, ok := e.(map[string]any); ok && m["primary"] == true {
				chosen = e
				break
			}
		}
		if chosen == nil && len(list) > 0 {
			chosen = list[0]
		}
		v = chosen
	}
	if m, ok := v.(map[string]any); ok {
		sub := "value"
		if ref.Sub != nil {
			sub = ref.Sub.Name
		}
		v = getAny(m, sub)
	}
	leaf := ref.Leaf()
	switch t := v.(type) {
	case string:
		if leaf != nil && !leaf.CaseExact {
			return strings.ToLower(t)
		}
		return t
	case json.Number:
		f, _ := t.Float64()
		return f
	case float64, bool:
		return t
	}
	return nil
}

func compareKeys(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return 0
}

func getAny(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func getFold(m map[string]any, name string) map[string]any {
	v, _ := getAny(m, name).(map[string]any)
	return v
}
