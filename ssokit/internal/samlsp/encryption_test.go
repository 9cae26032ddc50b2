package samlsp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"testing"

	"github.com/beevik/etree"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

func encryptedResponse(t testing.TB, alg string, placement samlidp.EncryptedKeyPlacement) *samlidp.Response {
	r := goodResponse()
	r.Encrypt = spKey(t).Certificate
	r.EncryptionAlgorithm = alg
	r.KeyPlacement = placement
	return r
}

// TestEncryptedAssertions covers Okta's RetrievalMethod shape, key rotation
// on our side, and security.md item 36.
func TestEncryptedAssertions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		build    func(t testing.TB) string
		settings func(t testing.TB, s *Settings)
		want     Reason
		signed   bool // AssertionSigned expected (the decrypted assertion's own signature)
	}{
		{name: "okta retrieval method aes256-cbc, both signed", want: "", signed: true,
			build: func(t testing.TB) string {
				return build(t, encryptedResponse(t, samlidp.EncryptionAES256CBC, samlidp.EncryptedKeyRetrievalMethod), idpKey(t))
			}},
		{name: "okta retrieval method, unsigned inner assertion", want: "",
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256CBC, samlidp.EncryptedKeyRetrievalMethod)
				r.SignAssertion = false
				return build(t, r, idpKey(t))
			}},
		{name: "key info aes256-gcm", want: "", signed: true,
			build: func(t testing.TB) string {
				return build(t, encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyInKeyInfo), idpKey(t))
			}},
		{name: "rotation: encrypted to our second key, named in EncryptedKey", want: "", signed: true,
			settings: func(t testing.TB, s *Settings) {
				s.DecryptionKeys = []*rsa.PrivateKey{spKey(t).PrivateKey, spKey2(t).PrivateKey}
			},
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyInKeyInfo)
				r.Encrypt = spKey2(t).Certificate
				return build(t, r, idpKey(t))
			}},
		{name: "rotation: encrypted to our second key, EncryptedKey names no certificate", want: "", signed: true,
			settings: func(t testing.TB, s *Settings) {
				s.DecryptionKeys = []*rsa.PrivateKey{spKey(t).PrivateKey, spKey2(t).PrivateKey}
			},
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256CBC, samlidp.EncryptedKeyRetrievalMethod)
				r.Encrypt = spKey2(t).Certificate
				r.SignResponse = false
				doc := buildDoc(t, r, idpKey(t))
				ek := mustFind(t, doc.Root(), "EncryptedKey")
				ek.RemoveChild(child(ek, "KeyInfo"))
				signEnveloped(t, doc.Root(), idpKey(t))
				return encodeDoc(t, doc)
			}},
		{name: "encrypted to a key we do not hold", want: ReasonDecryptionFailed,
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyInKeyInfo)
				r.Encrypt = spKey2(t).Certificate
				return build(t, r, idpKey(t))
			}},
		{name: "no decryption keys configured", want: ReasonDecryptionFailed,
			settings: func(t testing.TB, s *Settings) { s.DecryptionKeys = nil },
			build: func(t testing.TB) string {
				return build(t, encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyInKeyInfo), idpKey(t))
			}},
		{name: "36 encrypted assertion in unsigned response", want: ReasonEncryptedUnsigned,
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256CBC, samlidp.EncryptedKeyInKeyInfo)
				r.SignResponse = false
				return build(t, r, idpKey(t))
			}},
		{name: "36 unsigned response, garbage ciphertext: refused before decrypting", want: ReasonEncryptedUnsigned,
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256CBC, samlidp.EncryptedKeyInKeyInfo)
				r.SignResponse = false
				doc := buildDoc(t, r, idpKey(t))
				dataCipherValue(t, doc).SetText(base64.StdEncoding.EncodeToString(make([]byte, 33)))
				return encodeDoc(t, doc)
			}},
		{name: "36 encrypted assertion with a signature that references something else", want: ReasonEncryptedUnsigned,
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256CBC, samlidp.EncryptedKeyInKeyInfo)
				r.SignResponse = false
				doc := buildDoc(t, r, idpKey(t))
				other := buildDoc(t, responseSigned(), idpKey(t))
				doc.Root().InsertChildAt(2, child(other.Root(), "Signature").Copy())
				return encodeDoc(t, doc)
			}},
		{name: "ciphertext tampered in a signed response", want: ReasonBadSignature,
			build: func(t testing.TB) string {
				doc := buildDoc(t, encryptedResponse(t, samlidp.EncryptionAES256CBC, samlidp.EncryptedKeyInKeyInfo), idpKey(t))
				tamperText(t, dataCipherValue(t, doc))
				return encodeDoc(t, doc)
			}},
		// The decrypted assertion goes through the pre-scan and policy as a
		// Response does: its KeyInfo must carry a configured certificate.
		{name: "inner assertion signed by an attacker", want: ReasonBadCertificate,
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyInKeyInfo)
				r.SignResponse = false
				doc := buildDoc(t, r, attackerKey(t))
				signEnveloped(t, doc.Root(), idpKey(t))
				return encodeDoc(t, doc)
			}},
		{name: "inner assertion signed by an attacker, no KeyInfo", want: ReasonBadSignature,
			build: func(t testing.TB) string {
				r := encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyInKeyInfo)
				r.SignResponse = false
				r.OmitKeyInfo = true
				doc := buildDoc(t, r, attackerKey(t))
				signEnveloped(t, doc.Root(), idpKey(t))
				return encodeDoc(t, doc)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := testSettings(t)
			if tc.settings != nil {
				tc.settings(t, s)
			}
			a := expectReason(t, s, tc.build(t), solicited, testNow, tc.want)
			if a == nil {
				return
			}
			if a.NameID != testNameID || !a.ResponseSigned || a.AssertionSigned != tc.signed {
				t.Errorf("NameID=%q ResponseSigned=%v AssertionSigned=%v", a.NameID, a.ResponseSigned, a.AssertionSigned)
			}
			if got := a.Attributes["groups"]; len(got) != 2 {
				t.Errorf("groups = %q", got)
			}
		})
	}
}

