package schema

import (
	"encoding/json"
	"strings"
)

// URNs of the discovery documents of RFC 7643 §6–7.
const (
	SchemaDocumentURN       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	ResourceTypeDocumentURN = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
)

type attributeDoc struct {
	Name            string         `json:"name"`
	Type            Type           `json:"type"`
	MultiValued     bool           `json:"multiValued"`
	Description     string         `json:"description,omitempty"`
	Required        bool           `json:"required"`
	CaseExact       bool           `json:"caseExact"`
	CanonicalValues []string       `json:"canonicalValues,omitempty"`
	ReferenceTypes  []string       `json:"referenceTypes,omitempty"`
	Mutability      Mutability     `json:"mutability"`
	Returned        Returned       `json:"returned"`
	Uniqueness      Uniqueness     `json:"uniqueness"`
	SubAttributes   []attributeDoc `json:"subAttributes,omitempty"`
}

type metaDoc struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location,omitempty"`
}

type schemaDoc struct {
	Schemas     []string       `json:"schemas"`
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Attributes  []attributeDoc `json:"attributes"`
	Meta        metaDoc        `json:"meta"`
}

type extensionDoc struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

type resourceTypeDoc struct {
	Schemas          []string       `json:"schemas"`
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Endpoint         string         `json:"endpoint"`
	Description      string         `json:"description,omitempty"`
	Schema           string         `json:"schema"`
	SchemaExtensions []extensionDoc `json:"schemaExtensions,omitempty"`
	Meta             metaDoc        `json:"meta"`
}

func attributeDocs(attrs []*Attribute) []attributeDoc {
	out := make([]attributeDoc, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, attributeDoc{
			Name: a.Name, Type: a.Type, MultiValued: a.MultiValued, Description: a.Description,
			Required: a.Required, CaseExact: a.CaseExact,
			CanonicalValues: a.CanonicalValues, ReferenceTypes: a.ReferenceTypes,
			Mutability: a.mutability(), Returned: a.returned(), Uniqueness: a.uniqueness(),
			SubAttributes: attributeDocs(a.SubAttributes),
		})
	}
	return out
}

// SchemaJSON renders s as the JSON document that GET /Schemas/{id} serves
// (RFC 7643 §7). baseURL is the SCIM base URL ("https://app.example/scim/v2")
// used for meta.location; with "" the location is left out. The common
// attributes (id, externalId, meta) are not part of a schema and are not
// listed, as in RFC 7643 §8.7.
func SchemaJSON(s *Schema, baseURL string) ([]byte, error) {
	doc := schemaDoc{
		Schemas: []string{SchemaDocumentURN},
		ID:      s.ID, Name: s.Name, Description: s.Description,
		Attributes: attributeDocs(s.Attributes),
		Meta:       metaDoc{ResourceType: "Schema", Location: location(baseURL, "/Schemas/"+s.ID)},
	}
	return json.Marshal(doc)
}

// ResourceTypeJSON renders rt as the JSON document that
// GET /ResourceTypes/{id} serves (RFC 7643 §6). baseURL is as for
// [SchemaJSON].
func ResourceTypeJSON(rt *ResourceType, baseURL string) ([]byte, error) {
	doc := resourceTypeDoc{
		Schemas: []string{ResourceTypeDocumentURN},
		ID:      rt.ID, Name: rt.Name, Endpoint: rt.Endpoint, Description: rt.Description,
		Schema: rt.Schema.ID,
		Meta:   metaDoc{ResourceType: "ResourceType", Location: location(baseURL, "/ResourceTypes/"+rt.ID)},
	}
	for _, e := range rt.Extensions {
		doc.SchemaExtensions = append(doc.SchemaExtensions, extensionDoc{Schema: e.Schema.ID, Required: e.Required})
	}
	return json.Marshal(doc)
}

// Schemas returns the schemas of the given resource types without
// duplicates, core schemas first: the list GET /Schemas serves.
func Schemas(types ...*ResourceType) []*Schema {
	var out []*Schema
	seen := map[string]bool{}
	add := func(s *Schema) {
		if !seen[strings.ToLower(s.ID)] {
			seen[strings.ToLower(s.ID)] = true
			out = append(out, s)
		}
	}
	for _, rt := range types {
		add(rt.Schema)
	}
	for _, rt := range types {
		for _, e := range rt.Extensions {
			add(e.Schema)
		}
	}
	return out
}

func location(baseURL, path string) string {
	if baseURL == "" {
		return ""
	}
	return strings.TrimSuffix(baseURL, "/") + path
}
