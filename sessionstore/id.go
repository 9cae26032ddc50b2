package sessionstore

import (
	"crypto/rand"
	"encoding/base64"
)

// idBytes is the entropy of a session id: 256 bits.
const idBytes = 32

// idLen is the length of an id in unpadded base64url:
// base64.RawURLEncoding.EncodedLen(idBytes).
const idLen = 43

// newID returns a fresh session id: 32 bytes from crypto/rand in unpadded
// base64url (43 characters).
func newID() string {
	b := make([]byte, idBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID reports whether id has the shape newID gives, so that nothing
// else reaches a backend as a key.
func validID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
