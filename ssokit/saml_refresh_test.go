package ssokit_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlmeta"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// mdServer is an IdP's metadata URL.
type mdServer struct {
	*httptest.Server
	mu   sync.Mutex
	doc  []byte
	hits int
	hit  chan struct{}
}

func newMDServer(t *testing.T) *mdServer {
	m := &mdServer{hit: make(chan struct{}, 100)}
	m.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		doc := m.doc
		m.hits++
		m.mu.Unlock()
		select {
		case m.hit <- struct{}{}:
		default:
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		w.Write(doc)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *mdServer) serve(t *testing.T, p *idpParams, entityID string, certs ...*x509.Certificate) {
	t.Helper()
	doc, err := samlidp.Metadata(entityID, p.SSORedirectURL, p.SSOPostURL, certs)
	if err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	m.doc = doc
	m.mu.Unlock()
}

func (m *mdServer) hitCount() int { m.mu.Lock(); defer m.mu.Unlock(); return m.hits }

// strict turns off InsecureAllowPrivateIdPAddresses, which newEnv sets
// because its test identity providers run on loopback.
func strict(c *ssokit.Config) { c.InsecureAllowPrivateIdPAddresses = false }

// TestSAMLMetadataRefresh follows an IdP through a certificate rollover by
// its metadata URL: the metadata is fetched on first use, the new
// certificate is trusted beside the old during the overlap, the old one is
// refused once the IdP drops it, and a broken or foreign document is
// refused while the stored one keeps working.
func TestSAMLMetadataRefresh(t *testing.T) {
	e := newEnv(t)
	p := loadIDPParams(t, "okta")
	oldKey := newIDPKey(t, e.clock.Now(), 365*24*time.Hour)
	newKey := newIDPKey(t, e.clock.Now(), 2*365*24*time.Hour)
	md := newMDServer(t)
	md.serve(t, p, p.EntityID, oldKey.Certificate)
	conn := e.samlConnection(&samlIdP{p: p, key: oldKey}, func(c *ssokit.Connection) {
		c.SAML = &ssokit.SAMLConfig{MetadataURL: md.URL + "/app/exk1/sso/saml/metadata", IDPEntityID: p.EntityID}
	})
	login := func(key *samlidp.Key) (*browser, *response) {
		t.Helper()
		b := e.newBrowser()
		idp := &samlIdP{p: p, key: key}
		return b, e.postACS(b, conn, build(t, e.samlResponse(idp, conn, e.samlStart(b, conn, nil).ID), key), "")
	}
	accepted := func(key *samlidp.Key) {
		t.Helper()
		b, r := login(key)
		e.finishSAML(b, r)
		e.whoami(b)
	}
	stored := func() *ssokit.SAMLConfig {
		t.Helper()
		c, err := e.store.Connection(e.ctx, conn.ID)
		e.must(err)
		return c.SAML
	}

	accepted(oldKey) // lazy fetch on first use
	if sc := stored(); sc.MetadataXML == "" || !sc.MetadataRefreshedAt.Equal(e.clock.Now().UTC()) || md.hitCount() != 1 {
		t.Fatalf("after first use: metadata %d bytes, refreshed %s, %d fetches", len(sc.MetadataXML), sc.MetadataRefreshedAt, md.hitCount())
	}

	md.serve(t, p, p.EntityID, oldKey.Certificate, newKey.Certificate) // rollover announced
	e.must(e.sso.RefreshSAMLMetadata(e.ctx))
	accepted(oldKey)
	accepted(newKey)

	md.serve(t, p, p.EntityID, newKey.Certificate) // old certificate dropped
	e.must(e.sso.RefreshSAMLMetadata(e.ctx))
	accepted(newKey)
	if _, r := login(oldKey); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("dropped certificate: %d", r.StatusCode)
	}
	e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonBadCertificate)

	for name, doc := range map[string]func(){
		"garbage":        func() { md.mu.Lock(); md.doc = []byte("<html>maintenance</html>"); md.mu.Unlock() },
		"another entity": func() { md.serve(t, p, "http://www.okta.com/exkOTHER", oldKey.Certificate) },
		"with a DTD": func() {
			md.mu.Lock()
			md.doc = []byte(`<!DOCTYPE x [<!ENTITY a "b">]><x/>`)
			md.mu.Unlock()
		},
	} {
		doc()
		if err := e.sso.RefreshSAMLMetadata(e.ctx); err == nil {
			t.Fatalf("%s: refresh succeeded", name)
		}
		accepted(newKey) // the stored document still works
	}
	if n := e.users.count(t); n != 1 {
		t.Fatalf("%d users", n)
	}
}

