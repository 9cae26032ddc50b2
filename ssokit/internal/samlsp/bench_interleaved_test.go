//go:build unix

package samlsp

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkInterleaved runs the three validators in turn within each
// iteration, in rotating order, so that they share the same machine load (the
// development machine is shared by several jobs), and reports for each the
// mean wall time and the mean process CPU time per validation, plus the CPU
// ratios. CPU time is what a loaded machine distorts least: time spent
// descheduled is not counted.
func BenchmarkInterleaved(b *testing.B) {
	ours, bare, crewjam := benchRunners(b, benchResponse(b))
	runners := []func() error{ours, bare, crewjam}
	var wall, cpu [3]time.Duration
	n := 0
	for b.Loop() {
		// Rotate who goes first, so none always pays for the garbage
		// collection the others' allocations trigger.
		for j := range runners {
			i := (n + j) % len(runners)
			c0, w0 := cpuTime(b), time.Now()
			if err := runners[i](); err != nil {
				b.Fatal(err)
			}
			wall[i] += time.Since(w0)
			cpu[i] += cpuTime(b) - c0
		}
		n++
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
	b.ReportMetric(per(cpu[0]), "samlsp-cpu-ns/op")
	b.ReportMetric(per(cpu[1]), "gosaml2-cpu-ns/op")
	b.ReportMetric(per(cpu[2]), "crewjam-cpu-ns/op")
	b.ReportMetric(per(wall[0]), "samlsp-wall-ns/op")
	b.ReportMetric(per(wall[1]), "gosaml2-wall-ns/op")
	b.ReportMetric(per(wall[2]), "crewjam-wall-ns/op")
	b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "samlsp/gosaml2-cpu")
	b.ReportMetric(float64(cpu[0])/float64(cpu[2]), "samlsp/crewjam-cpu")
}

// cpuTime is the user+system CPU time of the whole process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
