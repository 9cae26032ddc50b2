package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// The development set-up: the Test Organization and its simulator
// connections.
const (
	testOrgID   = "org_test"
	testOrgName = "Test Organization"
	// simProvider marks the connections the development set-up owns.
	simProvider     = "simulator"
	simOIDCClientID = "acme-notes"
	simOIDCName     = "IdP simulator (OpenID Connect)"
	simSAMLName     = "IdP simulator (SAML)"
	// simAppName is how the simulator lists the app (IdP-initiated).
	simAppName = "Acme Notes"
)

// testOrgDomains are the Test Organization's domains, both verified.
var testOrgDomains = []string{"example.com", "example.org"}

// startSimulator mounts nothing yet (routes does), but creates the
// simulator with the key kept in the data folder and runs the development
// set-up against it.
func (a *app) startSimulator(ctx context.Context) error {
	key, err := loadOrCreateSimulatorKey(filepath.Join(a.opts.dataDir, "idpsim-key.pem"))
	if err != nil {
		return err
	}
	a.sim, err = idpsim.New(idpsim.Config{
		BaseURL: a.opts.baseURL + idpsimPrefix,
		Key:     key,
		Logger:  a.logger,
	})
	if err != nil {
		return err
	}
	return a.seedDevelopment(ctx)
}

// loadOrCreateSimulatorKey reads the simulator's key, or generates and
// saves one (mode 0600) on first start: a stable key means the
// connections' stored certificates and cached JWKS stay valid across
// restarts.
func loadOrCreateSimulatorKey(path string) (*idpsim.Key, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		k, err := idpsim.ParseKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (delete the file to make a new key)", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k, err := idpsim.GenerateKey(time.Now())
	if err != nil {
		return nil, err
	}
	pem, err := k.MarshalPEM()
	if err != nil {
		return nil, err
	}
	if err := writeNewFile(path, pem); err != nil {
		return nil, err
	}
	return k, nil
}

// seedDevelopment makes sure the Test Organization exists with its
// verified domains and its simulator connections, points those
// connections at the simulator's current URL, and registers them with the
// simulator. It is idempotent: later starts find and reuse what the first
// one created, and leave everything else alone.
func (a *app) seedDevelopment(ctx context.Context) error {
	st := a.store
	org, err := st.Organization(ctx, testOrgID)
	if isNotFound(err) {
		org = &ssokit.Organization{ID: testOrgID, Name: testOrgName, SSOEnforced: true}
		err = st.CreateOrganization(ctx, org)
	}
	if err != nil {
		return fmt.Errorf("development set-up: %w", err)
	}
	for _, name := range testOrgDomains {
		d, err := st.DomainByName(ctx, name)
		switch {
		case isNotFound(err):
			err = st.CreateDomain(ctx, &ssokit.Domain{OrganizationID: org.ID, Name: name,
				State: ssokit.DomainVerified, VerifiedAt: time.Now()})
		case err == nil && d.OrganizationID != org.ID:
			a.logger.Warn("dev_domain_taken", "domain", name, "organization_id", d.OrganizationID)
		}
		if err != nil {
			return fmt.Errorf("development set-up: domain %s: %w", name, err)
		}
	}
	conns, err := st.Connections(ctx, org.ID)
	if err != nil {
		return fmt.Errorf("development set-up: %w", err)
	}
	if err := a.seedOIDC(ctx, org, conns); err != nil {
		return fmt.Errorf("development set-up: %w", err)
	}
	if err := a.seedSAML(ctx, org, conns); err != nil {
		return fmt.Errorf("development set-up: %w", err)
	}
	return nil
}

// simConnection returns the organization's simulator connection of a
// type, if any.
func simConnection(conns []*ssokit.Connection, t ssokit.ConnectionType) *ssokit.Connection {
	for _, c := range conns {
		if c.Provider == simProvider && c.Type == t {
			return c
		}
	}
	return nil
}