// TestSAMLMetadataURLPrivateAddress: without
// InsecureAllowPrivateIdPAddresses a metadata URL on a private or loopback
// address is refused at dial time, by the refresh and by the lazy fetch at
// /login, and nothing is fetched.
func TestSAMLMetadataURLPrivateAddress(t *testing.T) {
	e := newEnv(t, strict)
	p := loadIDPParams(t, "okta")
	key := newIDPKey(t, e.clock.Now(), 365*24*time.Hour)
	md := newMDServer(t)
	md.serve(t, p, p.EntityID, key.Certificate)
	conn := e.samlConnection(&samlIdP{p: p, key: key}, func(c *ssokit.Connection) {
		c.SAML = &ssokit.SAMLConfig{MetadataURL: md.URL + "/metadata"}
	})
	err := e.sso.RefreshSAMLMetadata(e.ctx)
	if !errors.Is(err, samlmeta.ErrBlockedAddress) {
		t.Fatalf("refresh: %v", err)
	}
	b := e.newBrowser()
	if r := b.get(e.app.URL + "/sso/login?connection_id=" + conn.ID); r.StatusCode != http.StatusBadGateway {
		t.Fatalf("login: %d", r.StatusCode)
	}
	e.wantErr(ssokit.CodeIDPError, ssokit.ReasonConnectionMisconfigured)
	if md.hitCount() != 0 {
		t.Fatalf("%d fetches reached the server", md.hitCount())
	}
	// http:// is refused as well, before any connection.
	conn.SAML.MetadataURL = strings.Replace(md.URL, "https://", "http://", 1)
	e.must(e.store.UpdateConnection(e.ctx, conn))
	if err := e.sso.RefreshSAMLMetadata(e.ctx); !errors.Is(err, samlmeta.ErrUnsafeURL) {
		t.Fatalf("http metadata URL: %v", err)
	}
}

// TestSAMLCertificateExpiry: when the last of a connection's IdP
// certificates expires within the warning window the refresh logs a
// warning and writes one connection.saml_certificate_renewal_required
// event to the outbox, however often it runs; a connection whose next
// certificate is already configured is not reported.
func TestSAMLCertificateExpiry(t *testing.T) {
	e := newEnv(t)
	p := loadIDPParams(t, "okta")
	now := e.clock.Now()
	soon := newIDPKey(t, now, 10*24*time.Hour)
	later := newIDPKey(t, now, 365*24*time.Hour)
	expiring := e.samlConnection(&samlIdP{p: p, key: soon})
	e.samlConnection(&samlIdP{p: p, key: soon}, func(c *ssokit.Connection) { // rollover under way
		c.SAML.Certificates = append(c.SAML.Certificates, string(later.CertificatePEM()))
	})
	e.samlConnection(&samlIdP{p: p, key: later})
	for range 3 {
		e.must(e.sso.RefreshSAMLMetadata(e.ctx))
	}
	pending, err := e.store.PendingEvents(e.ctx, 100)
	e.must(err)
	var events []*webhookkit.Event // the connections' sso_created events aside
	for _, ev := range pending {
		if ev.Type != webhookkit.EventSSOCreated {
			events = append(events, ev)
		}
	}
	if len(events) != 1 || events[0].Type != ssokit.EventSAMLCertificateRenewalRequired || events[0].OrganizationID != e.org.ID {
		t.Fatalf("events: %+v", events)
	}
	var data ssokit.SAMLCertificateEvent
	e.must(json.Unmarshal(events[0].Data, &data))
	if data.ConnectionID != expiring.ID || data.IDPEntityID != p.EntityID || data.Expired ||
		!data.NotAfter.Equal(soon.Certificate.NotAfter) || len(data.SHA256) != 64 {
		t.Fatalf("event data: %+v", data)
	}
	if logs := e.logs.String(); strings.Count(logs, `"msg":"saml_certificate_expiring"`) != 3 || !strings.Contains(logs, expiring.ID) {
		t.Fatalf("expected three warnings for %s in the log", expiring.ID)
	}
}

