package sessionstore_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gorilla/sessions"
)

// resign returns cookie value v (made by securecookie with key for name)
// signed again with key but with the timestamp ts: what a cookie issued at
// ts looks like.
func resign(t *testing.T, key []byte, name, v string, ts time.Time) string {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	parts := bytes.SplitN(raw, []byte("|"), 3) // date|value|mac
	if len(parts) != 3 {
		t.Fatalf("unexpected securecookie layout %q", raw)
	}
	signed := fmt.Appendf(nil, "%s|%d|%s", name, ts.Unix(), parts[1])
	m := hmac.New(sha256.New, key)
	m.Write(signed)
	out := append(signed[len(name)+1:], '|')
	out = append(out, m.Sum(nil)...)
	return base64.URLEncoding.EncodeToString(out)
}

// TestCookieTimestamp (item 133): the signed timestamp in the cookie is
// checked: older than the bound (30 days, or Options.MaxAge when longer)
// is refused even while the server record lives.
func TestCookieTimestamp(t *testing.T) {
	tests := []struct {
		name   string
		maxAge int
		age    time.Duration
		valid  bool
	}{
		{"fresh", 0, time.Minute, true},
		{"29 days", 0, 29 * 24 * time.Hour, true},
		{"31 days", 0, 31 * 24 * time.Hour, false},
		{"31 days under a 60-day MaxAge", 60 * 24 * 3600, 31 * 24 * time.Hour, true},
		{"61 days under a 60-day MaxAge", 60 * 24 * 3600, 61 * 24 * time.Hour, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The server record lives long enough for every case.
			store, _ := newStore(t, sessionstore.Config{Options: sessions.Options{MaxAge: tc.maxAge}})
			r := httptest.NewRequest("GET", "https://example.com/", nil)
			w := httptest.NewRecorder()
			sess, _ := store.New(r, "s")
			sess.Options.MaxAge = 100 * 24 * 3600
			sess.Values["k"] = "v"
			if err := sess.Save(r, w); err != nil {
				t.Fatal(err)
			}
			value := resign(t, testHashKey, "s", w.Result().Cookies()[0].Value, time.Now().Add(-tc.age))
			r = httptest.NewRequest("GET", "https://example.com/", nil)
			r.AddCookie(&http.Cookie{Name: "s", Value: value})
			got, err := store.New(r, "s")
			if tc.valid {
				if err != nil || got.ID != sess.ID {
					t.Fatalf("New = %q, %v; want session %q", got.ID, err, sess.ID)
				}
				return
			}
			if !errors.Is(err, sessionstore.ErrInvalidCookie) || !got.IsNew || got.ID != "" {
				t.Fatalf("New = %q (IsNew %v), %v; want a new session and ErrInvalidCookie", got.ID, got.IsNew, err)
			}
		})
	}
}
