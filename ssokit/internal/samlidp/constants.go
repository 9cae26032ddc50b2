package samlidp

// XML namespaces used in the messages this package builds.
const (
	NamespaceProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	NamespaceAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	NamespaceMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	NamespaceDSig      = "http://www.w3.org/2000/09/xmldsig#"
	NamespaceXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
	NamespaceXS        = "http://www.w3.org/2001/XMLSchema"
	NamespaceXSI       = "http://www.w3.org/2001/XMLSchema-instance"
)

// Bindings.
const (
	BindingHTTPRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	BindingHTTPPOST     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
)

// Status codes.
const (
	StatusSuccess   = "urn:oasis:names:tc:SAML:2.0:status:Success"
	StatusRequester = "urn:oasis:names:tc:SAML:2.0:status:Requester"
	StatusResponder = "urn:oasis:names:tc:SAML:2.0:status:Responder"
)

// NameID formats.
const (
	NameIDFormatEmailAddress = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	NameIDFormatUnspecified  = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	NameIDFormatPersistent   = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	NameIDFormatTransient    = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
)

// Attribute name formats.
const (
	AttrNameFormatBasic       = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
	AttrNameFormatURI         = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
	AttrNameFormatUnspecified = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
)

// Subject confirmation methods and authentication context classes.
const (
	ConfirmationMethodBearer      = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	AuthnContextPasswordProtected = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
	AuthnContextPassword          = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
	AuthnContextUnspecified       = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
	AuthnContextRefedsMFA         = "https://refeds.org/profile/mfa"
)

// XML Signature algorithms. SHA-1 exists so tests can prove the SP refuses it.
const (
	SignatureRSASHA1   = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	SignatureRSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	SignatureRSASHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	DigestSHA1         = "http://www.w3.org/2000/09/xmldsig#sha1"
	DigestSHA256       = "http://www.w3.org/2001/04/xmlenc#sha256"
	DigestSHA512       = "http://www.w3.org/2001/04/xmlenc#sha512"
)

// XML Encryption algorithms. The CBC and PKCS#1 v1.5 ones exist so tests can
// prove the SP refuses them.
const (
	EncryptionAES128GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	EncryptionAES256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
	EncryptionAES128CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	EncryptionAES256CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"

	KeyTransportRSAOAEPMGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	KeyTransportRSA15        = "http://www.w3.org/2001/04/xmlenc#rsa-1_5"

	typeElement      = "http://www.w3.org/2001/04/xmlenc#Element"
	typeEncryptedKey = "http://www.w3.org/2001/04/xmlenc#EncryptedKey"
)
