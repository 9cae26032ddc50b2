package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// Apply applies ops to resource, a SCIM resource of type rt decoded from
// JSON, and returns the result as a new map. resource is never modified.
// On error nothing is applied (the request is atomic, RFC 7644 §3.5.2) and
// the error is an [*Error].
//
// Semantics, RFC 7644 §3.5.2 with the dialects of Entra and Okta:
//
//   - add: a multi-valued attribute gets the new values appended, without
//     duplicates (same "value", and same "type" when both have one; a
//     duplicate's other sub-attributes are updated); a complex attribute
//     gets its sub-attributes merged; a simple attribute is set.
//   - replace: a multi-valued attribute's list is replaced; a complex
//     attribute gets the given sub-attributes replaced, others kept; a
//     simple attribute is set. A null value unassigns.
//   - remove: the attribute, sub-attribute or matching elements are
//     removed. With a value and a multi-valued path (Entra's
//     `"op":"Remove","path":"members","value":[{"value":"id"}]`) only the
//     listed elements go. A filter that matches nothing is a no-op, so an
//     IdP retrying a removal converges.
//   - Without a path, the value object's keys are attribute names: plain,
//     dotted ("name.givenName") or fully qualified
//     ("urn:…:enterprise:2.0:User:department"), or an extension URN whose
//     object holds its attributes. Attributes the value omits are kept
//     (Okta's {"active": false} touches active only). Keys that name
//     read-only attributes (id, meta, groups, schemas: Okta sends the id of
//     a group it renames), secrets (password) or attributes the schema does
//     not define are dropped silently. A key equal to the core schema URN
//     ("urn:ietf:params:scim:schemas:core:2.0:User") whose value is an
//     object holds core attributes, handled as if at the top level; so
//     does a value object with that URN as its path.
//   - With a path to a read-only attribute the request fails with
//     "mutability" (RFC 7644 §3.5.2, errata 7898); a path to password is
//     dropped silently (Okta's password sync): the kit never stores it.
//   - A filtered path that matches no element, such as
//     `emails[type eq "work"].value` on a user without emails, creates the
//     element from the filter's equalities ({"type":"work","value":…}) when
//     the filter is made only of "eq" terms joined by "and" (Entra);
//     otherwise add and replace fail with "noTarget".
//   - Values are coerced by the schema ([schema.Attribute.Coerce]): "True"
//     and "False" strings, single values wrapped as [{"value": …}], a plain
//     string for manager.
//   - Setting primary to true on one element clears it on the others.
//   - password is removed from the result even if resource held it (see
//     [schema.ResourceType.Scrub], which also strips "password" keys inside
//     the objects of unknown extensions), and "schemas" is recomputed from
//     the extensions present.
//
// For a Group with a large membership, use [MemberOps] first and pass the
// remaining operations here.
func Apply(resource map[string]any, ops []Operation, rt *schema.ResourceType) (map[string]any, error) {
	if rt == nil {
		return nil, errors.New("patch: nil resource type")
	}
	res, _ := schema.Clone(resource).(map[string]any)
	if res == nil {
		res = map[string]any{}
	}
	a := &applier{rt: rt, res: res}
	for i, op := range ops {
		if err := a.apply(op); err != nil {
			var pe *Error
			if errors.As(err, &pe) {
				pe.Operation = i
				return nil, pe
			}
			return nil, opError(i, InvalidValue, "cannot apply", err)
		}
	}
	a.finish()
	return a.res, nil
}

type applier struct {
	rt  *schema.ResourceType
	res map[string]any
}

func decodeValue(raw json.RawMessage) (any, error) {
	if raw == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{ScimType: InvalidValue, Operation: -1, Detail: "value is not JSON", Err: err}
	}
	if dec.More() {
		return nil, &Error{ScimType: InvalidValue, Operation: -1, Detail: "value is not one JSON value"}
	}
	return v, nil
}

