package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/ids"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
)

func newOrg(t *testing.T, s *store.Store, id string) *ssokit.Organization {
	t.Helper()
	o := &ssokit.Organization{ID: id, Name: "Org " + id}
	must(t, s.CreateOrganization(ctxOf(t), o))
	return o
}

func testOrganizations(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	o := &ssokit.Organization{ID: "tenant_42", Name: "Acme Corp", SSOEnforced: true}
	must(t, s.CreateOrganization(ctx, o))
	if !o.CreatedAt.Equal(clk.Now()) || !o.UpdatedAt.Equal(clk.Now()) {
		t.Errorf("timestamps = %v, %v; want %v", o.CreatedAt, o.UpdatedAt, clk.Now())
	}
	got, err := s.Organization(ctx, "tenant_42")
	must(t, err)
	equal(t, "organization", got, o)

	wantConflict(t, "duplicate id", s.CreateOrganization(ctx, &ssokit.Organization{ID: "tenant_42"}))
	if err := s.CreateOrganization(ctx, &ssokit.Organization{Name: "no id"}); err == nil {
		t.Error("CreateOrganization with an empty ID: no error")
	}

	clk.Advance(time.Minute)
	o.Name, o.SSOEnforced = "Acme Inc", false
	must(t, s.UpdateOrganization(ctx, o))
	if !o.UpdatedAt.Equal(clk.Now()) {
		t.Errorf("UpdatedAt = %v, want %v", o.UpdatedAt, clk.Now())
	}
	got, err = s.Organization(ctx, "tenant_42")
	must(t, err)
	equal(t, "updated organization", got, o)
	other := &ssokit.Organization{ID: "tenant_07", Name: "Globex"}
	must(t, s.CreateOrganization(ctx, other))
	list, err := s.Organizations(ctx)
	must(t, err)
	equal(t, "organizations by id", list, []*ssokit.Organization{other, o})

	must(t, s.DeleteOrganization(ctx, "tenant_42"))
	_, err = s.Organization(ctx, "tenant_42")
	wantNotFound(t, "deleted organization", err)
}

func testDomains(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	newOrg(t, s, "o2")
	d := &ssokit.Domain{OrganizationID: "o1", Name: "example.com", State: ssokit.DomainPending, VerificationToken: "gatehouse-verify=abc"}
	must(t, s.CreateDomain(ctx, d))
	if !ids.HasPrefix(d.ID, ids.Domain) {
		t.Errorf("domain id %q lacks prefix %q", d.ID, ids.Domain)
	}
	got, err := s.Domain(ctx, d.ID)
	must(t, err)
	equal(t, "domain", got, d)
	got, err = s.DomainByName(ctx, "EXAMPLE.Com")
	must(t, err)
	equal(t, "domain by name in other case", got, d)

	wantConflict(t, "same name, other case, other organization",
		s.CreateDomain(ctx, &ssokit.Domain{OrganizationID: "o2", Name: "Example.COM", State: ssokit.DomainPending}))
	wantNotFound(t, "domain of a missing organization",
		s.CreateDomain(ctx, &ssokit.Domain{OrganizationID: "nope", Name: "nope.example", State: ssokit.DomainPending}))

	clk.Advance(time.Second)
	d2 := &ssokit.Domain{OrganizationID: "o1", Name: "example.org", State: ssokit.DomainPending}
	must(t, s.CreateDomain(ctx, d2))
	list, err := s.Domains(ctx, "o1")
	must(t, err)
	equal(t, "domains of o1", list, []*ssokit.Domain{d, d2})
	list, err = s.Domains(ctx, "o2")
	must(t, err)
	if len(list) != 0 {
		t.Errorf("domains of o2 = %d, want 0", len(list))
	}

	clk.Advance(time.Hour)
	d.State, d.VerifiedAt = ssokit.DomainVerified, clk.Now().Add(-time.Second)
	must(t, s.UpdateDomain(ctx, d))
	got, err = s.Domain(ctx, d.ID)
	must(t, err)
	equal(t, "verified domain", got, d)
	wantConflict(t, "rename onto a taken name", s.UpdateDomain(ctx, &ssokit.Domain{ID: d2.ID, Name: "EXAMPLE.COM", State: ssokit.DomainPending}))

	must(t, s.DeleteDomain(ctx, d.ID))
	_, err = s.DomainByName(ctx, "example.com")
	wantNotFound(t, "deleted domain by name", err)
	// The name is free again.
	must(t, s.CreateDomain(ctx, &ssokit.Domain{OrganizationID: "o2", Name: "example.com", State: ssokit.DomainPending}))
}

