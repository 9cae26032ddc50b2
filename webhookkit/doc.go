// Package webhookkit carries the kit's events to the host and to its
// customers: the event catalogue and envelope ([Payload]), Standard
// Webhooks (https://www.standardwebhooks.com/) signing ([Signer]) and
// verification ([Verifier], with [Verifier.Handler] middleware for
// receivers), and a delivery [Worker] that reads the durable [Outbox] kept
// by package store and delivers each event to HTTP endpoints ([Sender])
// and in-process subscribers ([Dispatcher]), with retries. It uses the
// standard library only.
//
// A host that delivers the kit's events to its customers' endpoints:
//
//	w, err := webhookkit.NewWorker(webhookkit.WorkerConfig{Outbox: st,
//		Endpoints: customerEndpoints, Environment: "production"})
//	go w.Run(ctx) // st is the *store.Store that scimkit and ssokit write to
//
// A receiver mounts mux.Handle("POST /webhooks", v.Handler(h)) with v from
// [NewVerifier].
//
// # Wire format
//
// Each delivery is a POST of the JSON [Payload] with the headers
// webhook-id (the event id, also the receiver's idempotency key),
// webhook-timestamp (Unix seconds of the attempt) and webhook-signature
// ("v1," and the base64 HMAC-SHA256 of "id.timestamp.body" under the
// endpoint's "whsec_" secret). Secrets are 24 to 64 bytes ([NewSecret]
// makes 32); the "whsec_" prefix is required, so a secret pasted without
// it is refused rather than read as other bytes. Message ids with '.' are
// neither signed nor accepted: they would make the signed content
// ambiguous. The verifier skips signatures of other versions (v1a,
// ed25519, is not supported), accepts any matching v1 signature (several
// secrets during rotation), compares with hmac.Equal, checks the
// timestamp against a 5-minute tolerance in whole seconds, and refuses a
// body over 1 MiB before computing any HMAC.
//
// # Receiving
//
// [Verifier.Verify] is the pure check; [Verifier.VerifyRequest] reads the
// body under the limit first; [Verifier.Handler] also dedupes by
// webhook-id through a [Deduper]. The Handler claims the id before
// calling the wrapped handler and forgets it again when that handler
// answers 400 or more (or panics), so the sender's retry is processed; a
// duplicate is answered 200, so the sender stops. The default
// [MemoryDeduper] serves one process; several instances need a shared
// Deduper. Ids are kept until the message's timestamp leaves the
// tolerance (at least the tolerance): that stops replays. A sender's
// redelivery hours later carries a new timestamp and is processed again
// unless the host keeps ids longer; handlers should be idempotent anyway.
//
// # Delivery
//
// The [Worker] polls [Outbox.PendingEvents], builds the payload of each
// event, and sends it to every target that wants its type: the
// organization's endpoints ([WorkerConfig.Endpoints], looked up per
// event), [WorkerConfig.StaticEndpoints], and each [Dispatcher]
// subscription. Success is a 2xx within 15 s; 3xx is a failure and no
// redirect is followed; 410 Gone disables the endpoint; Retry-After (up
// to a day) postpones the next attempt when it is later than the
// schedule's. Once every target has the event, [Outbox.MarkDelivered]
// records it; targets that already have it are not sent it again on a
// retry. The schedule is immediately, then 5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h and 10 h later (Svix's), each delay plus up to 10 % jitter; after
// the last failure the event is dead-lettered (logged, and
// [WorkerConfig.OnDeadLetter]) and [Worker.Redeliver] starts it over.
// Events are delivered concurrently: no order is guaranteed, as with
// every webhook provider.
//
// Endpoints are dialled through a guard that refuses loopback, private,
// link-local (cloud metadata), CGNAT and other internal addresses after
// name resolution, so DNS rebinding does not get around it (and without
// a proxy, which would hide the target from the check); set
// [WorkerConfig.InsecureAllowPrivateEndpoints] only when no customer
// chooses endpoint URLs (or in tests). ssokit has the same guard in
// ssokit/internal/netguard, out of this package's reach; once it moves to
// the kit-level internal/, both should share it.
//
// # Delivery state
//
// A [StatefulOutbox] (package store's Store is one) keeps each event's
// delivery state beside it: attempts, the next attempt time, the targets
// that have it, the dead letter and its last error, and a claim lease. A
// pass claims due events (on PostgreSQL with FOR UPDATE SKIP LOCKED; on
// SQLite the single writer serializes claims), delivers, and saves the
// state back, so one Worker per app instance shares the work and a restart
// loses no schedule. Store.DeadEvents lists dead letters and
// Store.Redeliver revives one (or re-sends a delivered event). The state is
// per event, not per event and target: a target that had the event before
// a pass died is sent it again, at least once. Endpoints that answered 410
// Gone are still remembered per Worker (the host's OnEndpointGone should
// disable them in its own table).
//
// With a plain [Outbox] the worker keeps that state in memory. A restart
// loses it: pending events are tried at once and their schedule starts
// over, and a target may get an event again. Nothing is lost (an event
// leaves the outbox only when marked delivered). Two workers on one plain
// outbox would both deliver every event, so run one per database there. A
// pass reads past events waiting for a retry (up to 10000 of them) so they
// do not block new ones.
package webhookkit
