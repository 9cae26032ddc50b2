package ssokit_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlsp"
)

// BenchmarkACS validates the same kind of response, an Okta-shaped ~8 KB
// Response whose Response and Assertion are both signed RSA-SHA256 with a
// 2048-bit key, in these ways:
//
//   - ACS: the kit's whole ACS handler (form parsing, connection read,
//     validation, assertion id burnt in the SQLite replay table, flow taken
//     from SQLite, domain check, one-time code stored), one fresh flow and
//     response per iteration (built outside the timer, since flows and
//     assertion ids are single use);
//   - ACS store round trips: the five Store calls of one ACS request alone,
//     one by one and (as the ACS makes them with a TxStore) with the four
//     after the connection read in one transaction;
//   - samlsp.Validate: the kit's validation engine alone, on one response;
//   - gosaml2: the library's bare RetrieveAssertionInfo on that response;
//   - crewjam: crewjam/saml's ServiceProvider.ParseResponse on it.
func BenchmarkACS(b *testing.B) {
	fx := newACSFixture(b)
	sp := fx.sso.SAMLServiceProvider(fx.conn)
	fixed := fx.response("_" + strings.Repeat("Q", 43))
	b64 := build(b, fixed, fx.idp.key)
	raw, _ := base64.StdEncoding.DecodeString(b64)
	size := float64(len(raw))

	b.Run("ACS", func(b *testing.B) {
		// Flows and responses are single use: make b.N of them first.
		responses := make([]string, b.N)
		for i := range responses {
			responses[i] = build(b, fx.response(fx.start()), fx.idp.key)
		}
		runtime.GC()
		b.ResetTimer()
		for _, resp := range responses {
			rec := fx.post(resp, "")
			if rec.Code != http.StatusSeeOther {
				b.Fatalf("ACS: %d", rec.Code)
			}
		}
		b.ReportMetric(size, "response_bytes")
	})

	// The Store round trips of one ACS request alone, to attribute the
	// difference between ACS and samlsp.Validate: the connection read, the
	// replay record, the flow taken, the domain list and the one-time code.
	seq := 0
	b.Run("ACS store round trips", func(b *testing.B) {
		start := seq
		for range b.N {
			seq++
			fx.must(fx.store.PutFlow(fx.ctx, &ssokit.Flow{ID: fmt.Sprintf("bench-flow-%d", seq), Kind: "login",
				Data: []byte(`{"connection_id":"x"}`), ExpiresAt: fx.now.Add(time.Hour)}))
		}
		b.ResetTimer()
		for i := start + 1; i <= seq; i++ {
			flow := &ssokit.Flow{ID: fmt.Sprintf("bench-flow-%d", i)}
			if _, err := fx.store.Connection(fx.ctx, fx.conn.ID); err != nil {
				b.Fatal(err)
			}
			fx.must(fx.store.Remember(fx.ctx, fmt.Sprintf("bench-assertion-%d", i), fx.now.Add(time.Hour)))
			if _, err := fx.store.TakeFlow(fx.ctx, flow.ID); err != nil {
				b.Fatal(err)
			}
			if _, err := fx.store.Domains(fx.ctx, fx.conn.OrganizationID); err != nil {
				b.Fatal(err)
			}
			fx.must(fx.store.PutFlow(fx.ctx, &ssokit.Flow{ID: fmt.Sprintf("bench-code-%d", i), Kind: "code", Data: make([]byte, 1500), ExpiresAt: fx.now.Add(time.Minute)}))
		}
	})

	// The same round trips as the ACS makes them with a TxStore: the
	// connection read alone, then the rest in one transaction.
	b.Run("ACS store round trips in one transaction", func(b *testing.B) {
		start := seq
		for range b.N {
			seq++
			fx.must(fx.store.PutFlow(fx.ctx, &ssokit.Flow{ID: fmt.Sprintf("bench-flow-%d", seq), Kind: "login",
				Data: []byte(`{"connection_id":"x"}`), ExpiresAt: fx.now.Add(time.Hour)}))
		}
		b.ResetTimer()
		for i := start + 1; i <= seq; i++ {
			if _, err := fx.store.Connection(fx.ctx, fx.conn.ID); err != nil {
				b.Fatal(err)
			}
			fx.must(fx.store.InTx(fx.ctx, func(tx ssokit.Store) error {
				if err := tx.Remember(fx.ctx, fmt.Sprintf("bench-assertion-%d", i), fx.now.Add(time.Hour)); err != nil {
					return err
				}
				if _, err := tx.TakeFlow(fx.ctx, fmt.Sprintf("bench-flow-%d", i)); err != nil {
					return err
				}
				if _, err := tx.Domains(fx.ctx, fx.conn.OrganizationID); err != nil {
					return err
				}
				return tx.PutFlow(fx.ctx, &ssokit.Flow{ID: fmt.Sprintf("bench-code-%d", i), Kind: "code", Data: make([]byte, 1500), ExpiresAt: fx.now.Add(time.Minute)})
			}))
		}
	})

	b.Run("samlsp.Validate", func(b *testing.B) {
		settings := &samlsp.Settings{SPEntityID: sp.EntityID, ACSURL: sp.ACSURL, IDPEntityID: fx.idp.p.EntityID,
			IDPCertificates: []*x509.Certificate{fx.idp.key.Certificate}}
		expect := samlsp.Expectation{RequestID: fixed.InResponseTo}
		for range b.N {
			if _, err := samlsp.Validate(settings, b64, expect, fx.now); err != nil {
				b.Fatal(err)
			}
		}
	})

	runGosaml2, runCrewjam := peerValidators(b, fx, b64, fixed.InResponseTo)
	b.Run("gosaml2", func(b *testing.B) {
		for range b.N {
			if err := runGosaml2(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("crewjam", func(b *testing.B) {
		for range b.N {
			if err := runCrewjam(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// peerValidators returns gosaml2's bare RetrieveAssertionInfo and crewjam's
// ServiceProvider.ParseResponse, each set up for fx's connection and
// checking the response b64 (an answer to requestID) in full.
func peerValidators(b *testing.B, fx *acsFixture, b64, requestID string) (runGosaml2, runCrewjam func() error) {
	sp := fx.sso.SAMLServiceProvider(fx.conn)
	lib := &saml2.SAMLServiceProvider{
		IdentityProviderIssuer:      fx.idp.p.EntityID,
		AssertionConsumerServiceURL: sp.ACSURL,
		AudienceURI:                 sp.EntityID,
		IDPCertificateStore:         &dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{fx.idp.key.Certificate}},
		Clock:                       dsig.NewFakeClockAt(fx.now),
	}
	runGosaml2 = func() error {
		info, err := lib.RetrieveAssertionInfo(b64)
		if err != nil {
			return err
		}
		if info.WarningInfo.InvalidTime || info.WarningInfo.NotInAudience {
			return fmt.Errorf("gosaml2 warnings: %+v", info.WarningInfo)
		}
		return nil
	}

	mdXML, err := samlidp.Metadata(fx.idp.p.EntityID, fx.idp.p.SSORedirectURL, "", []*x509.Certificate{fx.idp.key.Certificate})
	if err != nil {
		b.Fatal(err)
	}
	md := &crewjam.EntityDescriptor{}
	if err := xml.Unmarshal(mdXML, md); err != nil {
		b.Fatal(err)
	}
	acs, _ := url.Parse(sp.ACSURL)
	meta, _ := url.Parse(sp.MetadataURL)
	csp := &crewjam.ServiceProvider{EntityID: sp.EntityID, AcsURL: *acs, MetadataURL: *meta, IDPMetadata: md,
		Clock: dsig.NewFakeClockAt(fx.now)}
	body := url.Values{"SAMLResponse": {b64}}.Encode()
	runCrewjam = func() error {
		req := httptest.NewRequest("POST", sp.ACSURL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := req.ParseForm(); err != nil {
			return err
		}
		_, err := csp.ParseResponse(req, []string{requestID})
		return err
	}
	return runGosaml2, runCrewjam
}
