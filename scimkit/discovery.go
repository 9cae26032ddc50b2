package scimkit

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// ServiceProviderConfigURN is the schema of /ServiceProviderConfig.
const ServiceProviderConfigURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"

type supported struct {
	Supported bool `json:"supported"`
}

// serviceProviderConfig serves /ServiceProviderConfig (RFC 7643 §5) with
// what the server does and its limits.
func (s *Server) serviceProviderConfig(q *request) error {
	meta := map[string]any{"resourceType": "ServiceProviderConfig"}
	if s.baseURL != "" {
		meta["location"] = s.baseURL + "/ServiceProviderConfig"
	}
	doc := map[string]any{
		"schemas":          []string{ServiceProviderConfigURN},
		"documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
		"patch":            supported{true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": s.cfg.MaxCount},
		"changePassword":   supported{false},
		"sort":             supported{true},
		"etag":             supported{true},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "Authentication with the directory's bearer token (RFC 6750), sent in the Authorization header.",
			"specUri":     "https://www.rfc-editor.org/rfc/rfc6750",
		}},
		"meta": meta,
	}
	return s.writeJSON(q, http.StatusOK, doc)
}

func (s *Server) resourceTypes(q *request, id string) error {
	types := []*schema.ResourceType{s.userRT, s.groupRT}
	var docs []json.RawMessage
	for _, rt := range types {
		b, err := schema.ResourceTypeJSON(rt, s.baseURL)
		if err != nil {
			return err
		}
		if id != "" && strings.EqualFold(rt.ID, id) {
			return s.writeRaw(q, http.StatusOK, b)
		}
		docs = append(docs, b)
	}
	if id != "" {
		return notFoundError("resource type")
	}
	return s.writeDiscoveryList(q, docs)
}

func (s *Server) schemas(q *request, id string) error {
	var docs []json.RawMessage
	for _, sc := range schema.Schemas(s.userRT, s.groupRT) {
		b, err := schema.SchemaJSON(sc, s.baseURL)
		if err != nil {
			return err
		}
		if id != "" && strings.EqualFold(sc.ID, id) {
			return s.writeRaw(q, http.StatusOK, b)
		}
		docs = append(docs, b)
	}
	if id != "" {
		return notFoundError("schema")
	}
	return s.writeDiscoveryList(q, docs)
}

func (s *Server) writeDiscoveryList(q *request, docs []json.RawMessage) error {
	return s.writeJSON(q, http.StatusOK, map[string]any{
		"schemas":      []string{ListResponseURN},
		"totalResults": len(docs),
		"startIndex":   1,
		"itemsPerPage": len(docs),
		"Resources":    docs,
	})
}
