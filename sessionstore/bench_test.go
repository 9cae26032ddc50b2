package sessionstore_test

import (
	"net/http/httptest"
	"testing"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/memstore"
)

// BenchmarkRequest measures the Store's own work per request on memstore:
// decode the cookie, load and decode the values (gob), change one, encode
// and save them, sign the cookie.
func BenchmarkRequest(b *testing.B) {
	backend, err := memstore.New(memstore.Config{})
	if err != nil {
		b.Fatal(err)
	}
	store, err := sessionstore.New(sessionstore.Config{Backend: backend, KeyPairs: [][]byte{testHashKey}})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	w := httptest.NewRecorder()
	sess, _ := store.New(r, "s")
	sess.Values["user_id"] = "user_42"
	sess.Values["organization_id"] = "org_1"
	if err := sess.Save(r, w); err != nil {
		b.Fatal(err)
	}
	cookie := w.Result().Cookies()[0]
	for b.Loop() {
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		r.AddCookie(cookie)
		sess, err := store.New(r, "s")
		if err != nil || sess.IsNew {
			b.Fatalf("New = %v, IsNew %v", err, sess.IsNew)
		}
		sess.Values["n"] = 1
		if err := sess.Save(r, httptest.NewRecorder()); err != nil {
			b.Fatal(err)
		}
	}
}
