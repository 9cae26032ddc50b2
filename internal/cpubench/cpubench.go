//go:build unix

// Package cpubench compares implementations of one task inside a single
// benchmark. The development machines are shared, so timing each
// implementation in its own benchmark measures the neighbours as much as the
// code; Interleaved runs them in turn within every iteration, in rotating
// order, and reports each one's process CPU time, which time spent
// descheduled does not inflate, next to its wall time.
package cpubench

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// Run is one implementation under comparison.
type Run struct {
	// Name labels its metrics: Name-cpu-ns/op and Name-wall-ns/op, and, for
	// each other run, first/Name-cpu, the first run's CPU time over this
	// one's.
	Name string
	// Do performs the task once.
	Do func() error
	// Prepare, when set, runs once before the measured loop with the number
	// of times Do will be called, to make single-use inputs ahead.
	Prepare func(n int) error
}

// Interleaved runs every run once per iteration of b, rotating which goes
// first so that none always pays for the garbage collection the others'
// allocations trigger, and reports the metrics described on [Run]. A run
// that returns an error fails the benchmark. The heap is collected once
// after the Prepare calls, so that their garbage is nobody's; from then on
// each run's collections fall where its allocations cause them.
func Interleaved(b *testing.B, runs []Run) {
	b.Helper()
	for _, r := range runs {
		if r.Prepare != nil {
			if err := r.Prepare(b.N); err != nil {
				b.Fatalf("%s: prepare: %v", r.Name, err)
			}
		}
	}
	runtime.GC()
	wall := make([]time.Duration, len(runs))
	cpu := make([]time.Duration, len(runs))
	b.ResetTimer()
	for n := range b.N {
		for j := range runs {
			i := (n + j) % len(runs)
			c0, w0 := processCPU(b), time.Now()
			if err := runs[i].Do(); err != nil {
				b.Fatalf("%s: %v", runs[i].Name, err)
			}
			wall[i] += time.Since(w0)
			cpu[i] += processCPU(b) - c0
		}
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) }
	for i, r := range runs {
		b.ReportMetric(per(cpu[i]), r.Name+"-cpu-ns/op")
		b.ReportMetric(per(wall[i]), r.Name+"-wall-ns/op")
		if i > 0 {
			b.ReportMetric(float64(cpu[0])/float64(cpu[i]), runs[0].Name+"/"+r.Name+"-cpu")
		}
	}
}

// processCPU is the user and system CPU time of the whole process so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
