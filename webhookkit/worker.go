package webhookkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults of [WorkerConfig].
const (
	DefaultPollInterval = time.Second
	DefaultBatchSize    = 100
	DefaultConcurrency  = 4
	DefaultJitter       = 0.1
	DefaultLease        = 5 * time.Minute
)

// maxScan bounds how many pending events one pass reads (see
// WorkerConfig.BatchSize).
const maxScan = 10000

// DefaultSchedule returns the default retry schedule, the delays between
// attempts after the first, immediate one: 5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h, 10 h (the Svix schedule: eight attempts over about 28 hours).
func DefaultSchedule() []time.Duration {
	return []time.Duration{
		5 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
	}
}

// WorkerConfig configures a [Worker].
type WorkerConfig struct {
	// Outbox is the durable event log to deliver from; required. Package
	// store implements it.
	Outbox Outbox
	// Endpoints returns the HTTP endpoints of an organization, looked up
	// for every event so that changes apply at once. A failed lookup is
	// logged and the event is tried again on the next pass.
	Endpoints func(ctx context.Context, organizationID string) ([]Endpoint, error)
	// StaticEndpoints receive the events of every organization, in
	// addition to those Endpoints returns. They are validated by
	// NewWorker.
	StaticEndpoints []Endpoint
	// Dispatcher delivers events to in-process subscribers, each of them
	// a target with its own retries.
	//
	// At least one of Endpoints, StaticEndpoints and Dispatcher is
	// required. An event with no target at all is marked delivered.
	Dispatcher *Dispatcher
	// Environment fills Payload.Environment, such as "production".
	// Default: empty.
	Environment string
	// Schedule is the delays between attempts after the first, immediate
	// one: attempt k+1 comes Schedule[k-1] after attempt k failed (or
	// later, when the endpoint sent a longer Retry-After). After the last
	// the event is dead-lettered. Default [DefaultSchedule]. Every delay
	// must be positive.
	Schedule []time.Duration
	// Jitter is the largest fraction of a delay added at random, so that
	// retries of many events do not arrive together. Default
	// [DefaultJitter] (10 %); a negative value turns jitter off.
	Jitter float64
	// PollInterval is how long [Worker.Run] waits between passes. Default
	// [DefaultPollInterval] (1 s).
	PollInterval time.Duration
	// BatchSize is how many new events a pass reads, on top of the events
	// waiting for a retry (which the outbox still lists as pending: the
	// pass reads past them, up to 10000). Default [DefaultBatchSize].
	BatchSize int
	// Concurrency is how many events a pass delivers at once. Default
	// [DefaultConcurrency].
	Concurrency int
	// Lease is how long a pass holds the events it claimed from a
	// [StatefulOutbox]; another worker can claim an event whose lease
	// ended (its worker died mid-pass). An event starts only while half
	// the lease is left; the rest go back to the outbox for the next pass.
	// Default [DefaultLease] (5 min); at least four times Timeout. Unused
	// with a plain [Outbox].
	Lease time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives delivery failures (Warn), disabled endpoints and
	// dead letters (Error). Default: discard.
	Logger *slog.Logger
	// HTTPClient sends the requests; see [SenderConfig.HTTPClient].
	HTTPClient *http.Client
	// Timeout bounds each attempt; default [DefaultSendTimeout] (15 s).
	Timeout time.Duration
	// InsecureAllowPrivateEndpoints: see
	// [SenderConfig.InsecureAllowPrivateEndpoints].
	InsecureAllowPrivateEndpoints bool
	// OnEndpointGone is called when an endpoint answers 410 Gone. The
	// worker stops delivering to it until [Worker.EnableEndpoint]; a host
	// that keeps endpoints in a database should mark it disabled there.
	// Optional.
	OnEndpointGone func(ctx context.Context, ep Endpoint)
	// OnDeadLetter is called when an event has failed its last scheduled
	// attempt, with the last failure. Optional.
	OnDeadLetter func(ctx context.Context, e *Event, err error)
}

