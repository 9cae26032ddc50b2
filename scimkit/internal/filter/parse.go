package filter

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// Filter is a parsed SCIM filter bound to a resource type (or, for the
// value filter of a PATCH path, to one multi-valued attribute). It is
// immutable and safe for concurrent use.
type Filter struct {
	root  *node
	rt    *schema.ResourceType // nil for value filters
	terms int
}

type kind uint8

const (
	kindAnd kind = iota
	kindOr
	kindNot
	kindCompare
	kindValuePath
)

type node struct {
	kind        kind
	left, right *node // and, or; not uses left
	inner       *node // value path: the filter applied to each element

	// compare and value path
	ref    schema.Ref
	target target
	op     fp.CompareOperator
	raw    any       // the compare value as written (string, bool, float64, nil)
	str    string    // string compare value, lower-cased unless case-exact
	num    float64   // number compare value
	when   time.Time // dateTime compare value
	isTime bool
}

// target says where a compared value lives in a resource or element.
type target struct {
	ext  string // extension URN that holds the attribute, or ""
	name string
	sub  string
	leaf *schema.Attribute
}

// Parse parses a filter of a GET or POST .search request (RFC 7644
// §3.4.2.2) for resources of type rt.
//
// The filter is checked against limits first, before any parsing, then
// against the schema: unknown attributes, attributes that are never returned
// (password), operators that do not fit the attribute's type (gt on a
// boolean, co on a number) and compare values of the wrong type are errors.
// Every error is an [*Error].
//
// Parse accepts one extension to the RFC grammar, because Entra sends it
// when it matches users: a sub-attribute after a value path,
// `emails[type eq "work"].value eq "x"`, read as
// `emails[type eq "work" and value eq "x"]`.
//
// Parse does not URL-decode: the server decodes the query string once, as
// net/url does, and a "%" left in a value after that is a literal "%".
// Decoding twice would change real values that contain "%" and Entra's
// provisioning service does not double-encode; its validator's single
// encoding ("dale.mohr%40romaguera.uk" in the raw query) is undone by the
// ordinary decoding.
func Parse(s string, rt *schema.ResourceType, limits Limits) (*Filter, error) {
	if rt == nil {
		return nil, &Error{Detail: "no resource type"}
	}
	root, terms, err := parse(s, limits, compiler{rt: rt})
	if err != nil {
		return nil, err
	}
	return &Filter{root: root, rt: rt, terms: terms}, nil
}

// ParseValueFilter parses the filter inside the brackets of a value path,
// such as `type eq "work"` in the PATCH path `emails[type eq "work"].value`.
// Attribute names in it are sub-attributes of attr, which must be complex.
// The returned Filter matches one element of attr (see [Filter.Match]).
func ParseValueFilter(s string, attr *schema.Attribute, limits Limits) (*Filter, error) {
	if attr == nil || (attr.Type != schema.TypeComplex && attr.Type != schema.TypeAny) {
		return nil, &Error{Detail: "a value filter needs a complex attribute"}
	}
	root, terms, err := parse(s, limits, compiler{parent: attr})
	if err != nil {
		return nil, err
	}
	return &Filter{root: root, terms: terms}, nil
}

func parse(s string, limits Limits, c compiler) (*node, int, error) {
	limits = limits.withDefaults()
	if len(s) > limits.MaxLength {
		return nil, 0, &Error{Detail: fmt.Sprintf("longer than %d bytes", limits.MaxLength), Err: ErrTooLong}
	}
	if !utf8.ValidString(s) {
		return nil, 0, &Error{Detail: "not valid UTF-8"}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, 0, &Error{Detail: "empty filter"}
	}
	depth, terms := scan(s)
	if depth > limits.MaxDepth {
		return nil, 0, &Error{Detail: fmt.Sprintf("nested deeper than %d", limits.MaxDepth), Err: ErrTooDeep}
	}
	if terms > limits.MaxTerms {
		return nil, 0, &Error{Detail: fmt.Sprintf("more than %d terms", limits.MaxTerms), Err: ErrTooManyTerms}
	}
	if c.rt != nil {
		s = rewriteValuePathSubAttr(s)
	}
	expr, err := fp.ParseFilter([]byte(s))
	if err != nil {
		return nil, 0, &Error{Detail: "syntax error", Err: err}
	}
	root, err := c.compile(expr, 0)
	if err != nil {
		return nil, 0, err
	}
	n := countTerms(root)
	if n > limits.MaxTerms {
		return nil, 0, &Error{Detail: fmt.Sprintf("more than %d terms", limits.MaxTerms), Err: ErrTooManyTerms}
	}
	return root, n, nil
}

// scan measures a filter without parsing it: the deepest nesting of "(" and
// "[" outside strings, and an upper bound of its terms (one more than its
// "and"/"or" words outside strings).
func scan(s string) (depth, terms int) {
	terms = 1
	d := 0
	inString := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '(', '[':
			d++
			depth = max(depth, d)
		case ')', ']':
			d--
		case ' ':
			rest := s[i+1:]
			if (len(rest) > 3 && strings.EqualFold(rest[:4], "and ")) || (len(rest) > 2 && strings.EqualFold(rest[:3], "or ")) {
				terms++
			}
		}
	}
	return depth, terms
}

