// Package webhookkit carries the kit's events to the host: an event
// catalogue, Standard Webhooks signing and verification, and the durable
// outbox that the store package keeps.
//
// This package currently holds the event type and the outbox contract; the
// signer, verifier and delivery worker arrive with their issue.
package webhookkit
