// Command example-app is "Acme Notes", a small multi-tenant SaaS
// application that mounts Gatehouse the way a host would: each
// organization's members sign in through their organization's identity
// provider and see and add the organization's notes.
//
// With no flags it runs in development mode on http://localhost:8080: its
// state in an SQLite file under ./data, the IdP simulator mounted at
// /idpsim, and a "Test Organization" (domains example.com and example.org)
// whose simulator connections let any @example.com address sign in.
//
//	go run ./example-app            # serve
//	go run ./example-app -h         # flags and environment variables
//	go run ./example-app help       # the operator commands (org, connection)
//
// # Decisions
//
//   - The application's own tables (acme_users, acme_identities,
//     acme_memberships, acme_notes) live in the kit's database, through
//     (*store.Store).DB(): one file (or one PostgreSQL database) to back up,
//     and the same SQL ($1 placeholders, ON CONFLICT) runs on both.
//   - Development mode is the simulator being on (-idpsim, the default): it
//     mounts the simulator, seeds the Test Organization and lets the
//     commands accept loopback (http://localhost) metadata URLs. With
//     -idpsim=false none of that happens.
//   - The session is a gorilla/sessions cookie; its securecookie keys and
//     the simulator's signing key are files in the data folder, created on
//     first start, so a restart keeps sessions and registered IdP
//     certificates. Behind several instances (PostgreSQL) every instance
//     needs the same data folder contents.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "example-app:", err)
		os.Exit(1)
	}
}

// options are the example app's settings, from flags or the environment.
type options struct {
	addr        string // listen address
	baseURL     string // external URL of the app, without trailing slash
	dataDir     string // SQLite file, session keys, simulator key
	postgresURL string // when set, the store is on PostgreSQL
	idpsim      bool   // development mode: simulator on, Test Organization seeded
}

// storeFlags registers the flags every mode shares: where the state is and
// what URL the app is reached at.
func storeFlags(fs *flag.FlagSet, o *options, getenv func(string) string) {
	fs.StringVar(&o.dataDir, "data", envOr(getenv, "GATEHOUSE_DATA", "data"),
		"folder for the SQLite database, the session keys and the simulator key; created if missing (env GATEHOUSE_DATA)")
	fs.StringVar(&o.postgresURL, "postgres", getenv("GATEHOUSE_POSTGRES_URL"),
		"PostgreSQL URL, such as postgres://user@host/db; the store and the app's tables go there instead of SQLite (env GATEHOUSE_POSTGRES_URL)")
	fs.StringVar(&o.baseURL, "base-url", getenv("GATEHOUSE_BASE_URL"),
		"public URL of the app, such as https://notes.example.com; default http://<addr> (env GATEHOUSE_BASE_URL)")
	idp := true
	if v := getenv("GATEHOUSE_IDPSIM"); v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			idp = b
		}
	}
	fs.BoolVar(&o.idpsim, "idpsim", idp,
		"development mode: mount the IdP simulator at /idpsim, seed the Test Organization, and accept loopback metadata URLs; never in production (env GATEHOUSE_IDPSIM)")
}

func parseOptions(args []string, getenv func(string) string, output io.Writer) (options, error) {
	fs := flag.NewFlagSet("example-app", flag.ContinueOnError)
	fs.SetOutput(output)
	o := options{}
	fs.StringVar(&o.addr, "addr", envOr(getenv, "GATEHOUSE_ADDR", "localhost:8080"),
		"address to listen on (env GATEHOUSE_ADDR)")
	storeFlags(fs, &o, getenv)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Acme Notes, the Gatehouse example app.\n\n"+
			"Usage:\n  example-app [flags]            serve the app\n"+
			"  example-app <command> [flags]  operator commands; see \"example-app help\"\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (commands come first: example-app %s …)", fs.Arg(0), fs.Arg(0))
	}
	return o, o.finish()
}

// finish derives the base URL from the listen address when it is not set.
func (o *options) finish() error {
	if o.baseURL == "" {
		host, port, err := net.SplitHostPort(o.addr)
		if err != nil {
			return fmt.Errorf("-addr %q: %w", o.addr, err)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		o.baseURL = "http://" + net.JoinHostPort(host, port)
	}
	o.baseURL = strings.TrimSuffix(o.baseURL, "/")
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// run is the whole program: a command (org, connection, help) when the
// first argument names one, else the web server until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return runCommand(ctx, args, getenv, stdout, stderr)
	}
	o, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	return serve(ctx, o, logger)
}

// serve runs the app until ctx ends (SIGINT or SIGTERM in main), then
// stops accepting, lets requests in flight finish (10 seconds at most),
// stops the background work and closes the database.
func serve(ctx context.Context, o options, logger *slog.Logger) error {
	a, err := newApp(ctx, o, logger)
	if err != nil {
		return err
	}
	defer a.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	done := a.startBackground(bg)
	defer func() { stopBackground(); <-done }()

	logger.Info("example_app_listening", "addr", ln.Addr().String(), "url", o.baseURL+"/", "idpsim", o.idpsim)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("example_app_stopping")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
