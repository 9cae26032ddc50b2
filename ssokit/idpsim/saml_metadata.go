package idpsim

import (
	"crypto/x509"
	"net/http"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// serveSAMLMetadata publishes the IdP metadata: entity ID, signing
// certificate and the SSO endpoint for both bindings.
func (s *Simulator) serveSAMLMetadata(w http.ResponseWriter, r *http.Request) {
	md, err := samlidp.Metadata(s.entityID, s.SSOURL(), s.SSOURL(), []*x509.Certificate{s.key.Certificate})
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "idpsim_metadata_failed", "The metadata could not be built.", err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Content-Disposition", `inline; filename="idpsim-metadata.xml"`)
	_, _ = w.Write(md)
}
