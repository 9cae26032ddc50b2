package samlidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Key is an identity provider's signing key and its certificate. The same
// pair also serves as an SP's encryption key in tests.
type Key struct {
	// PrivateKey signs responses (and decrypts in SP-side tests).
	PrivateKey *rsa.PrivateKey
	// Certificate carries the public key; it is published in metadata and,
	// unless [Response.OmitKeyInfo] is set, in each signature's KeyInfo.
	Certificate *x509.Certificate
}

// NewKey generates an RSA key of the given size and a self-signed
// certificate for it with the given common name and validity window. The
// certificate allows digital signatures and key encipherment, so the key can
// be used both to sign and to receive encrypted assertions.
func NewKey(bits int, commonName string, notBefore, notAfter time.Time) (*Key, error) {
	if !notAfter.After(notBefore) {
		return nil, errors.New("samlidp: certificate notAfter must be after notBefore")
	}
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("samlidp: generate rsa key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, fmt.Errorf("samlidp: certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("samlidp: create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("samlidp: parse certificate: %w", err)
	}
	return &Key{PrivateKey: priv, Certificate: cert}, nil
}

// CertificateBase64 returns the DER certificate in standard base64, the form
// used inside ds:X509Certificate.
func (k *Key) CertificateBase64() string {
	return base64.StdEncoding.EncodeToString(k.Certificate.Raw)
}

// CertificatePEM returns the certificate as a PEM block.
func (k *Key) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.Certificate.Raw})
}

// PrivateKeyPEM returns the private key as a PKCS#8 PEM block.
func (k *Key) PrivateKeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("samlidp: marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// TLSCertificate returns the pair as a [tls.Certificate], the shape gosaml2
// wants for decrypting assertions.
func (k *Key) TLSCertificate() *tls.Certificate {
	return &tls.Certificate{
		Certificate: [][]byte{k.Certificate.Raw},
		PrivateKey:  k.PrivateKey,
		Leaf:        k.Certificate,
	}
}
