// Package ids makes the kit's record identifiers: a short type prefix, an
// underscore and 26 characters of lower-case Crockford base32 that encode a
// 48-bit millisecond timestamp followed by 80 random bits. The ids are
// URL-safe, unguessable and sort by creation time (to the millisecond), so
// "ORDER BY id" is creation order and keyset pagination needs no extra column.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// Prefixes used across the kit. A prefix says what an id names, so an id
// pasted into the wrong place fails loudly instead of matching nothing.
const (
	Organization = "org"
	Domain       = "dom"
	Connection   = "conn"
	Flow         = "flow"
	SigningKey   = "key"
	Directory    = "dir"
	Token        = "dtok"
	User         = "diru"
	Group        = "dirg"
	Event        = "evt"
	PortalLink   = "plink"
)

// New returns a new id with the given prefix, such as "conn_01jd…".
func New(prefix string) string {
	return NewAt(prefix, time.Now())
}

// last is the most recent id made in this process, so that ids made in
// the same millisecond (or under a clock that went back) still sort in the
// order they were made: the next id then takes the previous one's time and
// random part plus one.
var last struct {
	sync.Mutex
	b [16]byte
}

// NewAt is New with an explicit creation time, for callers with an
// injected clock. Within one process, ids sort in the order they are made,
// even within one millisecond.
func NewAt(prefix string, t time.Time) string {
	var b [16]byte
	ms := uint64(max(t.UnixMilli(), 0)) & (1<<48 - 1)
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("ids: crypto/rand failed: " + err.Error()) // crypto/rand never fails on supported platforms
	}
	last.Lock()
	if lastMS := binary.BigEndian.Uint64(last.b[:8]) >> 16; ms <= lastMS {
		// Same millisecond (or earlier): continue from the last id.
		b = last.b
		for i := 15; i >= 0; i-- {
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	}
	last.b = b
	last.Unlock()
	var sb strings.Builder
	sb.Grow(len(prefix) + 1 + 26)
	sb.WriteString(prefix)
	sb.WriteByte('_')
	// 128 bits as 26 base32 digits, most significant first (the top digit
	// carries 3 bits).
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	sb.Write(out[:])
	return sb.String()
}

// HasPrefix reports whether id is shaped like an id made by New with the
// given prefix. It checks the shape only, not that the record exists.
func HasPrefix(id, prefix string) bool {
	if len(id) != len(prefix)+27 || !strings.HasPrefix(id, prefix) || id[len(prefix)] != '_' {
		return false
	}
	for _, c := range id[len(prefix)+1:] {
		if !strings.ContainsRune(alphabet, c) {
			return false
		}
	}
	return true
}
