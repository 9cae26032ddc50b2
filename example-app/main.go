// Command example-app is a small multi-tenant SaaS application that mounts
// Gatehouse the way a host would. With no flags it runs in development mode
// on http://localhost:8080 with its state in an SQLite file under ./data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "example-app:", err)
		os.Exit(1)
	}
}

// options are the example app's settings, from flags or the environment.
type options struct {
	addr    string
	dataDir string
}

func parseOptions(args []string, getenv func(string) string) (options, error) {
	fs := flag.NewFlagSet("example-app", flag.ContinueOnError)
	o := options{}
	fs.StringVar(&o.addr, "addr", envOr(getenv, "GATEHOUSE_ADDR", "localhost:8080"),
		"address to listen on (env GATEHOUSE_ADDR)")
	fs.StringVar(&o.dataDir, "data", envOr(getenv, "GATEHOUSE_DATA", "data"),
		"folder for the SQLite database (env GATEHOUSE_DATA)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	return o, nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr *os.File) error {
	o, err := parseOptions(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	app, err := newApp(ctx, filepath.Join(o.dataDir, "gatehouse.db"), logger)
	if err != nil {
		return err
	}
	defer app.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 10 * time.Second}
	logger.Info("example_app_listening", "url", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("example_app_stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
