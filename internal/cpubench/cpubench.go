//go:build unix

// Package cpubench compares implementations of one task inside a single
// benchmark. The development machines are shared, so timing each
// implementation in its own benchmark measures the neighbours as much as the
// code; Interleaved runs them in turn within every iteration, in rotating
// order, and reports each one's process CPU time, which time spent
// descheduled does not inflate, next to its wall time.
package cpubench

import (
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
	// Prepare, when set, runs before each Do with the benchmark timer
	// stopped and outside the measurement (to make a single-use input).
	Prepare func() error
}

// Interleaved runs every run once per iteration of b, rotating which goes
// first so that none always pays for the garbage collection the others'
// allocations trigger, and reports the metrics described on [Run]. A run
// that returns an error fails the benchmark.
func Interleaved(b *testing.B, runs []Run) {
	b.Helper()
	wall := make([]time.Duration, len(runs))
	cpu := make([]time.Duration, len(runs))
	n := 0
	for b.Loop() {
		for j := range runs {
			i := (n + j) % len(runs)
			if p := runs[i].Prepare; p != nil {
				b.StopTimer()
				if err := p(); err != nil {
					b.Fatalf("%s: prepare: %v", runs[i].Name, err)
				}
				b.StartTimer()
			}
			c0, w0 := processCPU(b), time.Now()
			if err := runs[i].Do(); err != nil {
				b.Fatalf("%s: %v", runs[i].Name, err)
			}
			wall[i] += time.Since(w0)
			cpu[i] += processCPU(b) - c0
		}
		n++
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
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
