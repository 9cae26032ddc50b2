package webhookkit

import (
	"fmt"
	"net/url"
	"slices"
)

// Endpoint is an HTTP receiver of webhooks, registered by the host or by a
// customer's admin.
type Endpoint struct {
	// ID names the endpoint in retry state, logs and errors. Default: URL.
	ID string
	// URL is the absolute http or https URL the events are POSTed to.
	URL string
	// Secret is the endpoint's "whsec_…" signing secret (see [NewSecret]).
	Secret string
	// Types limits the endpoint to these event types. Empty: all types.
	Types []string
}

// key returns the endpoint's ID, or its URL when the ID is empty.
func (e Endpoint) key() string {
	if e.ID != "" {
		return e.ID
	}
	return e.URL
}

// wants reports whether the endpoint takes events of the type.
func (e Endpoint) wants(eventType string) bool {
	return len(e.Types) == 0 || slices.Contains(e.Types, eventType)
}

// validate checks the URL and the secret and returns the Signer.
func (e Endpoint) validate() (*Signer, error) {
	u, err := url.Parse(e.URL)
	if err != nil {
		return nil, fmt.Errorf("webhookkit: endpoint %q: URL: %w", e.key(), err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("webhookkit: endpoint %q: URL %q is not an absolute http(s) URL", e.key(), e.URL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("webhookkit: endpoint %q: URL carries credentials", e.key())
	}
	s, err := NewSigner(e.Secret)
	if err != nil {
		return nil, fmt.Errorf("webhookkit: endpoint %q: %w", e.key(), err)
	}
	return s, nil
}
