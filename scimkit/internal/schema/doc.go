// Package schema holds the SCIM 2.0 attribute definitions (RFC 7643) that
// the filter and PATCH engines and the /Schemas and /ResourceTypes
// endpoints of scimkit work from: the core User with the enterprise
// extension, and Group.
//
//	rt := schema.UserResourceType()
//	ref, err := rt.ResolveName("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
//	doc, err := schema.SchemaJSON(rt.Schema, "https://app.example/scim/v2")
//
// Decisions:
//
//   - Names are case-insensitive everywhere (RFC 7643 §2.1); values written
//     by the kit use the canonical case of the definition.
//   - Fully qualified names are understood: "urn:…:core:2.0:User:userName",
//     and for extensions the colon form that Entra sends,
//     "urn:…:enterprise:2.0:User:employeeNumber". An unqualified name that
//     only an extension defines ("department") resolves to it, leniently.
//   - Attributes of an extension the kit does not know (an IdP's custom
//     "urn:…:extension:acme:2.0:User:badge") resolve to [TypeAny] attributes:
//     their values are kept as sent, so GET returns what the IdP wrote,
//     less any "password" key ([ResourceType.Scrub]). Unknown attributes of
//     known schemas do not resolve ([*PathError]), nor do URNs under
//     "urn:ietf:params:scim:schemas:core:" other than the type's own: a core
//     schema is never an unknown extension.
//   - A key equal to the core schema URN whose value is an object
//     ({"urn:…:core:2.0:User": {"userName": …}}) is a container of core
//     attributes, read as if its keys were at the top level.
//   - id, externalId and meta are the common attributes of RFC 7643 §3.1:
//     they resolve on every resource type but are not listed in the
//     rendered schemas.
//   - Group displayName is marked uniqueness "server" (the kit keeps it
//     unique per directory, case-insensitively); members.value is
//     case-exact because it holds ids the kit assigns.
//   - password is writeOnly and returned "never": [Attribute.Secret] is true
//     for it and [ResourceType.Normalize] drops it, so it is never stored.
//
// Definitions are built fresh by each constructor (no package-level mutable
// state); a built [ResourceType] is read-only and safe for concurrent use.
package schema
