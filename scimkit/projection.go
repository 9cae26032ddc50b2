package scimkit

import (
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// Attribute projection (RFC 7644 §3.4.2.5): "attributes" keeps only the
// named attributes (plus id and schemas, which are always returned);
// "excludedAttributes" drops the named ones. Names that do not resolve are
// ignored. A value filter after a name, as Microsoft's test collection
// sends ("emails[type eq \"work\"]"), is ignored and the whole attribute
// returned.

func projectionName(rt *schema.ResourceType, name string) (schema.Ref, bool) {
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	ref, err := rt.ResolveName(strings.TrimSpace(name))
	if err != nil {
		return schema.Ref{}, false
	}
	return ref, true
}

// projectionIncludes reports whether the top-level attribute name survives
// the projection.
func projectionIncludes(rt *schema.ResourceType, name string, attributes, excluded []string) bool {
	if len(attributes) > 0 {
		for _, a := range attributes {
			if ref, ok := projectionName(rt, a); ok && ref.Extension == "" && ref.Attr != nil && strings.EqualFold(ref.Attr.Name, name) {
				return true
			}
		}
		return false
	}
	for _, a := range excluded {
		if ref, ok := projectionName(rt, a); ok && ref.Extension == "" && ref.Attr != nil && ref.Sub == nil && strings.EqualFold(ref.Attr.Name, name) {
			return false
		}
	}
	return true
}

// project returns res reduced by the projection. res is not modified when
// there is nothing to do; otherwise a new map shares values with res.
func project(rt *schema.ResourceType, res map[string]any, attributes, excluded []string) map[string]any {
	if len(attributes) > 0 {
		out := map[string]any{}
		for _, k := range []string{"id", "schemas"} {
			if v, ok := res[k]; ok {
				out[k] = v
			}
		}
		for _, a := range attributes {
			ref, ok := projectionName(rt, a)
			if !ok {
				continue
			}
			copyRef(out, res, ref)
		}
		return out
	}
	if len(excluded) == 0 {
		return res
	}
	out := make(map[string]any, len(res))
	for k, v := range res {
		out[k] = v
	}
	for _, a := range excluded {
		ref, ok := projectionName(rt, a)
		if !ok || (ref.Extension == "" && ref.Attr != nil && ref.Attr.Name == "id") {
			continue
		}
		removeRef(out, ref)
	}
	return out
}

// container returns the object that holds ref's attribute in res: res
// itself or the extension object.
func container(res map[string]any, ref schema.Ref) (map[string]any, string) {
	if ref.Extension == "" {
		return res, ""
	}
	for k, v := range res {
		if strings.EqualFold(k, ref.Extension) {
			m, _ := v.(map[string]any)
			return m, k
		}
	}
	return nil, ""
}

func findKey(m map[string]any, name string) (string, bool) {
	if _, ok := m[name]; ok {
		return name, true
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

func copyRef(out, res map[string]any, ref schema.Ref) {
	src, extKey := container(res, ref)
	if src == nil {
		return
	}
	dst := out
	if ref.Extension != "" {
		if ref.Attr == nil {
			out[extKey] = src
			return
		}
		m, ok := out[extKey].(map[string]any)
		if !ok {
			m = map[string]any{}
		}
		dst = m
		defer func() {
			if len(m) > 0 {
				out[extKey] = m
			}
		}()
	}
	key, ok := findKey(src, ref.Attr.Name)
	if !ok {
		return
	}
	v := src[key]
	if ref.Sub == nil {
		dst[key] = v
		return
	}
	switch t := v.(type) {
	case map[string]any:
		if sk, ok := findKey(t, ref.Sub.Name); ok {
			m, _ := dst[key].(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			m[sk] = t[sk]
			dst[key] = m
		}
	case []any:
		if _, whole := dst[key].([]any); whole {
			return
		}
		var list []any
		for _, e := range t {
			if em, ok := e.(map[string]any); ok {
				if sk, ok := findKey(em, ref.Sub.Name); ok {
					list = append(list, map[string]any{sk: em[sk]})
				}
			}
		}
		if len(list) > 0 {
			dst[key] = list
		}
	}
}

func removeRef(out map[string]any, ref schema.Ref) {
	src, extKey := container(out, ref)
	if src == nil {
		return
	}
	if ref.Attr == nil {
		delete(out, extKey)
		return
	}
	key, ok := findKey(src, ref.Attr.Name)
	if !ok {
		return
	}
	if ref.Extension != "" {
		m := make(map[string]any, len(src))
		for k, v := range src {
			m[k] = v
		}
		out[extKey], src = m, m
	}
	if ref.Sub == nil {
		delete(src, key)
		return
	}
	switch t := src[key].(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			if !strings.EqualFold(k, ref.Sub.Name) {
				m[k] = v
			}
		}
		src[key] = m
	case []any:
		list := make([]any, 0, len(t))
		for _, e := range t {
			em, ok := e.(map[string]any)
			if !ok {
				list = append(list, e)
				continue
			}
			m := make(map[string]any, len(em))
			for k, v := range em {
				if !strings.EqualFold(k, ref.Sub.Name) {
					m[k] = v
				}
			}
			list = append(list, m)
		}
		src[key] = list
	}
}
