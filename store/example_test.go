package store_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// Write two records in one transaction: when the function fails, neither is
// kept. A flow record is then taken exactly once.
func ExampleStore_Tx() {
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

	errAbort := errors.New("abort")
	err = s.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateOrganization(ctx, &ssokit.Organization{ID: "tenant_1", Name: "Acme"}); err != nil {
			return err
		}
		if err := tx.CreateDomain(ctx, &ssokit.Domain{OrganizationID: "tenant_1", Name: "acme.example", State: ssokit.DomainPending}); err != nil {
			return err
		}
		return errAbort
	})
	fmt.Println(errors.Is(err, errAbort))
	_, err = s.Organization(ctx, "tenant_1")
	fmt.Println(errors.Is(err, store.ErrNotFound))

	flow := &ssokit.Flow{ID: "f1", Kind: "login", Data: []byte("{}"), ExpiresAt: time.Now().Add(time.Minute)}
	if err := s.PutFlow(ctx, flow); err != nil {
		log.Fatal(err)
	}
	_, first := s.TakeFlow(ctx, "f1")
	_, second := s.TakeFlow(ctx, "f1")
	fmt.Println(first == nil, errors.Is(second, ssokit.ErrNotFound))
	// Output:
	// true
	// true
	// true true
}
