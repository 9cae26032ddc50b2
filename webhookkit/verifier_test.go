package webhookkit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/webhookkit"
)

func headers(id, ts, sig string) http.Header {
	h := http.Header{}
	if id != "" {
		h.Set("webhook-id", id)
	}
	if ts != "" {
		h.Set("webhook-timestamp", ts)
	}
	if sig != "" {
		h.Set("webhook-signature", sig)
	}
	return h
}

// Items 97–102: the verification table around the reference vector.
func TestVerify(t *testing.T) {
	otherSecret := webhookkit.NewSecret()
	other := mustSigner(t, otherSecret).Sign(vecID, time.Unix(vecTS, 0), []byte(vecBody))
	ts := strconv.Itoa(vecTS)
	tests := []struct {
		name    string
		h       http.Header
		body    string
		now     int64 // Unix seconds; 0 means vecTS
		wantErr error
	}{
		{"valid", headers(vecID, ts, vecSig), vecBody, 0, nil},
		{"valid at the edge of the past tolerance", headers(vecID, ts, vecSig), vecBody, vecTS + 300, nil},
		{"valid at the edge of the future tolerance", headers(vecID, ts, vecSig), vecBody, vecTS - 300, nil},
		// 97
		{"too old", headers(vecID, ts, vecSig), vecBody, vecTS + 301, webhookkit.ErrTimestampTooOld},
		{"too new", headers(vecID, ts, vecSig), vecBody, vecTS - 301, webhookkit.ErrTimestampTooNew},
		// 98
		{"non-integer timestamp", headers(vecID, "abc", vecSig), vecBody, 0, webhookkit.ErrInvalidTimestamp},
		{"fractional timestamp", headers(vecID, ts+".5", vecSig), vecBody, 0, webhookkit.ErrInvalidTimestamp},
		{"negative timestamp", headers(vecID, "-"+ts, vecSig), vecBody, 0, webhookkit.ErrInvalidTimestamp},
		{"signed timestamp", headers(vecID, "+"+ts, vecSig), vecBody, 0, webhookkit.ErrInvalidTimestamp},
		{"huge timestamp", headers(vecID, "99999999999999999999", vecSig), vecBody, 0, webhookkit.ErrInvalidTimestamp},
		{"timestamp in milliseconds", headers(vecID, ts+"000", vecSig), vecBody, 0, webhookkit.ErrInvalidTimestamp},
		{"zero timestamp", headers(vecID, "0", vecSig), vecBody, 0, webhookkit.ErrTimestampTooOld},
		{"missing id", headers("", ts, vecSig), vecBody, 0, webhookkit.ErrMissingHeaders},
		{"missing timestamp", headers(vecID, "", vecSig), vecBody, 0, webhookkit.ErrMissingHeaders},
		{"missing signature", headers(vecID, ts, ""), vecBody, 0, webhookkit.ErrMissingHeaders},
		{"blank signature", headers(vecID, ts, "   "), vecBody, 0, webhookkit.ErrMissingHeaders},
		{"no headers", http.Header{}, vecBody, 0, webhookkit.ErrMissingHeaders},
		{"id with a dot", headers("msg.1", ts, vecSig), vecBody, 0, webhookkit.ErrInvalidMessageID},
		// 99
		{"rotation: the other secret's signature first", headers(vecID, ts, other+" "+vecSig), vecBody, 0, nil},
		{"rotation: the other secret's signature last", headers(vecID, ts, vecSig+" "+other), vecBody, 0, nil},
		{"only a signature of another secret", headers(vecID, ts, other), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		{"unknown version skipped", headers(vecID, ts, "v1a,"+strings.TrimPrefix(vecSig, "v1,")+" "+vecSig), vecBody, 0, nil},
		{"only an unknown version", headers(vecID, ts, "v1a,"+strings.TrimPrefix(vecSig, "v1,")), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		{"v2 with the right bytes", headers(vecID, ts, "v2,"+strings.TrimPrefix(vecSig, "v1,")), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		{"no comma", headers(vecID, ts, strings.TrimPrefix(vecSig, "v1,")), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		// 100
		{"empty v1", headers(vecID, ts, "v1,"), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		{"bad base64", headers(vecID, ts, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE"), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		{"truncated signature", headers(vecID, ts, "v1,g0hM9SsE+OTPJTGt"), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		{"bad base64 then a good one", headers(vecID, ts, "v1,!!! "+vecSig), vecBody, 0, nil},
		// the signed content covers each part
		{"other id", headers("msg_other", ts, vecSig), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		{"other timestamp", headers(vecID, strconv.Itoa(vecTS+1), vecSig), vecBody, 0, webhookkit.ErrNoMatchingSignature},
		{"other body", headers(vecID, ts, vecSig), `{"test": 2432232315}`, 0, webhookkit.ErrNoMatchingSignature},
		{"empty body", headers(vecID, ts, vecSig), "", 0, webhookkit.ErrNoMatchingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now == 0 {
				now = vecTS
			}
			v := mustVerifier(t, webhookkit.VerifierConfig{
				Secrets: []string{vecSecret},
				Now:     func() time.Time { return time.Unix(now, 0) },
			})
			err := v.Verify(tt.h, []byte(tt.body))
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// Item 99: a verifier holding both secrets during rotation accepts either.
func TestVerifyRotatedSecrets(t *testing.T) {
	newSecret := webhookkit.NewSecret()
	v := mustVerifier(t, webhookkit.VerifierConfig{
		Secrets: []string{newSecret, vecSecret},
		Now:     func() time.Time { return time.Unix(vecTS, 0) },
	})
	for name, secret := range map[string]string{"old": vecSecret, "new": newSecret} {
		h, err := mustSigner(t, secret).Headers(vecID, time.Unix(vecTS, 0), []byte(vecBody))
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(h, []byte(vecBody)); err != nil {
			t.Errorf("%s secret: %v", name, err)
		}
	}
}

// Item 101: the signature covers the raw bytes; JSON re-encoded after
// parsing does not verify.
func TestVerifyRawBodyOnly(t *testing.T) {
	v := mustVerifier(t, webhookkit.VerifierConfig{Secrets: []string{vecSecret}, Now: func() time.Time { return time.Unix(vecTS, 0) }})
	h := headers(vecID, strconv.Itoa(vecTS), vecSig)
	var parsed map[string]any
	if err := json.Unmarshal([]byte(vecBody), &parsed); err != nil {
		t.Fatal(err)
	}
	compact, _ := json.Marshal(parsed)
	pretty, _ := json.MarshalIndent(parsed, "", "  ")
	for name, body := range map[string][]byte{"compact": compact, "pretty": pretty} {
		if err := v.Verify(h, body); !errors.Is(err, webhookkit.ErrNoMatchingSignature) {
			t.Errorf("%s re-encoding %s: Verify = %v, want ErrNoMatchingSignature", name, body, err)
		}
	}
	if err := v.Verify(h, []byte(vecBody)); err != nil {
		t.Errorf("raw body: %v", err)
	}
}

func TestNewVerifierValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  webhookkit.VerifierConfig
	}{
		{"no secrets", webhookkit.VerifierConfig{}},
		{"a bad secret among good ones", webhookkit.VerifierConfig{Secrets: []string{vecSecret, "whsec_"}}},
		{"negative tolerance", webhookkit.VerifierConfig{Secrets: []string{vecSecret}, Tolerance: -time.Second}},
		{"negative body limit", webhookkit.VerifierConfig{Secrets: []string{vecSecret}, MaxBodyBytes: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := webhookkit.NewVerifier(tt.cfg)
			if err == nil || v != nil {
				t.Fatalf("NewVerifier = %v, %v; want an error", v, err)
			}
			if !strings.HasPrefix(err.Error(), "webhookkit: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestVerifierTolerance(t *testing.T) {
	v := mustVerifier(t, webhookkit.VerifierConfig{
		Secrets:   []string{vecSecret},
		Tolerance: time.Minute,
		Now:       func() time.Time { return time.Unix(vecTS+61, 0) },
	})
	if err := v.Verify(headers(vecID, strconv.Itoa(vecTS), vecSig), []byte(vecBody)); !errors.Is(err, webhookkit.ErrTimestampTooOld) {
		t.Fatalf("Verify = %v, want ErrTimestampTooOld with a 1-minute tolerance", err)
	}
}

// signedRequest makes a request signed with vecSecret at ts.
func signedRequest(t *testing.T, url, id string, ts time.Time, body []byte) *http.Request {
	t.Helper()
	h, err := mustSigner(t, vecSecret).Headers(id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	return req
}

// Item 107: a body over the limit is refused, 413, before the signature is
// looked at (a wrong signature still yields ErrBodyTooLarge).
func TestVerifyRequestBodyLimit(t *testing.T) {
	clk := newClock(time.Unix(vecTS, 0))
	v := mustVerifier(t, webhookkit.VerifierConfig{Secrets: []string{vecSecret}, Now: clk.Now, MaxBodyBytes: 64})
	small := bytes.Repeat([]byte("a"), 64)
	large := bytes.Repeat([]byte("a"), 65)

	t.Run("at the limit", func(t *testing.T) {
		body, err := v.VerifyRequest(signedRequest(t, "http://x", "msg_1", clk.Now(), small))
		if err != nil || !bytes.Equal(body, small) {
			t.Fatalf("VerifyRequest = %q, %v", body, err)
		}
	})
	t.Run("over the limit, signed", func(t *testing.T) {
		_, err := v.VerifyRequest(signedRequest(t, "http://x", "msg_1", clk.Now(), large))
		if !errors.Is(err, webhookkit.ErrBodyTooLarge) {
			t.Fatalf("VerifyRequest = %v, want ErrBodyTooLarge", err)
		}
	})
	t.Run("over the limit, unsigned, unknown length", func(t *testing.T) {
		req := signedRequest(t, "http://x", "msg_1", clk.Now(), small)
		req.Body = io.NopCloser(bytes.NewReader(large)) // length unknown to the verifier
		req.ContentLength = -1
		req.Header.Set("webhook-signature", "v1,AAAA")
		if _, err := v.VerifyRequest(req); !errors.Is(err, webhookkit.ErrBodyTooLarge) {
			t.Fatalf("VerifyRequest = %v, want ErrBodyTooLarge", err)
		}
	})
	t.Run("Verify on bytes over the limit", func(t *testing.T) {
		h, _ := mustSigner(t, vecSecret).Headers("msg_1", clk.Now(), large)
		if err := v.Verify(h, large); !errors.Is(err, webhookkit.ErrBodyTooLarge) {
			t.Fatalf("Verify = %v, want ErrBodyTooLarge", err)
		}
	})
	t.Run("Handler over HTTP answers 413", func(t *testing.T) {
		var called atomic.Int32
		srv := httptest.NewServer(v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called.Add(1) })))
		defer srv.Close()
		resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL, "msg_big", clk.Now(), large))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || called.Load() != 0 {
			t.Fatalf("status %d, next called %d times; want 413 and 0", resp.StatusCode, called.Load())
		}
	})
}

func TestStatusCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{webhookkit.ErrDuplicate, 200},
		{webhookkit.ErrBodyTooLarge, 413},
		{webhookkit.ErrMissingHeaders, 400},
		{webhookkit.ErrInvalidMessageID, 400},
		{webhookkit.ErrInvalidTimestamp, 400},
		{webhookkit.ErrTimestampTooOld, 401},
		{webhookkit.ErrTimestampTooNew, 401},
		{webhookkit.ErrNoMatchingSignature, 401},
		{errors.New("store down"), 500},
	}
	for _, tt := range tests {
		if got := webhookkit.StatusCode(tt.err); got != tt.want {
			t.Errorf("StatusCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
