package samlidp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

var (
	testKeysOnce sync.Once
	testKeys     [3]*Key
	testKeysErr  error
)

// testKey returns one of three shared 2048-bit keys (key generation is slow
// on a shared machine; the keys are never modified).
func testKey(t testing.TB, i int) *Key {
	t.Helper()
	testKeysOnce.Do(func() {
		now := time.Now()
		for j := range testKeys {
			testKeys[j], testKeysErr = NewKey(2048, fmt.Sprintf("test-%d", j), now.Add(-time.Hour), now.Add(24*time.Hour))
			if testKeysErr != nil {
				return
			}
		}
	})
	if testKeysErr != nil {
		t.Fatal(testKeysErr)
	}
	return testKeys[i]
}

func parseDoc(t *testing.T, b []byte) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatalf("parse: %v\n%s", err, b)
	}
	return doc
}

func validate(el *etree.Element, cert *x509.Certificate) (*etree.Element, error) {
	vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	return vctx.Validate(el)
}

func child(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

// decryptAssertion is the test's own XML Encryption reader: it finds the
// EncryptedKey (inside KeyInfo, or through RetrievalMethod to a sibling),
// unwraps the content key and decrypts the assertion bytes.
func decryptAssertion(t *testing.T, ea *etree.Element, key *rsa.PrivateKey) []byte {
	t.Helper()
	ed := child(ea, "EncryptedData")
	if ed == nil {
		t.Fatal("no EncryptedData")
	}
	ki := child(ed, "KeyInfo")
	ek := child(ki, "EncryptedKey")
	if ek == nil {
		rm := child(ki, "RetrievalMethod")
		if rm == nil {
			t.Fatal("no EncryptedKey and no RetrievalMethod")
		}
		uri := strings.TrimPrefix(rm.SelectAttrValue("URI", ""), "#")
		for _, c := range ea.ChildElements() {
			if c.Tag == "EncryptedKey" && c.SelectAttrValue("Id", "") == uri {
				ek = c
			}
		}
		if ek == nil {
			t.Fatalf("RetrievalMethod %q points nowhere", uri)
		}
	}
	wrapped := b64(t, ek.FindElement("./CipherData/CipherValue").Text())
	var cek []byte
	var err error
	switch alg := child(ek, "EncryptionMethod").SelectAttrValue("Algorithm", ""); alg {
	case KeyTransportRSAOAEPMGF1P:
		cek, err = rsa.DecryptOAEP(sha1.New(), nil, key, wrapped, nil)
	case KeyTransportRSA15:
		//lint:ignore SA1019 reading the insecure fixture the package builds on purpose.
		cek, err = rsa.DecryptPKCS1v15(nil, key, wrapped)
	default:
		t.Fatalf("key transport %q", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	data := b64(t, ed.FindElement("./CipherData/CipherValue").Text())
	block, err := aes.NewCipher(cek)
	if err != nil {
		t.Fatal(err)
	}
	switch alg := child(ed, "EncryptionMethod").SelectAttrValue("Algorithm", ""); alg {
	case EncryptionAES128GCM, EncryptionAES256GCM:
		aead, err := cipher.NewGCM(block)
		if err != nil {
			t.Fatal(err)
		}
		ns := aead.NonceSize()
		pt, err := aead.Open(nil, data[:ns], data[ns:], nil)
		if err != nil {
			t.Fatal(err)
		}
		return pt
	case EncryptionAES128CBC, EncryptionAES256CBC:
		bs := block.BlockSize()
		if len(data)%bs != 0 || len(data) < 2*bs {
			t.Fatalf("cbc length %d", len(data))
		}
		pt := make([]byte, len(data)-bs)
		cipher.NewCBCDecrypter(block, data[:bs]).CryptBlocks(pt, data[bs:])
		pad := int(pt[len(pt)-1])
		if pad < 1 || pad > bs {
			t.Fatalf("bad padding %d", pad)
		}
		return pt[:len(pt)-pad]
	default:
		t.Fatalf("content encryption %q", alg)
	}
	return nil
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
