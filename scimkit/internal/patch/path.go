package patch

import (
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/filter"
	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// path is a PATCH path resolved against a resource type (RFC 7644 §3.5.2):
//
//	attrPath                  userName, name.givenName, urn:…:User:manager
//	valuePath                 members[value eq "id"]
//	valuePath "." subAttr     emails[type eq "work"].value
//	extension URN             urn:ietf:params:scim:schemas:extension:enterprise:2.0:User
//	core schema URN           urn:ietf:params:scim:schemas:core:2.0:User (core attributes)
type path struct {
	ref    schema.Ref        // ref.Attr is nil for a whole extension object
	filter *filter.Filter    // value filter, or nil
	sub    *schema.Attribute // sub-attribute after the filter, or nil
	core   bool              // the path is the core schema URN: a container of core attributes
}

// target returns the attribute the path writes: the sub-attribute if any,
// else the attribute.
func (p *path) target() *schema.Attribute {
	if p.sub != nil {
		return p.sub
	}
	return p.ref.Leaf()
}

// parsePath parses and resolves a PATCH path. The attribute part is split
// here (so that Entra's "urn:…:enterprise:2.0:User:manager" and a bare
// extension URN resolve through the schema); the filter inside brackets goes
// to filter-parser through [filter.ParseValueFilter].
func parsePath(s string, rt *schema.ResourceType) (*path, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "empty path"}
	}
	if len(s) > filter.DefaultMaxLength {
		return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "path too long"}
	}
	if rt.IsCoreSchema(s) {
		return &path{core: true}, nil
	}
	open := strings.IndexByte(s, '[')
	if open < 0 {
		if strings.ContainsAny(s, "] \"") {
			return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "malformed path"}
		}
		ref, err := rt.ResolveName(s)
		if err != nil {
			return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "unknown attribute", Err: err}
		}
		return &path{ref: ref}, nil
	}
	closeAt := strings.LastIndexByte(s, ']')
	if closeAt < open {
		return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "unclosed value filter"}
	}
	ref, err := rt.ResolveName(strings.TrimSpace(s[:open]))
	if err != nil {
		return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "unknown attribute", Err: err}
	}
	if ref.Attr == nil || ref.Sub != nil || !(ref.Attr.MultiValued || ref.Attr.Type == schema.TypeAny) ||
		(ref.Attr.Type != schema.TypeComplex && ref.Attr.Type != schema.TypeAny) {
		return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "a value filter needs a multi-valued complex attribute"}
	}
	p := &path{ref: ref}
	p.filter, err = filter.ParseValueFilter(s[open+1:closeAt], ref.Attr, filter.Limits{})
	if err != nil {
		return nil, &Error{ScimType: InvalidFilter, Operation: -1, Detail: "invalid value filter", Err: err}
	}
	if rest := s[closeAt+1:]; rest != "" {
		name, ok := strings.CutPrefix(rest, ".")
		if !ok {
			return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "malformed path after the value filter"}
		}
		if ref.Attr.Type == schema.TypeAny {
			p.sub = &schema.Attribute{Name: name, Type: schema.TypeAny}
		} else {
			p.sub = ref.Attr.Sub(name)
		}
		if p.sub == nil || name == "" || strings.ContainsAny(name, ".[]: ") {
			return nil, &Error{ScimType: InvalidPath, Operation: -1, Detail: "unknown sub-attribute " + name}
		}
	}
	return p, nil
}
