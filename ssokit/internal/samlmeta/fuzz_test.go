package samlmeta

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseIDPMetadata: arbitrary documents never panic, and whatever is
// accepted has an entity id, a safe SSO URL and a signing certificate.
func FuzzParseIDPMetadata(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixtureDir, "*", "metadata.xml"))
	more, _ := filepath.Glob(filepath.Join("testdata", "metadata_*.xml"))
	for _, name := range append(seeds, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "", false)
	}
	f.Add([]byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"/>`), "e", true)
	f.Fuzz(func(t *testing.T, data []byte, entityID string, loopback bool) {
		md, err := ParseIDPMetadata(data, ParseOptions{EntityID: entityID, AllowInsecureLoopback: loopback})
		if err != nil {
			return
		}
		if md.EntityID == "" || len(md.SigningCertificates) == 0 || (md.SSORedirectURL == "" && md.SSOPostURL == "") {
			t.Fatalf("accepted incomplete metadata %+v", md)
		}
		for _, u := range []string{md.SSORedirectURL, md.SSOPostURL, md.SLORedirectURL, md.SLOPostURL} {
			if u != "" && !strings.HasPrefix(strings.ToLower(u), "https://") && !loopback {
				t.Fatalf("accepted unsafe url %q", u)
			}
		}
	})
}
