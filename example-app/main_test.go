package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestParseOptions(t *testing.T) {
	noEnv := func(string) string { return "" }
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want options
	}{
		{"defaults", nil, nil, options{addr: "localhost:8080", baseURL: "http://localhost:8080", dataDir: "data", idpsim: true}},
		{"flags", []string{"-addr", ":9999", "-idpsim=false", "-postgres", "postgres://db/x", "-base-url", "https://notes.example.com/"}, nil,
			options{addr: ":9999", baseURL: "https://notes.example.com", dataDir: "data", postgresURL: "postgres://db/x"}},
		{"environment", nil, map[string]string{"GATEHOUSE_ADDR": "127.0.0.1:7000", "GATEHOUSE_DATA": "/tmp/x", "GATEHOUSE_IDPSIM": "false",
			"GATEHOUSE_POSTGRES_URL": "postgres://db/y"},
			options{addr: "127.0.0.1:7000", baseURL: "http://127.0.0.1:7000", dataDir: "/tmp/x", postgresURL: "postgres://db/y"}},
		{"any address listens on localhost", []string{"-addr", "0.0.0.0:8081"}, nil,
			options{addr: "0.0.0.0:8081", baseURL: "http://localhost:8081", dataDir: "data", idpsim: true}},
		{"flag beats environment", []string{"-data", "d2"}, map[string]string{"GATEHOUSE_DATA": "d1"},
			options{addr: "localhost:8080", baseURL: "http://localhost:8080", dataDir: "d2", idpsim: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := noEnv
			if tt.env != nil {
				getenv = func(k string) string { return tt.env[k] }
			}
			got, err := parseOptions(tt.args, getenv, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestHelpDocumentsFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"-h"}, func(string) string { return "" }, &out, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h = %v, want flag.ErrHelp", err)
	}
	for _, s := range []string{"-addr", "GATEHOUSE_ADDR", "-base-url", "GATEHOUSE_BASE_URL", "-postgres",
		"GATEHOUSE_POSTGRES_URL", "-idpsim", "GATEHOUSE_IDPSIM", "-data", "GATEHOUSE_DATA", "example-app help"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("-h output lacks %q:\n%s", s, out.String())
		}
	}
}

func TestParseOptionsRejectsStrayArguments(t *testing.T) {
	if _, err := parseOptions([]string{"-addr", ":1", "extra"}, func(string) string { return "" }, &bytes.Buffer{}); err == nil {
		t.Error("stray argument accepted")
	}
}
