// Package storetest is the conformance suite of [store.Store]: every database
// the store runs on passes the same tests.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, opts store.Options) *store.Store { … })
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
)

// OpenFunc opens a fresh, empty store with opts; the store must be closed
// when the test ends (t.Cleanup).
type OpenFunc func(t *testing.T, opts store.Options) *store.Store

// Run runs the conformance suite against the stores open makes. Each
// subtest opens its own store and controls its clock through
// [store.Options.Now].
func Run(t *testing.T, open OpenFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *store.Store, clk *Clock)
	}{
		{"Organizations", testOrganizations},
		{"Domains", testDomains},
		{"Connections", testConnections},
		{"Flows", testFlows},
		{"Replay", testReplay},
		{"SigningKeys", testSigningKeys},
		{"Directories", testDirectories},
		{"Tokens", testTokens},
		{"Users", testUsers},
		{"Groups", testGroups},
		{"Memberships", testMemberships},
		{"DirectoryIsolation", testDirectoryIsolation},
		{"DeleteDirectoryCascades", testDeleteDirectoryCascades},
		{"DeleteOrganizationCascades", testDeleteOrganizationCascades},
		{"Events", testEvents},
		{"ConnectionEvents", testConnectionEvents},
		{"Delivery", testDelivery},
		{"ClaimOnce", testClaimOnce},
		{"Deduper", testDeduper},
		{"PortalLinks", testPortalLinks},
		{"NotFound", testNotFound},
		{"Sweep", testSweep},
		{"TakeFlowOnce", testTakeFlowOnce},
		{"UsePortalLinkOnce", testUsePortalLinkOnce},
		{"RememberOnce", testRememberOnce},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentTransactions", testConcurrentTransactions},
		{"CancelledContext", testCancelledContext},
		{"CancelWhileBlocked", testCancelWhileBlocked},
		{"TxCommit", testTxCommit},
		{"TxRollback", testTxRollback},
		{"TxPanic", testTxPanic},
		{"TxNested", testTxNested},
		{"InTx", testInTx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := NewClock(time.Date(2031, 3, 14, 15, 9, 26, 535897000, time.UTC))
			s := open(t, store.Options{Now: clk.Now})
			tt.fn(t, s, clk)
		})
	}
}

// Clock is a settable clock for [store.Options.Now].
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d (backwards when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// helpers

func ctxOf(t *testing.T) context.Context { return t.Context() }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantNotFound checks that err is a not-found error for the store and both
// kit packages.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	wantKind(t, what, err, store.ErrNotFound, ssokit.ErrNotFound, scimkit.ErrNotFound)
}

// wantConflict checks that err is a conflict for the store and both kit
// packages.
func wantConflict(t *testing.T, what string, err error) {
	t.Helper()
	wantKind(t, what, err, store.ErrConflict, ssokit.ErrConflict, scimkit.ErrConflict)
}

func wantKind(t *testing.T, what string, err error, sentinels ...error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want %v", what, sentinels[0])
		return
	}
	for _, s := range sentinels {
		if !errors.Is(err, s) {
			t.Errorf("%s: error %q does not match %v", what, err, s)
		}
	}
	var se *store.Error
	if !errors.As(err, &se) {
		t.Errorf("%s: error %q is not a *store.Error", what, err)
	}
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, deref(got), deref(want))
	}
}

// deref prints pointers' targets.
func deref(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return fmt.Sprintf("%+v", rv.Elem().Interface())
	}
	if rv.Kind() == reflect.Slice {
		s := "["
		for i := range rv.Len() {
			if i > 0 {
				s += ", "
			}
			s += deref(rv.Index(i).Interface())
		}
		return s + "]"
	}
	return fmt.Sprintf("%+v", v)
}

// parallel runs fn(i) for i in [0, n) on n goroutines started together and
// returns their errors.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			errs[i] = fn(i)
		})
	}
	start.Done()
	done.Wait()
	return errs
}
