package webhookkit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// hookServer is a webhook receiver over real HTTP: it verifies and
// dedupes with a Verifier.Handler and answers the statuses it is given,
// in order (204 once they run out).
type hookServer struct {
	t          *testing.T
	srv        *httptest.Server
	secret     string
	mu         sync.Mutex
	statuses   []int
	retryAfter string
	hits       int                  // requests that reached the server
	got        []webhookkit.Payload // payloads processed (answered 2xx)
	onRequest  func()
}

func newHookServer(t *testing.T, clk *clock) *hookServer {
	t.Helper()
	h := &hookServer{t: t, secret: webhookkit.NewSecret()}
	v := mustVerifier(t, webhookkit.VerifierConfig{Secrets: []string{h.secret}, Now: clk.Now})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		status := http.StatusNoContent
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		if status >= 200 && status < 300 {
			var p webhookkit.Payload
			if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
				t.Errorf("receiver: %v", err)
			}
			h.got = append(h.got, p)
		}
		if h.retryAfter != "" {
			w.Header().Set("Retry-After", h.retryAfter)
		}
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "http://127.0.0.1:1/")
		}
		w.WriteHeader(status)
	})
	verified := v.Handler(inner)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.hits++
		hook := h.onRequest
		h.mu.Unlock()
		if hook != nil {
			hook()
		}
		verified.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookServer) endpoint(id string, types ...string) webhookkit.Endpoint {
	return webhookkit.Endpoint{ID: id, URL: h.srv.URL + "/hooks", Secret: h.secret, Types: types}
}

func (h *hookServer) respond(statuses ...int) {
	h.mu.Lock()
	h.statuses = append(h.statuses, statuses...)
	h.mu.Unlock()
}

func (h *hookServer) counts() (hits int, got []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.got {
		got = append(got, p.ID)
	}
	return h.hits, got
}

