package oidcrp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/oidcrp"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/oidctest"
)

const redirectURL = "https://app.example.com/sso/oidc/callback"

func newProvider(t *testing.T) *oidctest.Provider {
	t.Helper()
	p := oidctest.New()
	t.Cleanup(p.Server.Close)
	p.RedirectURIs = []string{redirectURL}
	p.User = map[string]any{"sub": "u1", "email": "Ann@Example.com", "email_verified": true,
		"given_name": "Ann", "family_name": "Lee"}
	return p
}

// newRP returns a relying party that may reach the loopback test providers.
func newRP(t *testing.T, hc *http.Client, now func() time.Time) *oidcrp.Client {
	t.Helper()
	rp, err := oidcrp.New(hc, now, oidcrp.Options{AllowPrivateAddresses: true})
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

func conn(p *oidctest.Provider) *oidcrp.Connection {
	return &oidcrp.Connection{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: redirectURL}
}

// login runs one authorization request against p and exchanges the code.
func login(t *testing.T, rp *oidcrp.Client, p *oidctest.Provider, c *oidcrp.Connection) (*oidcrp.Result, error) {
	t.Helper()
	ctx := context.Background()
	req := oidcrp.AuthRequest{State: "state-1", Nonce: "nonce-1", Verifier: "verifier-verifier-verifier-verifier-verifier-1"}
	u, err := rp.AuthCodeURL(ctx, c, req)
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	client := p.Server.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("state") != req.State {
		t.Fatalf("state = %q", q.Get("state"))
	}
	if e := q.Get("error"); e != "" {
		t.Fatalf("authorize error %s", e)
	}
	return rp.Exchange(ctx, c, q.Get("code"), req.Verifier, req.Nonce)
}

func TestExchangeAuthMethods(t *testing.T) {
	for _, method := range []string{"", "client_secret_basic", "client_secret_post"} {
		t.Run("method="+method, func(t *testing.T) {
			p := newProvider(t)
			p.AuthMethod = method
			rp := newRP(t, p.Server.Client(), time.Now)
			c := conn(p)
			c.AuthMethod = method
			res, err := login(t, rp, p, c)
			if err != nil {
				t.Fatal(err)
			}
			id := res.Identity
			if id.Subject != "u1" || id.Email != "ann@example.com" || !id.EmailVerified || id.Name != "Ann Lee" {
				t.Errorf("identity = %+v", id)
			}
		})
	}
}

func TestExchangeWrongAuthMethodFails(t *testing.T) {
	p := newProvider(t)
	p.AuthMethod = "client_secret_post"
	rp := newRP(t, p.Server.Client(), time.Now)
	_, err := login(t, rp, p, conn(p)) // sends basic
	var e *oidcrp.Error
	if !errors.As(err, &e) || e.Kind != oidcrp.KindIDP || e.IDPError != "invalid_client" {
		t.Fatalf("err = %v", err)
	}
}

func TestUserinfoFallback(t *testing.T) {
	t.Run("fills missing claims", func(t *testing.T) {
		p := newProvider(t)
		p.IDTokenOmit = []string{"email", "email_verified", "given_name", "family_name"}
		rp := newRP(t, p.Server.Client(), time.Now)
		res, err := login(t, rp, p, conn(p))
		if err != nil {
			t.Fatal(err)
		}
		if res.Identity.Email != "ann@example.com" || res.Identity.GivenName != "Ann" || !res.Identity.EmailVerified {
			t.Errorf("identity = %+v", res.Identity)
		}
	})
	t.Run("sub mismatch", func(t *testing.T) {
		p := newProvider(t)
		p.IDTokenOmit = []string{"email"}
		p.UserinfoClaims = map[string]any{"sub": "someone-else", "email": "eve@example.com"}
		rp := newRP(t, p.Server.Client(), time.Now)
		_, err := login(t, rp, p, conn(p))
		var e *oidcrp.Error
		if !errors.As(err, &e) || e.Reason != "userinfo_sub_mismatch" {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestClaimMaps(t *testing.T) {
	tests := []struct {
		name     string
		provider string
		user     map[string]any
		claimMap map[string]string
		check    func(t *testing.T, id *oidcrp.Identity)
	}{
		{
			name:     "entra upn, unverified email, group overage",
			provider: "entra",
			user: map[string]any{"sub": "pairwise", "oid": "obj-1", "tid": "tenant-1", "upn": "Bob@Contoso.com",
				"preferred_username": "bob@contoso.com", "name": "Bob",
				"_claim_names": map[string]any{"groups": "src1"}, "_claim_sources": map[string]any{"src1": map[string]any{"endpoint": "https://graph.microsoft.com/x"}}},
			check: func(t *testing.T, id *oidcrp.Identity) {
				if id.Email != "bob@contoso.com" || id.EmailVerified || id.Username != "bob@contoso.com" || !id.GroupsOverage {
					t.Errorf("identity = %+v", id)
				}
				if id.Raw["oid"] != "obj-1" || id.Raw["tid"] != "tenant-1" {
					t.Errorf("raw = %v", id.Raw)
				}
			},
		},
		{
			name:     "entra xms_edov verifies",
			provider: "entra",
			user:     map[string]any{"sub": "s", "email": "c@contoso.com", "xms_edov": true, "given_name": "C", "family_name": "D", "name": "C D", "groups": []any{"g1", "g2"}},
			check: func(t *testing.T, id *oidcrp.Identity) {
				if !id.EmailVerified || len(id.Groups) != 2 || id.GroupsOverage {
					t.Errorf("identity = %+v", id)
				}
			},
		},
		{
			name:     "google hd and string email_verified",
			provider: "google",
			user:     map[string]any{"sub": "g1", "email": "d@corp.example", "email_verified": "true", "hd": "corp.example", "name": "D", "given_name": "D", "family_name": "E"},
			check: func(t *testing.T, id *oidcrp.Identity) {
				if !id.EmailVerified || id.Username != "d@corp.example" || id.Raw["hd"] != "corp.example" {
					t.Errorf("identity = %+v", id)
				}
			},
		},
		{
			name:     "okta groups",
			provider: "okta",
			user:     map[string]any{"sub": "00u1", "email": "e@example.com", "email_verified": true, "preferred_username": "e.login", "groups": []any{"Everyone"}, "name": "E", "given_name": "E", "family_name": "F"},
			check: func(t *testing.T, id *oidcrp.Identity) {
				if id.Username != "e.login" || len(id.Groups) != 1 || id.Groups[0] != "Everyone" {
					t.Errorf("identity = %+v", id)
				}
			},
		},
		{
			name:     "generic override",
			provider: "generic",
			user:     map[string]any{"sub": "x", "mail": "f@example.com", "email_verified": true, "name": "F", "given_name": "F", "family_name": "G", "roles": []any{"admin"}},
			claimMap: map[string]string{"email": "mail", "groups": "roles"},
			check: func(t *testing.T, id *oidcrp.Identity) {
				if id.Email != "f@example.com" || len(id.Groups) != 1 {
					t.Errorf("identity = %+v", id)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			p.User = tt.user
			rp := newRP(t, p.Server.Client(), time.Now)
			c := conn(p)
			c.Provider, c.ClaimMap = tt.provider, tt.claimMap
			res, err := login(t, rp, p, c)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, res.Identity)
		})
	}
}

// TestDiscoveryRetry: a provider that is down on first use fails that
// login, and works once it is up and the backoff has passed.
func TestDiscoveryRetry(t *testing.T) {
	var up atomic.Bool
	p := newProvider(t)
	gate := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		p.Server.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(gate.Close)
	p.Issuer = gate.URL
	now := time.Now()
	rp := newRP(t, gate.Client(), func() time.Time { return now })
	c := conn(p)
	req := oidcrp.AuthRequest{State: "s", Nonce: "n", Verifier: "v"}
	_, err := rp.AuthCodeURL(context.Background(), c, req)
	var e *oidcrp.Error
	if !errors.As(err, &e) || e.Kind != oidcrp.KindIDP {
		t.Fatalf("first try: err = %v", err)
	}
	up.Store(true)
	if _, err := rp.AuthCodeURL(context.Background(), c, req); err == nil {
		t.Fatal("retried within the backoff")
	}
	now = now.Add(2 * time.Second)
	u, err := rp.AuthCodeURL(context.Background(), c, req)
	if err != nil {
		t.Fatalf("after backoff: %v", err)
	}
	pu, _ := url.Parse(u)
	q := pu.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") != "n" || q.Get("state") != "s" {
		t.Errorf("auth URL = %s", u)
	}
}
