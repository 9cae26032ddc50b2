package idpsim

import "errors"

// ConfigError reports an invalid [Config] field, [OIDCClient] or
// [SAMLServiceProvider]. It is returned by [New], [Simulator.AddClient] and
// [Simulator.AddServiceProvider], and by [ParseKeyPEM] for an unusable key.
type ConfigError struct {
	// Field names the offending field, e.g. "BaseURL" or
	// "Clients[0].RedirectURIs[1]".
	Field string
	// Err says what is wrong with it.
	Err error
}

// Error returns "idpsim: invalid <Field>: <reason>".
func (e *ConfigError) Error() string {
	return "idpsim: invalid " + e.Field + ": " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *ConfigError) Unwrap() error { return e.Err }

// ErrDuplicate is the reason of a [ConfigError] for a client ID or service
// provider entity ID given twice in one [Config]. (Adding an existing one at
// run time replaces it instead.)
var ErrDuplicate = errors.New("duplicate")