func openStore(t *testing.T, path string, clk *clock) *store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func appendEvent(t *testing.T, s *store.Store, id, typ, org string) *webhookkit.Event {
	t.Helper()
	e := &webhookkit.Event{ID: id, Type: typ, OrganizationID: org, Data: json.RawMessage(`{"id":"diru_1","user_name":"ada@example.com"}`)}
	if err := s.AppendEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func mustWorker(t *testing.T, cfg webhookkit.WorkerConfig) *webhookkit.Worker {
	t.Helper()
	cfg.InsecureAllowPrivateEndpoints = true // httptest servers are on loopback
	w, err := webhookkit.NewWorker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func deliver(t *testing.T, w *webhookkit.Worker) int {
	t.Helper()
	n, err := w.DeliverPending(context.Background())
	if err != nil {
		t.Fatalf("DeliverPending: %v", err)
	}
	return n
}

func pendingIDs(t *testing.T, s *store.Store) []string {
	t.Helper()
	list, err := s.PendingEvents(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	return ids
}

var t0 = time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)

// Delivery over real HTTP from a SQLite outbox: each organization's
// endpoints get its events, signed, in the DESIGN §6 envelope, and the
// outbox marks them delivered.
func TestWorkerDelivers(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	acme, globex := newHookServer(t, clk), newHookServer(t, clk)
	endpoints := map[string][]webhookkit.Endpoint{
		"org_acme":   {acme.endpoint("ep_acme")},
		"org_globex": {globex.endpoint("ep_globex", webhookkit.EventDirectoryUserCreated)},
	}
	w := mustWorker(t, webhookkit.WorkerConfig{
		Outbox:      s,
		Environment: "production",
		Now:         clk.Now,
		Endpoints: func(ctx context.Context, org string) ([]webhookkit.Endpoint, error) {
			return endpoints[org], nil
		},
	})
	e1 := appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_acme")
	appendEvent(t, s, "evt_2", webhookkit.EventDirectoryUserCreated, "org_globex")
	appendEvent(t, s, "evt_3", webhookkit.EventDirectoryGroupCreated, "org_globex") // filtered out: no target
	appendEvent(t, s, "evt_4", webhookkit.EventDirectoryUserDeleted, "org_nobody")  // no endpoints

	if n := deliver(t, w); n != 4 {
		t.Fatalf("DeliverPending = %d, want 4", n)
	}
	if _, got := acme.counts(); !slices.Equal(got, []string{"evt_1"}) {
		t.Errorf("acme got %v", got)
	}
	if _, got := globex.counts(); !slices.Equal(got, []string{"evt_2"}) {
		t.Errorf("globex got %v", got)
	}
	if p := pendingIDs(t, s); len(p) != 0 {
		t.Errorf("still pending: %v", p)
	}
	stored, err := s.Event(context.Background(), e1.ID)
	if err != nil || !stored.DeliveredAt.Equal(t0) {
		t.Errorf("stored event %+v, %v; want delivered at %v", stored, err, t0)
	}

	// The envelope, field by field.
	acme.mu.Lock()
	p := acme.got[0]
	acme.mu.Unlock()
	want := webhookkit.Payload{ID: "evt_1", Type: webhookkit.EventDirectoryUserCreated, OccurredAt: t0,
		OrganizationID: "org_acme", Environment: "production", Data: e1.Data}
	if p.ID != want.ID || p.Type != want.Type || !p.OccurredAt.Equal(want.OccurredAt) ||
		p.OrganizationID != want.OrganizationID || p.Environment != want.Environment || string(p.Data) != string(want.Data) {
		t.Errorf("payload %+v, want %+v", p, want)
	}

	if n := deliver(t, w); n != 0 {
		t.Errorf("second pass delivered %d, want 0", n)
	}
	if hits, _ := acme.counts(); hits != 1 {
		t.Errorf("acme hit %d times, want 1", hits)
	}
}

func TestPayloadJSON(t *testing.T) {
	e := &webhookkit.Event{ID: "evt_1", Type: webhookkit.EventDirectoryUserCreated, OrganizationID: "org_1",
		OccurredAt: time.Date(2026, 11, 28, 18, 0, 0, 0, time.FixedZone("CET", 3600))}
	b, err := json.Marshal(webhookkit.NewPayload(e, "staging"))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"id":"evt_1","type":"organization.directory.user_created","occurred_at":"2026-11-28T17:00:00Z","organization_id":"org_1","environment":"staging","data":{}}`
	if string(b) != want {
		t.Errorf("payload JSON\n got %s\nwant %s", b, want)
	}
}

// memoryOutbox hides the store's delivery-state methods, so the worker
// keeps that state in memory, as with any plain Outbox.
type memoryOutbox struct{ webhookkit.Outbox }

// Item 106: a failing endpoint is retried on the schedule (5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h, 10 h, each plus up to 10 % jitter), then
// dead-lettered; redelivery starts over. The same with the state in memory
// (a plain Outbox; Worker.Redeliver) and in the store (Store.Redeliver).
func TestWorkerRetrySchedule(t *testing.T) {
	for _, stateful := range []bool{false, true} {
		t.Run(map[bool]string{false: "state in memory", true: "state in the store"}[stateful], func(t *testing.T) {
			testRetrySchedule(t, stateful)
		})
	}
}

func testRetrySchedule(t *testing.T, stateful bool) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	var outbox webhookkit.Outbox = memoryOutbox{s}
	if stateful {
		outbox = s
	}
	h := newHookServer(t, clk)
	var dead []error
	w := mustWorker(t, webhookkit.WorkerConfig{
		Outbox:          outbox,
		Now:             clk.Now,
		StaticEndpoints: []webhookkit.Endpoint{h.endpoint("ep")},
		OnDeadLetter:    func(ctx context.Context, e *webhookkit.Event, err error) { dead = append(dead, err) },
	})
	appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_1")
	h.respond(slices.Repeat([]int{500}, 8)...)

	deliver(t, w)
	if hits, _ := h.counts(); hits != 1 {
		t.Fatalf("first attempt: %d hits", hits)
	}
	for i, d := range webhookkit.DefaultSchedule() {
		clk.Advance(d - time.Millisecond)
		deliver(t, w)
		if hits, _ := h.counts(); hits != i+1 {
			t.Fatalf("retry %d came before its delay %v (%d hits)", i+1, d, hits)
		}
		clk.Advance(d/10 + 2*time.Millisecond) // past the largest jitter
		deliver(t, w)
		if hits, _ := h.counts(); hits != i+2 {
			t.Fatalf("retry %d did not come %v after the attempt before (%d hits)", i+1, d+d/10, hits)
		}
	}
	if len(dead) != 1 || !errors.Is(dead[0], webhookkit.ErrUnexpectedStatus) {
		t.Fatalf("dead letters %v, want one with ErrUnexpectedStatus", dead)
	}
	clk.Advance(100 * time.Hour)
	deliver(t, w)
	if hits, _ := h.counts(); hits != 8 {
		t.Fatalf("a dead letter was tried again: %d hits", hits)
	}
	if p := pendingIDs(t, s); !slices.Equal(p, []string{"evt_1"}) {
		t.Fatalf("pending %v, want the dead letter kept in the outbox", p)
	}

	if stateful {
		list, err := s.DeadEvents(context.Background(), 10)
		if err != nil || len(list) != 1 || list[0].State.Attempts != 8 || !strings.Contains(list[0].State.LastError, "500") {
			t.Fatalf("DeadEvents = %+v, %v", list, err)
		}
		if w.Redeliver("evt_1") {
			t.Fatal("Worker.Redeliver knew an event whose state is in the store")
		}
		if err := s.Redeliver(context.Background(), "evt_1"); err != nil {
			t.Fatal(err)
		}
	} else if !w.Redeliver("evt_1") || w.Redeliver("evt_unknown") {
		t.Fatal("Redeliver: wrong knowledge of events")
	}
	if n := deliver(t, w); n != 1 {
		t.Fatalf("after Redeliver: %d delivered", n)
	}
	if _, got := h.counts(); !slices.Equal(got, []string{"evt_1"}) {
		t.Fatalf("receiver processed %v", got)
	}
}

// Item 106: Retry-After postpones the next attempt beyond the schedule.
func TestWorkerRetryAfter(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	h := newHookServer(t, clk)
	h.retryAfter = "3600"
	h.respond(http.StatusServiceUnavailable)
	w := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{h.endpoint("ep")}})
	appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_1")

	steps := []struct {
		advance  time.Duration
		wantHits int
	}{
		{0, 1},
		{6 * time.Second, 1}, // the schedule's 5 s (+ jitter) has passed
		{time.Hour - 6*time.Second - time.Millisecond, 1},
		{time.Millisecond, 2},
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		deliver(t, w)
		if hits, _ := h.counts(); hits != st.wantHits {
			t.Fatalf("step %d: %d hits, want %d", i, hits, st.wantHits)
		}
	}
	if p := pendingIDs(t, s); len(p) != 0 {
		t.Fatalf("pending %v", p)
	}
}

// Item 106: what each answer does to the event and the endpoint.
func TestWorkerOutcomes(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		wantDelivered bool
		wantGone      bool
	}{
		{"200", 200, true, false},
		{"202", 202, true, false},
		{"301 is a failure", 301, false, false},
		{"307 is a failure", 307, false, false},
		{"400", 400, false, false},
		{"429", 429, false, false},
		{"500", 500, false, false},
		{"410 disables the endpoint", 410, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock(t0)
			s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
			h := newHookServer(t, clk)
			h.respond(tt.status)
			var gone []string
			w := mustWorker(t, webhookkit.WorkerConfig{
				Outbox: s, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{h.endpoint("ep")},
				OnEndpointGone: func(ctx context.Context, ep webhookkit.Endpoint) { gone = append(gone, ep.ID) },
			})
			appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_1")
			n := deliver(t, w)
			if (n == 1) != tt.wantDelivered {
				t.Errorf("delivered %d", n)
			}
			if (len(gone) == 1) != tt.wantGone {
				t.Errorf("gone endpoints %v", gone)
			}
		})
	}
}

// Item 106: after 410 the endpoint gets nothing more until it is enabled
// again; the other endpoints carry on.
func TestWorkerGoneEndpoint(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	a, b := newHookServer(t, clk), newHookServer(t, clk)
	a.respond(http.StatusGone)
	w := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now,
		StaticEndpoints: []webhookkit.Endpoint{a.endpoint("ep_a"), b.endpoint("ep_b")}})

	appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_1")
	if n := deliver(t, w); n != 1 {
		t.Fatalf("first event: %d delivered", n)
	}
	appendEvent(t, s, "evt_2", webhookkit.EventDirectoryUserUpdated, "org_1")
	if n := deliver(t, w); n != 1 {
		t.Fatalf("second event: %d delivered", n)
	}
	if hits, _ := a.counts(); hits != 1 {
		t.Fatalf("gone endpoint hit %d times, want 1", hits)
	}
	if _, got := b.counts(); !slices.Equal(got, []string{"evt_1", "evt_2"}) {
		t.Fatalf("other endpoint got %v", got)
	}
	w.EnableEndpoint("ep_a")
	appendEvent(t, s, "evt_3", webhookkit.EventDirectoryUserDeleted, "org_1")
	deliver(t, w)
	if _, got := a.counts(); !slices.Equal(got, []string{"evt_3"}) {
		t.Fatalf("re-enabled endpoint got %v", got)
	}
}

// Each target is retried alone: those that have the event do not get it
// again.
func TestWorkerRetriesOnlyFailedTargets(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	a, b := newHookServer(t, clk), newHookServer(t, clk)
	b.respond(500)
	var d webhookkit.Dispatcher
	var inproc []string
	d.Subscribe(webhookkit.AllEvents, func(ctx context.Context, p webhookkit.Payload) error {
		inproc = append(inproc, p.ID)
		return nil
	})
	w := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now, Dispatcher: &d,
		StaticEndpoints: []webhookkit.Endpoint{a.endpoint("ep_a"), b.endpoint("ep_b")}})
	appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_1")

	if n := deliver(t, w); n != 0 {
		t.Fatalf("first pass delivered %d, want 0 (one target failed)", n)
	}
	clk.Advance(6 * time.Second)
	if n := deliver(t, w); n != 1 {
		t.Fatalf("retry delivered %d, want 1", n)
	}
	ah, _ := a.counts()
	bh, bgot := b.counts()
	if ah != 1 || bh != 2 || !slices.Equal(bgot, []string{"evt_1"}) || !slices.Equal(inproc, []string{"evt_1"}) {
		t.Fatalf("hits a=%d b=%d, b processed %v, in-process %v", ah, bh, bgot, inproc)
	}
}

// In-process subscribers: by type or all, retried on error or panic, with
// the same payload the HTTP endpoints get.
func TestWorkerDispatcher(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	var d webhookkit.Dispatcher
	var mu sync.Mutex
	calls := map[string][]string{}
	record := func(name string) {
		mu.Lock()
		defer mu.Unlock()
		calls[name] = append(calls[name], name)
	}
	var created []webhookkit.Payload
	d.Subscribe(webhookkit.EventDirectoryUserCreated, func(ctx context.Context, p webhookkit.Payload) error {
		record("created")
		created = append(created, p)
		return nil
	})
	d.Subscribe(webhookkit.AllEvents, func(ctx context.Context, p webhookkit.Payload) error {
		record("all")
		return nil
	})
	failures := 1
	d.Subscribe(webhookkit.EventDirectoryUserCreated, func(ctx context.Context, p webhookkit.Payload) error {
		record("flaky")
		if failures > 0 {
			failures--
			return webhookkit.ErrEndpointGone // means nothing special from a subscriber: retried

		}
		return nil
	})
	panics := 1
	d.Subscribe(webhookkit.EventDirectoryUserCreated, func(ctx context.Context, p webhookkit.Payload) error {
		record("panicky")
		if panics > 0 {
			panics--
			panic("boom")
		}
		return nil
	})
	stop := d.Subscribe(webhookkit.EventDirectoryUserCreated, func(ctx context.Context, p webhookkit.Payload) error {
		record("unsubscribed")
		return nil
	})
	stop()

	w := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now, Dispatcher: &d, Environment: "test"})
	appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_1")
	appendEvent(t, s, "evt_2", webhookkit.EventDirectoryGroupCreated, "org_1")
	if n := deliver(t, w); n != 1 {
		t.Fatalf("first pass delivered %d, want 1 (evt_2)", n)
	}
	clk.Advance(6 * time.Second)
	if n := deliver(t, w); n != 1 {
		t.Fatalf("retry delivered %d, want 1", n)
	}
	want := map[string]int{"created": 1, "all": 2, "flaky": 2, "panicky": 2, "unsubscribed": 0}
	for name, n := range want {
		if len(calls[name]) != n {
			t.Errorf("%s called %d times, want %d", name, len(calls[name]), n)
		}
	}
	if len(created) != 1 || created[0].ID != "evt_1" || created[0].Environment != "test" || !created[0].OccurredAt.Equal(t0) {
		t.Errorf("payloads %+v", created)
	}
}

// Crash safety: the outbox keeps what was not marked delivered, and a new
// worker on it (after a restart) delivers it; the receiver's dedupe keeps
// a redelivery of something already processed from being processed twice.
func TestWorkerCrashSafety(t *testing.T) {
	clk := newClock(t0)
	path := filepath.Join(t.TempDir(), "g.db")

	t.Run("endpoint down, then restart", func(t *testing.T) {
		s := openStore(t, path, clk)
		h := newHookServer(t, clk)
		h.respond(500)
		ep := h.endpoint("ep")
		appendEvent(t, s, "evt_down", webhookkit.EventDirectoryUserCreated, "org_1")
		w1 := mustWorker(t, webhookkit.WorkerConfig{Outbox: memoryOutbox{s}, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{ep}})
		if n := deliver(t, w1); n != 0 {
			t.Fatalf("delivered %d to a failing endpoint", n)
		}
		s.Close() // the process ends; w1's retry state goes with it

		s2 := openStore(t, path, clk)
		w2 := mustWorker(t, webhookkit.WorkerConfig{Outbox: memoryOutbox{s2}, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{ep}})
		if n := deliver(t, w2); n != 1 { // at once: the new worker has no schedule to wait for
			t.Fatalf("new worker delivered %d, want 1", n)
		}
		if p := pendingIDs(t, s2); len(p) != 0 {
			t.Fatalf("pending %v", p)
		}
		s2.Close()
	})

	t.Run("crash between delivery and mark", func(t *testing.T) {
		s := openStore(t, path, clk)
		h := newHookServer(t, clk)
		ep := h.endpoint("ep")
		appendEvent(t, s, "evt_crash", webhookkit.EventDirectoryUserCreated, "org_1")
		// The database goes away while the endpoint receives the event, so
		// MarkDelivered fails after a successful delivery.
		h.onRequest = func() { s.Close() }
		w1 := mustWorker(t, webhookkit.WorkerConfig{Outbox: memoryOutbox{s}, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{ep}})
		if n, err := w1.DeliverPending(context.Background()); n != 0 || err == nil {
			t.Fatalf("DeliverPending = %d, %v; want 0 and the mark error", n, err)
		}
		h.mu.Lock()
		h.onRequest = nil
		h.mu.Unlock()

		s2 := openStore(t, path, clk)
		if p := pendingIDs(t, s2); !slices.Equal(p, []string{"evt_crash"}) {
			t.Fatalf("pending after the crash %v", p)
		}
		clk.Advance(time.Second)
		w2 := mustWorker(t, webhookkit.WorkerConfig{Outbox: memoryOutbox{s2}, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{ep}})
		if n := deliver(t, w2); n != 1 {
			t.Fatalf("new worker delivered %d, want 1", n)
		}
		hits, got := h.counts()
		if hits != 2 || !slices.Equal(got, []string{"evt_crash"}) {
			t.Fatalf("receiver hit %d times and processed %v; want 2 hits, processed once", hits, got)
		}
	})
}

// With the state in the store, a restart keeps the schedule (the failed
// attempt's retry is not due at once), and an event whose worker died in
// the middle of a pass is claimed again when the lease ends.
func TestWorkerStatefulCrashSafety(t *testing.T) {
	clk := newClock(t0)

	t.Run("endpoint down, then restart", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "g.db")
		s := openStore(t, path, clk)
		h := newHookServer(t, clk)
		h.respond(500)
		ep := h.endpoint("ep")
		appendEvent(t, s, "evt_down", webhookkit.EventDirectoryUserCreated, "org_1")
		w1 := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{ep}})
		if n := deliver(t, w1); n != 0 {
			t.Fatalf("delivered %d to a failing endpoint", n)
		}
		s.Close()

		s2 := openStore(t, path, clk)
		w2 := mustWorker(t, webhookkit.WorkerConfig{Outbox: s2, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{ep}})
		if n := deliver(t, w2); n != 0 {
			t.Fatalf("new worker delivered %d at once; the retry is 5 s away", n)
		}
		clk.Advance(6 * time.Second)
		if n := deliver(t, w2); n != 1 {
			t.Fatalf("new worker delivered %d when the retry was due, want 1", n)
		}
		if hits, _ := h.counts(); hits != 2 {
			t.Fatalf("%d attempts, want 2", hits)
		}
	})

	t.Run("worker dies mid-pass", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "g.db")
		s := openStore(t, path, clk)
		h := newHookServer(t, clk)
		ep := h.endpoint("ep")
		appendEvent(t, s, "evt_crash", webhookkit.EventDirectoryUserCreated, "org_1")
		h.onRequest = func() { s.Close() } // no mark, no saved state: the claim stands
		w1 := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{ep}})
		if n, err := w1.DeliverPending(context.Background()); n != 0 || err == nil {
			t.Fatalf("DeliverPending = %d, %v; want 0 and the mark error", n, err)
		}
		h.mu.Lock()
		h.onRequest = nil
		h.mu.Unlock()

		s2 := openStore(t, path, clk)
		w2 := mustWorker(t, webhookkit.WorkerConfig{Outbox: s2, Now: clk.Now, StaticEndpoints: []webhookkit.Endpoint{ep}})
		clk.Advance(time.Minute)
		if n := deliver(t, w2); n != 0 {
			t.Fatalf("delivered %d while the dead worker's lease runs", n)
		}
		clk.Advance(webhookkit.DefaultLease)
		if n := deliver(t, w2); n != 1 {
			t.Fatalf("delivered %d after the lease, want 1", n)
		}
		// At least once: the copy comes after the receiver's replay
		// window (5 min), so its in-memory deduper processes it again.
		if hits, _ := h.counts(); hits != 2 {
			t.Fatalf("receiver hit %d times, want 2", hits)
		}
	})
}

// Workers on several app instances share one store: every event reaches
// the endpoint once, however the passes interleave.
func TestWorkersShareTheStore(t *testing.T) {
	clk := newClock(t0)
	path := filepath.Join(t.TempDir(), "g.db")
	s := openStore(t, path, clk)
	h := newHookServer(t, clk)
	const events = 40
	for i := range events {
		appendEvent(t, s, fmt.Sprintf("evt_%02d", i), webhookkit.EventDirectoryUserCreated, "org_1")
	}
	var workers []*webhookkit.Worker
	for range 3 {
		inst := openStore(t, path, clk) // another instance, its own connections
		workers = append(workers, mustWorker(t, webhookkit.WorkerConfig{Outbox: inst, Now: clk.Now, BatchSize: 4,
			StaticEndpoints: []webhookkit.Endpoint{h.endpoint("ep")}}))
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			for range events {
				if _, err := w.DeliverPending(context.Background()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	hits, got := h.counts()
	if hits != events || len(got) != events {
		t.Fatalf("endpoint hit %d times, processed %d; want %d each", hits, len(got), events)
	}
	if p := pendingIDs(t, s); len(p) != 0 {
		t.Fatalf("pending %v", p)
	}
}

// Events waiting for a retry do not keep new events from being read.
func TestWorkerReadsPastWaitingEvents(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	down, up := newHookServer(t, clk), newHookServer(t, clk)
	down.respond(500, 500, 500)
	endpoints := map[string][]webhookkit.Endpoint{"org_down": {down.endpoint("down")}, "org_up": {up.endpoint("up")}}
	w := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now, BatchSize: 1,
		Endpoints: func(ctx context.Context, org string) ([]webhookkit.Endpoint, error) { return endpoints[org], nil }})
	appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_down")
	clk.Advance(time.Millisecond)
	appendEvent(t, s, "evt_2", webhookkit.EventDirectoryUserCreated, "org_down")
	clk.Advance(time.Millisecond)
	appendEvent(t, s, "evt_3", webhookkit.EventDirectoryUserCreated, "org_up")

	for range 3 {
		deliver(t, w)
	}
	if _, got := up.counts(); !slices.Equal(got, []string{"evt_3"}) {
		t.Fatalf("the event behind two waiting ones: %v", got)
	}
}

func TestWorkerEndpointLookupFailure(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	h := newHookServer(t, clk)
	fail := true
	w := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now,
		Endpoints: func(ctx context.Context, org string) ([]webhookkit.Endpoint, error) {
			if fail {
				return nil, errors.New("host database down")
			}
			return []webhookkit.Endpoint{h.endpoint("ep")}, nil
		}})
	appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_1")
	if n := deliver(t, w); n != 0 {
		t.Fatalf("delivered %d without endpoints", n)
	}
	fail = false
	if n := deliver(t, w); n != 1 { // next pass, no schedule wait
		t.Fatalf("delivered %d after the lookup recovered", n)
	}
}

// Item 105 through the worker: without the flag, a loopback endpoint is
// refused and the event stays pending.
func TestWorkerRefusesPrivateEndpoints(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	h := newHookServer(t, clk)
	w, err := webhookkit.NewWorker(webhookkit.WorkerConfig{Outbox: s, Now: clk.Now,
		StaticEndpoints: []webhookkit.Endpoint{h.endpoint("ep")}})
	if err != nil {
		t.Fatal(err)
	}
	appendEvent(t, s, "evt_1", webhookkit.EventDirectoryUserCreated, "org_1")
	if n := deliver(t, w); n != 0 {
		t.Fatalf("delivered %d", n)
	}
	if hits, _ := h.counts(); hits != 0 {
		t.Fatalf("loopback endpoint hit %d times", hits)
	}
}

func TestWorkerRun(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	got := make(chan string, 1)
	var d webhookkit.Dispatcher
	d.Subscribe(webhookkit.AllEvents, func(ctx context.Context, p webhookkit.Payload) error {
		got <- p.ID
		return nil
	})
	w := mustWorker(t, webhookkit.WorkerConfig{Outbox: s, Now: clk.Now, Dispatcher: &d, PollInterval: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	appendEvent(t, s, "evt_run", webhookkit.EventDirectoryUserCreated, "org_1")
	select {
	case id := <-got:
		if id != "evt_run" {
			t.Errorf("got %q", id)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run delivered nothing")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

func TestNewWorkerValidates(t *testing.T) {
	clk := newClock(t0)
	s := openStore(t, filepath.Join(t.TempDir(), "g.db"), clk)
	var d webhookkit.Dispatcher
	good := webhookkit.Endpoint{URL: "https://hooks.example.com/in", Secret: vecSecret}
	tests := []struct {
		name string
		cfg  webhookkit.WorkerConfig
	}{
		{"no outbox", webhookkit.WorkerConfig{Dispatcher: &d}},
		{"no targets", webhookkit.WorkerConfig{Outbox: s}},
		{"bad static secret", webhookkit.WorkerConfig{Outbox: s, StaticEndpoints: []webhookkit.Endpoint{{URL: good.URL, Secret: "whsec_"}}}},
		{"bad static URL", webhookkit.WorkerConfig{Outbox: s, StaticEndpoints: []webhookkit.Endpoint{{URL: "hooks.example.com", Secret: vecSecret}}}},
		{"duplicate endpoint", webhookkit.WorkerConfig{Outbox: s, StaticEndpoints: []webhookkit.Endpoint{good, good}}},
		{"zero delay", webhookkit.WorkerConfig{Outbox: s, Dispatcher: &d, Schedule: []time.Duration{time.Second, 0}}},
		{"jitter over 1", webhookkit.WorkerConfig{Outbox: s, Dispatcher: &d, Jitter: 1.5}},
		{"negative batch", webhookkit.WorkerConfig{Outbox: s, Dispatcher: &d, BatchSize: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w, err := webhookkit.NewWorker(tt.cfg); err == nil || w != nil {
				t.Fatalf("NewWorker = %v, %v; want an error", w, err)
			}
		})
	}
	if _, err := webhookkit.NewWorker(webhookkit.WorkerConfig{Outbox: s, StaticEndpoints: []webhookkit.Endpoint{good}}); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

// A pass that outlasts half its lease sends no more events: the rest go
// back to the outbox, so another instance that claims them (once the lease
// ends) never sends an event this worker is still sending.
func TestWorkerLeaseNotOverrun(t *testing.T) {
	clk := newClock(t0)
	path := filepath.Join(t.TempDir(), "g.db")
	s1, s2 := openStore(t, path, clk), openStore(t, path, clk)
	slow, other := newHookServer(t, clk), newHookServer(t, clk)
	const events = 30
	for i := range events {
		appendEvent(t, s1, fmt.Sprintf("evt_%02d", i), webhookkit.EventDirectoryUserCreated, "org_1")
	}
	w1 := mustWorker(t, webhookkit.WorkerConfig{Outbox: s1, Now: clk.Now, Concurrency: 1,
		StaticEndpoints: []webhookkit.Endpoint{slow.endpoint("ep")}})
	w2 := mustWorker(t, webhookkit.WorkerConfig{Outbox: s2, Now: clk.Now, Concurrency: 1,
		StaticEndpoints: []webhookkit.Endpoint{other.endpoint("ep")}})
	var second sync.Once
	slow.onRequest = func() {
		clk.Advance(15 * time.Second) // every answer takes the whole send timeout
		if clk.Now().Sub(t0) > webhookkit.DefaultLease {
			second.Do(func() { deliver(t, w2) })
		}
	}
	deliver(t, w1)
	slow.mu.Lock()
	slow.onRequest = nil
	slow.mu.Unlock()
	for range events {
		deliver(t, w2)
	}
	a, _ := slow.counts()
	b, _ := other.counts()
	if a+b != events {
		t.Fatalf("%d sends by the slow worker and %d by the other for %d events; want each sent once", a, b, events)
	}
	if a > events/2+1 {
		t.Fatalf("the slow worker sent %d events in one pass; its lease allows about %d", a, events/2)
	}
	if p := pendingIDs(t, s1); len(p) != 0 {
		t.Fatalf("pending %v", p)
	}
}
