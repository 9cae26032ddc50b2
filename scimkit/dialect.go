package scimkit

import (
	"net/http"
	"strconv"
	"strings"
)

// The dialects a [Directory] may name.
const (
	DialectGeneric = "generic" // RFC 7643/7644 only
	DialectEntra   = "entra"   // Microsoft Entra ID provisioning and its validator
	DialectOkta    = "okta"    // Okta's SCIM 2.0 provisioning
)

// ValidDialect reports whether name is a dialect the server knows ("" is
// the generic one).
func ValidDialect(name string) bool {
	switch name {
	case "", DialectGeneric, DialectEntra, DialectOkta:
		return true
	}
	return false
}

// dialect holds what differs between SCIM clients. Everything the
// standard allows and clients are known to send (capitalized PATCH ops,
// "True"/"False" strings, Entra's colon paths and manager strings, Okta's
// path-less replace, wrapped single values, members removed with a value
// list) is accepted for every directory by the PATCH and schema engines:
// accepting it harms no RFC client. A dialect changes only what would be
// wrong for an RFC client:
//
//   - entra: PATCH answers 204 No Content (Microsoft's reference server and
//     test collection expect it; Entra itself accepts 200 or 204); filter
//     values may be unquoted words (`userName sw O`), as Microsoft's test
//     collection sends them; members that are not users of the directory
//     are skipped instead of failing the request (the collection adds
//     "string id 1" members).
//   - okta: a PUT that omits "active" keeps the stored value instead of
//     setting the user active (Okta's AIW apps send profile PUTs without
//     it; deactivation comes as PATCH active=false).
//   - generic: RFC 7644 to the letter: PATCH answers 200 with the
//     resource, a PUT without "active" makes the user active (the schema
//     default), unknown members are 400 invalidValue.
type dialect struct {
	name string
}

func dialectOf(d *Directory) dialect {
	if d == nil {
		return dialect{DialectGeneric}
	}
	switch d.Dialect {
	case DialectEntra, DialectOkta:
		return dialect{d.Dialect}
	}
	return dialect{DialectGeneric}
}

// patchStatus is the status of a successful PATCH: 204 without a body, or
// 200 with the resource.
func (d dialect) patchStatus() int {
	if d.name == DialectEntra {
		return http.StatusNoContent
	}
	return http.StatusOK
}

// skipUnknownMembers reports whether members that are not users of the
// directory are skipped.
func (d dialect) skipUnknownMembers() bool { return d.name == DialectEntra }

// putKeepsActive reports whether a PUT that omits active keeps the stored
// value.
func (d dialect) putKeepsActive() bool { return d.name == DialectOkta }

// filter rewrites a filter as the dialect's clients write it into RFC
// syntax.
func (d dialect) filter(text string) string {
	if d.name == DialectEntra {
		return quoteBareValues(text)
	}
	return text
}

var compareOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true}

// quoteBareValues quotes the comparison values of a filter that are bare
// words, such as Employee in `name.familyName eq Employee` or the dateTime
// in `meta.created gt 2015-10-10T14:38:21-07:00`. true, false, null and
// numbers stay as they are. Anything it does not understand is left for
// the parser to reject.
func quoteBareValues(s string) string {
	var b strings.Builder
	prevOp := false // the previous word was a comparison operator
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			b.WriteString(s[i:j])
			i, prevOp = j, false
		case c == ' ' || c == '\t' || c == '(' || c == ')' || c == '[' || c == ']':
			b.WriteByte(c)
			i++
			if c != ' ' && c != '\t' {
				prevOp = false
			}
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t()[]\"", rune(s[j])) {
				j++
			}
			word := s[i:j]
			if prevOp && !isLiteral(word) {
				b.WriteString(strconv.Quote(word))
			} else {
				b.WriteString(word)
			}
			prevOp = compareOps[strings.ToLower(word)]
			i = j
		}
	}
	return b.String()
}

func isLiteral(w string) bool {
	switch strings.ToLower(w) {
	case "true", "false", "null":
		return true
	}
	_, err := strconv.ParseFloat(w, 64)
	return err == nil
}