// Worker delivers the outbox's pending events to endpoints and in-process
// subscribers, with retries, and marks each event delivered once every
// target has it. Build it with [NewWorker]; it is safe for concurrent use.
//
// Delivery is at least once; receivers dedupe by webhook-id. With a
// [StatefulOutbox] (package store is one) each pass claims due events for
// [WorkerConfig.Lease] and saves their attempt count, next attempt time,
// the targets that have them and dead letters back to the outbox: run one
// Worker per app instance, they share the work, and a restart loses no
// schedule. A target already sent an event in a pass that died before it
// saved is sent it again when the lease ends, which is later than a
// receiver's replay window: receivers that must act once keep webhook-ids
// longer (a shared, durable [Deduper]). With a plain [Outbox] that state lives in memory:
// a restart tries pending events again at once with a fresh schedule, and
// two workers on one outbox both deliver every event, so run one per
// database. Endpoints that answered 410 Gone are remembered per Worker.
type Worker struct {
	cfg    WorkerConfig
	sender *Sender
	static []Endpoint

	pass sync.Mutex // one pass at a time

	mu    sync.Mutex
	state map[string]*retryState // by event id
	gone  map[string]bool        // endpoint keys that answered 410
}

// retryState is the in-memory delivery state of one pending event.
type retryState struct {
	attempts int             // failed attempts so far
	next     time.Time       // not before
	done     map[string]bool // target keys that have the event
	deadAt   time.Time       // when it was dead-lettered; zero if live
	lastErr  string
}

