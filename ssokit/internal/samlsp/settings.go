package samlsp

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"time"
)

// Defaults and bounds of [Settings].
const (
	// DefaultClockSkew is the tolerance applied to every NotBefore and
	// NotOnOrAfter when [Settings.ClockSkew] is zero.
	DefaultClockSkew = 90 * time.Second
	// MaxClockSkew is the largest [Settings.ClockSkew] accepted.
	MaxClockSkew = 5 * time.Minute
	// DefaultMaxResponseBytes bounds the base64 SAMLResponse when
	// [Settings.MaxResponseBytes] is zero.
	DefaultMaxResponseBytes = 256 << 10
	// MaxMaxResponseBytes is the largest [Settings.MaxResponseBytes] accepted.
	MaxMaxResponseBytes = 4 << 20
	// minRSABits is the smallest RSA key accepted for decryption.
	minRSABits = 2048
)

// Settings describe one SAML connection: who we are to this IdP, who the IdP
// is, and which keys each side uses. A Settings value is read-only during
// [Validate], so one value may serve concurrent validations.
type Settings struct {
	// SPEntityID is our entity ID for this connection. An assertion must name
	// it (or an alias) in every AudienceRestriction. Required. Use one per
	// connection, so that an assertion minted for another tenant is refused.
	SPEntityID string
	// ACSURL is this connection's Assertion Consumer Service URL, compared
	// byte for byte with Response Destination and SubjectConfirmationData
	// Recipient. Required.
	ACSURL string
	// IDPEntityID is the IdP's entity ID; the Response Issuer (when the
	// Response is signed) and the Assertion Issuer must equal it. Required.
	IDPEntityID string
	// IDPCertificates are the IdP's signing certificates, usually one, two
	// during a rollover. A KeyInfo certificate must be one of them; without
	// KeyInfo each is tried in turn. Required: at least one.
	IDPCertificates []*x509.Certificate
	// AudienceAliases are further values accepted as Audience, such as
	// Entra ID's "spn:<application id>". Optional.
	AudienceAliases []string
	// DecryptionKeys are our private keys for EncryptedAssertion, several
	// during our own key rotation. When the EncryptedKey names a certificate
	// only the key matching it is used; otherwise each is tried. Optional:
	// without keys an encrypted assertion is refused. RSA, at least 2048 bits.
	DecryptionKeys []*rsa.PrivateKey
	// ClockSkew is the tolerance on every NotBefore and NotOnOrAfter.
	// Zero means [DefaultClockSkew] (90s); at most [MaxClockSkew] (5 min).
	ClockSkew time.Duration
	// MaxResponseBytes bounds the length of the base64 SAMLResponse, checked
	// before it is decoded. Zero means [DefaultMaxResponseBytes] (256 KiB);
	// at most [MaxMaxResponseBytes] (4 MiB).
	MaxResponseBytes int
	// InsecureAllowSHA1 accepts rsa-sha1/ecdsa-sha1 signatures and sha1
	// digests. Default false. Turn it on only for an IdP that cannot be
	// configured for SHA-256 (older ADFS farms), and plan to turn it off:
	// SHA-1 collisions are practical.
	InsecureAllowSHA1 bool
	// InsecureAllowRSA15 accepts RSA PKCS#1 v1.5 key transport (xmlenc
	// rsa-1_5) for encrypted assertions. Default false: it is open to
	// Bleichenbacher-style attacks. Safe only while the IdP cannot use
	// RSA-OAEP; the Response must still be signed.
	InsecureAllowRSA15 bool
}

// Check reports whether s is complete and within bounds. [Validate] calls it
// first; hosts call it when a connection is saved so that mistakes surface
// at configuration time. The error is an [*Error] with [ReasonConfig].
func (s *Settings) Check() error {
	if e := s.validateSettings(); e != nil {
		return e
	}
	return nil
}

func (s *Settings) validateSettings() *Error {
	if s == nil {
		return fail(ReasonConfig, "samlsp: settings are nil")
	}
	switch {
	case s.SPEntityID == "":
		return fail(ReasonConfig, "samlsp: SPEntityID is required")
	case s.ACSURL == "":
		return fail(ReasonConfig, "samlsp: ACSURL is required")
	case s.IDPEntityID == "":
		return fail(ReasonConfig, "samlsp: IDPEntityID is required")
	case len(s.IDPCertificates) == 0:
		return fail(ReasonConfig, "samlsp: IDPCertificates needs at least one certificate")
	case s.ClockSkew < 0 || s.ClockSkew > MaxClockSkew:
		return fail(ReasonConfig, fmt.Sprintf("samlsp: ClockSkew %s is outside [0, %s]", s.ClockSkew, MaxClockSkew))
	case s.MaxResponseBytes < 0 || s.MaxResponseBytes > MaxMaxResponseBytes:
		return fail(ReasonConfig, fmt.Sprintf("samlsp: MaxResponseBytes %d is outside [0, %d]", s.MaxResponseBytes, MaxMaxResponseBytes))
	}
	for i, c := range s.IDPCertificates {
		if c == nil {
			return fail(ReasonConfig, fmt.Sprintf("samlsp: IDPCertificates[%d] is nil", i))
		}
		switch c.PublicKey.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
		default:
			return fail(ReasonConfig, fmt.Sprintf("samlsp: IDPCertificates[%d] has an unsupported key type %T", i, c.PublicKey))
		}
	}
	for i, k := range s.DecryptionKeys {
		if k == nil {
			return fail(ReasonConfig, fmt.Sprintf("samlsp: DecryptionKeys[%d] is nil", i))
		}
		if k.N.BitLen() < minRSABits {
			return fail(ReasonConfig, fmt.Sprintf("samlsp: DecryptionKeys[%d] has %d bits, want at least %d", i, k.N.BitLen(), minRSABits))
		}
	}
	return nil
}

func (s *Settings) skew() time.Duration {
	if s.ClockSkew == 0 {
		return DefaultClockSkew
	}
	return s.ClockSkew
}

func (s *Settings) maxResponseBytes() int {
	if s.MaxResponseBytes == 0 {
		return DefaultMaxResponseBytes
	}
	return s.MaxResponseBytes
}

// audienceOK reports whether v names this SP.
func (s *Settings) audienceOK(v string) bool {
	if v == s.SPEntityID {
		return true
	}
	for _, a := range s.AudienceAliases {
		if a != "" && v == a {
			return true
		}
	}
	return false
}
