package webhookkit_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// BenchmarkSign and BenchmarkVerify: a 2 KiB body, one secret; Verify
// with two secrets (rotation) and two signatures.
func BenchmarkSign(b *testing.B) {
	s := mustSigner(b, vecSecret)
	body := bytes.Repeat([]byte("x"), 2048)
	ts := time.Unix(vecTS, 0)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s.Sign(vecID, ts, body)
	}
}

func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 2048)
	other := webhookkit.NewSecret()
	ts := time.Unix(vecTS, 0)
	v := mustVerifier(b, webhookkit.VerifierConfig{Secrets: []string{other, vecSecret}, Now: func() time.Time { return ts }})
	h := http.Header{}
	h.Set("webhook-id", vecID)
	h.Set("webhook-timestamp", strconv.Itoa(vecTS))
	h.Set("webhook-signature", mustSigner(b, other).Sign(vecID, ts, body)+" "+mustSigner(b, vecSecret).Sign(vecID, ts, body))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}
