package idpsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// minKeyBits is the smallest RSA key the simulator accepts.
const minKeyBits = 2048

// Key is the simulator's signing key and its self-signed certificate.
type Key struct {
	// PrivateKey signs ID tokens and SAML responses. At least 2048 bits.
	PrivateKey *rsa.PrivateKey
	// Certificate carries PrivateKey's public key. It is published in the
	// SAML metadata and in the JWKS (x5c).
	Certificate *x509.Certificate
}

// GenerateKey returns a new 2048-bit RSA key with a self-signed certificate
// (common name "Gatehouse IdP simulator") valid from an hour before now for
// ten years.
func GenerateKey(now time.Time) (*Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, minKeyBits)
	if err != nil {
		return nil, fmt.Errorf("idpsim: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, fmt.Errorf("idpsim: certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Gatehouse IdP simulator", Organization: []string{"Gatehouse development only"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("idpsim: create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("idpsim: parse certificate: %w", err)
	}
	return &Key{PrivateKey: priv, Certificate: cert}, nil
}

// ParseKeyPEM reads a key written by [Key.MarshalPEM]: a "PRIVATE KEY"
// (PKCS #8) or "RSA PRIVATE KEY" (PKCS #1) block and a "CERTIFICATE" block,
// in any order. Other blocks are ignored. The key is checked as [New] checks
// [Config.Key].
func ParseKeyPEM(data []byte) (*Key, error) {
	k := &Key{}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "PRIVATE KEY":
			parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("idpsim: parse private key: %w", err)
			}
			rk, ok := parsed.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("idpsim: private key is %T, want RSA", parsed)
			}
			k.PrivateKey = rk
		case "RSA PRIVATE KEY":
			rk, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("idpsim: parse private key: %w", err)
			}
			k.PrivateKey = rk
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("idpsim: parse certificate: %w", err)
			}
			k.Certificate = cert
		}
	}
	if err := k.check(); err != nil {
		return nil, err
	}
	return k, nil
}

// MarshalPEM returns the private key (PKCS #8) and the certificate as PEM
// blocks, the form [ParseKeyPEM] reads. The output is a secret.
func (k *Key) MarshalPEM() ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("idpsim: marshal private key: %w", err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.Certificate.Raw})...), nil
}

// check reports whether the key is usable: both halves present, RSA of at
// least 2048 bits, and the certificate holding the private key's public key.
func (k *Key) check() error {
	switch {
	case k == nil || k.PrivateKey == nil:
		return &ConfigError{Field: "Key.PrivateKey", Err: errors.New("missing")}
	case k.Certificate == nil:
		return &ConfigError{Field: "Key.Certificate", Err: errors.New("missing")}
	case k.PrivateKey.N.BitLen() < minKeyBits:
		return &ConfigError{Field: "Key.PrivateKey", Err: fmt.Errorf("rsa key has %d bits, need at least %d", k.PrivateKey.N.BitLen(), minKeyBits)}
	}
	pub, ok := k.Certificate.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&k.PrivateKey.PublicKey) {
		return &ConfigError{Field: "Key.Certificate", Err: errors.New("does not hold the private key's public key")}
	}
	if err := k.PrivateKey.Validate(); err != nil {
		return &ConfigError{Field: "Key.PrivateKey", Err: err}
	}
	return nil
}
