package webhookkit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// Sign a message the Standard Webhooks way: the reference vector.
func ExampleSigner_Sign() {
	s, err := webhookkit.NewSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		log.Fatal(err)
	}
	sig := s.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	fmt.Println(sig)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

// Check a message by hand, with the typed errors.
func ExampleVerifier_Verify() {
	v, err := webhookkit.NewVerifier(webhookkit.VerifierConfig{
		Secrets: []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
		Now:     func() time.Time { return time.Unix(1614265330+600, 0) }, // ten minutes later
	})
	if err != nil {
		log.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	err = v.Verify(h, []byte(`{"test": 2432232314}`))
	fmt.Println(errors.Is(err, webhookkit.ErrTimestampTooOld), webhookkit.StatusCode(err))
	// Output: true 401
}

// Receive webhooks: the handler runs only for a verified, first-seen
// message, and reads the raw body as sent.
func ExampleVerifier_Handler() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	now := func() time.Time { return time.Unix(1614265330, 0) } // a fixed clock for the example
	v, err := webhookkit.NewVerifier(webhookkit.VerifierConfig{Secrets: []string{secret}, Now: now})
	if err != nil {
		log.Fatal(err)
	}
	h := v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("processing %s: %s\n", r.Header.Get("webhook-id"), body)
		w.WriteHeader(http.StatusNoContent)
	}))

	post := func(signature string) {
		r := httptest.NewRequest(http.MethodPost, "/webhooks", strings.NewReader(`{"test": 2432232314}`))
		r.Header.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
		r.Header.Set("webhook-timestamp", "1614265330")
		r.Header.Set("webhook-signature", signature)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	post("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") // processed
	post("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") // the same id again: not processed
	post("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") // a forged signature
	// Output:
	// processing msg_p5jXN8AQM9LWM0D4loKWxJek: {"test": 2432232314}
	// 204
	// 200
	// 401
}

// Deliver the outbox to an HTTP endpoint and to an in-process subscriber.
func ExampleWorker() {
	dir, err := os.MkdirTemp("", "webhookkit-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "gatehouse.db"), store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	secret := webhookkit.NewSecret()
	v, _ := webhookkit.NewVerifier(webhookkit.VerifierConfig{Secrets: []string{secret}})
	receiver := httptest.NewServer(v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("endpoint received", r.Header.Get("webhook-id"))
	})))
	defer receiver.Close()

	var d webhookkit.Dispatcher
	d.Subscribe(webhookkit.EventDirectoryUserCreated, func(ctx context.Context, p webhookkit.Payload) error {
		fmt.Println("subscriber received", p.ID, p.Type)
		return nil
	})
	w, err := webhookkit.NewWorker(webhookkit.WorkerConfig{
		Outbox:                        s,
		Dispatcher:                    &d,
		StaticEndpoints:               []webhookkit.Endpoint{{URL: receiver.URL, Secret: secret}},
		Concurrency:                   1,
		InsecureAllowPrivateEndpoints: true, // the example's endpoint is on loopback
	})
	if err != nil {
		log.Fatal(err)
	}

	// scimkit and ssokit append events like this one in the transaction
	// of the change they describe.
	e := &webhookkit.Event{ID: "evt_example", Type: webhookkit.EventDirectoryUserCreated, OrganizationID: "org_1"}
	if err := s.AppendEvent(ctx, e); err != nil {
		log.Fatal(err)
	}
	n, err := w.DeliverPending(ctx) // in an application: go w.Run(ctx)
	fmt.Println(n, err)
	// Output:
	// endpoint received evt_example
	// subscriber received evt_example organization.directory.user_created
	// 1 <nil>
}
