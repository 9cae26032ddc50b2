// Package scimkit serves SCIM 2.0 (RFC 7643, RFC 7644) so that a customer's
// identity provider can provision users and groups straight into the host
// application.
//
// This package currently holds the data model and the storage contract that
// the store package implements; the /scim/v2 handler, the provider dialects
// and the Directory API arrive with their issue.
package scimkit
