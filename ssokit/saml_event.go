package ssokit

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"time"
)

// EventSAMLCertificateRenewalRequired is written when the last of a SAML
// connection's IdP signing certificates expires within
// Config.SAML.CertificateExpiryWarning (or has expired): the customer's
// admin must give the connection the IdP's next certificate (a metadata URL
// does it by itself once the IdP publishes it). Its data is a
// [SAMLCertificateEvent]. It is written once per certificate.
const EventSAMLCertificateRenewalRequired = "connection.saml_certificate_renewal_required"

// Event is an event of the SSO side for the host's event outbox (see
// [EventAppender]).
type Event struct {
	// ID is the event id ("evt_…"). The kit sets it for events that must
	// be written once (derived from what they are about), so that every
	// instance and every refresh writes the same one.
	ID             string
	Type           string
	OrganizationID string
	Data           json.RawMessage
	OccurredAt     time.Time
}

// SAMLCertificateEvent is the data of
// [EventSAMLCertificateRenewalRequired].
type SAMLCertificateEvent struct {
	ConnectionID   string    `json:"connection_id"`
	OrganizationID string    `json:"organization_id"`
	IDPEntityID    string    `json:"idp_entity_id"`
	SHA256         string    `json:"certificate_sha256"` // hex fingerprint of the certificate's DER
	NotAfter       time.Time `json:"not_after"`
	Expired        bool      `json:"expired"`
}

// EventAppender is an optional interface of a [Store]: a store that
// implements it (package store does) receives the kit's SSO events in its
// outbox, from which webhooks deliver them. Without it the kit only logs.
type EventAppender interface {
	// AppendSSOEvent adds e to the outbox, assigning ID (when empty) and
	// OccurredAt (when zero). An ID already present yields an error
	// wrapping ErrConflict and writes nothing.
	AppendSSOEvent(ctx context.Context, e *Event) error
}

// SAMLConnectionLister is an optional interface of a [Store] that
// [SSO.RefreshSAMLMetadata] and [SSO.Run] need (package store implements
// it).
type SAMLConnectionLister interface {
	// SAMLConnections lists every SAML connection of every organization,
	// oldest first.
	SAMLConnections(ctx context.Context) ([]*Connection, error)
}

// onceEventID derives a stable event id from what the event is about.
func onceEventID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	enc := base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)
	return "evt_" + enc.EncodeToString(h.Sum(nil)[:16])
}
