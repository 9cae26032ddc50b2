package webhookkit_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// Item 96: the Standard Webhooks known-answer vector.
func TestSignKnownAnswer(t *testing.T) {
	for _, v := range loadVectors(t).Sign {
		t.Run(v.Name, func(t *testing.T) {
			got := mustSigner(t, v.Secret).Sign(v.ID, time.Unix(v.Timestamp, 0), []byte(v.Body))
			if got != v.Signature {
				t.Errorf("Sign = %q, want %q", got, v.Signature)
			}
		})
	}
}

func TestSignerHeaders(t *testing.T) {
	h, err := mustSigner(t, vecSecret).Headers(vecID, time.Unix(vecTS, 0), []byte(vecBody))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"webhook-id": vecID, "webhook-timestamp": "1614265330", "webhook-signature": vecSig}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

// Item 104: secrets of 24 to 64 bytes behind "whsec_"; nothing else.
func TestNewSigner(t *testing.T) {
	secret := func(n int) string {
		return "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", n)))
	}
	tests := []struct {
		name   string
		secret string
		ok     bool
	}{
		{"reference secret", vecSecret, true},
		{"24 bytes", secret(24), true},
		{"64 bytes", secret(64), true},
		{"empty", "", false},
		{"bare prefix", "whsec_", false},
		{"no prefix", base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))), false},
		{"23 bytes", secret(23), false},
		{"65 bytes", secret(65), false},
		{"not base64", "whsec_!!!not-base64!!!", false},
		{"url base64", "whsec_" + base64.URLEncoding.EncodeToString([]byte(strings.Repeat("\xff", 32))), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := webhookkit.NewSigner(tt.secret)
			if tt.ok {
				if err != nil || s == nil {
					t.Fatalf("NewSigner: %v", err)
				}
				return
			}
			if !errors.Is(err, webhookkit.ErrInvalidSecret) || s != nil {
				t.Fatalf("NewSigner = %v, %v; want ErrInvalidSecret", s, err)
			}
			if !strings.HasPrefix(err.Error(), "webhookkit: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	a, b := webhookkit.NewSecret(), webhookkit.NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if !strings.HasPrefix(a, "whsec_") || err != nil || len(key) != 32 {
		t.Fatalf("secret %q: %d bytes, %v", a, len(key), err)
	}
	mustSigner(t, a)
}

// Item 104: message ids with '.' are never signed.
func TestSignRefusesInvalidIDs(t *testing.T) {
	s := mustSigner(t, vecSecret)
	for _, id := range []string{"", "msg.1", ".", strings.Repeat("a", 257)} {
		t.Run(id, func(t *testing.T) {
			if got := s.Sign(id, time.Unix(vecTS, 0), nil); got != "" {
				t.Errorf("Sign(%q) = %q, want empty", id, got)
			}
			if _, err := s.Headers(id, time.Unix(vecTS, 0), nil); !errors.Is(err, webhookkit.ErrInvalidMessageID) {
				t.Errorf("Headers(%q) error = %v, want ErrInvalidMessageID", id, err)
			}
		})
	}
}
