// Package filter parses and evaluates SCIM 2.0 filters (RFC 7644
// §3.4.2.2) for the scimkit server, over the grammar of
// github.com/scim2/filter-parser/v2.
//
//	f, err := filter.Parse(r.URL.Query().Get("filter"), schema.UserResourceType(), filter.Limits{})
//	if err != nil { /* 400 invalidFilter */ }
//	if l, ok := f.Lookup(); ok { /* fetch candidates by l.Attribute = l.Value, keep those f.Match accepts */ }
//
// Decisions:
//
//   - Limits first. Length, nesting depth and the number of terms are
//     measured by a linear scan before the parser runs, so a 10 kB filter or
//     1 000 nested parentheses cost microseconds, not a deep parse (security
//     anchor F.116). Every failure is an [*Error], which the server answers
//     with 400 and scimType "invalidFilter" ([ScimType]).
//   - The filter is bound to the schema at parse time: unknown attributes,
//     password (returned "never"), gt/ge/lt/le on booleans and binaries,
//     co/sw/ew on numbers and booleans, and compare values of the wrong type
//     are refused there, so Match cannot fail. Compare values are coerced
//     where clients are known to be loose: "True" for a boolean.
//   - Match follows the schema: caseExact decides string comparison
//     (userName and emails.value fold case, id and externalId do not),
//     dateTime values compare as instants, multi-valued attributes match
//     when any value matches, and attribute names match JSON keys
//     case-insensitively. Match walks the tree once per value, so its cost
//     is linear in resource size times the number of terms.
//   - Entra matches users with `emails[type eq "work"].value eq "x"`, which
//     the RFC grammar does not allow; Parse reads it as
//     `emails[type eq "work" and value eq "x"]`.
//   - Parse does not URL-decode. The server decodes the query string once;
//     the "%40" that Entra's validator puts in a raw query becomes "@" then.
//     A "%" still present after that is data (decoding twice would corrupt
//     legitimate values and Entra's provisioning does not double-encode).
//   - Grammar limits inherited from filter-parser v2.3.1: a value filter
//     inside brackets holds at most two expressions joined by one and/or
//     (`emails[type eq "work" and value co "@x"]`), and "\u" escapes need
//     upper-case hex digits. Such filters are refused as invalidFilter.
//   - Parsing costs about a millisecond for a typical filter and some
//     15 ms for 100 terms (the parser's combinators dominate); see the
//     benchmarks.
//
// [Filter] values are immutable and safe for concurrent use.
package filter
