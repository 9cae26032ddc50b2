package ssokit

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlmeta"
)

// failedRefreshRetry bounds the wait before Run retries after a failed
// refresh.
const failedRefreshRetry = 10 * time.Minute

// RefreshSAMLMetadata re-reads the metadata URL of every SAML connection
// that has one and stores the document in the connection (MetadataXML,
// MetadataRefreshedAt), so every instance uses the new certificates: an
// IdP that publishes its next certificate ahead of a rollover keeps working
// through it (every configured certificate is tried), and one it drops is
// no longer trusted. A document that does not parse, names another entity
// than IDPEntityID, or has expired is refused and the stored one kept.
//
// It then checks, for every SAML connection that is not inactive, when the
// last of its signing certificates expires; within
// Config.SAML.CertificateExpiryWarning it logs saml_certificate_expiring
// (Warn) and writes [EventSAMLCertificateRenewalRequired] once per
// certificate when the Store implements [EventAppender].
//
// The Store must implement [SAMLConnectionLister]. The errors of single
// connections are joined; the others are still refreshed.
func (s *SSO) RefreshSAMLMetadata(ctx context.Context) error {
	lister, ok := s.cfg.Store.(SAMLConnectionLister)
	if !ok {
		return errors.New("ssokit: RefreshSAMLMetadata: the Store does not implement SAMLConnectionLister")
	}
	conns, err := lister.SAMLConnections(ctx)
	if err != nil {
		return fmt.Errorf("ssokit: listing SAML connections: %w", err)
	}
	var errs []error
	for _, conn := range conns {
		if conn.SAML == nil {
			continue
		}
		if conn.SAML.MetadataURL != "" {
			if err := s.refreshConnection(ctx, conn); err != nil {
				s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "saml_metadata_refresh_failed",
					slog.String("connection_id", conn.ID), slog.String("organization_id", conn.OrganizationID),
					slog.String("error", err.Error()))
				errs = append(errs, err)
			}
		}
		if conn.Status != ConnectionInactive {
			s.checkCertificateExpiry(ctx, conn)
		}
	}
	return errors.Join(errs...)
}

// Run refreshes SAML metadata and checks certificate expiry at once and
// then every Config.SAML.MetadataRefreshInterval (after a failure, within
// 10 minutes), until ctx ends; it then returns ctx.Err(). The host starts
// it once per instance (go sso.Run(ctx)); several instances running it is
// harmless. It needs a Store that implements [SAMLConnectionLister].
func (s *SSO) Run(ctx context.Context) error {
	if _, ok := s.cfg.Store.(SAMLConnectionLister); !ok {
		return errors.New("ssokit: Run: the Store does not implement SAMLConnectionLister")
	}
	for {
		wait := s.cfg.SAML.MetadataRefreshInterval
		if err := s.RefreshSAMLMetadata(ctx); err != nil && wait > failedRefreshRetry {
			wait = failedRefreshRetry
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// refreshConnection fetches conn's metadata URL and stores the document in
// conn (updated in place) and in the Store. The outcome feeds the backoff
// of the on-use fetch.
func (s *SSO) refreshConnection(ctx context.Context, conn *Connection) (err error) {
	id, rawURL := conn.ID, conn.SAML.MetadataURL
	defer func() { s.recordMetadataFetch(id, rawURL, err) }()
	insecure := s.cfg.InsecureAllowPrivateIdPAddresses
	sc := conn.SAML
	body, err := samlmeta.FetchIDPMetadata(ctx, s.cfg.HTTPClient, sc.MetadataURL, samlmeta.FetchOptions{
		AllowPrivateAddresses: insecure, AllowInsecureLoopback: insecure})
	if err != nil {
		return fmt.Errorf("ssokit: connection %s: fetching metadata: %w", conn.ID, err)
	}
	if _, err := samlmeta.ParseIDPMetadata(body, samlmeta.ParseOptions{EntityID: sc.IDPEntityID,
		AllowInsecureLoopback: insecure, Now: s.cfg.Now}); err != nil {
		return fmt.Errorf("ssokit: connection %s: metadata: %w", conn.ID, err)
	}
	trial := *sc
	trial.MetadataXML = string(body)
	if _, err := s.parseIDP(&trial); err != nil {
		return fmt.Errorf("ssokit: connection %s: %w", conn.ID, err)
	}
	// Write over a fresh read, so that an admin's concurrent edit of other
	// fields survives; a changed URL means the document is stale.
	fresh, err := s.cfg.Store.Connection(ctx, conn.ID)
	if err != nil {
		return fmt.Errorf("ssokit: connection %s: %w", conn.ID, err)
	}
	if fresh.SAML == nil || fresh.SAML.MetadataURL != sc.MetadataURL {
		return fmt.Errorf("ssokit: connection %s: the metadata URL changed during the refresh", conn.ID)
	}
	changed := fresh.SAML.MetadataXML != string(body)
	fresh.SAML.MetadataXML = string(body)
	fresh.SAML.MetadataRefreshedAt = s.cfg.Now().UTC()
	if err := s.cfg.Store.UpdateConnection(ctx, fresh); err != nil {
		return fmt.Errorf("ssokit: connection %s: storing metadata: %w", conn.ID, err)
	}
	*conn = *fresh
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "saml_metadata_refreshed",
		slog.String("connection_id", conn.ID), slog.Bool("changed", changed))
	return nil
}

// checkCertificateExpiry warns when the last of conn's IdP certificates is
// within the warning window.
func (s *SSO) checkCertificateExpiry(ctx context.Context, conn *Connection) {
	idp, e := s.samlIDP(ctx, conn)
	if e != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "saml_connection_misconfigured",
			slog.String("connection_id", conn.ID), slog.String("error", e.Error()))
		return
	}
	var last *x509.Certificate
	for _, c := range idp.Certificates {
		if last == nil || c.NotAfter.After(last.NotAfter) {
			last = c
		}
	}
	now := s.cfg.Now()
	if last == nil || last.NotAfter.Sub(now) > s.cfg.SAML.CertificateExpiryWarning {
		return
	}
	sum := sha256.Sum256(last.Raw)
	data := SAMLCertificateEvent{ConnectionID: conn.ID, OrganizationID: conn.OrganizationID, IDPEntityID: idp.EntityID,
		SHA256: hex.EncodeToString(sum[:]), NotAfter: last.NotAfter.UTC(), Expired: !now.Before(last.NotAfter)}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "saml_certificate_expiring",
		slog.String("connection_id", conn.ID), slog.String("organization_id", conn.OrganizationID),
		slog.Time("not_after", data.NotAfter), slog.Bool("expired", data.Expired),
		slog.String("certificate_sha256", data.SHA256))
	app, ok := s.cfg.Store.(EventAppender)
	if !ok {
		return
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return
	}
	ev := &Event{ID: onceEventID(EventSAMLCertificateRenewalRequired, conn.ID, data.SHA256),
		Type: EventSAMLCertificateRenewalRequired, OrganizationID: conn.OrganizationID, Data: raw, OccurredAt: now}
	if err := app.AppendSSOEvent(ctx, ev); err != nil && !errors.Is(err, ErrConflict) {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelError, "event_append_failed",
			slog.String("connection_id", conn.ID), slog.String("type", ev.Type), slog.String("error", err.Error()))
	}
}
