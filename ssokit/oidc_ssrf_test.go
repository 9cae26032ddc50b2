package ssokit_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatehouse-go/gatehouse/internal/netguard"
	"github.com/gatehouse-go/gatehouse/ssokit"
)

// TestOIDCIssuerInternalAddress: without InsecureAllowPrivateIdPAddresses
// an OIDC connection whose issuer is on a loopback address, or is plain
// http, does not make the kit contact it: /login fails and the server
// sees no request. With the setting (development), the same connections
// work (newEnv's provider is on 127.0.0.1).
func TestOIDCIssuerInternalAddress(t *testing.T) {
	var hits atomic.Int32
	internal := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(internal.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(plain.Close)

	e := newEnv(t, strict)
	for _, tt := range []struct{ name, issuer, want string }{
		{"loopback https", internal.URL, "non-public address"},
		{"localhost", strings.Replace(internal.URL, "127.0.0.1", "localhost", 1), "localhost"},
		{"http", plain.URL, "not https"},
		{"the test provider", e.op.Issuer, "non-public address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &ssokit.Connection{OrganizationID: e.org.ID, Type: ssokit.ConnectionOIDC, Provider: "okta", Name: "internal",
				Status: ssokit.ConnectionActive, OIDC: &ssokit.OIDCConfig{Issuer: tt.issuer, ClientID: "c"}}
			e.must(e.store.CreateConnection(e.ctx, c))
			r := e.browser().get(e.app.URL + "/sso/login?connection_id=" + c.ID)
			if r.StatusCode < 500 {
				t.Fatalf("login: %d, want a server error", r.StatusCode)
			}
			err := e.wantErr(ssokit.CodeServerError, "")
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if tt.want != "not https" && !errors.Is(err, netguard.ErrBlockedAddress) {
				t.Fatalf("error = %v, want netguard.ErrBlockedAddress", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("internal servers contacted %d times", n)
	}

	// Development mode: the loopback provider is reachable.
	dev := newEnv(t)
	dev.login(dev.browser(), map[string][]string{"connection_id": {dev.conn.ID}})
}
