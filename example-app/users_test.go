package main

import (
	"context"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newUserStore is the app's user tables on a fresh SQLite store.
func newUserStore(t *testing.T) *userStore {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "gatehouse.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := migrateApp(t.Context(), st.DB()); err != nil {
		t.Fatal(err)
	}
	return &userStore{db: st.DB(), now: func() time.Time { return time.Unix(1_900_000_000, 0) }}
}

func profile(conn, sub, email string, emailVerified, domainVerified bool) *ssokit.Profile {
	return &ssokit.Profile{ID: conn + ";" + sub, ConnectionID: conn, Subject: sub, OrganizationID: "org_a",
		Email: email, EmailVerified: emailVerified, EmailDomainVerified: domainVerified,
		GivenName: "Ann", FamilyName: "Lee", Name: "Ann Lee", Groups: []string{"Eng"}}
}

func count(t *testing.T, u *userStore, table string) int {
	t.Helper()
	var n int
	if err := u.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUpsertSSOUserIsIdempotent(t *testing.T) {
	u := newUserStore(t)
	ctx := context.Background()
	p := profile("conn_1", "sub-1", "ann@a.example", true, true)
	id1, err := u.UpsertSSOUser(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	p.GivenName, p.Groups = "Annie", nil
	id2, err := u.UpsertSSOUser(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 {
		t.Fatalf("same identity gave users %s and %s", id1, id2)
	}
	got, err := u.get(ctx, id1)
	if err != nil || got.GivenName != "Annie" {
		t.Errorf("user after the second login: %+v, %v", got, err)
	}
	if g, _ := u.groups(ctx, id1, "conn_1"); len(g) != 0 {
		t.Errorf("groups = %v, want none", g)
	}
	if ok, _ := u.isMember(ctx, id1, "org_a"); !ok {
		t.Error("user is not a member of the profile's organization")
	}
	if n := count(t, u, "acme_users"); n != 1 {
		t.Errorf("%d users", n)
	}
	if n := count(t, u, "acme_memberships"); n != 1 {
		t.Errorf("%d memberships", n)
	}
}

func TestUpsertSSOUserConcurrentRetries(t *testing.T) {
	u := newUserStore(t)
	p := profile("conn_1", "sub-1", "ann@a.example", false, false)
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			id, err := u.UpsertSSOUser(context.Background(), p)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent retries gave different users: %v", ids)
		}
	}
	if n := count(t, u, "acme_users"); n != 1 {
		t.Errorf("%d users", n)
	}
}

// TestUpsertSSOUserLinking: a second identity with the same email links to
// the existing user only when the IdP verified the email and the
// organization verified the domain (the ssokit.UserStore contract).
func TestUpsertSSOUserLinking(t *testing.T) {
	tests := []struct {
		name                          string
		emailVerified, domainVerified bool
		wantLinked                    bool
	}{
		{"both verified", true, true, true},
		{"email not verified", false, true, false},
		{"domain not verified", true, false, false},
		{"neither", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUserStore(t)
			ctx := context.Background()
			first, err := u.UpsertSSOUser(ctx, profile("conn_1", "sub-1", "ann@a.example", true, true))
			if err != nil {
				t.Fatal(err)
			}
			second, err := u.UpsertSSOUser(ctx, profile("conn_2", "other-sub", "ann@a.example", tt.emailVerified, tt.domainVerified))
			if err != nil {
				t.Fatal(err)
			}
			if linked := first == second; linked != tt.wantLinked {
				t.Errorf("linked = %t, want %t", linked, tt.wantLinked)
			}
		})
	}
}
