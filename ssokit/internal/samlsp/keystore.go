package samlsp

import (
	"crypto/rsa"
	"crypto/x509"
)

// certStore is the goxmldsig X509CertificateStore handed to gosaml2 for one
// validation attempt. It holds the configured certificates that are valid now,
// or exactly one of them when the signature has no KeyInfo (goxmldsig refuses
// to choose among several roots; see security.md item 18).
type certStore struct {
	certs []*x509.Certificate
}

func (c *certStore) Certificates() ([]*x509.Certificate, error) { return c.certs, nil }

// keyStore is the goxmldsig X509KeyStore gosaml2 asks for the decryption key.
// gosaml2 only asks after it has found an EncryptedAssertion in a verified,
// signed Response, so a call marks the point where decryption began.
type keyStore struct {
	key *rsa.PrivateKey
	// cert is what gosaml2 compares, byte for byte, with the certificate
	// the IdP put in the EncryptedKey, when it put one there. We pass the
	// IdP's own bytes once we have matched its public key to key, so a
	// re-issued certificate for the same key still decrypts. Without an
	// EncryptedKey certificate gosaml2 reads nothing but its presence.
	cert   []byte
	called bool
}

func (k *keyStore) GetKeyPair() (*rsa.PrivateKey, []byte, error) {
	k.called = true
	return k.key, k.cert, nil
}
