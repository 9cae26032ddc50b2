package patch

import (
	"encoding/json"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// MemberDelta is the effect of a PATCH on a Group's membership, for servers
// that keep members as rows rather than in the resource.
type MemberDelta struct {
	// Replace reports that the membership before the PATCH is dropped
	// first: a replace of members, or a remove of members without a filter
	// or value. Then Added is the whole new membership. A server may refuse
	// or log a Replace that would remove many members (Entra has been seen
	// to send partial lists, mission 3.1 #9).
	Replace bool
	// Added are member ids to add, in request order, without duplicates.
	Added []string
	// Removed are member ids to remove; empty when Replace is set. Added and
	// Removed never share an id: a later operation wins.
	Removed []string
}

// Changed reports whether the delta changes anything.
func (d MemberDelta) Changed() bool { return d.Replace || len(d.Added) > 0 || len(d.Removed) > 0 }

// MemberOps takes the membership changes out of ops for a Group resource
// type and returns them as a delta, with the remaining operations (the
// members key removed from path-less values) to pass to [Apply] on the group
// without its members. It understands:
//
//	add     members  [{"value": id}, …]                 (Okta, Entra)
//	replace members  [{"value": id}, …]                 (Okta full push)
//	remove  members[value eq "id"]                      (Okta, Entra with aadOptscim062020)
//	remove  members[value eq "a" or value eq "b"]
//	Remove  members  [{"value": id}, …]                 (Entra without the flag)
//	remove  members                                     (all members)
//	add/replace without path, value {"members": […]}
//
// A filter on members that does not select by value, or a path to a
// member's sub-attribute, is an [*Error] (it would need the whole
// membership). A path-less replace without "members" leaves the membership
// alone (Okta's and Entra's renames).
func MemberOps(ops []Operation, rt *schema.ResourceType) (MemberDelta, []Operation, error) {
	var d memberSet
	rest := make([]Operation, 0, len(ops))
	members := rt.Schema.Attribute("members")
	if members == nil {
		return MemberDelta{}, ops, nil
	}
	for i, op := range ops {
		v, err := decodeValue(op.Value)
		if err != nil {
			err.(*Error).Operation = i
			return MemberDelta{}, nil, err
		}
		if op.Path == "" || rt.IsCoreSchema(strings.TrimSpace(op.Path)) {
			obj, ok := v.(map[string]any)
			if !ok || op.Op == Remove {
				rest = append(rest, op) // Apply reports the error
				continue
			}
			if op.Path != "" {
				// The core schema URN as path: its value holds core
				// attributes, as a container in a path-less value does.
				obj = map[string]any{rt.Schema.ID: obj}
			}
			vals := takeMembers(obj, rt)
			if vals == nil {
				rest = append(rest, op)
				continue
			}
			var ids []string
			for _, mv := range vals {
				more, err := memberIDs(members, mv)
				if err != nil {
					return MemberDelta{}, nil, opError(i, InvalidValue, "invalid members", err)
				}
				ids = append(ids, more...)
			}
			d.apply(op.Op, ids, op.Op == Replace)
			if len(obj) > 0 {
				b, err := json.Marshal(obj)
				if err != nil {
					return MemberDelta{}, nil, opError(i, InvalidValue, "cannot re-encode value", err)
				}
				rest = append(rest, Operation{Op: op.Op, Value: b})
			}
			continue
		}
		p, err := parsePath(op.Path, rt)
		if err != nil {
			err.(*Error).Operation = i
			return MemberDelta{}, nil, err
		}
		if p.ref.Attr != members || p.ref.Extension != "" {
			rest = append(rest, op)
			continue
		}
		if p.ref.Sub != nil || p.sub != nil {
			return MemberDelta{}, nil, opError(i, InvalidPath, "member sub-attributes cannot be patched", nil)
		}
		switch {
		case p.filter != nil:
			if op.Op != Remove {
				return MemberDelta{}, nil, opError(i, InvalidPath, "add and replace take members without a filter", nil)
			}
			ids, ok := p.filter.EqualsAny("value")
			if !ok {
				return MemberDelta{}, nil, opError(i, InvalidFilter, `a members filter must select by value: members[value eq "id"]`, nil)
			}
			d.apply(Remove, ids, false)
		case op.Op == Remove && v == nil:
			d.apply(Replace, nil, true)
		default:
			ids, err := memberIDs(members, v)
			if err != nil {
				return MemberDelta{}, nil, opError(i, InvalidValue, "invalid members", err)
			}
			d.apply(op.Op, ids, op.Op == Replace)
		}
	}
	return d.delta(), rest, nil
}

// takeMembers removes the members of a path-less value object, written
// "members", "urn:…:core:2.0:Group:members" or inside a core schema
// container {"urn:…:core:2.0:Group": {"members": …}}, and returns their
// values in the order of [schema.ResourceType.Keys]; nil when there are
// none. An emptied container is
// removed.
func takeMembers(obj map[string]any, rt *schema.ResourceType) []any {
	isMembers := func(k string) bool {
		return strings.EqualFold(k, "members") || strings.EqualFold(k, rt.Schema.ID+":members")
	}
	var vals []any
	for _, k := range rt.Keys(obj) {
		switch {
		case isMembers(k):
			vals = append(vals, obj[k])
			delete(obj, k)
		case rt.IsCoreSchema(k):
			inner, ok := obj[k].(map[string]any)
			if !ok {
				continue
			}
			for _, ik := range sortedKeys(inner) {
				if isMembers(ik) {
					vals = append(vals, inner[ik])
					delete(inner, ik)
				}
			}
			if len(inner) == 0 {
				delete(obj, k)
			}
		}
	}
	return vals
}

// memberIDs returns the "value" of each member in v.
func memberIDs(members *schema.Attribute, v any) ([]string, error) {
	c, err := members.Coerce(v)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range asList(c) {
		m, _ := e.(map[string]any)
		id, ok := m["value"].(string)
		if !ok || id == "" {
			return nil, &schema.ValueError{Attribute: "members", Reason: "a member without a value"}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// memberSet accumulates membership operations in order.
type memberSet struct {
	replace bool
	added   []string
	isAdded map[string]bool
	removed map[string]bool
	order   []string // removal order
}

func (s *memberSet) apply(op Op, ids []string, replace bool) {
	if s.isAdded == nil {
		s.isAdded, s.removed = map[string]bool{}, map[string]bool{}
	}
	if replace {
		s.replace, s.added, s.isAdded, s.removed, s.order = true, nil, map[string]bool{}, map[string]bool{}, nil
	}
	for _, id := range ids {
		switch op {
		case Add, Replace:
			delete(s.removed, id)
			if !s.isAdded[id] {
				s.isAdded[id] = true
				s.added = append(s.added, id)
			}
		case Remove:
			if s.isAdded[id] {
				delete(s.isAdded, id)
			}
			if !s.replace && !s.removed[id] {
				s.removed[id] = true
				s.order = append(s.order, id)
			}
		}
	}
}

func (s *memberSet) delta() MemberDelta {
	d := MemberDelta{Replace: s.replace}
	seen := map[string]bool{}
	for _, id := range s.added {
		if s.isAdded[id] && !seen[id] {
			seen[id] = true
			d.Added = append(d.Added, id)
		}
	}
	for _, id := range s.order {
		if s.removed[id] {
			d.Removed = append(d.Removed, id)
		}
	}
	return d
}
