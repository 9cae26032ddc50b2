package samlsp

import (
	"crypto/x509"
	"fmt"
	"time"

	saml2 "github.com/russellhaering/gosaml2"
	"github.com/russellhaering/gosaml2/types"
	dsig "github.com/russellhaering/goxmldsig"
)

// gosaml2's ValidateEncodedResponse is the engine Validate was first built
// on. The tests keep it as an oracle: the signature-wrapping cases show
// which layer stops each attack, and the deflate case what the library
// would have verified on its own.

// noInflate is the MaximumDecompressedBodySize given to gosaml2. Its
// parseResponse parses the decoded input with etree and, when that fails,
// inflates the input and parses the result instead; with a one-byte cap any
// inflated output is refused or too short to be a document.
const noInflate = 1

// runLibrary is one pass through gosaml2's ValidateEncodedResponse, with
// every check it can make switched on.
func (s *Settings) runLibrary(b64 string, certs []*x509.Certificate, ks *keyStore, libNow time.Time) (resp *types.Response, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	sp := &saml2.SAMLServiceProvider{
		IdentityProviderIssuer:      s.IDPEntityID,
		AssertionConsumerServiceURL: s.ACSURL,
		AudienceURI:                 s.SPEntityID,
		IDPCertificateStore:         &certStore{certs: certs},
		Clock:                       dsig.NewFakeClockAt(libNow),
		AllowMissingAttributes:      true,
		MaximumXMLTokens:            maxXMLTokens,
		MaximumDecompressedBodySize: noInflate,
	}
	if ks != nil {
		// gosaml2 v0.12.0 decrypts with SPKeyStore only.
		sp.SPKeyStore = ks
	}
	return sp.ValidateEncodedResponse(b64)
}