func (a *applier) apply(op Operation) error {
	v, err := decodeValue(op.Value)
	if err != nil {
		return err
	}
	if op.Op != Add && op.Op != Remove && op.Op != Replace {
		return &Error{ScimType: InvalidSyntax, Operation: -1, Detail: "unknown op " + string(op.Op)}
	}
	if op.Path == "" {
		if op.Op == Remove {
			return &Error{ScimType: NoTarget, Operation: -1, Detail: "remove needs a path"}
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return &Error{ScimType: InvalidValue, Operation: -1, Detail: "without a path the value must be an object"}
		}
		return a.applyObject(op.Op, obj)
	}
	p, err := parsePath(op.Path, a.rt)
	if err != nil {
		return err
	}
	if p.core { // the core schema container
		obj, ok := v.(map[string]any)
		if op.Op == Remove || !ok {
			return &Error{ScimType: InvalidValue, Operation: -1, Detail: "the path " + a.rt.Schema.ID + " takes an add or replace of an object of attributes"}
		}
		return a.applyCore(op.Op, obj)
	}
	if p.ref.Attr == nil { // a whole extension object
		if op.Op == Remove {
			del(a.res, p.ref.Extension)
			return nil
		}
		obj, ok := v.(map[string]any)
		if !ok {
			if v == nil && op.Op == Replace {
				del(a.res, p.ref.Extension)
				return nil
			}
			return &Error{ScimType: InvalidValue, Operation: -1, Detail: p.ref.Extension + " must be an object"}
		}
		return a.applyObject(op.Op, map[string]any{p.ref.Extension: obj})
	}
	if p.ref.Attr.Secret() || p.target().Secret() {
		return nil
	}
	if p.ref.Attr.ReadOnly() || p.target().ReadOnly() {
		return &Error{ScimType: Mutability, Operation: -1, Detail: "attribute " + p.ref.String() + " is readOnly"}
	}
	if p.filter != nil {
		return a.applyFiltered(op.Op, p, v)
	}
	return a.applyRef(op.Op, p.ref, v, op.Value != nil)
}

// applyObject applies a path-less add or replace.
func (a *applier) applyObject(op Op, obj map[string]any) error {
	for _, k := range a.rt.Keys(obj) {
		v := obj[k]
		if strings.EqualFold(k, "schemas") {
			continue
		}
		if a.rt.IsCoreSchema(k) {
			inner, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return &Error{ScimType: InvalidValue, Operation: -1, Detail: a.rt.Schema.ID + " must be an object"}
			}
			if err := a.applyCore(op, inner); err != nil {
				return err
			}
			continue
		}
		if ext := a.rt.Extension(k); ext != nil {
			inner, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return &Error{ScimType: InvalidValue, Operation: -1, Detail: ext.ID + " must be an object"}
			}
			for _, sk := range sortedKeys(inner) {
				attr := ext.Attribute(sk)
				if attr == nil || attr.ReadOnly() || attr.Secret() {
					continue
				}
				if err := a.applyRef(op, schema.Ref{Extension: ext.ID, Attr: attr}, inner[sk], true); err != nil {
					return err
				}
			}
			continue
		}
		if inner, isObj := v.(map[string]any); isObj && a.rt.UnknownExtension(k) {
			// The object of an extension the kit does not know: keep it.
			a.mergeUnknownExtension(op, k, inner)
			continue
		}
		ref, err := a.rt.ResolveName(k)
		if err != nil || ref.Attr == nil {
			continue // not defined by the schema: dropped
		}
		if ref.Attr.ReadOnly() || ref.Attr.Secret() || ref.Leaf().ReadOnly() || ref.Leaf().Secret() {
			continue
		}
		if err := a.applyRef(op, ref, v, true); err != nil {
			return err
		}
	}
	return nil
}

