package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestHomePageServesOnFreshDatabase(t *testing.T) {
	dir := t.TempDir()
	a, err := newApp(context.Background(), filepath.Join(dir, "nested", "gatehouse.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()

	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", res.StatusCode)
	}
	if !strings.Contains(string(body), "Store on SQLite and PostgreSQL: ready") {
		t.Errorf("home page does not list the store as ready:\n%s", body)
	}
}

func TestParseOptionsDefaults(t *testing.T) {
	o, err := parseOptions(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != "localhost:8080" || o.dataDir != "data" {
		t.Errorf("defaults = %+v", o)
	}
	o, err = parseOptions([]string{"-addr", ":9999"}, func(k string) string {
		if k == "GATEHOUSE_DATA" {
			return "/tmp/x"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != ":9999" || o.dataDir != "/tmp/x" {
		t.Errorf("parsed = %+v", o)
	}
}
