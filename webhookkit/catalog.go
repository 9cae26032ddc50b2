package webhookkit

// The event catalogue: the types of events the kit writes to the outbox.
// The names are those scimkit and ssokit emit (this package imports
// neither, so they are repeated here; a test in the kit checks they agree).
//
// Directory events carry the normalized resource in Payload.Data: a SCIM
// user or group as scimkit stores it, or for membership events the group
// and the user.
const (
	EventDirectoryUserCreated      = "organization.directory.user_created"
	EventDirectoryUserUpdated      = "organization.directory.user_updated"
	EventDirectoryUserDeleted      = "organization.directory.user_deleted"
	EventDirectoryGroupCreated     = "organization.directory.group_created"
	EventDirectoryGroupUpdated     = "organization.directory.group_updated"
	EventDirectoryGroupDeleted     = "organization.directory.group_deleted"
	EventDirectoryGroupUserAdded   = "organization.directory.group.user_added"
	EventDirectoryGroupUserRemoved = "organization.directory.group.user_removed"
	EventDirectoryEnabled          = "organization.directory_enabled"
	EventDirectoryDisabled         = "organization.directory_disabled"
)

// SSO connection events. The store package appends the lifecycle events
// (named as Scalekit names them) in the transaction of the connection
// change: organization.sso_created when a connection is created (whatever
// its status), organization.sso_enabled and organization.sso_disabled when
// its status changes to active or inactive, organization.sso_deleted when it
// is deleted. Their Payload.Data is {"id", "organization_id", "type",
// "provider", "name", "status"}, never the IdP settings. ssokit emits
// EventSAMLCertificateRenewalRequired when the last IdP signing certificate
// of a SAML connection nears its expiry.
const (
	EventSSOCreated                     = "organization.sso_created"
	EventSSOEnabled                     = "organization.sso_enabled"
	EventSSODisabled                    = "organization.sso_disabled"
	EventSSODeleted                     = "organization.sso_deleted"
	EventSAMLCertificateRenewalRequired = "connection.saml_certificate_renewal_required"
)

// EventTypes lists the catalogue, for hosts that show a choice of event
// types per endpoint. It returns a new slice on each call.
func EventTypes() []string {
	return []string{
		EventDirectoryUserCreated, EventDirectoryUserUpdated, EventDirectoryUserDeleted,
		EventDirectoryGroupCreated, EventDirectoryGroupUpdated, EventDirectoryGroupDeleted,
		EventDirectoryGroupUserAdded, EventDirectoryGroupUserRemoved,
		EventDirectoryEnabled, EventDirectoryDisabled,
		EventSSOCreated, EventSSOEnabled, EventSSODisabled, EventSSODeleted,
		EventSAMLCertificateRenewalRequired,
	}
}
