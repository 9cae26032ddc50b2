package sessionstore_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/memstore"
)

// A Store over the in-memory backend: a value saved in one request is read
// in the next, and logout (MaxAge -1) deletes the server record, so the
// same cookie finds nothing afterwards.
func ExampleNew() {
	backend, err := memstore.New(memstore.Config{})
	if err != nil {
		log.Fatal(err)
	}
	store, err := sessionstore.New(sessionstore.Config{
		Backend:  backend,
		KeyPairs: [][]byte{[]byte("a 32-byte (or longer) hash key!!")}, // load it from your secrets
	})
	if err != nil {
		log.Fatal(err)
	}

	// Request 1: sign in.
	r := httptest.NewRequest("POST", "https://app.example/login", nil)
	w := httptest.NewRecorder()
	sess, _ := store.Get(r, "__Host-session")
	sess.Values["user_id"] = "user_42"
	if err := sess.Save(r, w); err != nil {
		log.Fatal(err)
	}
	cookie := w.Result().Cookies()[0]
	fmt.Println("cookie:", cookie.Name, "HttpOnly:", cookie.HttpOnly, "Secure:", cookie.Secure,
		"SameSite Lax:", cookie.SameSite == http.SameSiteLaxMode, "Max-Age:", cookie.MaxAge)

	// Request 2: the cookie brings the session back.
	r = httptest.NewRequest("GET", "https://app.example/", nil)
	r.AddCookie(cookie)
	sess, _ = store.Get(r, "__Host-session")
	fmt.Println("user:", sess.Values["user_id"])

	// Request 3: sign out.
	w = httptest.NewRecorder()
	sess.Options.MaxAge = -1
	if err := sess.Save(r, w); err != nil {
		log.Fatal(err)
	}

	// A replay of the old cookie finds nothing.
	r = httptest.NewRequest("GET", "https://app.example/", nil)
	r.AddCookie(cookie)
	sess, _ = store.Get(r, "__Host-session")
	fmt.Println("after logout: new session:", sess.IsNew, "user:", sess.Values["user_id"])
	// Output:
	// cookie: __Host-session HttpOnly: true Secure: true SameSite Lax: true Max-Age: 43200
	// user: user_42
	// after logout: new session: true user: <nil>
}
