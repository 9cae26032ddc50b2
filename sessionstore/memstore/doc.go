// Package memstore is a [sessionstore.Backend] in process memory, for an
// application that runs as one instance, and for tests.
//
//	backend, err := memstore.New(memstore.Config{})
//	store, err := sessionstore.New(sessionstore.Config{Backend: backend, KeyPairs: keys})
//
// Sessions do not survive a restart and are not shared between instances:
// behind a load balancer use redisstore or pgstore. Expired records are
// never returned; they are removed by a sweep that Commit runs at most once
// per [Config.SweepInterval], or by [Backend.Sweep]. No goroutine is
// started, so there is nothing to close.
package memstore