// applyCore applies a path-less add or replace of a core schema container,
// {"urn:ietf:params:scim:schemas:core:2.0:User": {…}}: its keys are core or
// common attributes, handled as at the top level. Extension attributes have
// no place in it and are dropped with read-only, secret and unknown ones.
func (a *applier) applyCore(op Op, obj map[string]any) error {
	for _, k := range sortedKeys(obj) {
		ref, err := a.rt.ResolveName(k)
		if err != nil || ref.Attr == nil || ref.Extension != "" {
			continue
		}
		if ref.Attr.ReadOnly() || ref.Attr.Secret() || ref.Leaf().ReadOnly() || ref.Leaf().Secret() {
			continue
		}
		if err := a.applyRef(op, ref, obj[k], true); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) mergeUnknownExtension(op Op, key string, obj map[string]any) {
	cur, _ := get(a.res, key).(map[string]any)
	if cur == nil || op == Replace {
		cur = map[string]any{}
	}
	for k, v := range obj {
		if v == nil {
			delete(cur, k)
		} else {
			cur[k] = schema.Clone(v)
		}
	}
	set(a.res, key, cur)
}

// container returns the map that holds ref's attribute: the resource, or
// its extension object (created when create is set).
func (a *applier) container(ref schema.Ref, create bool) map[string]any {
	if ref.Extension == "" {
		return a.res
	}
	m, ok := get(a.res, ref.Extension).(map[string]any)
	if !ok {
		if !create {
			return nil
		}
		m = map[string]any{}
	}
	set(a.res, ref.Extension, m) // canonical key
	return m
}

func valueErr(ref string, err error) error {
	return &Error{ScimType: InvalidValue, Operation: -1, Detail: "invalid value for " + ref, Err: err}
}

// applyRef applies an operation to an attribute or sub-attribute without a
// value filter. hasValue tells a remove with a value from one without.
func (a *applier) applyRef(op Op, ref schema.Ref, v any, hasValue bool) error {
	attr := ref.Attr
	c := a.container(ref, op != Remove)
	if c == nil {
		return nil // removing from an absent extension
	}
	if ref.Sub == nil {
		cur := get(c, attr.Name)
		if op == Remove {
			if attr.Required {
				return &Error{ScimType: InvalidValue, Operation: -1, Detail: "attribute " + ref.String() + " is required"}
			}
			if hasValue && v != nil && attr.MultiValued {
				gone, err := attr.Coerce(v)
				if err != nil {
					return valueErr(ref.String(), err)
				}
				list := elements(cur)
				list = slices.DeleteFunc(list, func(e any) bool {
					for _, g := range asList(gone) {
						if sameElement(attr, e, g, false) {
							return true
						}
					}
					return false
				})
				set(c, attr.Name, listOrNil(list))
				return nil
			}
			del(c, attr.Name)
			return nil
		}
		nv, err := attr.Coerce(v)
		if err != nil {
			return valueErr(ref.String(), err)
		}
		if nv == nil {
			if op == Replace {
				if attr.Required {
					return &Error{ScimType: InvalidValue, Operation: -1, Detail: "attribute " + ref.String() + " is required"}
				}
				del(c, attr.Name)
			}
			return nil
		}
		switch {
		case attr.MultiValued && op == Add:
			list := elements(cur)
			var touched []any
			for _, e := range asList(nv) {
				list, touched = addElement(attr, list, e, touched)
			}
			set(c, attr.Name, listOrNil(clearOtherPrimaries(list, touched)))
		case attr.MultiValued:
			list := asList(nv)
			set(c, attr.Name, clearOtherPrimaries(list, list))
		case attr.Type == schema.TypeComplex:
			m, _ := cur.(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			for k, sv := range nv.(map[string]any) {
				set(m, k, sv)
			}
			set(c, attr.Name, m)
		default:
			set(c, attr.Name, nv)
		}
		return nil
	}
	// A sub-attribute: name.givenName, or emails.value on all elements.
	sub := ref.Sub
	var nv any
	if op != Remove {
		var err error
		if nv, err = sub.Coerce(v); err != nil {
			return valueErr(ref.String(), err)
		}
	}
	if attr.MultiValued {
		list := elements(get(c, attr.Name))
		if len(list) == 0 && nv != nil {
			list = []any{map[string]any{}}
		}
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				setOrDel(m, sub.Name, nv)
			}
		}
		set(c, attr.Name, listOrNil(dropEmpty(list)))
		return nil
	}
	m, _ := get(c, attr.Name).(map[string]any)
	if m == nil {
		if nv == nil {
			return nil
		}
		m = map[string]any{}
	}
	setOrDel(m, sub.Name, nv)
	if len(m) == 0 {
		del(c, attr.Name)
	} else {
		set(c, attr.Name, m)
	}
	return nil
}

// applyFiltered applies an operation to the elements a value filter selects.
func (a *applier) applyFiltered(op Op, p *path, v any) error {
	attr := p.ref.Attr
	c := a.container(p.ref, op != Remove)
	if c == nil {
		return nil
	}
	list := elements(get(c, attr.Name))
	var matched []map[string]any
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && p.filter.Match(m) {
			matched = append(matched, m)
		}
	}
	if op == Remove {
		if p.sub == nil {
			list = slices.DeleteFunc(list, func(e any) bool {
				m, ok := e.(map[string]any)
				return ok && slices.ContainsFunc(matched, func(x map[string]any) bool { return sameMap(x, m) })
			})
		} else {
			for _, m := range matched {
				del(m, p.sub.Name)
			}
			list = dropEmpty(list)
		}
		set(c, attr.Name, listOrNil(list))
		return nil
	}
	// add or replace: the sub-attribute, or the given sub-attributes, of
	// every matching element.
	var patch map[string]any
	if p.sub != nil {
		nv, err := p.sub.Coerce(v)
		if err != nil {
			return valueErr(p.ref.String()+"."+p.sub.Name, err)
		}
		patch = map[string]any{p.sub.Name: nv}
	} else {
		nv, err := attr.CoerceElement(v)
		if err != nil {
			return valueErr(p.ref.String(), err)
		}
		patch, _ = nv.(map[string]any)
	}
	if len(matched) == 0 {
		eq, ok := p.filter.Equalities()
		if !ok {
			return &Error{ScimType: NoTarget, Operation: -1, Detail: "no element of " + attr.Name + " matches the filter"}
		}
		elem, err := attr.CoerceElement(eq)
		if err != nil {
			return valueErr(p.ref.String(), err)
		}
		m, _ := elem.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		list = append(list, m)
		matched = []map[string]any{m}
	}
	var touched []any
	for _, m := range matched {
		for k, sv := range patch {
			setOrDel(m, k, sv)
		}
		touched = append(touched, m)
	}
	set(c, attr.Name, listOrNil(clearOtherPrimaries(dropEmpty(list), touched)))
	return nil
}

