package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/postgres"
)

// Open the kit's store in the application's PostgreSQL database (its tables
// are prefixed gatehouse_), as every instance of an application running on
// several machines does. The migrations run once, whichever instance
// starts first. (This example needs a server, so it is compiled but not
// run; the package tests run the same calls.)
func Example() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateOrganization(ctx, &ssokit.Organization{ID: "tenant_1", Name: "Acme"}); err != nil {
		log.Fatal(err)
	}
}
