package samlidp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// FixtureIDPs names the identity providers with a fixture folder under
// ssokit/testdata/saml.
var FixtureIDPs = []string{"adfs", "entra", "google", "jumpcloud", "keycloak", "okta", "onelogin", "ping"}

// Fixture is one identity provider's shape as its
// ssokit/testdata/saml/<idp>/params.json records it (documented in that
// folder's README.md): its endpoints, and how its responses are signed,
// addressed and filled. The tests of ssokit and its SAML packages build
// responses in that shape with [Response].
type Fixture struct {
	IDP            string          `json:"idp"`
	Name           string          `json:"name"`
	EntityID       string          `json:"entity_id"`
	MetadataRoot   string          `json:"metadata_root"`
	MetadataSigned bool            `json:"metadata_signed"`
	SSORedirectURL string          `json:"sso_redirect_url"`
	SSOPostURL     string          `json:"sso_post_url"`
	SLOURL         string          `json:"slo_url"`
	Response       FixtureResponse `json:"response"`
	Notes          []string        `json:"notes"`
}

// FixtureResponse is the response part of a [Fixture].
type FixtureResponse struct {
	Issuer                             string             `json:"issuer"`
	ResponseIssuer                     bool               `json:"response_issuer"`
	Signs                              string             `json:"signs"`
	SignatureAlgorithm                 string             `json:"signature_algorithm"`
	DigestAlgorithm                    string             `json:"digest_algorithm"`
	KeyInfo                            bool               `json:"key_info"`
	NameIDFormat                       string             `json:"name_id_format"`
	NameIDValue                        string             `json:"name_id_value"`
	TypedAttributeValues               bool               `json:"typed_attribute_values"`
	XMLPrefix                          string             `json:"xml_prefix"`
	Attributes                         []FixtureAttribute `json:"attributes"`
	Audience                           string             `json:"audience"`
	Destination                        bool               `json:"destination"`
	InResponseTo                       bool               `json:"in_response_to"`
	SessionIndex                       bool               `json:"session_index"`
	SessionNotOnOrAfter                bool               `json:"session_not_on_or_after"`
	AuthnContextClassRef               string             `json:"authn_context_class_ref"`
	NotBeforeSkewSeconds               int                `json:"not_before_skew_seconds"`
	AssertionLifetimeSeconds           int                `json:"assertion_lifetime_seconds"`
	SubjectConfirmationLifetimeSeconds int                `json:"subject_confirmation_lifetime_seconds"`
	IDPrefix                           string             `json:"id_prefix"`
	Encryption                         FixtureEncryption  `json:"encryption"`
	IDPInitiated                       bool               `json:"idp_initiated"`
}

// FixtureAttribute is one attribute a [Fixture]'s responses carry.
type FixtureAttribute struct {
	Name          string   `json:"name"`
	NameFormat    string   `json:"name_format"`
	FriendlyName  string   `json:"friendly_name"`
	ProfileField  string   `json:"profile_field"`
	ExampleValues []string `json:"example_values"`
}

// FixtureEncryption is how a [Fixture]'s identity provider encrypts
// assertions.
type FixtureEncryption struct {
	Supported             bool   `json:"supported"`
	ContentAlgorithm      string `json:"content_algorithm"`
	KeyTransportAlgorithm string `json:"key_transport_algorithm"`
	KeyPlacement          string `json:"key_placement"`
	When                  string `json:"when"`
}

// LoadFixture reads dir/idp/params.json. Decoding is strict (an unknown
// field is an error), so the README, the files and this type stay in step.
func LoadFixture(dir, idp string) (*Fixture, error) {
	b, err := os.ReadFile(filepath.Join(dir, idp, "params.json"))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f Fixture
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("samlidp: %s/params.json: %w", idp, err)
	}
	return &f, nil
}
