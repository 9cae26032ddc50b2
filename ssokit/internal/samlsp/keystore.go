package samlsp

import (
	"crypto/rsa"
	"crypto/x509"
)

// certStore is the goxmldsig X509CertificateStore for one signature check.
// It holds the configured certificates that are valid now, or exactly one of
// them when the signature has no KeyInfo (goxmldsig refuses to choose among
// several roots; see security.md item 18).
type certStore struct {
	certs []*x509.Certificate
}

func (c *certStore) Certificates() ([]*x509.Certificate, error) { return c.certs, nil }

// keyStore is one decryption key candidate. It is also the goxmldsig
// X509KeyStore the tests hand to gosaml2 (library_test.go).
type keyStore struct {
	key *rsa.PrivateKey
	// cert is what gosaml2's decrypter compares, byte for byte, with the
	// certificate the IdP put in the EncryptedKey, when it put one there. We
	// pass the IdP's own bytes once we have matched its public key to key,
	// so a re-issued certificate for the same key still decrypts. Without an
	// EncryptedKey certificate the decrypter reads nothing but its presence.
	cert []byte
}

func (k *keyStore) GetKeyPair() (*rsa.PrivateKey, []byte, error) {
	return k.key, k.cert, nil
}
