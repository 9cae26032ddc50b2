package schema

import (
	"slices"
	"strings"
)

// Normalize returns a new resource built from a decoded POST or PUT body:
// attribute names in their canonical case, values coerced as
// [Attribute.Coerce] does, extension attributes inside their extension
// object (Entra's flat "urn:…:enterprise:2.0:User:department" keys
// included), and "schemas" recomputed.
//
// It drops what a client must not set or the kit must not keep (RFC 7643
// §2.2, §3.1, §4.1.1): read-only attributes (id, meta, groups of a User),
// secret ones (password), attributes the schema does not define, and
// null values. A key equal to the core schema URN holding an object is a
// container of core attributes, read as if its keys were at the top level
// (before them: a top-level attribute wins, see [ResourceType.Keys]).
// Objects of extensions the kit does not know are kept, less what
// [ResourceType.Scrub] removes. Errors are [*ValueError]. Keys that differ only in case are applied in
// sorted order, so the result does not depend on map order.
func (rt *ResourceType) Normalize(body map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(body))
	for _, k := range rt.Keys(body) {
		v := body[k]
		if strings.EqualFold(k, "schemas") {
			continue
		}
		if rt.IsCoreSchema(k) {
			// {"urn:ietf:params:scim:schemas:core:2.0:User": {…}}: core
			// attributes in a container, handled as if at the top level.
			obj, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return nil, &ValueError{Attribute: rt.Schema.ID, Reason: "want an object"}
			}
			if err := rt.normalizeCore(out, obj); err != nil {
				return nil, err
			}
			continue
		}
		if ext := rt.Extension(k); ext != nil {
			obj, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return nil, &ValueError{Attribute: ext.ID, Reason: "want an object"}
			}
			for _, sk := range sortedKeys(obj) {
				a := ext.Attribute(sk)
				if err := rt.set(out, Ref{Extension: ext.ID, Attr: a}, obj[sk]); err != nil {
					return nil, err
				}
			}
			continue
		}
		if obj, ok := v.(map[string]any); ok && len(obj) > 0 && rt.UnknownExtension(k) {
			out[k] = Clone(obj)
			continue
		}
		ref, err := rt.ResolveName(k)
		if err != nil {
			continue // an attribute the schema does not define
		}
		if err := rt.set(out, ref, v); err != nil {
			return nil, err
		}
	}
	rt.Scrub(out)
	out["schemas"] = rt.SchemaURNs(out)
	return out, nil
}

// normalizeCore stores the attributes of a core schema container in out:
// keys that resolve to common or core attributes ("userName",
// "name.givenName", "urn:…:core:2.0:User:title"). Extension attributes
// and extension objects have no place in it and are dropped, as are
// read-only and secret attributes.
func (rt *ResourceType) normalizeCore(out, obj map[string]any) error {
	for _, k := range sortedKeys(obj) {
		ref, err := rt.ResolveName(k)
		if err != nil || ref.Extension != "" {
			continue
		}
		if err := rt.set(out, ref, obj[k]); err != nil {
			return err
		}
	}
	return nil
}

// set stores v at ref in res, for Normalize.
func (rt *ResourceType) set(res map[string]any, ref Ref, v any) error {
	if ref.Attr == nil || ref.Attr.ReadOnly() || ref.Attr.Secret() || ref.Sub.ReadOnly() || ref.Sub.Secret() {
		return nil
	}
	c, err := ref.Attr.Coerce(v)
	if ref.Sub != nil {
		c, err = ref.Sub.Coerce(v)
	}
	if err != nil {
		return err
	}
	if c == nil {
		return nil
	}
	container := res
	if ref.Extension != "" {
		m, ok := res[ref.Extension].(map[string]any)
		if !ok {
			m = map[string]any{}
			res[ref.Extension] = m
		}
		container = m
	}
	if ref.Sub == nil {
		container[ref.Attr.Name] = c
		return nil
	}
	if ref.Attr.MultiValued {
		return nil // "emails.value" in a body has no element to go to
	}
	m, ok := container[ref.Attr.Name].(map[string]any)
	if !ok {
		m = map[string]any{}
		container[ref.Attr.Name] = m
	}
	m[ref.Sub.Name] = c
	return nil
}

// Keys returns the keys of a POST or PUT body or of a PATCH value object in
// the order they are applied: containers of core attributes (keys equal to
// the core schema URN) first, so that the same attribute at the top level
// wins, then the other keys in sorted order.
func (rt *ResourceType) Keys(m map[string]any) []string {
	keys := sortedKeys(m)
	slices.SortStableFunc(keys, func(a, b string) int {
		switch ca, cb := rt.IsCoreSchema(a), rt.IsCoreSchema(b); {
		case ca && !cb:
			return -1
		case cb && !ca:
			return 1
		}
		return 0
	})
	return keys
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
