package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// Open a store in a file, register the host's tenant as an organization,
// and see the error contract at work.
func Example() {
	dir, err := os.MkdirTemp("", "gatehouse-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "gatehouse.db"), store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	if err := s.CreateOrganization(ctx, &ssokit.Organization{ID: "tenant_1", Name: "Acme"}); err != nil {
		log.Fatal(err)
	}
	o, err := s.Organization(ctx, "tenant_1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.ID, o.Name)

	err = s.CreateOrganization(ctx, &ssokit.Organization{ID: "tenant_1"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, ssokit.ErrConflict), errors.Is(err, store.ErrConflict))
	// Output:
	// tenant_1 Acme
	// store: create organization: conflict
	// true true
}
