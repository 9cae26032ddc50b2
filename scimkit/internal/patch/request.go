package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/jsondepth"
)

// PatchOpURN is the schema URN of a PATCH request body (RFC 7644 §3.5.2).
const PatchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// Op is a PATCH operation name, always lower-case after [ParseRequest].
type Op string

// The operations of RFC 7644 §3.5.2.
const (
	Add     Op = "add"
	Remove  Op = "remove"
	Replace Op = "replace"
)

// Operation is one PATCH operation. Value is kept as raw JSON; [Apply]
// decodes it against the schema.
type Operation struct {
	Op    Op
	Path  string          // "" when absent (add and replace only)
	Value json.RawMessage // nil when absent
}

// Default limits, used for fields of [Limits] that are zero or negative.
const (
	DefaultMaxOperations = 1000
	DefaultMaxValueBytes = 1 << 20
	DefaultMaxDepth      = 32
)

// Limits bounds the PATCH requests [ParseRequest] accepts. The zero value
// means the defaults. The body size itself is the server's to cap before.
type Limits struct {
	// MaxOperations is the largest number of operations. Default
	// DefaultMaxOperations.
	MaxOperations int
	// MaxValueBytes is the largest "value" of one operation, in bytes of
	// JSON. Default DefaultMaxValueBytes (1 MiB: some 15 000 members).
	MaxValueBytes int
	// MaxDepth is the deepest nesting of JSON objects and arrays, checked
	// before the body is decoded. Default DefaultMaxDepth.
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxOperations <= 0 {
		l.MaxOperations = DefaultMaxOperations
	}
	if l.MaxValueBytes <= 0 {
		l.MaxValueBytes = DefaultMaxValueBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// ParseRequest validates a PATCH request body (RFC 7644 §3.5.2) and returns
// its operations. Errors are [*Error].
//
//   - The JSON nesting depth is checked before decoding.
//   - Member names are matched case-insensitively ("Operations",
//     "operations"; "op", "Op").
//   - "schemas" may be absent (GitHub's and other clients' bodies omit it);
//     when present it must contain [PatchOpURN].
//   - Operation names are case-insensitive: Entra without aadOptscim062020
//     sends "Add", "Replace", "Remove".
//   - "path" is optional for add and replace, required for remove
//     (noTarget); "value" is required for add and replace (invalidValue).
//     An empty "path" counts as absent.
//   - The number of operations and the size of each value are capped
//     (tooMany).
//
// Paths are checked against the schema by [Apply] and [MemberOps].
func ParseRequest(body []byte, limits Limits) ([]Operation, error) {
	limits = limits.withDefaults()
	if d := jsondepth.Of(body); d > limits.MaxDepth {
		return nil, opError(-1, InvalidSyntax, fmt.Sprintf("JSON nested deeper than %d", limits.MaxDepth), ErrTooDeep)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, opError(-1, InvalidSyntax, "body is not a JSON object", err)
	}
	if raw, ok := member(top, "schemas"); ok {
		var schemas []string
		if err := json.Unmarshal(raw, &schemas); err != nil {
			return nil, opError(-1, InvalidSyntax, "schemas is not a list of strings", err)
		}
		found := false
		for _, s := range schemas {
			found = found || strings.EqualFold(s, PatchOpURN)
		}
		if !found {
			return nil, opError(-1, InvalidSyntax, "schemas does not contain "+PatchOpURN, nil)
		}
	}
	raw, ok := member(top, "Operations")
	if !ok {
		return nil, opError(-1, InvalidSyntax, "no Operations", nil)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, opError(-1, InvalidSyntax, "Operations is not a list", err)
	}
	if len(list) == 0 {
		return nil, opError(-1, InvalidSyntax, "Operations is empty", nil)
	}
	if len(list) > limits.MaxOperations {
		return nil, opError(-1, TooMany, fmt.Sprintf("more than %d operations", limits.MaxOperations), ErrTooManyOperations)
	}
	ops := make([]Operation, 0, len(list))
	for i, raw := range list {
		op, err := parseOperation(i, raw, limits)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func parseOperation(i int, raw json.RawMessage, limits Limits) (Operation, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return Operation{}, opError(i, InvalidSyntax, "operation is not a JSON object", err)
	}
	var op Operation
	rawOp, ok := member(m, "op")
	var name string
	if !ok || json.Unmarshal(rawOp, &name) != nil {
		return Operation{}, opError(i, InvalidSyntax, `"op" must be a string`, nil)
	}
	switch strings.ToLower(name) {
	case "add":
		op.Op = Add
	case "remove":
		op.Op = Remove
	case "replace":
		op.Op = Replace
	default:
		return Operation{}, opError(i, InvalidSyntax, fmt.Sprintf("unknown op %q", name), nil)
	}
	if rawPath, ok := member(m, "path"); ok && !isNull(rawPath) {
		if err := json.Unmarshal(rawPath, &op.Path); err != nil {
			return Operation{}, opError(i, InvalidPath, `"path" must be a string`, nil)
		}
		op.Path = strings.TrimSpace(op.Path)
	}
	if v, ok := member(m, "value"); ok {
		if len(v) > limits.MaxValueBytes {
			return Operation{}, opError(i, TooMany, fmt.Sprintf("value larger than %d bytes", limits.MaxValueBytes), ErrValueTooLarge)
		}
		op.Value = append(json.RawMessage(nil), v...)
	}
	switch {
	case op.Op == Remove && op.Path == "":
		return Operation{}, opError(i, NoTarget, "remove needs a path", nil)
	case op.Op != Remove && op.Value == nil:
		return Operation{}, opError(i, InvalidValue, string(op.Op)+" needs a value", nil)
	}
	return op, nil
}

// member returns m[name], matching the name case-insensitively when there is
// no exact match.
func member(m map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}
