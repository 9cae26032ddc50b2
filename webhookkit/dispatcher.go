package webhookkit

import (
	"context"
	"fmt"
	"strconv"
	"sync"
)

// AllEvents subscribes to every event type (see [Dispatcher.Subscribe]).
const AllEvents = "*"

// HandlerFunc consumes one event in process. Returning an error makes the
// [Worker] retry the event for this subscriber on its schedule; it must be
// idempotent, because a restart or a failure of another subscriber's
// delivery can call it again with the same Payload.ID.
type HandlerFunc func(ctx context.Context, p Payload) error

// Dispatcher holds in-process subscriptions, for hosts that consume the
// kit's events inside the application rather than over HTTP. Give it to
// [WorkerConfig.Dispatcher]: each subscription is then a delivery target
// of its own, retried on the worker's schedule. The zero value is ready to
// use; a Dispatcher is safe for concurrent use.
type Dispatcher struct {
	mu   sync.Mutex
	subs []*subscription
	next int
}

type subscription struct {
	key       string // "in-process:<n>", for retry state and logs
	eventType string
	fn        HandlerFunc
}

// Subscribe calls fn for every event of the type (or every event, for
// [AllEvents]) that the worker delivers from now on. It returns a function
// that ends the subscription.
func (d *Dispatcher) Subscribe(eventType string, fn HandlerFunc) (unsubscribe func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.next++
	s := &subscription{key: "in-process:" + strconv.Itoa(d.next), eventType: eventType, fn: fn}
	d.subs = append(d.subs, s)
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		for i, x := range d.subs {
			if x == s {
				d.subs = append(d.subs[:i:i], d.subs[i+1:]...)
				return
			}
		}
	}
}

// subscriptions returns the subscriptions that want the event type.
func (d *Dispatcher) subscriptions(eventType string) []*subscription {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []*subscription
	for _, s := range d.subs {
		if s.eventType == eventType || s.eventType == AllEvents {
			out = append(out, s)
		}
	}
	return out
}

// call runs the subscriber, turning a panic into an error so one bad
// subscriber cannot stop the worker.
func (s *subscription) call(ctx context.Context, p Payload) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("webhookkit: subscriber %s panicked: %v", s.key, r)
		}
	}()
	return s.fn(ctx, p)
}
