package scimkit_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit"
)

// pausingStore is the real store with one seam: when armed, the next
// Directory call signals entered and waits for release. Authentication
// reads the token, then the directory, then records the use; pausing in
// between lets a test commit a revocation at exactly that point.
type pausingStore struct {
	scimkit.Store
	mu   sync.Mutex
	gate *gate
}

type gate struct {
	entered, release chan struct{}
}

func (p *pausingStore) arm() *gate {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gate = &gate{entered: make(chan struct{}), release: make(chan struct{})}
	return p.gate
}

func (p *pausingStore) Directory(ctx context.Context, id string) (*scimkit.Directory, error) {
	p.mu.Lock()
	g := p.gate
	p.gate = nil
	p.mu.Unlock()
	if g != nil {
		close(g.entered)
		<-g.release
	}
	return p.Store.Directory(ctx, id)
}

// TestRevocationDuringAuthentication revokes (overlap 0) or rotates
// (overlap 1h) a token while a request that presented it is between
// reading the token and recording its use. Recording the use must not
// write back the expiry it read (none): the old token stays refused
// afterwards, or expires when the overlap ends.
func TestRevocationDuringAuthentication(t *testing.T) {
	for _, backend := range backends {
		for _, tt := range []struct {
			name    string
			overlap time.Duration
		}{
			{"revoke", 0},
			{"rotate with overlap", time.Hour},
		} {
			t.Run(backend+"/"+tt.name, func(t *testing.T) {
				var ps *pausingStore
				e := newEnv(t, envOptions{backend: backend, cfg: func(cfg *scimkit.Config) {
					ps = &pausingStore{Store: cfg.Store}
					cfg.Store = ps
				}})
				ctx := context.Background()
				old := e.directory("org_race", "generic")

				g := ps.arm()
				type result struct {
					status int
					err    error
				}
				done := make(chan result, 1)
				go func() {
					// A raw request: client.do would call t.Fatal off the
					// test goroutine.
					req, err := http.NewRequest("GET", old.base+"/Users", nil)
					if err != nil {
						done <- result{err: err}
						return
					}
					req.Header.Set("Authorization", "Bearer "+old.token)
					res, err := old.hc.Do(req)
					if err != nil {
						done <- result{err: err}
						return
					}
					res.Body.Close()
					done <- result{status: res.StatusCode}
				}()
				<-g.entered
				newToken, err := e.srv.RotateToken(ctx, old.dir.ID, tt.overlap)
				close(g.release)
				if err != nil {
					t.Fatal(err)
				}
				// The request presented the token before it was revoked: it
				// may be served, but it must not revive the token.
				if r := <-done; r.err != nil || r.status != http.StatusOK {
					t.Fatalf("racing request: %d, %v", r.status, r.err)
				}

				tokens, err := e.st.Tokens(ctx, old.dir.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(tokens) != 2 {
					t.Fatalf("tokens = %+v", tokens)
				}
				wantEnd := e.clock.Now().Add(tt.overlap)
				if !tokens[0].ExpiresAt.Equal(wantEnd) {
					t.Errorf("old token expires at %v, want %v (the racing request wrote its stale expiry back)", tokens[0].ExpiresAt, wantEnd)
				}
				if !tokens[0].LastUsedAt.Equal(e.clock.Now()) {
					t.Errorf("old token last used at %v, want %v", tokens[0].LastUsedAt, e.clock.Now())
				}

				fresh := *old
				fresh.token = newToken
				e.clock.Add(tt.overlap)
				old.do("GET", "/Users", nil).must(t, 401)
				fresh.do("GET", "/Users", nil).must(t, 200)
				e.clock.Add(24 * time.Hour)
				old.do("GET", "/Users", nil).must(t, 401)
				fresh.do("GET", "/Users", nil).must(t, 200)
			})
		}
	}
}
