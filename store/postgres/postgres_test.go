package postgres_test

import (
	"testing"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/postgres"
	"github.com/gatehouse-go/gatehouse/store/storetest"
)

func open(t *testing.T, opts store.Options) *store.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), testenv.PostgresSchema(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	// Parallel tests (and other packages' tests) share one server and its
	// max_connections; a small pool still makes 50 goroutines contend.
	s.DB().SetMaxOpenConns(8)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, open)
}

// TestReopen opens the same schema twice: the second open applies nothing
// and finds the data.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	url := testenv.PostgresSchema(t)
	s, err := postgres.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateOrganization(ctx, &ssokit.Organization{ID: "o1", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	applied := migrations(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = postgres.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := migrations(t, s); got != applied {
		t.Errorf("reopen recorded %d migrations, first open %d", got, applied)
	}
	if o, err := s.Organization(ctx, "o1"); err != nil || o.Name != "Acme" {
		t.Errorf("after reopen: %+v, %v", o, err)
	}
}

// TestConcurrentOpen starts several instances on one empty schema at once:
// the migration lock lets exactly one apply the migrations.
func TestConcurrentOpen(t *testing.T) {
	url := testenv.PostgresSchema(t)
	const n = 4
	stores := make([]*store.Store, n)
	errs := make([]error, n)
	done := make(chan int)
	for i := range n {
		go func() {
			stores[i], errs[i] = postgres.Open(t.Context(), url, store.Options{})
			done <- i
		}()
	}
	for range n {
		<-done
	}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("open %d: %v", i, errs[i])
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	if got := migrations(t, stores[0]); got == 0 {
		t.Error("no migrations recorded")
	}
	var dup int
	err := stores[0].DB().QueryRowContext(t.Context(),
		"SELECT count(*) - count(DISTINCT version_id) FROM gatehouse_schema_version").Scan(&dup)
	if err != nil || dup != 0 {
		t.Errorf("migrations applied more than once: %d duplicates, %v", dup, err)
	}
}

func migrations(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	err := s.DB().QueryRowContext(t.Context(),
		"SELECT count(*) FROM gatehouse_schema_version WHERE version_id > 0").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
