package samlidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// signer produces enveloped XML signatures with exclusive canonicalization.
type signer struct {
	key        *Key
	sigMethod  string
	sigHash    crypto.Hash
	digestHash crypto.Hash
	omitKeyInf bool
}

func (r *Response) signer(key *Key) (*signer, error) {
	return newSigner(key, r.SignatureAlgorithm, r.DigestAlgorithm, r.OmitKeyInfo)
}

func newSigner(key *Key, sigAlg, digestAlg string, omitKeyInfo bool) (*signer, error) {
	sigAlg = orDefault(sigAlg, SignatureRSASHA256)
	digestAlg = orDefault(digestAlg, DigestSHA256)
	sigHash, ok := signatureHash(sigAlg)
	if !ok {
		return nil, fmt.Errorf("samlidp: unsupported signature algorithm %q", sigAlg)
	}
	digestHash, ok := digestHash(digestAlg)
	if !ok {
		return nil, fmt.Errorf("samlidp: unsupported digest algorithm %q", digestAlg)
	}
	return &signer{key: key, sigMethod: sigAlg, sigHash: sigHash, digestHash: digestHash, omitKeyInf: omitKeyInfo}, nil
}

func signatureHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case SignatureRSASHA1:
		return crypto.SHA1, true
	case SignatureRSASHA256:
		return crypto.SHA256, true
	case SignatureRSASHA512:
		return crypto.SHA512, true
	}
	return 0, false
}

func digestHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case DigestSHA1:
		return crypto.SHA1, true
	case DigestSHA256:
		return crypto.SHA256, true
	case DigestSHA512:
		return crypto.SHA512, true
	}
	return 0, false
}

// signEnveloped signs el (which must carry an ID attribute) and inserts the
// ds:Signature right after its saml:Issuer child, or first when there is no
// Issuer, as the SAML schema requires.
func (s *signer) signEnveloped(el *etree.Element) error {
	ctx, err := dsig.NewSigningContext(s.key.PrivateKey, [][]byte{s.key.Certificate.Raw})
	if err != nil {
		return fmt.Errorf("samlidp: signing context: %w", err)
	}
	ctx.Hash = s.digestHash
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	sig, err := ctx.ConstructSignature(el, true)
	if err != nil {
		return fmt.Errorf("samlidp: sign %s: %w", el.Tag, err)
	}
	if s.sigHash != s.digestHash {
		// goxmldsig uses one hash for both; re-sign SignedInfo with the
		// requested signature method.
		if err := s.resign(ctx, el, sig); err != nil {
			return err
		}
	}
	if s.omitKeyInf {
		if ki := sig.SelectElement("KeyInfo"); ki != nil {
			sig.RemoveChild(ki)
		}
	}
	pos := 0
	for i, tok := range el.Child {
		if c, ok := tok.(*etree.Element); ok && c.Tag == "Issuer" {
			pos = i + 1
			break
		}
	}
	el.InsertChildAt(pos, sig)
	return nil
}

func (s *signer) resign(ctx *dsig.SigningContext, el, sig *etree.Element) error {
	signedInfo := sig.SelectElement("SignedInfo")
	if signedInfo == nil {
		return fmt.Errorf("samlidp: constructed signature has no SignedInfo")
	}
	signedInfo.SelectElement("SignatureMethod").CreateAttr("Algorithm", s.sigMethod)

	// Canonicalize SignedInfo in the namespace context it will have once
	// the signature is in place, as goxmldsig does when it signs.
	nsCtx, err := etreeutils.NSBuildParentContext(el)
	if err == nil {
		nsCtx, err = nsCtx.SubContext(el)
	}
	if err == nil {
		nsCtx, err = nsCtx.SubContext(sig)
	}
	var detached *etree.Element
	if err == nil {
		detached, err = etreeutils.NSDetatch(nsCtx, signedInfo)
	}
	if err != nil {
		return fmt.Errorf("samlidp: signed info namespaces: %w", err)
	}
	canonical, err := ctx.Canonicalizer.Canonicalize(detached)
	if err != nil {
		return fmt.Errorf("samlidp: canonicalize signed info: %w", err)
	}
	h := s.sigHash.New()
	h.Write(canonical)
	raw, err := rsa.SignPKCS1v15(rand.Reader, s.key.PrivateKey, s.sigHash, h.Sum(nil))
	if err != nil {
		return fmt.Errorf("samlidp: sign signed info: %w", err)
	}
	sig.SelectElement("SignatureValue").SetText(base64.StdEncoding.EncodeToString(raw))
	return nil
}
