package schema

import "strings"

// Scrub removes in place from a resource of type rt what the kit must never
// keep, serve, pass to the host or put in an event, whatever wrote it:
//
//   - secret attributes (password) of the core schema and of known
//     extensions;
//   - top-level keys under "urn:ietf:params:scim:schemas:core:": core
//     attributes live at the top level, so such a key is never part of a
//     stored resource (older versions of the kit stored
//     {"urn:ietf:params:scim:schemas:core:2.0": {"User": {"password": …}}}
//     from a nested core container);
//   - "password" keys, in any case and at any depth, inside the objects of
//     extensions the kit does not know, whose values it otherwise keeps as
//     they come.
func (rt *ResourceType) Scrub(res map[string]any) {
	stripSecrets(res, rt.Schema)
	for k, v := range res {
		switch {
		case hasPrefixFold(k, CoreSchemaPrefix):
			delete(res, k)
		case rt.Extension(k) != nil:
			if m, ok := v.(map[string]any); ok {
				stripSecrets(m, rt.Extension(k))
			}
		case hasPrefixFold(k, "urn:"):
			stripPasswords(v)
		}
	}
}

// stripSecrets deletes the secret attributes of s from m.
func stripSecrets(m map[string]any, s *Schema) {
	for k := range m {
		if a := s.Attribute(k); a.Secret() {
			delete(m, k)
		}
	}
}

// stripPasswords deletes every "password" key, compared
// case-insensitively, from the maps within v.
func stripPasswords(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if strings.EqualFold(k, "password") {
				delete(t, k)
				continue
			}
			stripPasswords(e)
		}
	case []any:
		for _, e := range t {
			stripPasswords(e)
		}
	}
}
