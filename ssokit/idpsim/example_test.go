package idpsim_test

import (
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

// Example mounts the simulator under /idpsim on a test server, registers an
// OpenID client and a SAML service provider, and reads its discovery
// document, as an application's OpenID library would.
func Example() {
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	origin := "http://" + srv.Listener.Addr().String()

	sim, err := idpsim.New(idpsim.Config{
		BaseURL: origin + "/idpsim",
		Logger:  slog.New(slog.DiscardHandler), // the default logs a start-up warning
		Clients: []idpsim.OIDCClient{{
			ID:           "my-app",
			Secret:       "dev-secret",
			RedirectURIs: []string{origin + "/auth/oidc/callback"},
		}},
		ServiceProviders: []idpsim.SAMLServiceProvider{{
			Name:              "My App",
			EntityID:          origin + "/saml/metadata",
			ACSURL:            origin + "/saml/acs",
			AllowIDPInitiated: true,
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux.Handle("/idpsim/", http.StripPrefix("/idpsim", sim.Handler()))
	srv.Start()
	defer srv.Close()

	resp, err := http.Get(sim.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var discovery struct {
		Issuer string `json:"issuer"`
		Token  string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&discovery); err != nil {
		log.Fatal(err)
	}
	strip := func(u string) string { return strings.TrimPrefix(u, origin) }
	fmt.Println("issuer:", strip(sim.Issuer()), discovery.Issuer == sim.Issuer())
	fmt.Println("token endpoint:", strip(discovery.Token))
	fmt.Println("SAML metadata:", strip(sim.MetadataURL()))
	fmt.Println("SAML entity ID:", strip(sim.SAMLEntityID()))
	// Output:
	// issuer: /idpsim true
	// token endpoint: /idpsim/token
	// SAML metadata: /idpsim/saml/metadata
	// SAML entity ID: /idpsim/saml/metadata
}
