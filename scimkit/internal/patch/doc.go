// Package patch implements SCIM 2.0 PATCH (RFC 7644 §3.5.2) as pure
// functions for the scimkit server: [ParseRequest] validates a request
// body, [Apply] returns the patched copy of a resource, and [MemberOps]
// turns a Group PATCH into a membership delta so that the server touches
// only the changed membership rows.
//
//	ops, err := patch.ParseRequest(body, patch.Limits{})
//	delta, rest, err := patch.MemberOps(ops, groupType) // Groups only
//	updated, err := patch.Apply(stored, rest, groupType)
//
// Every error is an [*Error] whose ScimType the server puts in the 400
// response; nothing is applied when an error is returned.
//
// Decisions (each has a test; the vendor shapes have fixtures under
// testdata/entra and testdata/okta):
//
//   - "schemas" may be absent from the body (several clients omit it);
//     when present it must name the PatchOp URN. Member names and op names
//     are case-insensitive: Entra without aadOptscim062020 sends "Replace".
//   - Read-only attributes. A path to one (id, meta, meta.version, groups
//     of a User, manager.displayName) fails with "mutability", as RFC 7644
//     §3.5.2 and its errata example do. Inside a path-less value object
//     they are dropped instead, because Okta's group rename sends the
//     group's id there. "schemas" is recomputed, never written.
//   - password is never stored: a path to it and the key in a value object
//     are dropped without error (Okta password sync must not fail), and the
//     result never carries it.
//   - Attributes the schema does not define are dropped from value objects
//     and are "invalidPath" in a path; attributes of unknown extension
//     schemas (urn:…) are kept as sent, less any "password" key. The core
//     schema URN, as a key of a value object or as the path, holds core
//     attributes handled as at the top level; other URNs under
//     "urn:ietf:params:scim:schemas:core:" are never extensions.
//   - Values are coerced by the schema: Entra's "True"/"False", single
//     values wrapped as [{"value": …}] or {"value": …}, manager as a plain
//     string, and path-less objects with dotted or colon-qualified keys.
//   - Filtered paths that match nothing: remove is a no-op (retries
//     converge); add and replace create the element when the filter is made
//     of "eq" terms joined by "and" (Entra's emails[type eq "work"].value on
//     a user without emails), else "noTarget".
//   - Multi-valued add appends without duplicates: elements are the same
//     when their "value" is equal (per caseExact) and, except for members,
//     their "type" does not differ. replace replaces the list; replace on a
//     complex single-valued attribute merges sub-attributes (RFC 7644
//     §3.5.2.3). Setting primary on one element clears it on the others.
//   - Removing a required attribute (userName, Group displayName) fails
//     with "invalidValue".
//   - Groups: a path-less replace without "members" (a rename) never
//     touches the membership. [MemberDelta.Replace] flags a full
//     replacement so the server can guard against mass removal.
//   - Limits: operation count, value size and JSON depth (checked before
//     decoding) are capped by [Limits]; paths are capped at the filter
//     length limit, and value filters go through the filter package's
//     limits and grammar.
//
// All functions are safe for concurrent use; Apply never modifies its
// input. The resource is expected as encoding/json decodes it.
package patch
