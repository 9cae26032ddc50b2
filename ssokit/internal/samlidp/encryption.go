package samlidp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/beevik/etree"
)

// encryptAssertion serializes the (already signed) assertion and wraps it in
// a saml:EncryptedAssertion for r.Encrypt, following XML Encryption 1.1.
func (r *Response) encryptAssertion(assertion *etree.Element) (*etree.Element, error) {
	pub, ok := r.Encrypt.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("samlidp: Response.Encrypt must hold an RSA public key")
	}
	doc := etree.NewDocument()
	doc.SetRoot(assertion)
	plaintext, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("samlidp: serialize assertion: %w", err)
	}

	encAlg := orDefault(r.EncryptionAlgorithm, EncryptionAES256GCM)
	keyAlg := orDefault(r.KeyTransportAlgorithm, KeyTransportRSAOAEPMGF1P)
	cek, ciphertext, err := encryptContent(encAlg, plaintext)
	if err != nil {
		return nil, err
	}
	var wrapped []byte
	switch keyAlg {
	case KeyTransportRSAOAEPMGF1P:
		wrapped, err = rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, cek, nil)
	case KeyTransportRSA15:
		//lint:ignore SA1019 deliberately insecure: tests prove the SP refuses rsa-1_5 key transport.
		wrapped, err = rsa.EncryptPKCS1v15(rand.Reader, pub, cek)
	default:
		return nil, fmt.Errorf("samlidp: unsupported key transport algorithm %q", keyAlg)
	}
	if err != nil {
		return nil, fmt.Errorf("samlidp: wrap content key: %w", err)
	}

	dataID, keyID := NewID(), NewID()
	ea := etree.NewElement("saml:EncryptedAssertion")
	ea.CreateAttr("xmlns:saml", NamespaceAssertion)
	ed := ea.CreateElement("xenc:EncryptedData")
	ed.CreateAttr("xmlns:xenc", NamespaceXMLEnc)
	ed.CreateAttr("Id", dataID)
	ed.CreateAttr("Type", typeElement)
	ed.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", encAlg)
	keyInfo := ed.CreateElement("ds:KeyInfo")
	keyInfo.CreateAttr("xmlns:ds", NamespaceDSig)

	ek := etree.NewElement("xenc:EncryptedKey")
	ek.CreateAttr("Id", keyID)
	em := ek.CreateElement("xenc:EncryptionMethod")
	em.CreateAttr("Algorithm", keyAlg)
	if keyAlg == KeyTransportRSAOAEPMGF1P {
		dm := em.CreateElement("ds:DigestMethod")
		dm.CreateAttr("xmlns:ds", NamespaceDSig)
		dm.CreateAttr("Algorithm", DigestSHA1)
	}
	eki := ek.CreateElement("ds:KeyInfo")
	eki.CreateAttr("xmlns:ds", NamespaceDSig)
	eki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(r.Encrypt.Raw))
	ek.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").
		SetText(base64.StdEncoding.EncodeToString(wrapped))

	switch r.KeyPlacement {
	case EncryptedKeyInKeyInfo:
		keyInfo.AddChild(ek)
	case EncryptedKeyRetrievalMethod:
		rm := keyInfo.CreateElement("ds:RetrievalMethod")
		rm.CreateAttr("Type", typeEncryptedKey)
		rm.CreateAttr("URI", "#"+keyID)
		ek.CreateAttr("xmlns:xenc", NamespaceXMLEnc)
		ek.CreateElement("xenc:ReferenceList").CreateElement("xenc:DataReference").
			CreateAttr("URI", "#"+dataID)
	default:
		return nil, fmt.Errorf("samlidp: unknown encrypted key placement %d", r.KeyPlacement)
	}
	ed.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").
		SetText(base64.StdEncoding.EncodeToString(ciphertext))
	if r.KeyPlacement == EncryptedKeyRetrievalMethod {
		ea.AddChild(ek)
	}
	return ea, nil
}

// encryptContent returns a fresh content key and the XML Encryption cipher
// value: IV || ciphertext (|| tag for GCM).
func encryptContent(alg string, plaintext []byte) (cek, out []byte, err error) {
	var keyLen int
	gcm := false
	switch alg {
	case EncryptionAES128GCM:
		keyLen, gcm = 16, true
	case EncryptionAES256GCM:
		keyLen, gcm = 32, true
	case EncryptionAES128CBC:
		keyLen = 16
	case EncryptionAES256CBC:
		keyLen = 32
	default:
		return nil, nil, fmt.Errorf("samlidp: unsupported encryption algorithm %q", alg)
	}
	cek = make([]byte, keyLen)
	_, _ = rand.Read(cek)
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, nil, fmt.Errorf("samlidp: content cipher: %w", err)
	}
	if gcm {
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, nil, fmt.Errorf("samlidp: content cipher: %w", err)
		}
		nonce := make([]byte, aead.NonceSize())
		_, _ = rand.Read(nonce)
		return cek, aead.Seal(nonce, nonce, plaintext, nil), nil
	}
	// CBC with the padding XML Encryption specifies: arbitrary bytes, then
	// the pad length in the last byte (1..block size).
	bs := block.BlockSize()
	pad := bs - len(plaintext)%bs
	padded := make([]byte, len(plaintext)+pad)
	copy(padded, plaintext)
	_, _ = rand.Read(padded[len(plaintext) : len(padded)-1])
	padded[len(padded)-1] = byte(pad)
	out = make([]byte, bs+len(padded))
	_, _ = rand.Read(out[:bs])
	cipher.NewCBCEncrypter(block, out[:bs]).CryptBlocks(out[bs:], padded)
	return cek, out, nil
}