// seedOIDC creates (once) the simulator OIDC connection, keeps its issuer
// on the simulator's current URL, and registers the client.
func (a *app) seedOIDC(ctx context.Context, org *ssokit.Organization, conns []*ssokit.Connection) error {
	c := simConnection(conns, ssokit.ConnectionOIDC)
	if c == nil {
		c = &ssokit.Connection{
			OrganizationID: org.ID,
			Type:           ssokit.ConnectionOIDC,
			Provider:       simProvider,
			Name:           simOIDCName,
			Status:         ssokit.ConnectionActive,
			OIDC: &ssokit.OIDCConfig{
				Issuer:       a.sim.Issuer(),
				ClientID:     simOIDCClientID,
				ClientSecret: strings.ToLower(newID("secret")),
			},
		}
		if err := a.store.CreateConnection(ctx, c); err != nil {
			return err
		}
		a.logger.Info("dev_connection_created", "connection_id", c.ID, "type", "oidc")
	} else if c.OIDC == nil || c.OIDC.Issuer != a.sim.Issuer() {
		// The app moved (another port or base URL): follow it.
		if c.OIDC == nil {
			c.OIDC = &ssokit.OIDCConfig{ClientID: simOIDCClientID, ClientSecret: newID("secret")}
		}
		c.OIDC.Issuer = a.sim.Issuer()
		if err := a.store.UpdateConnection(ctx, c); err != nil {
			return err
		}
	}
	return a.sim.AddClient(idpsim.OIDCClient{
		ID:                     c.OIDC.ClientID,
		Secret:                 c.OIDC.ClientSecret,
		RedirectURIs:           []string{a.opts.baseURL + ssoPrefix + oidcRedirectPath},
		PostLogoutRedirectURIs: []string{a.opts.baseURL + "/signed-out"},
	})
}

// seedSAML creates (once) the simulator SAML connection, keeps its IdP
// metadata equal to the simulator's current one (read in process, so no
// request to ourselves at start), and registers the connection's SP entity
// ID and ACS URL with the simulator, IdP-initiated sign-in allowed.
func (a *app) seedSAML(ctx context.Context, org *ssokit.Organization, conns []*ssokit.Connection) error {
	md, err := a.simulatorMetadata()
	if err != nil {
		return err
	}
	c := simConnection(conns, ssokit.ConnectionSAML)
	if c == nil {
		c = &ssokit.Connection{
			OrganizationID:    org.ID,
			Type:              ssokit.ConnectionSAML,
			Provider:          simProvider,
			Name:              simSAMLName,
			Status:            ssokit.ConnectionActive,
			AllowIDPInitiated: true,
			SAML:              &ssokit.SAMLConfig{MetadataXML: md},
		}
		if err := a.store.CreateConnection(ctx, c); err != nil {
			return err
		}
		a.logger.Info("dev_connection_created", "connection_id", c.ID, "type", "saml")
	} else if c.SAML == nil || c.SAML.MetadataXML != md || c.SAML.MetadataURL != "" {
		if c.SAML == nil {
			c.SAML = &ssokit.SAMLConfig{}
		}
		c.SAML.MetadataXML, c.SAML.MetadataURL = md, ""
		if err := a.store.UpdateConnection(ctx, c); err != nil {
			return err
		}
	}
	sp := a.sso.SAMLServiceProvider(c)
	return a.sim.AddServiceProvider(idpsim.SAMLServiceProvider{
		Name:              simAppName,
		EntityID:          sp.EntityID,
		ACSURL:            sp.ACSURL,
		AllowIDPInitiated: c.AllowIDPInitiated,
	})
}

// simulatorMetadata is the simulator's SAML IdP metadata document.
func (a *app) simulatorMetadata() (string, error) {
	rec := httptest.NewRecorder()
	a.sim.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/saml/metadata", nil))
	if rec.Code != http.StatusOK {
		return "", fmt.Errorf("simulator metadata: status %d", rec.Code)
	}
	return rec.Body.String(), nil
}
