// Package testenv gives tests the external services they need: PostgreSQL,
// Redis and Chromium, found through environment variables. When a variable is
// unset the test is skipped with a message, unless
// GATEHOUSE_REQUIRE_SERVICES=1, when it fails instead (CI sets it).
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// The environment variables read by this package.
const (
	EnvPostgres = "GATEHOUSE_TEST_POSTGRES_URL"
	EnvRedis    = "GATEHOUSE_TEST_REDIS_URL"
	EnvChromium = "GATEHOUSE_TEST_CHROMIUM"
	EnvRequire  = "GATEHOUSE_REQUIRE_SERVICES"
)

// Required reports whether missing services fail tests instead of skipping
// them.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

func lookup(t testing.TB, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if Required() {
			t.Fatalf("%s is unset but %s=1: this test needs %s", name, EnvRequire, what)
		}
		t.Skipf("skipping: set %s to run this test against %s", name, what)
	}
	return v
}

// PostgresURL returns the base PostgreSQL URL from the environment.
func PostgresURL(t testing.TB) string {
	return lookup(t, EnvPostgres, "PostgreSQL")
}

// RedisURL returns the Redis URL from the environment.
func RedisURL(t testing.TB) string {
	return lookup(t, EnvRedis, "Redis")
}

// Chromium returns the path of the Chromium binary from the environment.
func Chromium(t testing.TB) string {
	return lookup(t, EnvChromium, "headless Chromium")
}

// PostgresSchema creates a fresh schema for the test in the database that
// GATEHOUSE_TEST_POSTGRES_URL names, and returns a URL whose connections use
// it (search_path). The schema is dropped when the test ends.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "gh_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("testenv: open %s: %v", EnvPostgres, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("testenv: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
