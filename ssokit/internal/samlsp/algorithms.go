package samlsp

// Algorithm identifiers of XML Signature and XML Encryption that the policy
// names. Everything not listed here is refused with [ReasonWeakAlgorithm].
const (
	algRSASHA1     = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algRSASHA384   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
	algRSASHA512   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	algECDSASHA1   = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	algECDSASHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
	algECDSASHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

	algDigestSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	algDigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	algDigestSHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	algDigestSHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"

	algRSAOAEPMGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	algRSAOAEP11    = "http://www.w3.org/2009/xmlenc11#rsa-oaep"
	algRSA15        = "http://www.w3.org/2001/04/xmlenc#rsa-1_5"

	algAES128GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	algAES192GCM = "http://www.w3.org/2009/xmlenc11#aes192-gcm"
	algAES256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
	algAES128CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	algAES256CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
)

// signatureMethodAllowed applies the policy to a ds:SignatureMethod.
// HMAC methods are never allowed: goxmldsig does not implement them, and an
// HMAC keyed with the public certificate would be forgeable by anyone.
func (s *Settings) signatureMethodAllowed(alg string) bool {
	switch alg {
	case algRSASHA256, algRSASHA384, algRSASHA512, algECDSASHA256, algECDSASHA384, algECDSASHA512:
		return true
	case algRSASHA1, algECDSASHA1:
		return s.InsecureAllowSHA1
	}
	return false
}

// digestMethodAllowed applies the policy to the ds:DigestMethod of a
// ds:Reference. (The DigestMethod inside an xenc:EncryptionMethod is the OAEP
// hash, not a signature digest, and is not judged here.)
func (s *Settings) digestMethodAllowed(alg string) bool {
	switch alg {
	case algDigestSHA256, algDigestSHA384, algDigestSHA512:
		return true
	case algDigestSHA1:
		return s.InsecureAllowSHA1
	}
	return false
}

// encryptionMethodAllowed applies the policy to an xenc:EncryptionMethod,
// whether key transport or content encryption. AES-CBC is accepted because
// Okta and ADFS still send it; its padding oracle is closed by requiring a
// signed Response before anything is decrypted, so a tampered ciphertext
// never reaches the decrypter. 3DES is refused outright.
func (s *Settings) encryptionMethodAllowed(alg string) bool {
	switch alg {
	case algRSAOAEPMGF1P, algRSAOAEP11,
		algAES128GCM, algAES192GCM, algAES256GCM,
		algAES128CBC, algAES256CBC:
		return true
	case algRSA15:
		return s.InsecureAllowRSA15
	}
	return false
}
