//go:build unix

package samlsp

import (
	"testing"

	"github.com/gatehouse-go/gatehouse/internal/cpubench"
)

// BenchmarkInterleaved runs the three validators in turn within each
// iteration (see internal/cpubench) and reports their CPU and wall times and
// the engine's CPU ratios to gosaml2 and crewjam.
func BenchmarkInterleaved(b *testing.B) {
	ours, bare, crewjam := benchRunners(b, benchResponse(b))
	cpubench.Interleaved(b, []cpubench.Run{
		{Name: "samlsp", Do: ours},
		{Name: "gosaml2", Do: bare},
		{Name: "crewjam", Do: crewjam},
	})
}
