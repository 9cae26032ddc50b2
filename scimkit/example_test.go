package scimkit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// openExampleStore opens a store in a fresh temporary folder and registers
// the host's tenant "org_acme" as an organization. The returned func
// closes the store and removes the folder.
//
// The store's clock moves one second per reading: ids sort by creation
// time to the millisecond, so records made within one millisecond would
// list in random order, and the examples' output would change.
func openExampleStore(ctx context.Context) (*store.Store, func()) {
	dir, err := os.MkdirTemp("", "scimkit-example")
	if err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "gatehouse.db"), store.Options{Now: tick})
	if err != nil {
		log.Fatal(err)
	}
	if err := st.CreateOrganization(ctx, &ssokit.Organization{ID: "org_acme", Name: "Acme"}); err != nil {
		log.Fatal(err)
	}
	return st, func() { st.Close(); os.RemoveAll(dir) }
}

// Serve SCIM under /scim/v2 on the host's mux, create a directory for an
// organization, and provision a user the way an identity provider does:
// a POST with the directory's bearer token.
func ExampleNew() {
	ctx := context.Background()
	st, done := openExampleStore(ctx)
	defer done()

	srv, err := scimkit.New(scimkit.Config{Store: st})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv.Handler()))
	hs := httptest.NewServer(mux)
	defer hs.Close()

	// The token is shown once: the organization's administrator enters it,
	// with hs.URL+"/scim/v2", in the identity provider.
	_, token, err := srv.CreateDirectory(ctx, "org_acme", "Okta", scimkit.DialectOkta)
	if err != nil {
		log.Fatal(err)
	}

	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"ada@acme.example","name":{"givenName":"Ada","familyName":"Lovelace"},
		"emails":[{"value":"ada@acme.example","type":"work","primary":true}],"active":true}`
	req, err := http.NewRequest(http.MethodPost, hs.URL+"/scim/v2/Users", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	res, err := hs.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var created struct {
		ID       string `json:"id"`
		UserName string `json:"userName"`
	}
	if err := json.NewDecoder(res.Body).Decode(&created); err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.StatusCode, created.UserName, strings.HasPrefix(created.ID, "diru_"))
	// Output:
	// 201 ada@acme.example true
}

// Read what the identity provider pushed through the Directory API, a
// page at a time: pass each page's NextPageToken to get the next one.
func ExampleServer_ListUsers() {
	ctx := context.Background()
	st, done := openExampleStore(ctx)
	defer done()

	srv, err := scimkit.New(scimkit.Config{Store: st})
	if err != nil {
		log.Fatal(err)
	}
	dir, token, err := srv.CreateDirectory(ctx, "org_acme", "Entra ID", scimkit.DialectEntra)
	if err != nil {
		log.Fatal(err)
	}
	// Three users, provisioned over SCIM (here without a network).
	for _, name := range []string{"ada", "grace", "alan"} {
		body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + name +
			`@acme.example","emails":[{"value":"` + name + `@acme.example","primary":true}],"active":true}`
		req := httptest.NewRequest(http.MethodPost, "/Users", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			log.Fatalf("create %s: %d %s", name, rec.Code, rec.Body)
		}
	}

	opts := scimkit.ListOptions{PageSize: 2}
	for n := 1; ; n++ {
		page, err := srv.ListUsers(ctx, dir.ID, opts)
		if err != nil {
			log.Fatal(err)
		}
		for _, u := range page.Users {
			fmt.Printf("page %d: %s <%s> active=%t\n", n, u.UserName, u.PrimaryEmail(), u.Active)
		}
		if page.NextPageToken == "" {
			break
		}
		opts.PageToken = page.NextPageToken
	}
	// Output:
	// page 1: ada@acme.example <ada@acme.example> active=true
	// page 1: grace@acme.example <grace@acme.example> active=true
	// page 2: alan@acme.example <alan@acme.example> active=true
}