// finish strips secrets and recomputes schemas.
func (a *applier) finish() {
	a.rt.Scrub(a.res)
	for k, v := range a.res {
		if m, ok := v.(map[string]any); ok && len(m) == 0 && hasPrefixFold(k, "urn:") {
			delete(a.res, k)
		}
	}
	del(a.res, "schemas")
	a.res["schemas"] = a.rt.SchemaURNs(a.res)
}

// addElement appends e to list unless an equal element is there, in which
// case e's sub-attributes are merged into it.
func addElement(attr *schema.Attribute, list []any, e any, touched []any) ([]any, []any) {
	for _, cur := range list {
		if sameElement(attr, cur, e, true) {
			if cm, ok := cur.(map[string]any); ok {
				if em, ok := e.(map[string]any); ok {
					for k, v := range em {
						set(cm, k, v)
					}
				}
			}
			return list, append(touched, cur)
		}
	}
	return append(list, e), append(touched, e)
}

// sameElement reports whether two elements of a multi-valued attribute are
// the same value: by "value" (respecting caseExact) and, when both have
// one and withType is set, "type"; by deep equality without a "value".
func sameElement(attr *schema.Attribute, x, y any, withType bool) bool {
	xm, xok := x.(map[string]any)
	ym, yok := y.(map[string]any)
	if !xok || !yok {
		return reflect.DeepEqual(x, y)
	}
	value := attr.Sub("value")
	if value == nil && attr.Type != schema.TypeAny {
		return reflect.DeepEqual(canonical(xm), canonical(ym))
	}
	xv, yv := get(xm, "value"), get(ym, "value")
	if xv == nil || yv == nil {
		return reflect.DeepEqual(canonical(xm), canonical(ym))
	}
	if !equalScalar(xv, yv, value != nil && value.CaseExact) {
		return false
	}
	if withType && attr.Name != "members" {
		xt, xok := get(xm, "type").(string)
		yt, yok := get(ym, "type").(string)
		if xok && yok && !strings.EqualFold(xt, yt) {
			return false
		}
	}
	return true
}

func equalScalar(x, y any, caseExact bool) bool {
	xs, xok := x.(string)
	ys, yok := y.(string)
	if xok && yok {
		if caseExact {
			return xs == ys
		}
		return strings.EqualFold(xs, ys)
	}
	return reflect.DeepEqual(x, y)
}

// canonical lower-cases keys so that elements written with different key
// case compare equal.
func canonical(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// clearOtherPrimaries keeps "primary": true on the last touched element that
// has it and sets it to false on every other element (RFC 7643 §2.4).
func clearOtherPrimaries(list, touched []any) []any {
	var keep map[string]any
	for _, e := range touched {
		if m, ok := e.(map[string]any); ok && get(m, "primary") == true {
			keep = m
		}
	}
	if keep == nil {
		return list
	}
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && !sameMap(m, keep) && get(m, "primary") == true {
			set(m, "primary", false)
		}
	}
	return list
}

// sameMap reports whether x and y are the same map (identity, not equality).
func sameMap(x, y map[string]any) bool {
	return reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
}

func elements(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func listOrNil(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l
}

func dropEmpty(list []any) []any {
	return slices.DeleteFunc(list, func(e any) bool {
		m, ok := e.(map[string]any)
		return ok && len(m) == 0
	})
}

// get returns m[key], matching case-insensitively when there is no exact
// match.
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

// set stores v under key, removing keys that differ only in case; a nil v
// deletes.
func set(m map[string]any, key string, v any) {
	del(m, key)
	if v != nil {
		m[key] = v
	}
}

func setOrDel(m map[string]any, key string, v any) { set(m, key, v) }

func del(m map[string]any, key string) {
	for k := range m {
		if strings.EqualFold(k, key) {
			delete(m, k)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