func samlConnection(org string) *ssokit.Connection {
	return &ssokit.Connection{
		OrganizationID:    org,
		Type:              ssokit.ConnectionSAML,
		Provider:          "okta",
		Name:              "Okta",
		Status:            ssokit.ConnectionActive,
		AllowIDPInitiated: true,
		AttributeMap:      map[string]string{"email": "mail", "groups": "memberOf"},
		SAML: &ssokit.SAMLConfig{
			MetadataURL:             "https://idp.example.com/metadata",
			MetadataXML:             "<EntityDescriptor entityID=\"https://idp.example.com\"/>",
			IDPEntityID:             "https://idp.example.com",
			SSOURL:                  "https://idp.example.com/sso",
			Certificates:            []string{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "second"},
			NameIDFormat:            "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
			SignRequests:            true,
			WantEncryptedAssertions: true,
			AudienceAliases:         []string{"spn:1234"},
			InsecureAllowSHA1:       true,
			MetadataRefreshedAt:     time.Date(2031, 1, 2, 3, 4, 5, 6000, time.UTC),
		},
	}
}

func testConnections(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	c1 := samlConnection("o1")
	must(t, s.CreateConnection(ctx, c1))
	if !ids.HasPrefix(c1.ID, ids.Connection) {
		t.Errorf("connection id %q lacks prefix %q", c1.ID, ids.Connection)
	}
	got, err := s.Connection(ctx, c1.ID)
	must(t, err)
	equal(t, "SAML connection", got, c1)

	clk.Advance(time.Millisecond)
	c2 := &ssokit.Connection{
		OrganizationID: "o1", Type: ssokit.ConnectionOIDC, Provider: "entra", Name: "Entra ID",
		Status: ssokit.ConnectionDraft,
		OIDC: &ssokit.OIDCConfig{Issuer: "https://login.example.com/v2.0", ClientID: "cid", ClientSecret: "s3cret",
			Scopes: []string{"openid", "email"}, TokenAuthMethod: "client_secret_post"},
	}
	must(t, s.CreateConnection(ctx, c2))
	got, err = s.Connection(ctx, c2.ID)
	must(t, err)
	equal(t, "OIDC connection", got, c2)

	list, err := s.Connections(ctx, "o1")
	must(t, err)
	equal(t, "connections, oldest first", list, []*ssokit.Connection{c1, c2})

	clk.Advance(time.Hour)
	c1.Status, c1.AttributeMap, c1.SAML.Certificates = ssokit.ConnectionInactive, nil, []string{"rotated"}
	must(t, s.UpdateConnection(ctx, c1))
	got, err = s.Connection(ctx, c1.ID)
	must(t, err)
	equal(t, "updated connection", got, c1)

	wantNotFound(t, "connection of a missing organization", s.CreateConnection(ctx, samlConnection("nope")))

	must(t, s.DeleteConnection(ctx, c1.ID))
	list, err = s.Connections(ctx, "o1")
	must(t, err)
	equal(t, "connections after delete", list, []*ssokit.Connection{c2})
}

func testFlows(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	f := &ssokit.Flow{ID: "flow-abc", Kind: "login", Data: []byte(`{"verifier":"x"}`), ExpiresAt: clk.Now().Add(10 * time.Minute)}
	must(t, s.PutFlow(ctx, f))
	wantConflict(t, "flow id in use", s.PutFlow(ctx, &ssokit.Flow{ID: "flow-abc", Kind: "code", ExpiresAt: f.ExpiresAt}))
	got, err := s.TakeFlow(ctx, "flow-abc")
	must(t, err)
	equal(t, "taken flow", got, f)
	_, err = s.TakeFlow(ctx, "flow-abc")
	wantNotFound(t, "flow taken twice", err)

	// Expiry: a record is good until just before ExpiresAt.
	must(t, s.PutFlow(ctx, &ssokit.Flow{ID: "short", Kind: "code", Data: []byte{0, 1, 255}, ExpiresAt: clk.Now().Add(time.Minute)}))
	must(t, s.PutFlow(ctx, &ssokit.Flow{ID: "edge", Kind: "code", ExpiresAt: clk.Now().Add(time.Minute)}))
	clk.Advance(time.Minute - time.Microsecond)
	got, err = s.TakeFlow(ctx, "short")
	must(t, err)
	equal(t, "binary data", got.Data, []byte{0, 1, 255})
	clk.Advance(time.Microsecond)
	_, err = s.TakeFlow(ctx, "edge")
	wantNotFound(t, "flow at its expiry", err)

	if err := s.PutFlow(ctx, &ssokit.Flow{ID: "no-expiry", Kind: "login"}); err == nil {
		t.Error("PutFlow without ExpiresAt: no error")
	}
}

