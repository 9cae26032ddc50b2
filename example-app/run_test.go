package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRunFreshDataDir is "go run ./example-app" on a fresh clone: run, the
// whole program, on an empty data folder and a free port, reaches a
// working sign-in through the simulator, and shuts down cleanly when its
// context ends (as on SIGINT).
func TestRunFreshDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // does not exist yet
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", addr, "-data", dir}, func(string) string { return "" }, logs, logs)
	}()

	base := "http://" + addr
	waitUp(t, base, done, logs)
	c := newClient(t, base)
	res := c.signIn(alice, simOIDCName)
	if res.Status != http.StatusOK || res.URL.Path != "/orgs/org_test/" {
		t.Fatalf("sign-in ended at %s %d\n%s", res.URL, res.Status, res.Body)
	}
	wantContains(t, res.Body, "Test Organization", "alice@example.com")

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after shutdown: %v\n%s", err, logs)
	}
	for _, f := range []string{"gatehouse.db", "session-keys", "idpsim-key.pem"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("data folder: %v", err)
			continue
		}
		if f != "gatehouse.db" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	wantContains(t, logs.String(), "idpsim_enabled", "example_app_listening", "example_app_stopping")
}

// waitUp waits until the server at base answers, or run has failed.
func waitUp(t *testing.T, base string, done <-chan error, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case err := <-done:
			t.Fatalf("run returned before serving: %v\n%s", err, logs)
		default:
		}
		res, err := http.Get(base + "/")
		if err == nil {
			res.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
