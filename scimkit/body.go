package scimkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/jsondepth"
)

var errBodyTooLarge = errors.New("scimkit: request body too large")

func itoa(n int) string { return strconv.Itoa(n) }

// readBody reads a request body within the limits: a SCIM or JSON media
// type (415 otherwise; a missing Content-Type is accepted), at most
// MaxBodyBytes (413), at most MaxJSONDepth levels of nesting, and a JSON
// object (400 invalidSyntax).
func (s *Server) readBody(q *request) (map[string]any, error) {
	b, err := s.readBytes(q)
	if err != nil {
		return nil, err
	}
	return s.decodeObject(b)
}

// readBytes reads a request body within the media type and size limits.
func (s *Server) readBytes(q *request) ([]byte, error) {
	if ct := q.r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/scim+json" && mt != "application/json") {
			return nil, newError(http.StatusUnsupportedMediaType, "", "Content-Type must be application/scim+json", err)
		}
	}
	if q.r.ContentLength > s.cfg.MaxBodyBytes {
		return nil, errBodyTooLarge
	}
	b, err := io.ReadAll(http.MaxBytesReader(q.w, q.r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errBodyTooLarge
		}
		return nil, badRequest(ScimTypeInvalidSyntax, "the request body could not be read", err)
	}
	return b, nil
}

// decodeObject decodes a JSON object body with the depth limit. Numbers
// stay json.Number.
func (s *Server) decodeObject(b []byte) (map[string]any, error) {
	if d := jsondepth.Of(b); d > s.cfg.MaxJSONDepth {
		return nil, badRequest(ScimTypeInvalidSyntax, "the request body is nested too deeply", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badRequest(ScimTypeInvalidSyntax, "the request body is not valid JSON", err)
	}
	if dec.More() {
		return nil, badRequest(ScimTypeInvalidSyntax, "the request body has data after the JSON value", nil)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest(ScimTypeInvalidSyntax, "the request body has data after the JSON value", nil)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest(ScimTypeInvalidSyntax, "the request body must be a JSON object", nil)
	}
	return m, nil
}
