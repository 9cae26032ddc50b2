package idpsim_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit/idpsim"
)

func TestNewRefusesInvalidConfig(t *testing.T) {
	key := sharedKey(t)
	other, err := idpsim.GenerateKey(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ec"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}, &x509.Certificate{SerialNumber: big.NewInt(1)}, &ecKey.PublicKey, ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecCert, err := x509.ParseCertificate(ecDER)
	if err != nil {
		t.Fatal(err)
	}
	smallKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}

	client := idpsim.OIDCClient{ID: "c", Secret: "s", RedirectURIs: []string{"https://app.test/cb"}}
	sp := idpsim.SAMLServiceProvider{EntityID: "sp", ACSURL: "https://app.test/acs"}
	base := "http://localhost:8080/idpsim"
	for _, tc := range []struct {
		name  string
		cfg   idpsim.Config
		field string
	}{
		{"no base URL", idpsim.Config{}, "BaseURL"},
		{"relative base URL", idpsim.Config{BaseURL: "/idpsim"}, "BaseURL"},
		{"base URL with query", idpsim.Config{BaseURL: base + "?x=1"}, "BaseURL"},
		{"base URL with fragment", idpsim.Config{BaseURL: base + "#x"}, "BaseURL"},
		{"base URL not http", idpsim.Config{BaseURL: "ftp://host/idpsim"}, "BaseURL"},
		{"base URL with credentials", idpsim.Config{BaseURL: "http://u:p@host/idpsim"}, "BaseURL"},
		{"client without ID", idpsim.Config{BaseURL: base, Clients: []idpsim.OIDCClient{{Secret: "s", RedirectURIs: []string{"https://a/cb"}}}}, "Clients[0].ID"},
		{"client without secret", idpsim.Config{BaseURL: base, Clients: []idpsim.OIDCClient{{ID: "c", RedirectURIs: []string{"https://a/cb"}}}}, "Clients[0].Secret"},
		{"client without redirect URI", idpsim.Config{BaseURL: base, Clients: []idpsim.OIDCClient{{ID: "c", Secret: "s"}}}, "Clients[0].RedirectURIs"},
		{"relative redirect URI", idpsim.Config{BaseURL: base, Clients: []idpsim.OIDCClient{{ID: "c", Secret: "s", RedirectURIs: []string{"/cb"}}}}, "Clients[0].RedirectURIs[0]"},
		{"redirect URI with fragment", idpsim.Config{BaseURL: base, Clients: []idpsim.OIDCClient{{ID: "c", Secret: "s", RedirectURIs: []string{"https://a/cb#f"}}}}, "Clients[0].RedirectURIs[0]"},
		{"bad logout URI", idpsim.Config{BaseURL: base, Clients: []idpsim.OIDCClient{{ID: "c", Secret: "s", RedirectURIs: []string{"https://a/cb"}, PostLogoutRedirectURIs: []string{"x"}}}}, "Clients[0].PostLogoutRedirectURIs[0]"},
		{"duplicate client", idpsim.Config{BaseURL: base, Clients: []idpsim.OIDCClient{client, client}}, "Clients[1].ID"},
		{"SP without entity ID", idpsim.Config{BaseURL: base, ServiceProviders: []idpsim.SAMLServiceProvider{{ACSURL: "https://a/acs"}}}, "ServiceProviders[0].EntityID"},
		{"SP with relative ACS", idpsim.Config{BaseURL: base, ServiceProviders: []idpsim.SAMLServiceProvider{{EntityID: "sp", ACSURL: "/acs"}}}, "ServiceProviders[0].ACSURL"},
		{"SP with EC encryption cert", idpsim.Config{BaseURL: base, ServiceProviders: []idpsim.SAMLServiceProvider{{EntityID: "sp", ACSURL: "https://a/acs", EncryptionCert: ecCert}}}, "ServiceProviders[0].EncryptionCert"},
		{"SP with EC request signing cert", idpsim.Config{BaseURL: base, ServiceProviders: []idpsim.SAMLServiceProvider{{EntityID: "sp", ACSURL: "https://a/acs", RequestSigningCert: ecCert}}}, "ServiceProviders[0].RequestSigningCert"},
		{"SP with unknown signing shape", idpsim.Config{BaseURL: base, ServiceProviders: []idpsim.SAMLServiceProvider{{EntityID: "sp", ACSURL: "https://a/acs", Signing: 7}}}, "ServiceProviders[0].Signing"},
		{"duplicate SP", idpsim.Config{BaseURL: base, ServiceProviders: []idpsim.SAMLServiceProvider{sp, sp}}, "ServiceProviders[1].EntityID"},
		{"key without certificate", idpsim.Config{BaseURL: base, Key: &idpsim.Key{PrivateKey: key.PrivateKey}}, "Key.Certificate"},
		{"certificate of another key", idpsim.Config{BaseURL: base, Key: &idpsim.Key{PrivateKey: key.PrivateKey, Certificate: other.Certificate}}, "Key.Certificate"},
		{"1024-bit key", idpsim.Config{BaseURL: base, Key: &idpsim.Key{PrivateKey: smallKey, Certificate: key.Certificate}}, "Key.PrivateKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Logger = slog.New(slog.DiscardHandler)
			if tc.cfg.Key == nil {
				tc.cfg.Key = key
			}
			_, err := idpsim.New(tc.cfg)
			var ce *idpsim.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("err = %v, want a ConfigError for %s", err, tc.field)
			}
			if !strings.HasPrefix(err.Error(), "idpsim: invalid "+tc.field+": ") || ce.Unwrap() == nil {
				t.Errorf("message %q", err)
			}
		})
	}
	t.Run("duplicate is ErrDuplicate", func(t *testing.T) {
		_, err := idpsim.New(idpsim.Config{BaseURL: base, Key: key, Logger: slog.New(slog.DiscardHandler), Clients: []idpsim.OIDCClient{client, client}})
		if !errors.Is(err, idpsim.ErrDuplicate) {
			t.Errorf("err = %v, want ErrDuplicate", err)
		}
	})
}

