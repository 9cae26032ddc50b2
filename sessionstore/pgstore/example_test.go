package pgstore_test

import (
	"context"
	"database/sql"
	"log"
	"os"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/pgstore"
)

// Wiring a Store to PostgreSQL, with the table migrated at start-up and a
// periodic sweep. (No output: it needs a PostgreSQL server. The package's
// tests run the same code against one.)
func Example() {
	ctx := context.Background()
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	backend, err := pgstore.New(pgstore.Config{DB: db})
	if err != nil {
		log.Fatal(err)
	}
	if err := backend.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	go func() {
		for range time.Tick(5 * time.Minute) {
			if _, err := backend.Sweep(ctx); err != nil {
				log.Print(err)
			}
		}
	}()
	store, err := sessionstore.New(sessionstore.Config{
		Backend:  backend,
		KeyPairs: [][]byte{[]byte(os.Getenv("SESSION_HASH_KEY"))}, // at least 32 bytes
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = store // use it as any sessions.Store, or with ssokit.NewGorillaSessions
}
