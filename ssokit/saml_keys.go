package ssokit

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log/slog"
	"math/big"
	"time"
)

// SP keys. Each SAML connection has its own keys, kept in the Store with
// KeyUseSAMLSigning (AuthnRequest signatures) and KeyUseSAMLEncryption
// (decrypting assertions), each an RSA-2048 key with a self-signed
// certificate valid samlKeyValidity. They are per connection, not shared,
// so that one customer's rotation (which needs that customer's IdP admin to
// re-import the SP metadata) never touches another customer's IdP.
//
// A key is created on first need: when the metadata of a connection that
// signs requests or wants encrypted assertions is served, or when a signed
// request is sent. Rotation is explicit ([SSO.RotateSAMLKey], then
// [SSO.RetireSAMLKey]): during the overlap the metadata publishes both keys,
// decryption tries every live key, and a new signing key signs only once
// its NotBefore has passed.

// samlKeyValidity is the validity of an SP key's certificate and of the key
// record (SigningKey.ExpiresAt).
const samlKeyValidity = 10 * 365 * 24 * time.Hour

// parsedSigningKey is an SP key with its private key and certificate
// decoded.
type parsedSigningKey struct {
	key  *SigningKey
	priv *rsa.PrivateKey
	cert *x509.Certificate
}

// samlKeys returns conn's live SP keys for use, oldest first. With create
// and no live key, it creates one.
func (s *SSO) samlKeys(ctx context.Context, conn *Connection, use KeyUse, create bool) ([]*parsedSigningKey, error) {
	keys, err := s.cfg.Store.SigningKeys(ctx, use, conn.ID, s.cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("ssokit: listing SAML keys: %w", err)
	}
	if len(keys) == 0 && create {
		rt := s.cfg.saml
		rt.keyMu.Lock()
		defer rt.keyMu.Unlock()
		if keys, err = s.cfg.Store.SigningKeys(ctx, use, conn.ID, s.cfg.Now()); err != nil {
			return nil, fmt.Errorf("ssokit: listing SAML keys: %w", err)
		}
		if len(keys) == 0 {
			k, err := s.createSAMLKey(ctx, conn, use, s.cfg.Now())
			if err != nil {
				return nil, err
			}
			keys = []*SigningKey{k}
		}
	}
	out := make([]*parsedSigningKey, 0, len(keys))
	for _, k := range keys {
		p, err := s.parseSAMLKey(k)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// samlSigningKey returns the key that signs conn's requests now: the newest
// live signing key whose NotBefore has passed.
func (s *SSO) samlSigningKey(ctx context.Context, conn *Connection) (*parsedSigningKey, error) {
	keys, err := s.samlKeys(ctx, conn, KeyUseSAMLSigning, true)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	for i := len(keys) - 1; i >= 0; i-- {
		if !keys[i].key.NotBefore.After(now) {
			return keys[i], nil
		}
	}
	// Only keys that are not yet active: the oldest of them is the one
	// IdPs learnt first.
	return keys[0], nil
}

func (s *SSO) parseSAMLKey(k *SigningKey) (*parsedSigningKey, error) {
	rt := s.cfg.saml
	rt.mu.Lock()
	p := rt.certs[k.ID]
	rt.mu.Unlock()
	if p != nil {
		return p, nil
	}
	priv, err := parseRSAKey(k)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(k.Certificate)
	if err != nil {
		return nil, fmt.Errorf("ssokit: SAML key %s certificate: %w", k.ID, err)
	}
	p = &parsedSigningKey{key: k, priv: priv, cert: cert}
	rt.mu.Lock()
	rt.certs[k.ID] = p
	rt.mu.Unlock()
	return p, nil
}

func (s *SSO) createSAMLKey(ctx context.Context, conn *Connection, use KeyUse, notBefore time.Time) (*SigningKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("ssokit: generating a SAML key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("ssokit: encoding a SAML key: %w", err)
	}
	now := s.cfg.Now()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("ssokit: certificate serial: %w", err)
	}
	usage := x509.KeyUsageDigitalSignature
	if use == KeyUseSAMLEncryption {
		usage = x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "gatehouse saml " + string(use) + " " + conn.ID},
		NotBefore:    now.Add(-time.Hour).UTC(),
		NotAfter:     now.Add(samlKeyValidity).UTC(),
		KeyUsage:     usage,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("ssokit: creating a SAML certificate: %w", err)
	}
	k := &SigningKey{
		Use:          use,
		ConnectionID: conn.ID,
		Algorithm:    "RS256",
		PrivateKey:   der,
		Certificate:  cert,
		NotBefore:    notBefore,
		ExpiresAt:    tmpl.NotAfter,
	}
	if err := s.cfg.Store.CreateSigningKey(ctx, k); err != nil {
		return nil, fmt.Errorf("ssokit: storing a SAML key: %w", err)
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "saml_key_created", slog.String("key_id", k.ID),
		slog.String("connection_id", conn.ID), slog.String("use", string(use)))
	return k, nil
}

