package oidcrp

// WithExemptAddress returns o with the dial check letting address
// ("ip:port") through, so that a loopback test server can stand in for a
// public provider while every other non-public address stays refused.
func WithExemptAddress(o Options, address string) Options {
	o.exempt = func(a string) bool { return a == address }
	return o
}