func testReplay(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	exp := clk.Now().Add(5 * time.Minute)
	must(t, s.Remember(ctx, "assertion-1", exp))
	wantConflict(t, "replayed key", s.Remember(ctx, "assertion-1", exp.Add(time.Hour)))
	must(t, s.Remember(ctx, "assertion-2", exp))

	clk.Advance(5*time.Minute - time.Microsecond)
	wantConflict(t, "replayed key just before expiry", s.Remember(ctx, "assertion-1", exp))
	clk.Advance(time.Microsecond)
	// Expired: the key is recorded afresh, then taken again.
	must(t, s.Remember(ctx, "assertion-1", clk.Now().Add(time.Minute)))
	wantConflict(t, "key recorded afresh", s.Remember(ctx, "assertion-1", clk.Now().Add(time.Minute)))

	if err := s.Remember(ctx, "k", time.Time{}); err == nil {
		t.Error("Remember without expiry: no error")
	}
}

func testSigningKeys(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	newOrg(t, s, "o1")
	conn := samlConnection("o1")
	must(t, s.CreateConnection(ctx, conn))

	shared := &ssokit.SigningKey{Use: ssokit.KeyUseToken, Algorithm: "RS256", PrivateKey: []byte{1, 2, 3},
		NotBefore: clk.Now(), ExpiresAt: clk.Now().Add(48 * time.Hour)}
	must(t, s.CreateSigningKey(ctx, shared))
	if !ids.HasPrefix(shared.ID, ids.SigningKey) {
		t.Errorf("key id %q lacks prefix %q", shared.ID, ids.SigningKey)
	}
	clk.Advance(time.Second)
	next := &ssokit.SigningKey{ID: "key_chosen", Use: ssokit.KeyUseToken, Algorithm: "ES256", PrivateKey: []byte{4},
		NotBefore: clk.Now().Add(24 * time.Hour)}
	must(t, s.CreateSigningKey(ctx, next))
	wantConflict(t, "key id in use", s.CreateSigningKey(ctx, &ssokit.SigningKey{ID: "key_chosen", Use: ssokit.KeyUseToken, PrivateKey: []byte{5}}))
	saml := &ssokit.SigningKey{Use: ssokit.KeyUseSAMLSigning, ConnectionID: conn.ID, Algorithm: "RS256",
		PrivateKey: []byte{6}, Certificate: []byte{7, 8}}
	must(t, s.CreateSigningKey(ctx, saml))
	wantNotFound(t, "key of a missing connection", s.CreateSigningKey(ctx, &ssokit.SigningKey{
		Use: ssokit.KeyUseSAMLSigning, ConnectionID: "conn_missing", PrivateKey: []byte{9}}))

	list, err := s.SigningKeys(ctx, ssokit.KeyUseToken, "", clk.Now())
	must(t, err)
	equal(t, "shared token keys", list, []*ssokit.SigningKey{shared, next})
	list, err = s.SigningKeys(ctx, ssokit.KeyUseToken, "", shared.ExpiresAt)
	must(t, err)
	equal(t, "token keys once the first expired", list, []*ssokit.SigningKey{next})
	list, err = s.SigningKeys(ctx, ssokit.KeyUseSAMLSigning, conn.ID, clk.Now())
	must(t, err)
	equal(t, "connection keys", list, []*ssokit.SigningKey{saml})
	list, err = s.SigningKeys(ctx, ssokit.KeyUseSAMLSigning, "", clk.Now())
	must(t, err)
	equal(t, "shared SAML keys", list, []*ssokit.SigningKey{})

	must(t, s.DeleteSigningKey(ctx, shared.ID))
	wantNotFound(t, "deleted key", s.DeleteSigningKey(ctx, shared.ID))
	// A connection's keys go with it.
	must(t, s.DeleteConnection(ctx, conn.ID))
	list, err = s.SigningKeys(ctx, ssokit.KeyUseSAMLSigning, conn.ID, clk.Now())
	must(t, err)
	equal(t, "keys of a deleted connection", list, []*ssokit.SigningKey{})
}
