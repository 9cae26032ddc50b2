package memstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore/memstore"
)

// The backend on its own, with a fixed clock: a record is live until its
// expiry, and Sweep drops it afterwards. (sessionstore's ExampleNew shows
// it under a Store.)
func Example() {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	backend, err := memstore.New(memstore.Config{Now: func() time.Time { return now }})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := backend.Commit(ctx, "id-1", []byte("values"), now.Add(time.Hour)); err != nil {
		log.Fatal(err)
	}
	data, found, _ := backend.Find(ctx, "id-1")
	fmt.Printf("%s %v\n", data, found)

	now = now.Add(time.Hour)
	_, found, _ = backend.Find(ctx, "id-1")
	swept, _ := backend.Sweep(ctx)
	fmt.Println(found, swept, backend.Len())
	// Output:
	// values true
	// false 1 0
}
