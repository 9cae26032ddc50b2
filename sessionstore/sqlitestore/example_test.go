package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/sqlitestore"
)

// Sessions in a SQLite file: they outlive the Store (and the process) that
// wrote them.
func Example() {
	dir, err := os.MkdirTemp("", "sessions-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	keys := [][]byte{[]byte("a 32-byte (or longer) hash key!!")}

	open := func() (*sql.DB, *sessionstore.Store) {
		db, err := sql.Open("sqlite", sqlitestore.DSN(filepath.Join(dir, "sessions.db")))
		if err != nil {
			log.Fatal(err)
		}
		backend, err := sqlitestore.New(sqlitestore.Config{DB: db})
		if err != nil {
			log.Fatal(err)
		}
		if err := backend.Migrate(ctx); err != nil {
			log.Fatal(err)
		}
		store, err := sessionstore.New(sessionstore.Config{Backend: backend, KeyPairs: keys})
		if err != nil {
			log.Fatal(err)
		}
		return db, store
	}

	db, store := open()
	r := httptest.NewRequest("POST", "https://app.example/login", nil)
	w := httptest.NewRecorder()
	sess, _ := store.Get(r, "__Host-session")
	sess.Values["user_id"] = "user_42"
	if err := sess.Save(r, w); err != nil {
		log.Fatal(err)
	}
	db.Close() // "restart"

	db, store = open()
	defer db.Close()
	r = httptest.NewRequest("GET", "https://app.example/", nil)
	r.AddCookie(w.Result().Cookies()[0])
	sess, _ = store.Get(r, "__Host-session")
	fmt.Println("after restart:", sess.Values["user_id"])
	// Output:
	// after restart: user_42
}
