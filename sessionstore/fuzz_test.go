package sessionstore_test

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/memstore"
)

// FuzzCookie feeds arbitrary cookie values to Get: it never panics, always
// returns a session, and never returns one the backend does not hold (the
// backend holds one session, whose cookie the fuzzer cannot forge).
func FuzzCookie(f *testing.F) {
	seeds, err := os.ReadFile("testdata/fuzz_cookie_seeds.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range strings.Split(string(seeds), "\n") {
		if s != "" && !strings.HasPrefix(s, "#") {
			f.Add(s)
		}
	}
	backend, err := memstore.New(memstore.Config{})
	if err != nil {
		f.Fatal(err)
	}
	store, err := sessionstore.New(sessionstore.Config{Backend: backend, KeyPairs: [][]byte{testHashKey}})
	if err != nil {
		f.Fatal(err)
	}
	// One live session.
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	w := httptest.NewRecorder()
	live, _ := store.New(r, "s")
	live.Values["k"] = "v"
	if err := live.Save(r, w); err != nil {
		f.Fatal(err)
	}
	f.Add(w.Result().Cookies()[0].Value)
	f.Fuzz(func(t *testing.T, value string) {
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		r.Header.Set("Cookie", "s="+value)
		sess, err := store.New(r, "s")
		if sess == nil {
			t.Fatal("nil session")
		}
		if sess.IsNew {
			if sess.ID != "" || len(sess.Values) != 0 {
				t.Fatalf("new session with id %q and values %v", sess.ID, sess.Values)
			}
			return
		}
		if err != nil || sess.ID != live.ID {
			t.Fatalf("loaded session %q (err %v) that is not the live one", sess.ID, err)
		}
	})
}
