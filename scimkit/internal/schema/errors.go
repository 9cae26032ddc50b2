package schema

import "fmt"

// PathError reports an attribute name or path that does not resolve against
// a resource type. SCIM servers answer it with 400 and scimType invalidPath
// (PATCH) or invalidFilter (filters).
type PathError struct {
	Path   string // as written by the client
	Reason string // "unknown attribute", "malformed attribute name", …
}

func (e *PathError) Error() string {
	return fmt.Sprintf("schema: %s: %q", e.Reason, e.Path)
}

// ValueError reports a value that does not fit its attribute's definition.
// SCIM servers answer it with 400 and scimType invalidValue.
type ValueError struct {
	Attribute string // canonical attribute name
	Reason    string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("schema: invalid value for %s: %s", e.Attribute, e.Reason)
}
