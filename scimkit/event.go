package scimkit

import (
	"encoding/json"
	"time"
)

// The event types the server writes to the outbox, one per change, in the
// transaction of the change (DESIGN §6). The data of user events is a
// [User], of group events a [Group], of membership events a
// [MembershipEvent].
const (
	EventUserCreated      = "organization.directory.user_created"
	EventUserUpdated      = "organization.directory.user_updated"
	EventUserDeleted      = "organization.directory.user_deleted"
	EventGroupCreated     = "organization.directory.group_created"
	EventGroupUpdated     = "organization.directory.group_updated"
	EventGroupDeleted     = "organization.directory.group_deleted"
	EventGroupUserAdded   = "organization.directory.group.user_added"
	EventGroupUserRemoved = "organization.directory.group.user_removed"
)

// Event is one entry the server appends to the event outbox through
// [Store.AppendDirectoryEvent]. The store gives it its id.
type Event struct {
	Type           string
	OrganizationID string
	DirectoryID    string
	Data           json.RawMessage // JSON of a User, Group or MembershipEvent
	OccurredAt     time.Time
}

// MembershipEvent is the data of the group.user_added and
// group.user_removed events. Deleting a user or a group ends its
// memberships without membership events: the user_deleted or
// group_deleted event implies them.
type MembershipEvent struct {
	DirectoryID    string `json:"directory_id"`
	OrganizationID string `json:"organization_id"`
	Group          *Group `json:"group"`
	// User is the member; for a removal it may carry only ID and
	// DirectoryID when the user no longer exists.
	User *User `json:"user"`
}