// SAMLKeys lists conn's live SP keys for use (KeyUseSAMLSigning or
// KeyUseSAMLEncryption), oldest first, without creating any.
func (s *SSO) SAMLKeys(ctx context.Context, conn *Connection, use KeyUse) ([]*SigningKey, error) {
	if use != KeyUseSAMLSigning && use != KeyUseSAMLEncryption {
		return nil, fmt.Errorf("ssokit: %q is not a SAML key use", use)
	}
	return s.cfg.Store.SigningKeys(ctx, use, conn.ID, s.cfg.Now())
}

// RotateSAMLKey starts a rotation of conn's SP key for use: it creates a
// new key, which the SP metadata publishes at once beside the current one.
// A new encryption key decrypts at once (every live key is tried, so
// assertions encrypted for either key work). A new signing key starts to
// sign after activateAfter, so that IdPs that verify signed requests have
// re-read the metadata first (0 means at once). Once the IdP has the new
// metadata, end the overlap with [SSO.RetireSAMLKey] on the old key.
func (s *SSO) RotateSAMLKey(ctx context.Context, conn *Connection, use KeyUse, activateAfter time.Duration) (*SigningKey, error) {
	if use != KeyUseSAMLSigning && use != KeyUseSAMLEncryption {
		return nil, fmt.Errorf("ssokit: %q is not a SAML key use", use)
	}
	if activateAfter < 0 {
		return nil, fmt.Errorf("ssokit: RotateSAMLKey: activateAfter must not be negative")
	}
	s.cfg.saml.keyMu.Lock()
	defer s.cfg.saml.keyMu.Unlock()
	return s.createSAMLKey(ctx, conn, use, s.cfg.Now().Add(activateAfter))
}

// RetireSAMLKey deletes the SP key keyID of conn: it is no longer published
// nor used to sign or decrypt. A key of another connection is ErrNotFound.
func (s *SSO) RetireSAMLKey(ctx context.Context, conn *Connection, keyID string) error {
	for _, use := range []KeyUse{KeyUseSAMLSigning, KeyUseSAMLEncryption} {
		keys, err := s.SAMLKeys(ctx, conn, use)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.ID == keyID {
				if err := s.cfg.Store.DeleteSigningKey(ctx, keyID); err != nil {
					return fmt.Errorf("ssokit: retiring SAML key: %w", err)
				}
				s.cfg.saml.mu.Lock()
				delete(s.cfg.saml.certs, keyID)
				s.cfg.saml.mu.Unlock()
				s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "saml_key_retired", slog.String("key_id", keyID),
					slog.String("connection_id", conn.ID))
				return nil
			}
		}
	}
	return fmt.Errorf("ssokit: SAML key %s of connection %s: %w", keyID, conn.ID, ErrNotFound)
}
