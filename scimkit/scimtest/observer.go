package scimtest

import "context"

// UserObserver is an optional ability of the store under test: it shows
// the suite which users the host holds, so that the suite checks state
// (one record per key after retries, deactivated but kept, deleted) and
// not only the errors the methods return. [scimkit.UserStore] has no read
// methods, so without it the suite checks return values only.
//
// Implement it in the host's test, on its own tables, reporting exactly
// what provisioning left there: a host that wrote a user twice must list
// it twice.
type UserObserver interface {
	// ObservedUsers lists every user record the host holds for the
	// directory (the directory id the kit passed in [scimkit.User]), in
	// any order.
	ObservedUsers(ctx context.Context, directoryID string) ([]ObservedUser, error)
}

// GroupObserver is [UserObserver] for hosts that keep groups: it shows the
// groups and their members.
type GroupObserver interface {
	// ObservedGroups lists every group record the host holds for the
	// directory, each with the SCIM ids of its members (one entry per
	// membership record the host holds), in any order.
	ObservedGroups(ctx context.Context, directoryID string) ([]ObservedGroup, error)
}

// ObservedUser is a user record as the host holds it.
type ObservedUser struct {
	ID       string // the SCIM id the record is keyed by ([scimkit.User.ID])
	UserName string // as last written from [scimkit.User.UserName]
	// Active is false once the user was deactivated: the host refuses
	// its sign-ins.
	Active bool
}

// ObservedGroup is a group record as the host holds it.
type ObservedGroup struct {
	ID          string   // the SCIM id ([scimkit.Group.ID])
	DisplayName string   // as last written from [scimkit.Group.DisplayName]
	Members     []string // SCIM user ids, one per membership record, any order
}
