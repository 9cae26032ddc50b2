package sessionstore

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
)

// Serializer turns a session's Values into the bytes a [Backend] keeps, and
// back. It must be safe for concurrent use.
type Serializer interface {
	Serialize(values map[any]any) ([]byte, error)
	Deserialize(data []byte) (map[any]any, error)
}

// GobSerializer encodes Values with encoding/gob, as gorilla's own stores
// do: any key and value types work, provided the host registers its own
// concrete types with gob.Register (strings, numbers, bools and their
// slices and maps need no registration). It is the default, because
// gorilla/sessions hosts already store arbitrary types in Values.
type GobSerializer struct{}

// Serialize implements [Serializer].
func (GobSerializer) Serialize(values map[any]any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(values); err != nil {
		return nil, fmt.Errorf("sessionstore: gob encode session values: %w", err)
	}
	return buf.Bytes(), nil
}

// Deserialize implements [Serializer].
func (GobSerializer) Deserialize(data []byte) (map[any]any, error) {
	values := map[any]any{}
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&values); err != nil {
		return nil, fmt.Errorf("sessionstore: gob decode session values: %w", err)
	}
	return values, nil
}

// JSONSerializer encodes Values as a JSON object, readable by tools and
// other languages that share the backend. Every key must be a string, and
// values come back as JSON types: numbers as float64, objects as
// map[string]any, arrays as []any.
type JSONSerializer struct{}

// Serialize implements [Serializer]. A key that is not a string is an
// error.
func (JSONSerializer) Serialize(values map[any]any) ([]byte, error) {
	m := make(map[string]any, len(values))
	for k, v := range values {
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("sessionstore: json encode session values: key %v of type %T is not a string", k, k)
		}
		m[ks] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("sessionstore: json encode session values: %w", err)
	}
	return b, nil
}

// Deserialize implements [Serializer].
func (JSONSerializer) Deserialize(data []byte) (map[any]any, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("sessionstore: json decode session values: %w", err)
	}
	values := make(map[any]any, len(m))
	for k, v := range m {
		values[k] = v
	}
	return values, nil
}