// rewriteValuePathSubAttr turns `attr[f].sub op v` into `attr[f and sub op v]`
// (and `attr[f].sub pr` into `attr[f and sub pr]`). Anything it does not
// recognise is left for the parser to reject.
func rewriteValuePathSubAttr(s string) string {
	for range 8 { // a filter has few value paths; bound the work anyway
		open, closeAt := -1, -1
		inString := false
		for i := 0; i < len(s) && closeAt < 0; i++ {
			c := s[i]
			if inString {
				switch c {
				case '\\':
					i++
				case '"':
					inString = false
				}
				continue
			}
			switch c {
			case '"':
				inString = true
			case '[':
				open = i
			case ']':
				if open >= 0 && i+1 < len(s) && s[i+1] == '.' {
					closeAt = i
				}
			}
		}
		if closeAt < 0 {
			return s
		}
		end, expr, ok := subAttrExpr(s, closeAt+2)
		if !ok {
			return s
		}
		s = s[:closeAt] + " and " + expr + "]" + s[end:]
	}
	return s
}

// subAttrExpr reads `name op value` or `name pr` at s[i:] and returns where
// it ends.
func subAttrExpr(s string, i int) (end int, expr string, ok bool) {
	start := i
	for i < len(s) && (isNameChar(s[i]) || (i == start && s[i] == '$')) {
		i++
	}
	if i == start || s[i-1] == '$' || i >= len(s) || s[i] != ' ' {
		return 0, "", false
	}
	name := s[start:i]
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i+2 > len(s) {
		return 0, "", false
	}
	op := s[i : i+2]
	i += 2
	if strings.EqualFold(op, "pr") {
		return i, name + " pr", true
	}
	if i >= len(s) || s[i] != ' ' {
		return 0, "", false
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	vstart := i
	if i < len(s) && s[i] == '"' {
		i++
		for i < len(s) && s[i] != '"' {
			if s[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(s) {
			return 0, "", false
		}
		i++
	} else {
		for i < len(s) && s[i] != ' ' && s[i] != ')' {
			i++
		}
	}
	if i == vstart {
		return 0, "", false
	}
	return i, name + " " + op + " " + s[vstart:i], true
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func countTerms(n *node) int {
	switch n.kind {
	case kindAnd, kindOr:
		return countTerms(n.left) + countTerms(n.right)
	case kindNot:
		return countTerms(n.left)
	case kindValuePath:
		return countTerms(n.inner)
	}
	return 1
}

// compiler turns the parser's expressions into nodes bound to a schema:
// either a resource type (rt) or, inside a value path, a complex attribute
// (parent).
type compiler struct {
	rt     *schema.ResourceType
	parent *schema.Attribute
}

func (c compiler) compile(e fp.Expression, depth int) (*node, error) {
	if depth > 2*DefaultMaxDepth+8 {
		// Unreachable after scan; kept so compile is bounded on its own.
		return nil, &Error{Detail: "nested too deeply", Err: ErrTooDeep}
	}
	switch e := e.(type) {
	case *fp.LogicalExpression:
		l, err := c.compile(e.Left, depth+1)
		if err != nil {
			return nil, err
		}
		r, err := c.compile(e.Right, depth+1)
		if err != nil {
			return nil, err
		}
		k := kindAnd
		if e.Operator == fp.OR {
			k = kindOr
		}
		return &node{kind: k, left: l, right: r}, nil
	case *fp.NotExpression:
		l, err := c.compile(e.Expression, depth+1)
		if err != nil {
			return nil, err
		}
		return &node{kind: kindNot, left: l}, nil
	case *fp.ValuePath:
		if c.rt == nil {
			return nil, &Error{Detail: "a value path inside a value path"}
		}
		ref, err := c.resolve(e.AttributePath)
		if err != nil {
			return nil, err
		}
		if ref.Sub != nil || (ref.Attr.Type != schema.TypeComplex && ref.Attr.Type != schema.TypeAny) {
			return nil, &Error{Detail: fmt.Sprintf("%s is not a complex attribute", ref)}
		}
		if ref.Attr.Secret() {
			return nil, &Error{Detail: fmt.Sprintf("%s cannot be filtered", ref)}
		}
		inner, err := compiler{parent: ref.Attr}.compile(e.ValueFilter, depth+1)
		if err != nil {
			return nil, err
		}
		return &node{kind: kindValuePath, ref: ref, target: target{ext: ref.Extension, name: ref.Attr.Name, leaf: ref.Attr}, inner: inner}, nil
	case *fp.AttributeExpression:
		return c.compare(e)
	}
	return nil, &Error{Detail: fmt.Sprintf("unsupported expression %T", e)}
}

func (c compiler) resolve(p fp.AttributePath) (schema.Ref, error) {
	if c.rt != nil {
		ref, err := c.rt.Resolve(p.URI(), p.AttributeName, p.SubAttributeName())
		if err != nil {
			return schema.Ref{}, &Error{Detail: "unknown attribute " + p.String(), Err: err}
		}
		return ref, nil
	}
	if p.URIPrefix != nil || p.SubAttribute != nil {
		return schema.Ref{}, &Error{Detail: "a value filter names sub-attributes only: " + p.String()}
	}
	if c.parent.Type == schema.TypeAny {
		return schema.Ref{Attr: &schema.Attribute{Name: p.AttributeName, Type: schema.TypeAny}}, nil
	}
	sub := c.parent.Sub(p.AttributeName)
	if sub == nil {
		return schema.Ref{}, &Error{Detail: fmt.Sprintf("unknown sub-attribute %s of %s", p.AttributeName, c.parent.Name)}
	}
	return schema.Ref{Attr: sub}, nil
}

func (c compiler) compare(e *fp.AttributeExpression) (*node, error) {
	ref, err := c.resolve(e.AttributePath)
	if err != nil {
		return nil, err
	}
	n := &node{kind: kindCompare, ref: ref, op: fp.CompareOperator(strings.ToLower(string(e.Operator)))}
	if ref.Attr.Secret() || ref.Sub.Secret() {
		return nil, &Error{Detail: fmt.Sprintf("%s cannot be filtered", ref)}
	}
	n.target = target{ext: ref.Extension, name: ref.Attr.Name, leaf: ref.Leaf()}
	if ref.Sub != nil {
		n.target.sub = ref.Sub.Name
	}
	leaf := n.target.leaf
	if leaf.Type == schema.TypeComplex && n.op != fp.PR {
		// "emails co x" compares the "value" sub-attribute (RFC 7644 §3.4.2.2).
		v := leaf.Sub("value")
		if v == nil || ref.Sub != nil {
			return nil, &Error{Detail: fmt.Sprintf("%s is complex: name a sub-attribute", ref)}
		}
		n.target.sub, n.target.leaf, leaf = v.Name, v, v
	}
	if n.op == fp.PR {
		return n, nil
	}
	raw := e.CompareValue
	if s, ok := raw.(string); ok {
		// The parser keeps JSON escapes; decode them.
		var dec string
		if err := json.Unmarshal([]byte(`"`+s+`"`), &dec); err != nil {
			return nil, &Error{Detail: "malformed string", Err: err}
		}
		raw = dec
	}
	if i, ok := raw.(int); ok {
		raw = float64(i)
	}
	n.raw = raw
	if raw == nil {
		if n.op != fp.EQ && n.op != fp.NE {
			return nil, &Error{Detail: fmt.Sprintf("%s null is not a comparison", n.op)}
		}
		return n, nil
	}
	return n, n.bindValue(ref, leaf)
}

// bindValue checks the operator and compare value against the type of the
// attribute and stores the compare value in the form Match uses.
func (n *node) bindValue(ref schema.Ref, leaf *schema.Attribute) error {
	bad := func(why string) error {
		return &Error{Detail: fmt.Sprintf("%s %s: %s", ref, n.op, why)}
	}
	ordering := n.op == fp.GT || n.op == fp.GE || n.op == fp.LT || n.op == fp.LE
	substring := n.op == fp.CO || n.op == fp.SW || n.op == fp.EW
	typ := leaf.Type
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
		if ordering || substring {
			return bad("booleans support eq and ne only")
		}
		switch v := n.raw.(type) {
		case bool:
		case string:
			b, ok := schema.ParseBool(v)
			if !ok {
				return bad("want true or false")
			}
			n.raw = b
		default:
			return bad("want true or false")
		}
	case schema.TypeInteger, schema.TypeDecimal:
		if substring {
			return bad("numbers do not support co, sw and ew")
		}
		v, ok := n.raw.(float64)
		if !ok || math.IsInf(v, 0) || math.IsNaN(v) {
			return bad("want a number")
		}
		n.num = v
	case schema.TypeDateTime:
		v, ok := n.raw.(string)
		if !ok {
			return bad("want a dateTime string")
		}
		if !substring {
			t, ok := schema.ParseDateTime(v)
			if !ok {
				return bad("want an xsd:dateTime such as 2026-01-02T15:04:05Z")
			}
			n.when, n.isTime = t, true
		}
		n.str = v
	case schema.TypeBinary:
		if ordering {
			return bad("binary values support eq, ne, co, sw and ew only")
		}
		fallthrough
	default: // string, reference
		var v string
		switch t := n.raw.(type) {
		case string:
			v = t
		case float64:
			v = fmt.Sprint(t) // userName eq 42: compare the text
		default:
			return bad("want a string")
		}
		if !leaf.CaseExact {
			v = strings.ToLower(v)
		}
		n.str = v
	}
	return nil
}
