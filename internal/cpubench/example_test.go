//go:build unix

package cpubench_test

import (
	"crypto/sha256"
	"crypto/sha512"
	"testing"

	"github.com/gatehouse-go/gatehouse/internal/cpubench"
)

// BenchmarkExample compares two hash functions on the same input; the
// report carries sha256-cpu-ns/op, sha512-cpu-ns/op and sha256/sha512-cpu.
func BenchmarkExample(b *testing.B) {
	data := make([]byte, 64<<10)
	cpubench.Interleaved(b, []cpubench.Run{
		{Name: "sha256", Do: func() error { sha256.Sum256(data); return nil }},
		{Name: "sha512", Do: func() error { sha512.Sum512(data); return nil }},
	})
}

func TestInterleavedReports(t *testing.T) {
	calls, prepared := [2]int{}, 0
	data := make([]byte, 256<<10) // enough work per call to keep the iteration count low
	res := testing.Benchmark(func(b *testing.B) {
		cpubench.Interleaved(b, []cpubench.Run{
			{Name: "a", Do: func() error { calls[0]++; sha256.Sum256(data); return nil }, Prepare: func(n int) error { prepared += n; return nil }},
			{Name: "b", Do: func() error { calls[1]++; sha256.Sum256(data); return nil }},
		})
	})
	if calls[0] == 0 || calls[0] != calls[1] || prepared != calls[0] {
		t.Fatalf("runs called %v times, a prepared %d times; want equal and non-zero", calls, prepared)
	}
	for _, m := range []string{"a-cpu-ns/op", "b-cpu-ns/op", "a-wall-ns/op", "b-wall-ns/op", "a/b-cpu"} {
		if _, ok := res.Extra[m]; !ok {
			t.Errorf("metric %q missing from %v", m, res.Extra)
		}
	}
}
