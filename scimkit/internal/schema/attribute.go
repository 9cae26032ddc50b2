package schema

import "strings"

// Type is the data type of an attribute (RFC 7643 §2.3).
type Type string

// The attribute data types of RFC 7643 §2.3.
const (
	TypeString    Type = "string"
	TypeBoolean   Type = "boolean"
	TypeDecimal   Type = "decimal"
	TypeInteger   Type = "integer"
	TypeDateTime  Type = "dateTime"
	TypeBinary    Type = "binary"
	TypeReference Type = "reference"
	TypeComplex   Type = "complex"
	// TypeAny is not an RFC type: it marks an attribute of an extension
	// schema the kit does not know (see [ResourceType.Resolve]). Its values
	// are kept as they arrive and compared by their JSON type.
	TypeAny Type = ""
)

// Mutability says whether and how an attribute may be written (RFC 7643 §7).
type Mutability string

// The mutability values of RFC 7643 §7.
const (
	ReadOnly  Mutability = "readOnly"
	ReadWrite Mutability = "readWrite"
	Immutable Mutability = "immutable"
	WriteOnly Mutability = "writeOnly"
)

// Returned says when an attribute is returned in a response (RFC 7643 §7).
type Returned string

// The returned values of RFC 7643 §7.
const (
	ReturnedAlways  Returned = "always"
	ReturnedNever   Returned = "never"
	ReturnedDefault Returned = "default"
	ReturnedRequest Returned = "request"
)

// Uniqueness says how the service provider enforces uniqueness of an
// attribute's values (RFC 7643 §7).
type Uniqueness string

// The uniqueness values of RFC 7643 §7.
const (
	UniquenessNone   Uniqueness = "none"
	UniquenessServer Uniqueness = "server"
	UniquenessGlobal Uniqueness = "global"
)

// Attribute is one attribute definition of a schema (RFC 7643 §7). The zero
// values of Mutability, Returned and Uniqueness mean readWrite, default and
// none, as in RFC 7643 §2.2.
type Attribute struct {
	Name            string
	Type            Type
	MultiValued     bool
	Description     string
	Required        bool
	CaseExact       bool
	Mutability      Mutability
	Returned        Returned
	Uniqueness      Uniqueness
	CanonicalValues []string
	ReferenceTypes  []string
	SubAttributes   []*Attribute // only for TypeComplex
}

// Sub returns the sub-attribute called name, compared case-insensitively
// (RFC 7643 §2.1), or nil.
func (a *Attribute) Sub(name string) *Attribute {
	if a == nil {
		return nil
	}
	for _, s := range a.SubAttributes {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// ReadOnly reports whether clients may never write the attribute.
func (a *Attribute) ReadOnly() bool { return a != nil && a.Mutability == ReadOnly }

// Secret reports whether the attribute must never be stored or returned by
// the kit: writeOnly attributes and those returned "never" (password).
func (a *Attribute) Secret() bool {
	return a != nil && (a.Mutability == WriteOnly || a.Returned == ReturnedNever)
}

// mutability returns the effective mutability (zero value: readWrite).
func (a *Attribute) mutability() Mutability {
	if a.Mutability == "" {
		return ReadWrite
	}
	return a.Mutability
}

func (a *Attribute) returned() Returned {
	if a.Returned == "" {
		return ReturnedDefault
	}
	return a.Returned
}

func (a *Attribute) uniqueness() Uniqueness {
	if a.Uniqueness == "" {
		return UniquenessNone
	}
	return a.Uniqueness
}
