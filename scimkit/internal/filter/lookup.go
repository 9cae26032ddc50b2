package filter

import (
	fp "github.com/scim2/filter-parser/v2"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// Lookup is an equality on an indexed attribute that a filter requires:
// every resource the filter matches has Attribute equal to Value.
type Lookup struct {
	// Attribute is the canonical name: "id", "userName", "externalId",
	// "emails.value" (User) or "displayName" (Group).
	Attribute string
	Value     string
	// CaseExact is the attribute's caseExact: when false the store must
	// compare case-insensitively (userName, emails.value, displayName).
	CaseExact bool
}

// Lookup recognises the filters a SCIM server answers with an index lookup:
// `userName eq "x"`, `externalId eq "x"`, `id eq "x"`, `emails.value eq "x"`,
// `emails[value eq "x"]`, `emails[type eq "work"].value eq "x"` (Entra) on
// Users, and `displayName eq "x"`, `externalId eq "x"`, `id eq "x"` on
// Groups, alone or as one operand of a top-level "and" (then the most
// selective is returned: id, userName, externalId, displayName,
// emails.value). The server fetches the candidates by the lookup and keeps
// those that [Filter.Match] accepts; ok is false when the filter needs a
// scan.
func (f *Filter) Lookup() (l Lookup, ok bool) {
	if f.rt == nil {
		return Lookup{}, false
	}
	best := -1
	var walk func(n *node)
	walk = func(n *node) {
		switch n.kind {
		case kindAnd:
			walk(n.left)
			walk(n.right)
		case kindCompare:
			if c, rank, ok := f.indexed(n, ""); ok && (best < 0 || rank < best) {
				l, best = c, rank
			}
		case kindValuePath:
			var inner func(m *node)
			inner = func(m *node) {
				switch m.kind {
				case kindAnd:
					inner(m.left)
					inner(m.right)
				case kindCompare:
					if c, rank, ok := f.indexed(m, n.ref.Attr.Name); ok && (best < 0 || rank < best) {
						l, best = c, rank
					}
				}
			}
			if n.ref.Extension == "" {
				inner(n.inner)
			}
		}
	}
	walk(f.root)
	return l, best >= 0
}

// indexed reports whether n is an indexable equality; parent is the
// attribute of an enclosing value path.
func (f *Filter) indexed(n *node, parent string) (Lookup, int, bool) {
	v, isString := n.raw.(string)
	if n.op != fp.EQ || !isString || n.ref.Extension != "" {
		return Lookup{}, 0, false
	}
	name := n.ref.Attr.Name
	if n.ref.Sub != nil {
		name += "." + n.ref.Sub.Name
	} else if n.ref.Attr.Type == schema.TypeComplex {
		name += ".value" // "emails eq x" compares emails.value
	}
	if parent != "" {
		name = parent + "." + name
	}
	ranks := map[string]int{"id": 0, "externalId": 2}
	switch f.rt.Schema.ID {
	case schema.UserSchemaURN:
		ranks["userName"], ranks["emails.value"] = 1, 4
	case schema.GroupSchemaURN:
		ranks["displayName"] = 3
	}
	rank, ok := ranks[name]
	if !ok {
		return Lookup{}, 0, false
	}
	return Lookup{Attribute: name, Value: v, CaseExact: n.target.leaf.CaseExact}, rank, true
}

// Equalities returns the sub-attribute values that a value filter requires
// when it is only "eq" terms joined by "and", as in `type eq "work"`: the
// PATCH engine uses them to create the element a filtered path names when
// no element matches (Entra's `emails[type eq "work"].value` on a user
// without emails). ok is false for any other filter.
func (f *Filter) Equalities() (values map[string]any, ok bool) {
	values = map[string]any{}
	var walk func(n *node) bool
	walk = func(n *node) bool {
		switch n.kind {
		case kindAnd:
			return walk(n.left) && walk(n.right)
		case kindCompare:
			if n.op != fp.EQ || n.raw == nil || n.target.ext != "" || n.target.sub != "" {
				return false
			}
			values[n.target.name] = n.raw
			return true
		}
		return false
	}
	if !walk(f.root) {
		return nil, false
	}
	return values, true
}

// EqualsAny returns v1…vn when the filter is exactly
// `name eq "v1" or name eq "v2" …` with string values (one term included),
// as in the PATCH path `members[value eq "id"]`. ok is false otherwise.
func (f *Filter) EqualsAny(name string) (values []string, ok bool) {
	var walk func(n *node) bool
	walk = func(n *node) bool {
		switch n.kind {
		case kindOr:
			return walk(n.left) && walk(n.right)
		case kindCompare:
			v, isString := n.raw.(string)
			if n.op != fp.EQ || !isString || n.target.ext != "" || n.target.sub != "" || n.target.name != name {
				return false
			}
			values = append(values, v)
			return true
		}
		return false
	}
	if !walk(f.root) {
		return nil, false
	}
	return values, true
}
