package webhookkit_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// Item 103 and the Handler's responses, over real HTTP.
func TestHandler(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	v := mustVerifier(t, webhookkit.VerifierConfig{Secrets: []string{vecSecret}, Now: clk.Now})
	var mu sync.Mutex
	var got []string     // bodies next saw
	failNext := "msg_fl" // next answers 500 once for this id
	srv := httptest.NewServer(v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		defer mu.Unlock()
		id := r.Header.Get("webhook-id")
		if id == failNext {
			failNext = ""
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		got = append(got, id+" "+string(b))
		w.WriteHeader(http.StatusNoContent)
	})))
	defer srv.Close()

	post := func(req *http.Request) int {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	body := []byte(vecBody)
	steps := []struct {
		name    string
		req     func() *http.Request
		advance time.Duration
		want    int
	}{
		{"first delivery", func() *http.Request { return signedRequest(t, srv.URL, "msg_a", clk.Now(), body) }, 0, 204},
		{"replay of the same request", func() *http.Request { return signedRequest(t, srv.URL, "msg_a", clk.Now(), body) }, 0, 200},
		{"redelivery with a new timestamp", func() *http.Request { return signedRequest(t, srv.URL, "msg_a", clk.Now(), body) }, 4 * time.Minute, 200},
		{"replay of the redelivery at the end of its window", func() *http.Request {
			return signedRequest(t, srv.URL, "msg_a", clk.Now().Add(-5*time.Minute), body)
		}, 5 * time.Minute, 200},
		{"another id", func() *http.Request { return signedRequest(t, srv.URL, "msg_b", clk.Now(), body) }, 0, 204},
		{"next fails", func() *http.Request { return signedRequest(t, srv.URL, "msg_fl", clk.Now(), body) }, 0, 503},
		{"retry after a failure is processed", func() *http.Request { return signedRequest(t, srv.URL, "msg_fl", clk.Now(), body) }, time.Second, 204},
		{"bad signature", func() *http.Request {
			r := signedRequest(t, srv.URL, "msg_c", clk.Now(), body)
			r.Header.Set("webhook-signature", "v1,AAAA")
			return r
		}, 0, 401},
		{"missing headers", func() *http.Request {
			r := signedRequest(t, srv.URL, "msg_c", clk.Now(), body)
			r.Header.Del("webhook-id")
			return r
		}, 0, 400},
		{"too old", func() *http.Request { return signedRequest(t, srv.URL, "msg_c", clk.Now().Add(-6*time.Minute), body) }, 0, 401},
		{"a refused id is not remembered", func() *http.Request { return signedRequest(t, srv.URL, "msg_c", clk.Now(), body) }, 0, 204},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		if code := post(s.req()); code != s.want {
			t.Errorf("%s: status %d, want %d", s.name, code, s.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"msg_a " + vecBody, "msg_b " + vecBody, "msg_fl " + vecBody, "msg_c " + vecBody}
	if len(got) != len(want) {
		t.Fatalf("next saw %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("next saw %q at %d, want %q", got[i], i, want[i])
		}
	}
}

// Item 103 under concurrency: the same message posted at once from many
// goroutines is processed once.
func TestHandlerConcurrentReplays(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	v := mustVerifier(t, webhookkit.VerifierConfig{Secrets: []string{vecSecret}, Now: clk.Now})
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
	})))
	defer srv.Close()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL, "msg_same", clk.Now(), []byte(vecBody)))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if calls != 1 {
		t.Fatalf("next called %d times, want 1", calls)
	}
}

func TestHandlerCustomErrorHandler(t *testing.T) {
	var gotErr error
	v := mustVerifier(t, webhookkit.VerifierConfig{
		Secrets: []string{vecSecret},
		Now:     func() time.Time { return time.Unix(vecTS, 0) },
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			w.WriteHeader(http.StatusTeapot)
		},
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	v.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
	if rec.Code != http.StatusTeapot || webhookkit.StatusCode(gotErr) != 400 {
		t.Fatalf("status %d, error %v", rec.Code, gotErr)
	}
}

func TestMemoryDeduper(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	d := webhookkit.NewMemoryDeduper(clk.Now)
	ctx := context.Background()
	claim := func(id string, ttl time.Duration) bool {
		t.Helper()
		ok, err := d.Claim(ctx, id, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	steps := []struct {
		name    string
		advance time.Duration
		id      string
		want    bool
	}{
		{"first claim", 0, "a", true},
		{"second claim", 0, "a", false},
		{"other id", 0, "b", true},
		{"before expiry; extends b to 15 min", 5 * time.Minute, "b", false},
		{"at expiry", 5 * time.Minute, "a", true},
		{"extended record expired", 5 * time.Minute, "b", true},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		if got := claim(s.id, 10*time.Minute); got != s.want {
			t.Errorf("%s: Claim(%q) = %v, want %v", s.name, s.id, got, s.want)
		}
	}
	if err := d.Forget(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if !claim("a", time.Minute) {
		t.Error("Claim after Forget = false, want true")
	}
	if err := d.Forget(ctx, "never-claimed"); err != nil {
		t.Errorf("Forget of a missing id: %v", err)
	}
}

// Two instances of a receiving application, each with its own Verifier but
// one store.Deduper: a message replayed to the other instance is
// acknowledged without being processed again.
func TestHandlerSharedDeduper(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	var mu sync.Mutex
	processed := 0
	var urls []string
	for range 2 {
		v := mustVerifier(t, webhookkit.VerifierConfig{Secrets: []string{vecSecret}, Now: clk.Now, Deduper: s.Deduper()})
		srv := httptest.NewServer(v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			processed++
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		})))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	for i, u := range urls {
		resp, err := http.DefaultClient.Do(signedRequest(t, u, "msg_shared", clk.Now(), []byte(vecBody)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := []int{204, 200}[i]; resp.StatusCode != want {
			t.Fatalf("instance %d answered %d, want %d", i, resp.StatusCode, want)
		}
	}
	if processed != 1 {
		t.Fatalf("processed %d times across two instances, want once", processed)
	}
}
