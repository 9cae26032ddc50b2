//go:build unix

package ssokit_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/internal/cpubench"
)

// BenchmarkACSInterleaved runs, within each iteration and in rotating order
// (see internal/cpubench), the kit's whole ACS handler on a fresh flow and
// response, gosaml2's bare RetrieveAssertionInfo and crewjam's
// ParseResponse (both on one fixed response of the same shape), so that all
// three share the same machine load. Its acs/crewjam-cpu and
// acs/gosaml2-cpu metrics are the ratios the SAML issue's target is stated
// in (at most 1 and 1.1).
func BenchmarkACSInterleaved(b *testing.B) {
	fx := newACSFixture(b)
	fixed := fx.response("_" + strings.Repeat("Q", 43))
	gosaml2, crewjam := peerValidators(b, fx, build(b, fixed, fx.idp.key), fixed.InResponseTo)
	// Flows and responses are single use: make all of them ahead.
	var responses []string
	prepare := func(n int) error {
		responses = make([]string, n)
		for i := range responses {
			responses[i] = build(b, fx.response(fx.start()), fx.idp.key)
		}
		return nil
	}
	acs := func() error {
		resp := responses[0]
		responses = responses[1:]
		if rec := fx.post(resp, ""); rec.Code != http.StatusSeeOther {
			return fmt.Errorf("ACS: %d %s", rec.Code, rec.Body)
		}
		return nil
	}
	cpubench.Interleaved(b, []cpubench.Run{
		{Name: "acs", Do: acs, Prepare: prepare},
		{Name: "gosaml2", Do: gosaml2},
		{Name: "crewjam", Do: crewjam},
	})
}
