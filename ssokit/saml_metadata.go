package ssokit

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlmeta"
)

// SAMLMetadataHandler serves each SAML connection's SP metadata at
// Paths.SAML + "/{connection_id}/metadata" (also its entity ID), for any
// connection state, so an administrator can set the IdP up before
// activating the connection.
func (s *SSO) SAMLMetadataHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		conn, err := s.cfg.Store.Connection(ctx, r.PathValue("connection_id"))
		if errors.Is(err, ErrNotFound) || (err == nil && conn.Type != ConnectionSAML) {
			s.fail(w, r, &Error{Code: CodeConnectionNotFound, Description: "no SAML connection with this id"})
			return
		}
		if err != nil {
			s.fail(w, r, &Error{Code: CodeServerError, Description: "reading the connection failed", Err: err})
			return
		}
		md, err := s.SAMLMetadata(ctx, conn)
		if err != nil {
			s.fail(w, r, withConn(&Error{Code: CodeServerError, Description: "building the SP metadata failed", Err: err}, conn))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/samlmetadata+xml")
		h.Set("Content-Disposition", `inline; filename="`+conn.ID+`-sp-metadata.xml"`)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(md)
	})
}

// SAMLMetadata returns the SP metadata of conn: its entity ID and ACS URL,
// the NameID format it asks for, its signing certificates when it signs
// requests, and its encryption certificates only when
// SAMLConfig.WantEncryptedAssertions is set (ADFS encrypts whenever it
// finds one). During a key rotation both keys are listed. A connection that
// needs a key and has none gets one now. The output is deterministic for
// the same connection and keys.
func (s *SSO) SAMLMetadata(ctx context.Context, conn *Connection) ([]byte, error) {
	if conn.Type != ConnectionSAML || conn.SAML == nil {
		return nil, errors.New("ssokit: not a SAML connection")
	}
	sp := s.SAMLServiceProvider(conn)
	md := samlmeta.SP{
		EntityID:             sp.EntityID,
		ACSURL:               sp.ACSURL,
		AuthnRequestsSigned:  conn.SAML.SignRequests,
		WantAssertionsSigned: true,
		NameIDFormat:         s.nameIDFormat(conn),
	}
	certs := func(use KeyUse) ([]*x509.Certificate, error) {
		keys, err := s.samlKeys(ctx, conn, use, true)
		if err != nil {
			return nil, err
		}
		out := make([]*x509.Certificate, len(keys))
		for i, k := range keys {
			out[i] = k.cert
		}
		return out, nil
	}
	var err error
	if conn.SAML.SignRequests {
		if md.SigningCerts, err = certs(KeyUseSAMLSigning); err != nil {
			return nil, err
		}
	}
	if conn.SAML.WantEncryptedAssertions {
		if md.EncryptionCerts, err = certs(KeyUseSAMLEncryption); err != nil {
			return nil, err
		}
	}
	return samlmeta.SPMetadata(md)
}

// nameIDFormat is the NameID format conn asks for: its setting, else
// unspecified for ADFS, else email address.
func (s *SSO) nameIDFormat(conn *Connection) string {
	if f := conn.SAML.NameIDFormat; f != "" {
		return f
	}
	if conn.Provider == "adfs" {
		return samlmeta.NameIDFormatUnspecified
	}
	return samlmeta.NameIDFormatEmailAddress
}
