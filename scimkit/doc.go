// Package scimkit serves SCIM 2.0 (RFC 7643, RFC 7644) so that a customer's
// identity provider (Entra ID, Okta, …) provisions users and groups straight
// into the host application, and gives the host a Directory API to read
// them.
//
//	srv, err := scimkit.New(scimkit.Config{Store: st, Users: myUsers})
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv.Handler()))
//	dir, token, err := srv.CreateDirectory(ctx, orgID, "Okta", scimkit.DialectOkta)
//
// # Decisions
//
// Tenancy. One base URL serves every directory; the bearer token of a
// request selects its directory ([Server.Authenticate]). Tokens are 256
// random bits with the prefix "ghscim_", shown once; the store keeps their
// SHA-256, found by hash and compared again with
// crypto/subtle.ConstantTimeCompare. [Server.RotateToken] makes a new token
// and lets the old ones live for an overlap. LastUsedAt is written at most
// once per [Config.TokenUseInterval]. A token in the query string, a
// missing or unknown token are 401 with WWW-Authenticate: Bearer
// realm="scim"; a disabled directory is 403. Every store call is scoped to
// the token's directory, so another directory's ids are 404, its users
// cannot become members (400), and filters never see them. The discovery
// endpoints need a token too.
//
// Storage. The kit keeps every resource ([Store]): GET returns what was
// stored, normalized (canonical attribute names, coerced values), without
// read-only attributes sent by the client (id, meta, groups) and without
// password, which is never stored, returned or put in events. Group members
// are rows of a membership table, never part of the stored resource.
//
// Writes. Each change runs in one store transaction ([Store.SCIMTx]) that
// writes the resource, appends its event to the outbox
// ([Store.AppendDirectoryEvent]) and calls the host's [UserStore]; an
// error anywhere rolls all of it back. A host whose users live in the same
// database implements [TxUserStore] and writes through the same *sql.Tx.
// Users are updated with an optimistic version check and retried when a
// concurrent writer won; groups are locked first ([Store.LockGroup]) so
// that concurrent membership changes of one group queue instead of
// retrying. PATCH is the pure function of internal/patch applied to the
// stored resource; member operations are split off (patch.MemberOps) and
// become a delta of membership rows, so adding one member to a group of
// any size writes one row. A write that changes nothing writes nothing
// (no version bump, no event).
//
// Events. organization.directory.user_created, user_updated, user_deleted,
// group_created, group_updated, group_deleted, group.user_added and
// group.user_removed, with a [User], [Group] or [MembershipEvent] as data;
// organization.directory_enabled and _disabled from
// [Server.SetDirectoryEnabled]. Deleting a user or group ends its
// memberships without membership events.
//
// Responses. ETags are weak, W/"<version>"; If-Match (412) is honoured by
// PUT, PATCH and DELETE, If-None-Match (304) by GET. PATCH of a user
// answers 200 with the resource (204 in the entra dialect); PATCH of a
// group answers 204 unless the request asks for attributes or
// excludedAttributes, because returning a large group's members on every
// change would make its cost grow with the group. GET of a group returns
// all its members unless excludedAttributes=members; a user's "groups" are
// returned by GET /Users/{id} and, in lists, only when attributes names
// them. Lists without a filter or sortBy are paged by the store in id
// (creation) order.
//
// Filters. The grammar is RFC 7644's (internal/filter, on
// github.com/scim2/filter-parser/v2) with every operator, and/or/not and
// value paths. Equality on id, userName, externalId, emails.value
// (also emails[type eq "work"].value) and group displayName is an index
// lookup; any other filter, and any sortBy, scans the directory in pages
// and is refused with 400 tooMany beyond [Config.MaxFilterScan] resources.
// Anything unparsable is 400 invalidFilter.
//
// Limits. Bodies over [Config.MaxBodyBytes] are 413, nesting beyond
// [Config.MaxJSONDepth] and more than [Config.MaxPatchOperations] PATCH
// operations are 400, count is capped at [Config.MaxCount] (advertised as
// filter.maxResults), count < 0 is 0, startIndex < 1 is 1. Content types
// other than application/scim+json and application/json are 415.
//
// Dialects. Everything clients are known to send that harms no RFC client
// is accepted for every directory: capitalized PATCH ops, "True"/"False"
// strings, Entra's colon paths and dotted keys, manager as a string,
// filtered paths on absent attributes, member removal with a value list,
// Okta's path-less replace, "displayName" for a member's display,
// /serviceConfiguration as an alias of /ServiceProviderConfig, and
// attributes=emails[type eq "work"] (the filter is ignored). What would be
// wrong for an RFC client depends on [Directory.Dialect]; see [DialectEntra]
// and [DialectOkta]: 204 for PATCH, unquoted filter values and skipped
// unknown members (entra), PUT without active keeping the stored value
// (okta).
//
// Not supported: /Bulk and /Me (501), nested groups (members must be users
// of the directory), changePassword.
package scimkit
