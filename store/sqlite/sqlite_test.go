package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
	"github.com/gatehouse-go/gatehouse/store/storetest"
)

func open(t *testing.T, opts store.Options) *store.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "gatehouse.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
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

// TestReopen opens the same file twice: the second open applies nothing and
// finds the data.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "nested", "dir", "gatehouse.db") // directories are created
	s, err := sqlite.Open(ctx, path, store.Options{})
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
	s, err = sqlite.Open(ctx, path, store.Options{})
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
	var mode string
	if err := s.DB().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.DB().QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
}

// migrations counts the applied migrations recorded in the database.
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

func TestOpenRejectsMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared"} {
		if s, err := sqlite.Open(context.Background(), path, store.Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q): no error", path)
		}
	}
}
