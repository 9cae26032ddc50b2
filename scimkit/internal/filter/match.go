package filter

import (
	"encoding/json"
	"strings"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// Match reports whether the filter matches v: a SCIM resource decoded from
// JSON (by encoding/json, with or without UseNumber) for a filter from
// [Parse], or one element of the multi-valued attribute for a filter from
// [ParseValueFilter].
//
// Semantics (RFC 7644 §3.4.2.2):
//   - Attribute names match JSON keys case-insensitively.
//   - A multi-valued attribute or sub-attribute ("emails.value") matches
//     when any of its values matches; a complex attribute without a
//     sub-attribute compares its "value" sub-attribute ("emails co x").
//   - String comparisons follow the attribute's caseExact; dateTime values
//     compare as instants; numbers as float64.
//   - "pr" needs a non-empty value. "eq null" matches an absent attribute,
//     "ne null" a present one. "ne" matches when no value is equal, so an
//     absent attribute is "ne" anything.
//   - A stored value whose JSON type does not fit the schema never matches.
//
// Cost is linear in the size of the resource times the number of terms.
func (f *Filter) Match(v map[string]any) bool {
	return f.root.eval(v)
}

func (n *node) eval(ctx map[string]any) bool {
	switch n.kind {
	case kindAnd:
		return n.left.eval(ctx) && n.right.eval(ctx)
	case kindOr:
		return n.left.eval(ctx) || n.right.eval(ctx)
	case kindNot:
		return !n.left.eval(ctx)
	case kindValuePath:
		for _, e := range n.target.values(ctx) {
			if m, ok := e.(map[string]any); ok && n.inner.eval(m) {
				return true
			}
		}
		return false
	}
	vals := n.target.values(ctx)
	switch {
	case n.op == fp.PR:
		for _, v := range vals {
			if present(v) {
				return true
			}
		}
		return false
	case n.raw == nil: // eq null, ne null
		found := false
		for _, v := range vals {
			found = found || present(v)
		}
		return found == (n.op == fp.NE)
	case n.op == fp.NE:
		for _, v := range vals {
			if n.compare(v, fp.EQ) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if n.compare(v, n.op) {
			return true
		}
	}
	return false
}

// values returns the values the target designates in ctx, flattened.
func (t *target) values(ctx map[string]any) []any {
	if t.ext != "" {
		ext, ok := get(ctx, t.ext).(map[string]any)
		if !ok {
			return nil
		}
		ctx = ext
	}
	v := get(ctx, t.name)
	if v == nil {
		return nil
	}
	var vals []any
	if l, ok := v.([]any); ok {
		vals = l
	} else {
		vals = []any{v}
	}
	if t.sub == "" {
		return vals
	}
	var out []any
	for _, e := range vals {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		switch s := get(m, t.sub).(type) {
		case nil:
		case []any:
			out = append(out, s...)
		default:
			out = append(out, s)
		}
	}
	return out
}

// get returns m[key], matching the key case-insensitively when there is no
// exact match.
func get(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func present(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		for _, e := range t {
			if present(e) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, e := range t {
			if present(e) {
				return true
			}
		}
		return false
	}
	return true
}

func (n *node) compare(v any, op fp.CompareOperator) bool {
	typ := n.target.leaf.Type
	if typ == schema.TypeAny {
		switch n.raw.(type) {
		case bool:
			typ = schema.TypeBoolean
		case float64:
			typ = schema.TypeDecimal
		default:
			typ = schema.TypeString
		}
	}
	switch typ {
	case schema.TypeBoolean:
		b, ok := v.(bool)
		if s, isStr := v.(string); isStr {
			b, ok = schema.ParseBool(s)
		}
		return ok && (b == n.raw.(bool)) == (op == fp.EQ)
	case schema.TypeInteger, schema.TypeDecimal:
		f, ok := number(v)
		return ok && order(cmpFloat(f, n.num), op)
	case schema.TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return false
		}
		if !n.isTime {
			return substring(s, n.str, op)
		}
		t, ok := schema.ParseDateTime(s)
		return ok && order(t.Compare(n.when), op)
	}
	s, ok := v.(string)
	if !ok {
		return false
	}
	if !n.target.leaf.CaseExact {
		s = strings.ToLower(s)
	}
	if op == fp.CO || op == fp.SW || op == fp.EW {
		return substring(s, n.str, op)
	}
	return order(strings.Compare(s, n.str), op)
}

func substring(s, sub string, op fp.CompareOperator) bool {
	switch op {
	case fp.CO:
		return strings.Contains(s, sub)
	case fp.SW:
		return strings.HasPrefix(s, sub)
	case fp.EW:
		return strings.HasSuffix(s, sub)
	}
	return false
}

func order(c int, op fp.CompareOperator) bool {
	switch op {
	case fp.EQ:
		return c == 0
	case fp.NE:
		return c != 0
	case fp.GT:
		return c > 0
	case fp.GE:
		return c >= 0
	case fp.LT:
		return c < 0
	case fp.LE:
		return c <= 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	}
	return 0, false
}
