package main

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// app is the example application: its handlers and the kit's store.
type app struct {
	store  *store.Store
	logger *slog.Logger
	mux    *http.ServeMux
}

func newApp(ctx context.Context, dbPath string, logger *slog.Logger) (*app, error) {
	st, err := sqlite.Open(ctx, dbPath, store.Options{})
	if err != nil {
		return nil, err
	}
	a := &app{store: st, logger: logger, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /{$}", a.home)
	return a, nil
}

func (a *app) Handler() http.Handler { return a.mux }

func (a *app) Close() error { return a.store.Close() }

// feature is one line of the home page's readiness list.
type feature struct {
	Name  string
	Ready bool
}

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse example app</title></head>
<body><main>
<h1>Gatehouse example app</h1>
<p>The kit's store is open and migrated. Features of this build:</p>
<ul>{{range .}}<li>{{.Name}}: {{if .Ready}}ready{{else}}not yet{{end}}</li>{{end}}</ul>
</main></body></html>`))

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	features := []feature{
		{"Store on SQLite and PostgreSQL", true},
		{"SSO (OIDC and SAML)", false},
		{"SCIM provisioning", false},
		{"IdP simulator", false},
	}
	if err := homePage.Execute(w, features); err != nil {
		a.logger.Error("render_home", "err", err)
	}
}