// NewWorker validates cfg and returns a Worker. It does no I/O.
func NewWorker(cfg WorkerConfig) (*Worker, error) {
	if cfg.Outbox == nil {
		return nil, errors.New("webhookkit: WorkerConfig.Outbox is required")
	}
	if cfg.Endpoints == nil && len(cfg.StaticEndpoints) == 0 && cfg.Dispatcher == nil {
		return nil, errors.New("webhookkit: WorkerConfig needs Endpoints, StaticEndpoints or a Dispatcher")
	}
	seen := make(map[string]bool)
	for i, ep := range cfg.StaticEndpoints {
		if _, err := ep.validate(); err != nil {
			return nil, fmt.Errorf("webhookkit: WorkerConfig.StaticEndpoints[%d]: %w", i, err)
		}
		if seen[ep.key()] {
			return nil, fmt.Errorf("webhookkit: WorkerConfig.StaticEndpoints[%d]: ID %q used twice", i, ep.key())
		}
		seen[ep.key()] = true
	}
	if cfg.Schedule == nil {
		cfg.Schedule = DefaultSchedule()
	}
	for i, d := range cfg.Schedule {
		if d <= 0 {
			return nil, fmt.Errorf("webhookkit: WorkerConfig.Schedule[%d] is %v, want a positive delay", i, d)
		}
	}
	switch {
	case cfg.Jitter == 0:
		cfg.Jitter = DefaultJitter
	case cfg.Jitter < 0:
		cfg.Jitter = 0
	case cfg.Jitter > 1:
		return nil, fmt.Errorf("webhookkit: WorkerConfig.Jitter %v is over 1", cfg.Jitter)
	}
	if cfg.PollInterval < 0 || cfg.BatchSize < 0 || cfg.Concurrency < 0 || cfg.Lease < 0 {
		return nil, errors.New("webhookkit: WorkerConfig: PollInterval, BatchSize, Concurrency and Lease must not be negative")
	}
	if cfg.Lease == 0 {
		cfg.Lease = DefaultLease
	}
	sendTimeout := cfg.Timeout
	if sendTimeout == 0 {
		sendTimeout = DefaultSendTimeout
	}
	if cfg.Lease < 4*sendTimeout {
		return nil, fmt.Errorf("webhookkit: WorkerConfig.Lease %v is under four send timeouts (%v)", cfg.Lease, 4*sendTimeout)
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	sender, err := NewSender(SenderConfig{
		HTTPClient:                    cfg.HTTPClient,
		Timeout:                       cfg.Timeout,
		InsecureAllowPrivateEndpoints: cfg.InsecureAllowPrivateEndpoints,
	})
	if err != nil {
		return nil, err
	}
	cfg.Schedule = append([]time.Duration(nil), cfg.Schedule...)
	return &Worker{
		cfg:    cfg,
		sender: sender,
		static: append([]Endpoint(nil), cfg.StaticEndpoints...),
		state:  make(map[string]*retryState),
		gone:   make(map[string]bool),
	}, nil
}

// Run delivers pending events at once and then every PollInterval until
// ctx ends; it then returns ctx.Err(). Start it once per application
// (go worker.Run(ctx)). Errors of the outbox are logged and retried on the
// next pass.
func (w *Worker) Run(ctx context.Context) error {
	for {
		if _, err := w.DeliverPending(ctx); err != nil && ctx.Err() == nil {
			w.cfg.Logger.LogAttrs(ctx, slog.LevelError, "webhook_pass_failed", slog.Any("error", err))
		}
		t := time.NewTimer(w.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// DeliverPending makes one pass over the outbox: every pending event that
// is due (new, or whose retry time has come) is sent to each of its
// targets that does not have it yet. It returns how many events it marked
// delivered, and an error when the outbox failed. Failed deliveries are
// not errors: they are logged and scheduled. Use it from tests and cron
// jobs; [Worker.Run] calls it in a loop.
func (w *Worker) DeliverPending(ctx context.Context) (int, error) {
	w.pass.Lock()
	defer w.pass.Unlock()
	if so, ok := w.cfg.Outbox.(StatefulOutbox); ok {
		return w.deliverClaimed(ctx, so)
	}
	w.mu.Lock()
	limit := min(w.cfg.BatchSize+len(w.state), maxScan)
	w.mu.Unlock()
	events, err := w.cfg.Outbox.PendingEvents(ctx, limit)
	if err != nil {
		return 0, fmt.Errorf("webhookkit: list pending events: %w", err)
	}
	w.forgetDelivered(events, limit)

	var due []*Event
	for _, e := range events {
		if w.due(e.ID) {
			due = append(due, e)
		}
	}
	return w.each(ctx, due, func(e *Event) (bool, error) { return w.deliverEvent(ctx, e) })
}

// each runs deliver on every event, Concurrency at a time, until ctx ends,
// and returns how many it reported delivered and the errors it returned.
func (w *Worker) each(ctx context.Context, events []*Event, deliver func(*Event) (bool, error)) (int, error) {
	var (
		wg        sync.WaitGroup
		sem       = make(chan struct{}, w.cfg.Concurrency)
		mu        sync.Mutex
		delivered int
		errs      []error
	)
	for _, e := range events {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		if ctx.Err() != nil { // ended while waiting for a slot
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			ok, err := deliver(e)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				delivered++
			}
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return delivered, errors.Join(errs...)
}

// deliverClaimed is a pass over a StatefulOutbox: claim the due events,
// take their state from the outbox, deliver, and save the state back (which
// ends the claim) unless the event was marked delivered.
//
// An event starts only while at least half of the lease is left (NewWorker
// makes that at least two send timeouts); one whose turn comes later goes
// back unchanged, so no other worker claims an event this one still sends.
// A save names the claim it ends, so a worker that lost its claim cannot
// overwrite the state of the next holder or of a manual redelivery.
func (w *Worker) deliverClaimed(ctx context.Context, so StatefulOutbox) (int, error) {
	now := w.cfg.Now()
	leaseUntil := now.Add(w.cfg.Lease)
	startBy := now.Add(w.cfg.Lease / 2)
	claimed, err := so.ClaimEvents(ctx, now, leaseUntil, w.cfg.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("webhookkit: claim events: %w", err)
	}
	events := make([]*Event, 0, len(claimed))
	for _, p := range claimed {
		w.mu.Lock()
		w.state[p.Event.ID] = stateFrom(p.State)
		w.mu.Unlock()
		events = append(events, p.Event)
	}
	save := func(ctx context.Context, id string) error {
		return w.saveState(ctx, so, id, leaseUntil)
	}
	n, err := w.each(ctx, events, func(e *Event) (bool, error) {
		if w.cfg.Now().After(startBy) {
			return false, nil // too late in the lease: released below
		}
		ok, err := w.deliverEvent(ctx, e)
		if !ok {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
			defer cancel()
			if serr := save(sctx, e.ID); serr != nil {
				err = errors.Join(err, serr)
			}
		}
		return ok, err
	})
	// Events that did not get their turn (a shutdown, or the lease running
	// low) go back now, not at the end of their lease, within one deadline
	// (saveState skips those whose state was already saved or delivered).
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	for _, e := range events {
		if serr := save(sctx, e.ID); serr != nil {
			err = errors.Join(err, serr)
		}
	}
	return n, err
}

// saveTimeout bounds the saves of delivery state that run after ctx ended.
const saveTimeout = 5 * time.Second

// stateFrom is the in-memory working copy of an outbox's delivery state.
func stateFrom(ds DeliveryState) *retryState {
	st := &retryState{attempts: ds.Attempts, next: ds.NextAttemptAt, done: make(map[string]bool, len(ds.Done)),
		deadAt: ds.DeadAt, lastErr: ds.LastError}
	for _, k := range ds.Done {
		st.done[k] = true
	}
	return st
}

// saveState writes the working copy of event id back to the outbox, which
// ends the claim that lasts until leaseUntil, and drops it from memory.
func (w *Worker) saveState(ctx context.Context, so StatefulOutbox, id string, leaseUntil time.Time) error {
	w.mu.Lock()
	st := w.state[id]
	delete(w.state, id)
	w.mu.Unlock()
	if st == nil {
		return nil
	}
	ds := DeliveryState{Attempts: st.attempts, NextAttemptAt: st.next, DeadAt: st.deadAt, LastError: st.lastErr}
	for k := range st.done {
		ds.Done = append(ds.Done, k)
	}
	slices.Sort(ds.Done)
	if err := so.SaveDeliveryState(ctx, id, leaseUntil, ds); err != nil {
		return fmt.Errorf("webhookkit: save delivery state of %s: %w", id, err)
	}
	return nil
}

// forgetDelivered drops the state of events no longer pending (marked
// delivered by another worker, or by hand), so the state stays bounded.
// Only a full listing shows which are gone.
func (w *Worker) forgetDelivered(pending []*Event, limit int) {
	if len(pending) >= limit {
		return // the listing may be cut short
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	listed := make(map[string]bool, len(pending))
	for _, e := range pending {
		listed[e.ID] = true
	}
	for id := range w.state {
		if !listed[id] {
			delete(w.state, id)
		}
	}
}

// due reports whether an event should be tried in this pass.
func (w *Worker) due(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.state[id]
	return st == nil || (st.deadAt.IsZero() && !w.cfg.Now().Before(st.next))
}

// target is an HTTP endpoint or an in-process subscription.
type target struct {
	key      string
	endpoint *Endpoint
	sub      *subscription
}

func (w *Worker) targets(ctx context.Context, e *Event) ([]target, error) {
	var out []target
	eps := w.static
	if w.cfg.Endpoints != nil {
		more, err := w.cfg.Endpoints(ctx, e.OrganizationID)
		if err != nil {
			return nil, fmt.Errorf("webhookkit: endpoints of organization %q: %w", e.OrganizationID, err)
		}
		eps = append(eps[:len(eps):len(eps)], more...)
	}
	w.mu.Lock()
	for i := range eps {
		if eps[i].wants(e.Type) && !w.gone[eps[i].key()] {
			out = append(out, target{key: "endpoint:" + eps[i].key(), endpoint: &eps[i]})
		}
	}
	w.mu.Unlock()
	for _, s := range w.cfg.Dispatcher.subscriptions(e.Type) {
		out = append(out, target{key: s.key, sub: s})
	}
	return out, nil
}

// deliverEvent tries e on each target that does not have it and records
// the outcome. It reports whether e was marked delivered.
func (w *Worker) deliverEvent(ctx context.Context, e *Event) (bool, error) {
	log := w.cfg.Logger
	targets, err := w.targets(ctx, e)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelWarn, "webhook_endpoints_lookup_failed",
			slog.String("event_id", e.ID), slog.Any("error", err))
		return false, nil // tried again on the next pass
	}
	payload := NewPayload(e, w.cfg.Environment)
	body, err := json.Marshal(payload)
	if err != nil {
		// Only invalid JSON in Data gets here; no retry can fix it.
		w.deadLetter(ctx, e, fmt.Errorf("webhookkit: encode event %s: %w", e.ID, err))
		return false, nil
	}

	w.mu.Lock()
	st := w.state[e.ID]
	if st == nil {
		st = &retryState{done: make(map[string]bool)}
		w.state[e.ID] = st
	}
	attempt := st.attempts + 1
	w.mu.Unlock()

	var lastErr error
	var wait time.Duration // the longest Retry-After
	for _, t := range targets {
		w.mu.Lock()
		skip := st.done[t.key]
		w.mu.Unlock()
		if skip {
			continue
		}
		var err error
		if t.sub != nil {
			err = t.sub.call(ctx, payload)
		} else {
			err = w.sender.Send(ctx, *t.endpoint, Message{ID: e.ID, Timestamp: w.cfg.Now(), Body: body})
		}
		switch {
		case err == nil:
			w.mu.Lock()
			st.done[t.key] = true
			w.mu.Unlock()
		case t.endpoint != nil && errors.Is(err, ErrEndpointGone):
			w.disable(ctx, *t.endpoint, err)
		default:
			lastErr = err
			w.mu.Lock()
			st.lastErr = truncate(err.Error(), 1000)
			w.mu.Unlock()
			var de *DeliveryError
			if errors.As(err, &de) {
				wait = max(wait, de.RetryAfter)
			}
			log.LogAttrs(ctx, slog.LevelWarn, "webhook_delivery_failed",
				slog.String("event_id", e.ID), slog.String("event_type", e.Type),
				slog.String("target", t.key), slog.Int("attempt", attempt), slog.Any("error", err))
		}
	}
	if lastErr == nil {
		if err := w.cfg.Outbox.MarkDelivered(ctx, e.ID, w.cfg.Now()); err != nil {
			// Every target has it; the next pass marks it (sending
			// nothing, as the targets are done) unless the process ends.
			return false, fmt.Errorf("webhookkit: mark %s delivered: %w", e.ID, err)
		}
		w.mu.Lock()
		delete(w.state, e.ID)
		w.mu.Unlock()
		return true, nil
	}

	if ctx.Err() != nil {
		return false, nil // shutting down: not the endpoint's failure
	}
	w.mu.Lock()
	st.attempts++
	dead := st.attempts > len(w.cfg.Schedule)
	if !dead {
		st.next = w.cfg.Now().Add(max(w.jitter(w.cfg.Schedule[st.attempts-1]), wait))
	}
	w.mu.Unlock()
	if dead {
		w.deadLetter(ctx, e, lastErr)
	}
	return false, nil
}

// truncate cuts s to at most n bytes, at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// jitter adds up to Jitter×d at random.
func (w *Worker) jitter(d time.Duration) time.Duration {
	if w.cfg.Jitter == 0 {
		return d
	}
	return d + time.Duration(rand.Float64()*w.cfg.Jitter*float64(d))
}

func (w *Worker) deadLetter(ctx context.Context, e *Event, err error) {
	w.mu.Lock()
	st := w.state[e.ID]
	if st == nil {
		st = &retryState{done: make(map[string]bool)}
		w.state[e.ID] = st
	}
	st.deadAt = w.cfg.Now()
	st.lastErr = truncate(err.Error(), 1000)
	w.mu.Unlock()
	w.cfg.Logger.LogAttrs(ctx, slog.LevelError, "webhook_dead_letter",
		slog.String("event_id", e.ID), slog.String("event_type", e.Type),
		slog.String("organization_id", e.OrganizationID), slog.Any("error", err))
	if w.cfg.OnDeadLetter != nil {
		w.cfg.OnDeadLetter(ctx, e, err)
	}
}

func (w *Worker) disable(ctx context.Context, ep Endpoint, err error) {
	w.mu.Lock()
	w.gone[ep.key()] = true
	w.mu.Unlock()
	w.cfg.Logger.LogAttrs(ctx, slog.LevelError, "webhook_endpoint_disabled",
		slog.String("endpoint_id", ep.key()), slog.Any("error", err))
	if w.cfg.OnEndpointGone != nil {
		w.cfg.OnEndpointGone(ctx, ep)
	}
}

// EnableEndpoint lets the worker deliver to an endpoint that answered 410
// Gone again (id is [Endpoint.ID], or its URL when the ID is empty).
func (w *Worker) EnableEndpoint(id string) {
	w.mu.Lock()
	delete(w.gone, id)
	w.mu.Unlock()
}

// Redeliver makes a pending event due at once with a fresh schedule, a
// dead-lettered one included; targets that already have it are not sent it
// again. It reports whether the worker knew the event (an event it has not
// tried yet is due anyway). It acts on the Worker's memory, which is the
// state only with a plain [Outbox]; with a [StatefulOutbox] the state is
// in the outbox (package store: Store.Redeliver, which also revives an
// event already delivered).
func (w *Worker) Redeliver(eventID string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.state[eventID]
	if st == nil {
		return false
	}
	st.attempts, st.next, st.deadAt = 0, time.Time{}, time.Time{}
	return true
}
