package storetest

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
)

// BenchmarkBackend measures what one request costs a backend: Find of an
// existing record, then Update (or Commit, when the backend does not
// implement [sessionstore.Updater]) of a 1 KiB value, from parallel
// goroutines over 256 records. Run it from a backend's own benchmark:
//
//	func BenchmarkBackend(b *testing.B) { storetest.BenchmarkBackend(b, newMyBackend(b)) }
func BenchmarkBackend(b *testing.B, backend sessionstore.Backend) {
	ctx := b.Context()
	value := make([]byte, 1024)
	if _, err := rand.Read(value); err != nil {
		b.Fatal(err)
	}
	const records = 256
	ids := make([]string, records)
	for i := range ids {
		ids[i] = newID(b)
		if err := backend.Commit(ctx, ids[i], value, time.Now().Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	updater, _ := backend.(sessionstore.Updater)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[next.Add(1)%records]
			if _, found, err := backend.Find(ctx, id); err != nil || !found {
				b.Errorf("Find = %v, %v", found, err)
				return
			}
			exp := time.Now().Add(time.Hour)
			var err error
			if updater != nil {
				_, err = updater.Update(ctx, id, value, exp)
			} else {
				err = backend.Commit(ctx, id, value, exp)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