// TestSAMLRun: Run refreshes at once and returns ctx.Err() when the context
// ends.
func TestSAMLRun(t *testing.T) {
	e := newEnv(t)
	p := loadIDPParams(t, "okta")
	key := newIDPKey(t, e.clock.Now(), 365*24*time.Hour)
	md := newMDServer(t)
	md.serve(t, p, p.EntityID, key.Certificate)
	e.samlConnection(&samlIdP{p: p, key: key}, func(c *ssokit.Connection) {
		c.SAML = &ssokit.SAMLConfig{MetadataURL: md.URL + "/metadata"}
	})
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.sso.Run(ctx) }()
	<-md.hit
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
}

// TestSAMLMetadataFetchBackoff: a connection whose metadata URL has never
// answered with usable metadata is not fetched again by every /login and
// ACS post: the failure is remembered and the next on-use fetch waits for
// a backoff (1s, 2s, … up to 5 minutes). RefreshSAMLMetadata still tries
// at once, and a success ends the backoff.
func TestSAMLMetadataFetchBackoff(t *testing.T) {
	e := newEnv(t)
	p := loadIDPParams(t, "okta")
	key := newIDPKey(t, e.clock.Now(), 365*24*time.Hour)
	md := newMDServer(t)
	md.mu.Lock()
	md.doc = []byte("<html>maintenance</html>")
	md.mu.Unlock()
	conn := e.samlConnection(&samlIdP{p: p, key: key}, func(c *ssokit.Connection) {
		c.SAML = &ssokit.SAMLConfig{MetadataURL: md.URL + "/metadata", IDPEntityID: p.EntityID}
	})
	failing := func(want int) {
		t.Helper()
		for range 5 {
			if r := e.newBrowser().get(e.app.URL + "/sso/login?connection_id=" + conn.ID); r.StatusCode != http.StatusBadGateway {
				t.Fatalf("login: %d", r.StatusCode)
			}
			e.wantErr(ssokit.CodeIDPError, ssokit.ReasonConnectionMisconfigured)
			b := e.newBrowser()
			if r := e.postACS(b, conn, "PHNhbWxwOlJlc3BvbnNlLz4=", ""); r.StatusCode < 400 {
				t.Fatalf("ACS: %d", r.StatusCode)
			}
		}
		if n := md.hitCount(); n != want {
			t.Fatalf("%d fetches, want %d", n, want)
		}
	}
	failing(1) // one fetch for ten requests

	e.clock.Advance(1500 * time.Millisecond) // past the first backoff (1s)
	failing(2)
	e.clock.Advance(1500 * time.Millisecond) // not past the second (2s)
	failing(2)
	e.clock.Advance(time.Second)
	failing(3)

	// The scheduled refresh does not wait for the backoff, and its
	// certificate check does not fetch a second time.
	if err := e.sso.RefreshSAMLMetadata(e.ctx); err == nil {
		t.Fatal("refresh of a broken document succeeded")
	}
	if n := md.hitCount(); n != 4 {
		t.Fatalf("refresh: %d fetches, want 4", n)
	}
	failing(4)

	// The IdP is fixed: after the backoff the next login fetches once and
	// works, and later logins use the stored document.
	md.serve(t, p, p.EntityID, key.Certificate)
	e.clock.Advance(5 * time.Minute)
	for range 3 {
		e.samlStart(e.newBrowser(), conn, nil)
	}
	if n := md.hitCount(); n != 5 {
		t.Fatalf("after the fix: %d fetches, want 5", n)
	}
}
