package schema

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Coerce converts a decoded JSON value (as encoding/json produces it, with
// or without UseNumber) into the attribute's type and returns a new value
// that shares nothing with v. It accepts the shapes SCIM clients are known to
// send:
//
//   - booleans as strings, "True"/"False" in any case (Entra without
//     aadOptscim062020);
//   - a single value for a multi-valued attribute (wrapped into a list);
//   - a one-element list, or an object {"value": x}, for a single-valued
//     attribute (Entra's wrapped adds);
//   - a plain string for a complex attribute with a "value" sub-attribute
//     (Entra's manager);
//   - a number for a string attribute (kept as its decimal text).
//
// Sub-attributes that the schema does not define, read-only sub-attributes
// and secret ones are dropped. Coerce returns nil when the value is null or
// empty: the attribute is then unassigned (RFC 7643 §2.5). Errors are
// [*ValueError].
func (a *Attribute) Coerce(v any) (any, error) {
	if a.MultiValued {
		list, ok := v.([]any)
		if !ok {
			if v == nil {
				return nil, nil
			}
			list = []any{v}
		}
		out := make([]any, 0, len(list))
		for _, e := range list {
			c, err := a.CoerceElement(e)
			if err != nil {
				return nil, err
			}
			if c != nil {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	if list, ok := v.([]any); ok {
		switch len(list) {
		case 0:
			return nil, nil
		case 1:
			v = list[0]
		default:
			return nil, &ValueError{Attribute: a.Name, Reason: "a list for a single-valued attribute"}
		}
	}
	return a.CoerceElement(v)
}

// CoerceElement converts one value of the attribute: for a multi-valued
// attribute, one element of its list. See [Attribute.Coerce].
func (a *Attribute) CoerceElement(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.Type == TypeAny {
		return Clone(v), nil
	}
	if a.Type == TypeComplex {
		m, ok := v.(map[string]any)
		if !ok {
			if value := a.Sub("value"); value != nil {
				if _, isList := v.([]any); !isList {
					m = map[string]any{value.Name: v}
					ok = true
				}
			}
		}
		if !ok {
			return nil, &ValueError{Attribute: a.Name, Reason: "want an object"}
		}
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			sub := a.Sub(k)
			if sub == nil || sub.ReadOnly() || sub.Secret() {
				continue
			}
			c, err := sub.CoerceElement(m[k])
			if err != nil {
				return nil, &ValueError{Attribute: a.Name + "." + sub.Name, Reason: err.(*ValueError).Reason}
			}
			if c != nil {
				out[sub.Name] = c
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	if m, ok := v.(map[string]any); ok {
		// Entra wraps single values as {"value": x}.
		if len(m) != 1 {
			return nil, &ValueError{Attribute: a.Name, Reason: "want a " + string(a.Type) + ", got an object"}
		}
		for k, inner := range m {
			if !strings.EqualFold(k, "value") {
				return nil, &ValueError{Attribute: a.Name, Reason: "want a " + string(a.Type) + ", got an object"}
			}
			v = inner
		}
		if _, nested := v.(map[string]any); nested {
			return nil, &ValueError{Attribute: a.Name, Reason: "want a " + string(a.Type) + ", got an object"}
		}
		return a.CoerceElement(v)
	}
	switch a.Type {
	case TypeString, TypeReference, TypeBinary:
		switch t := v.(type) {
		case string:
			return t, nil
		case json.Number:
			return t.String(), nil
		case float64:
			return strconv.FormatFloat(t, 'f', -1, 64), nil
		}
	case TypeBoolean:
		switch t := v.(type) {
		case bool:
			return t, nil
		case string:
			if b, ok := ParseBool(t); ok {
				return b, nil
			}
		}
	case TypeInteger:
		switch t := v.(type) {
		case json.Number:
			if _, err := t.Int64(); err == nil {
				return t, nil
			}
		case float64:
			if t == math.Trunc(t) && !math.IsInf(t, 0) {
				return t, nil
			}
		}
	case TypeDecimal:
		switch t := v.(type) {
		case json.Number:
			if _, err := t.Float64(); err == nil {
				return t, nil
			}
		case float64:
			return t, nil
		}
	case TypeDateTime:
		if s, ok := v.(string); ok {
			if _, ok := ParseDateTime(s); ok {
				return s, nil
			}
			return nil, &ValueError{Attribute: a.Name, Reason: "not an xsd:dateTime"}
		}
	}
	return nil, &ValueError{Attribute: a.Name, Reason: "want a " + string(a.Type)}
}

// ParseBool parses a SCIM boolean sent as a string: "true" or "false" in
// any case (Entra sends "True" and "False").
func ParseBool(s string) (value, ok bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// ParseDateTime parses an xsd:dateTime (RFC 7643 §2.3.5): RFC 3339 with an
// optional fraction, or without a zone (then read as UTC, as some clients
// send "2025-03-25T16:17:00").
func ParseDateTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Clone returns a deep copy of a decoded JSON value. Maps and slices other
// than map[string]any and []any are returned as they are.
func Clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = Clone(e)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = Clone(e)
		}
		return l
	}
	return v
}
