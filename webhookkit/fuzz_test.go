package webhookkit_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// FuzzVerify feeds arbitrary headers and bodies to Verify. It must never
// panic, must refuse with one of the package's errors, must accept only
// a signature that is the HMAC of exactly what it was given, and must
// accept what the Signer signs.
func FuzzVerify(f *testing.F) {
	for _, h := range loadVectors(f).Headers {
		f.Add(h.ID, h.Timestamp, h.Signature, []byte(h.Body))
	}
	sentinels := []error{
		webhookkit.ErrMissingHeaders, webhookkit.ErrInvalidMessageID, webhookkit.ErrInvalidTimestamp,
		webhookkit.ErrTimestampTooOld, webhookkit.ErrTimestampTooNew, webhookkit.ErrNoMatchingSignature,
		webhookkit.ErrBodyTooLarge,
	}
	signer := mustSigner(f, vecSecret)
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		v := mustVerifier(t, webhookkit.VerifierConfig{
			Secrets:      []string{vecSecret},
			Now:          func() time.Time { return time.Unix(vecTS, 0) },
			MaxBodyBytes: 4096,
		})
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		err := v.Verify(h, body)
		if err != nil {
			known := false
			for _, s := range sentinels {
				known = known || errors.Is(err, s)
			}
			if !known {
				t.Fatalf("Verify returned an error of no kind: %v", err)
			}
		} else {
			// Accepted: one v1 signature must be the HMAC of these inputs.
			// (The header values are as http.Header.Get returns them.)
			n, perr := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
			if perr != nil {
				t.Fatalf("accepted timestamp %q: %v", ts, perr)
			}
			want, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(signer.Sign(h.Get("webhook-id"), time.Unix(n, 0), body), "v1,"))
			found := false
			for _, f := range strings.Fields(h.Get("webhook-signature")) {
				got, derr := base64.StdEncoding.DecodeString(strings.TrimPrefix(f, "v1,"))
				found = found || (strings.HasPrefix(f, "v1,") && derr == nil && bytes.Equal(got, want))
			}
			if !found {
				t.Fatalf("accepted id %q ts %q sig %q body %q without a matching signature", id, ts, sig, body)
			}
		}

		// Round trip: what the Signer signs verifies, unless id or body is
		// not allowed.
		signed, herr := signer.Headers(id, time.Unix(vecTS, 0), body)
		if herr != nil {
			return
		}
		if strings.TrimSpace(id) != id || strings.ContainsAny(id, "\r\n\x00") {
			return // http.Header cannot carry it unchanged
		}
		err = v.Verify(signed, body)
		switch {
		case len(body) > 4096:
			if !errors.Is(err, webhookkit.ErrBodyTooLarge) {
				t.Fatalf("signed body over the limit: %v", err)
			}
		case err != nil:
			t.Fatalf("signed message refused: id %q body %q: %v", id, body, err)
		}
	})
}
