package schema

import (
	"slices"
	"strings"
)

// Schema is a SCIM schema (RFC 7643 §7): the core User or Group schema, or
// an extension such as the enterprise User.
type Schema struct {
	ID          string // the schema URN
	Name        string
	Description string
	Attributes  []*Attribute
}

// Attribute returns the attribute called name, compared case-insensitively,
// or nil.
func (s *Schema) Attribute(name string) *Attribute {
	if s == nil {
		return nil
	}
	for _, a := range s.Attributes {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// Extension is a schema extension of a resource type.
type Extension struct {
	Schema   *Schema
	Required bool
}

// ResourceType is a SCIM resource type (RFC 7643 §6): its core schema, its
// extensions and the common attributes (id, externalId, meta) that every
// resource has.
//
// A ResourceType is read-only after construction and safe for concurrent
// use. [UserResourceType] and [GroupResourceType] build the two the kit
// serves.
type ResourceType struct {
	ID          string // "User"
	Name        string // "User"
	Endpoint    string // "/Users"
	Description string
	Schema      *Schema
	Extensions  []Extension
	// Common lists the attributes of RFC 7643 §3.1 that are not part of any
	// schema: id, externalId and meta.
	Common []*Attribute
}

// IsCoreSchema reports whether key is the URN of the resource type's core
// schema ("urn:ietf:params:scim:schemas:core:2.0:User"), compared
// case-insensitively. As a key of a body or PATCH value object whose value
// is an object, it is a container of core attributes.
func (rt *ResourceType) IsCoreSchema(key string) bool {
	return strings.EqualFold(key, rt.Schema.ID)
}

// Extension returns the extension schema whose URN is id (compared
// case-insensitively), or nil.
func (rt *ResourceType) Extension(id string) *Schema {
	for _, e := range rt.Extensions {
		if strings.EqualFold(e.Schema.ID, id) {
			return e.Schema
		}
	}
	return nil
}

// Ref is an attribute reference resolved against a resource type.
type Ref struct {
	// Extension is the URN of the extension schema that defines the
	// attribute, or "" for the core schema and the common attributes. In a
	// resource, extension attributes live in the object resource[Extension].
	Extension string
	// Attr is the attribute. It is nil when the reference names a whole
	// extension object (a PATCH path that is just the extension URN).
	Attr *Attribute
	// Sub is the sub-attribute, or nil when the reference names all of Attr.
	Sub *Attribute
}

// Leaf returns the attribute whose values the reference designates: Sub if
// set, else Attr.
func (r Ref) Leaf() *Attribute {
	if r.Sub != nil {
		return r.Sub
	}
	return r.Attr
}

// String returns the canonical name: "userName", "name.givenName",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
func (r Ref) String() string {
	var b strings.Builder
	if r.Extension != "" {
		b.WriteString(r.Extension)
		if r.Attr != nil {
			b.WriteByte(':')
		}
	}
	if r.Attr != nil {
		b.WriteString(r.Attr.Name)
	}
	if r.Sub != nil {
		b.WriteByte('.')
		b.WriteString(r.Sub.Name)
	}
	return b.String()
}

// Resolve finds the attribute named by an optional schema URN, an attribute
// name and an optional sub-attribute name, all compared case-insensitively
// (RFC 7643 §2.1).
//
// Without a URN, the name is looked up among the common attributes, then the
// core schema, then (leniently) the extensions. A URN of an extension the
// kit does not know, such as an IdP's custom extension
// "urn:ietf:params:scim:schemas:extension:acme:2.0:User", resolves to an
// attribute of [TypeAny]: the kit keeps such values as they come. A URN
// under "urn:ietf:params:scim:schemas:core:" other than the resource type's
// own schema is never an extension: it is a [*PathError] (so that
// "urn:ietf:params:scim:schemas:core:2.0:User", split at its last colon,
// cannot smuggle attributes such as password past the schema).
func (rt *ResourceType) Resolve(uri, name, sub string) (Ref, error) {
	if name == "" || !validName(name) || (sub != "" && !validName(sub)) {
		return Ref{}, &PathError{Path: joinPath(uri, name, sub), Reason: "malformed attribute name"}
	}
	var ref Ref
	switch {
	case uri == "" || strings.EqualFold(uri, rt.Schema.ID):
		ref.Attr = rt.common(name)
		if ref.Attr == nil {
			ref.Attr = rt.Schema.Attribute(name)
		}
		if ref.Attr == nil && uri == "" {
			for _, e := range rt.Extensions {
				if a := e.Schema.Attribute(name); a != nil {
					ref = Ref{Extension: e.Schema.ID, Attr: a}
					break
				}
			}
		}
	case rt.Extension(uri) != nil:
		ext := rt.Extension(uri)
		ref = Ref{Extension: ext.ID, Attr: ext.Attribute(name)}
	case hasPrefixFold(uri, CoreSchemaPrefix):
		return Ref{}, &PathError{Path: joinPath(uri, name, sub), Reason: "unknown core schema"}
	case hasPrefixFold(uri, "urn:"):
		ref = Ref{Extension: uri, Attr: &Attribute{Name: name, Type: TypeAny}}
		if sub != "" {
			ref.Sub = &Attribute{Name: sub, Type: TypeAny}
		}
		return ref, nil
	default:
		return Ref{}, &PathError{Path: joinPath(uri, name, sub), Reason: "unknown schema"}
	}
	if ref.Attr == nil {
		return Ref{}, &PathError{Path: joinPath(uri, name, sub), Reason: "unknown attribute"}
	}
	if sub != "" {
		ref.Sub = ref.Attr.Sub(sub)
		if ref.Sub == nil {
			return Ref{}, &PathError{Path: joinPath(uri, name, sub), Reason: "unknown sub-attribute"}
		}
	}
	return ref, nil
}

// ResolveName resolves an attribute written as one string, as SCIM clients
// send it in sortBy, attributes, PATCH paths without a filter and the keys of
// a PATCH value object: "userName", "name.givenName",
// "urn:ietf:params:scim:schemas:core:2.0:User:userName",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
// (Entra's colon form). The URN of a known extension alone resolves to a
// [Ref] with a nil Attr: the whole extension object.
func (rt *ResourceType) ResolveName(s string) (Ref, error) {
	if ext := rt.Extension(s); ext != nil {
		return Ref{Extension: ext.ID}, nil
	}
	uri, rest := "", s
	if hasPrefixFold(s, "urn:") {
		i := strings.LastIndexByte(s, ':')
		uri, rest = s[:i], s[i+1:]
	}
	name, sub, _ := strings.Cut(rest, ".")
	if strings.Contains(sub, ".") {
		return Ref{}, &PathError{Path: s, Reason: "too many levels of sub-attributes"}
	}
	return rt.Resolve(uri, name, sub)
}

// UnknownExtension reports whether key names the object of an extension
// schema the kit does not know: a "urn:" key that is neither a known schema
// URN nor an attribute of one ("urn:…:enterprise:2.0:User:nope" is not),
// and not under "urn:ietf:params:scim:schemas:core:" (core schemas are
// never extensions).
func (rt *ResourceType) UnknownExtension(key string) bool {
	if !hasPrefixFold(key, "urn:") || hasPrefixFold(key, CoreSchemaPrefix) || rt.Extension(key) != nil {
		return false
	}
	prefix := key[:strings.LastIndexByte(key, ':')]
	return !strings.EqualFold(prefix, rt.Schema.ID) && rt.Extension(prefix) == nil
}

func (rt *ResourceType) common(name string) *Attribute {
	for _, a := range rt.Common {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// SchemaURNs returns the value of the "schemas" attribute for resource: the
// core schema URN, then the URN of each extension whose object is present.
func (rt *ResourceType) SchemaURNs(resource map[string]any) []any {
	out := []any{rt.Schema.ID}
	seen := map[string]bool{strings.ToLower(rt.Schema.ID): true}
	add := func(k string) {
		if !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			out = append(out, k)
		}
	}
	for _, e := range rt.Extensions {
		for k, v := range resource {
			if m, ok := v.(map[string]any); ok && len(m) > 0 && strings.EqualFold(k, e.Schema.ID) {
				add(e.Schema.ID)
			}
		}
	}
	var unknown []string
	for k, v := range resource {
		if m, ok := v.(map[string]any); ok && len(m) > 0 && hasPrefixFold(k, "urn:") && rt.Extension(k) == nil && !hasPrefixFold(k, CoreSchemaPrefix) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		add(k)
	}
	return out
}

// validName reports whether s is an ATTRNAME of RFC 7644 §3.10 (with the "$"
// prefix of "$ref").
func validName(s string) bool {
	s = strings.TrimPrefix(s, "$")
	if s == "" {
		return false
	}
	for i, c := range s {
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alpha {
			return false
		}
		if !alpha && !(c >= '0' && c <= '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func joinPath(uri, name, sub string) string {
	s := name
	if uri != "" {
		s = uri + ":" + s
	}
	if sub != "" {
		s += "." + sub
	}
	return s
}