// dataCipherValue is the CipherValue of EncryptedData (the content).
func dataCipherValue(t testing.TB, doc *etree.Document) *etree.Element {
	t.Helper()
	ed := mustFind(t, doc.Root(), "EncryptedData")
	return child(child(ed, "CipherData"), "CipherValue")
}

// contentKey recovers the AES key from the EncryptedKey, as the IdP chose it.
func contentKey(t testing.TB, doc *etree.Document) []byte {
	t.Helper()
	ek := mustFind(t, doc.Root(), "EncryptedKey")
	wrapped, err := base64.StdEncoding.DecodeString(child(child(ek, "CipherData"), "CipherValue").Text())
	if err != nil {
		t.Fatal(err)
	}
	k, err := rsa.DecryptOAEP(sha1.New(), nil, spKey(t).PrivateKey, wrapped, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func cbcEncrypt(t testing.TB, key, plaintext []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, aes.BlockSize+len(plaintext))
	if _, err := rand.Read(out[:aes.BlockSize]); err != nil {
		t.Fatal(err)
	}
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], plaintext)
	return out
}

// Item 37: whatever is wrong with a ciphertext the IdP signed, the caller
// sees one reason and one message.
func TestMalformedCiphertextUniformError(t *testing.T) {
	t.Parallel()
	block := func(b byte) []byte { return bytes.Repeat([]byte{b}, aes.BlockSize) }
	cases := []struct {
		name    string
		content func(key []byte) []byte // nil: leave the content alone
		edit    func(t testing.TB, doc *etree.Document, key []byte)
	}{
		{name: "shorter than one block", content: func(key []byte) []byte { return []byte("short") }},
		{name: "not a multiple of the block size", content: func(key []byte) []byte { return make([]byte, 37) }},
		{name: "all-zero plaintext", content: func(key []byte) []byte { return cbcEncrypt(t, key, block(0)) }},
		{name: "pad byte larger than the block", content: func(key []byte) []byte { return cbcEncrypt(t, key, block(0x20)) }},
		{name: "valid padding, plaintext not xml", content: func(key []byte) []byte {
			return cbcEncrypt(t, key, append([]byte("0123456789abcde"), 0x01))
		}},
		{name: "wrapped key is garbage", edit: func(t testing.TB, doc *etree.Document, key []byte) {
			ek := mustFind(t, doc.Root(), "EncryptedKey")
			child(child(ek, "CipherData"), "CipherValue").SetText(base64.StdEncoding.EncodeToString(make([]byte, 256)))
		}},
		{name: "content not base64", edit: func(t testing.TB, doc *etree.Document, key []byte) {
			dataCipherValue(t, doc).SetText("!!!")
		}},
	}
	var messages []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := encryptedResponse(t, samlidp.EncryptionAES128CBC, samlidp.EncryptedKeyInKeyInfo)
			r.SignResponse = false // the IdP signs after our edit, below
			doc := buildDoc(t, r, idpKey(t))
			key := contentKey(t, doc)
			if tc.content != nil {
				dataCipherValue(t, doc).SetText(base64.StdEncoding.EncodeToString(tc.content(key)))
			}
			if tc.edit != nil {
				tc.edit(t, doc, key)
			}
			signEnveloped(t, doc.Root(), idpKey(t))
			_, err := Validate(testSettings(t), encodeDoc(t, doc), solicited, testNow)
			if got := reasonOf(t, err); got != ReasonDecryptionFailed {
				t.Fatalf("reason %q, want decryption_failed (cause: %v)", got, err)
			}
			messages = append(messages, err.Error())
		})
	}
	for _, m := range messages {
		if m != messages[0] {
			t.Errorf("messages differ: %q vs %q", m, messages[0])
		}
	}
}