func TestNewDefaultsAndWarning(t *testing.T) {
	var logs bytes.Buffer
	sim, err := idpsim.New(idpsim.Config{
		BaseURL: "http://localhost:8080/idpsim/",
		Key:     sharedKey(t),
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"Issuer", sim.Issuer(), "http://localhost:8080/idpsim"},
		{"SAMLEntityID", sim.SAMLEntityID(), "http://localhost:8080/idpsim/saml/metadata"},
		{"MetadataURL", sim.MetadataURL(), "http://localhost:8080/idpsim/saml/metadata"},
		{"SSOURL", sim.SSOURL(), "http://localhost:8080/idpsim/saml/sso"},
		{"AppsURL", sim.AppsURL(), "http://localhost:8080/idpsim/saml/apps"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(logs.String(), "level=WARN msg=idpsim_enabled") {
		t.Errorf("no start-up warning in logs: %q", logs.String())
	}
	custom, err := idpsim.New(idpsim.Config{BaseURL: "https://idp.test", EntityID: "urn:idp", Key: sharedKey(t), Logger: slog.New(slog.DiscardHandler)})
	if err != nil || custom.SAMLEntityID() != "urn:idp" {
		t.Errorf("EntityID = %q, %v", custom.SAMLEntityID(), err)
	}
}

func TestGeneratedKeyAndPEM(t *testing.T) {
	sim, err := idpsim.New(idpsim.Config{BaseURL: "http://localhost/idpsim", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if sim.Certificate() == nil || !sim.PublicKey().Equal(sim.Certificate().PublicKey) {
		t.Fatalf("generated key and certificate do not match")
	}

	key := sharedKey(t)
	pemBytes, err := key.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := idpsim.ParseKeyPEM(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	if !back.PrivateKey.Equal(key.PrivateKey) || !back.Certificate.Equal(key.Certificate) {
		t.Errorf("PEM round trip changed the key")
	}
	persisted, err := idpsim.New(idpsim.Config{BaseURL: "http://localhost/idpsim", Key: back, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if !persisted.Certificate().Equal(key.Certificate) {
		t.Errorf("a persisted key is not used")
	}
	for _, bad := range [][]byte{nil, []byte("not pem"), pemBytes[:bytes.Index(pemBytes, []byte("-----BEGIN CERTIFICATE"))]} {
		if _, err := idpsim.ParseKeyPEM(bad); err == nil {
			t.Errorf("ParseKeyPEM(%.30q) succeeded", bad)
		}
	}
}

func TestAddAndRemoveAtRuntime(t *testing.T) {
	e := newEnv(t, idpsim.Config{Clients: []idpsim.OIDCClient{}})
	authorize := func(id string) int {
		q := url.Values{"client_id": {id}, "redirect_uri": {"https://late.example.test/cb"}, "response_type": {"code"},
			"scope": {"openid"}, "code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}}
		resp, _ := e.get(t, e.sim.Issuer()+"/authorize?"+q.Encode())
		return resp.StatusCode
	}
	if got := authorize("late"); got != http.StatusBadRequest {
		t.Fatalf("unknown client: status %d", got)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if err := e.sim.AddClient(idpsim.OIDCClient{ID: fmt.Sprint("late", i), Secret: "s", RedirectURIs: []string{"https://late.example.test/cb"}}); err != nil {
				t.Error(err)
			}
			authorize(fmt.Sprint("late", i))
		})
	}
	wg.Wait()
	for i := range 8 {
		if got := authorize(fmt.Sprint("late", i)); got != http.StatusOK {
			t.Errorf("client late%d added at run time: status %d", i, got)
		}
	}
	e.sim.RemoveClient("late0")
	if got := authorize("late0"); got != http.StatusBadRequest {
		t.Errorf("removed client: status %d", got)
	}
	var ce *idpsim.ConfigError
	if err := e.sim.AddClient(idpsim.OIDCClient{ID: "x"}); !errors.As(err, &ce) || ce.Field != "OIDCClient.Secret" {
		t.Errorf("AddClient(invalid) = %v", err)
	}

	if err := e.sim.AddServiceProvider(idpsim.SAMLServiceProvider{Name: "Late App", EntityID: "urn:late", ACSURL: "https://late.example.test/acs", AllowIDPInitiated: true}); err != nil {
		t.Fatal(err)
	}
	if _, body := e.get(t, e.sim.AppsURL()); !strings.Contains(body, "Late App") {
		t.Errorf("SP added at run time is not listed")
	}
	e.sim.RemoveServiceProvider("urn:late")
	if _, body := e.get(t, e.sim.AppsURL()); strings.Contains(body, "Late App") {
		t.Errorf("removed SP is still listed")
	}
	if err := e.sim.AddServiceProvider(idpsim.SAMLServiceProvider{EntityID: "urn:x", ACSURL: "javascript:alert(1)"}); !errors.As(err, &ce) || ce.Field != "SAMLServiceProvider.ACSURL" {
		t.Errorf("AddServiceProvider(invalid) = %v", err)
	}
}
