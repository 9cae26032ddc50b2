package samlsp

import (
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// verified is what checkVerified judges: the Response's attributes and
// children, and its one Assertion, read from the elements verify returned.
// A field of an element that was absent is its zero value; the has* fields
// tell absence from emptiness where the checks need it.
type verified struct {
	responseSigned  bool
	assertionSigned bool

	destination, inResponseTo, version string
	issuer                             string // "" when absent
	statusCode                         string // "" when Status or StatusCode is absent

	a assertionData
}

type assertionData struct {
	id, version string
	issuer      string

	nameID, nameIDFormat string

	method          string // "" when Subject or SubjectConfirmation is absent
	hasSCD          bool
	scdNotBefore    string
	scdNotOnOrAfter string
	recipient       string
	scdInResponseTo string

	hasConditions           bool
	notBefore, notOnOrAfter string
	audiences               [][]string // one slice per AudienceRestriction

	hasAuthn                          bool
	sessionIndex                      string
	authnInstant, sessionNotOnOrAfter time.Time
	classRef                          string

	attributes []attribute
}

type attribute struct {
	name, friendlyName string
	values             []string
}

// read fills v from the Response element resp and the Assertion element a.
// An element the checks rely on must appear at most once where it is
// expected; a second Issuer, Subject or Conditions is refused as malformed
// rather than read first-wins or last-wins, and so is a second
// AuthnStatement, AuthnContext, AuthnContextClassRef or AttributeValue
// NameID. Timestamps that gosaml2
// unmarshalled into time.Time must parse when present.
func (v *verified) read(resp, a *etree.Element) *Error {
	v.destination = attrValue(resp, "Destination")
	v.inResponseTo = attrValue(resp, "InResponseTo")
	v.version = attrValue(resp, "Version")
	if e := checkInstant(resp, "IssueInstant"); e != nil {
		return e
	}
	issuer, e := onlyChild(resp, nsAssertion, "Issuer")
	if e != nil {
		return e
	}
	if issuer != nil {
		v.issuer = textOf(issuer)
	}
	status, e := onlyChild(resp, nsProtocol, "Status")
	if e != nil {
		return e
	}
	if status != nil {
		code, e := onlyChild(status, nsProtocol, "StatusCode")
		if e != nil {
			return e
		}
		if code != nil {
			v.statusCode = attrValue(code, "Value")
		}
	}
	return v.a.read(a)
}

func (d *assertionData) read(a *etree.Element) *Error {
	d.id = attrValue(a, "ID")
	d.version = attrValue(a, "Version")
	if e := checkInstant(a, "IssueInstant"); e != nil {
		return e
	}
	issuer, e := onlyChild(a, nsAssertion, "Issuer")
	if e != nil {
		return e
	}
	if issuer != nil {
		d.issuer = textOf(issuer)
	}

	subject, e := onlyChild(a, nsAssertion, "Subject")
	if e != nil {
		return e
	}
	if subject != nil {
		nameID, e := onlyChild(subject, nsAssertion, "NameID")
		if e != nil {
			return e
		}
		if nameID != nil {
			d.nameID = textOf(nameID)
			d.nameIDFormat = attrValue(nameID, "Format")
		}
		conf, e := onlyChild(subject, nsAssertion, "SubjectConfirmation")
		if e != nil {
			return e
		}
		if conf != nil {
			d.method = attrValue(conf, "Method")
			scd, e := onlyChild(conf, nsAssertion, "SubjectConfirmationData")
			if e != nil {
				return e
			}
			if scd != nil {
				d.hasSCD = true
				d.scdNotBefore = attrValue(scd, "NotBefore")
				d.scdNotOnOrAfter = attrValue(scd, "NotOnOrAfter")
				d.recipient = attrValue(scd, "Recipient")
				d.scdInResponseTo = attrValue(scd, "InResponseTo")
			}
		}
	}

	cond, e := onlyChild(a, nsAssertion, "Conditions")
	if e != nil {
		return e
	}
	if cond != nil {
		d.hasConditions = true
		d.notBefore = attrValue(cond, "NotBefore")
		d.notOnOrAfter = attrValue(cond, "NotOnOrAfter")
		for _, ar := range cond.ChildElements() {
			if !isElement(ar, nsAssertion, "AudienceRestriction") {
				continue
			}
			var auds []string
			for _, au := range ar.ChildElements() {
				if isElement(au, nsAssertion, "Audience") {
					auds = append(auds, textOf(au))
				}
			}
			d.audiences = append(d.audiences, auds)
		}
	}

	for _, c := range a.ChildElements() {
		switch {
		case isElement(c, nsAssertion, "AuthnStatement"):
			if d.hasAuthn {
				// AuthnInstant decides forced re-authentication: one only.
				return fail(ReasonMalformed, "samlsp: Assertion holds more than one AuthnStatement")
			}
			d.hasAuthn = true
			d.sessionIndex = attrValue(c, "SessionIndex")
			var e *Error
			if d.authnInstant, e = instant(c, "AuthnInstant"); e != nil {
				return e
			}
			if d.sessionNotOnOrAfter, e = instant(c, "SessionNotOnOrAfter"); e != nil {
				return e
			}
			ctx, e := onlyChild(c, nsAssertion, "AuthnContext")
			if e != nil {
				return e
			}
			if ctx != nil {
				ref, e := onlyChild(ctx, nsAssertion, "AuthnContextClassRef")
				if e != nil {
					return e
				}
				if ref != nil {
					d.classRef = strings.TrimSpace(textOf(ref))
				}
			}
		case isElement(c, nsAssertion, "AttributeStatement"):
			for _, at := range c.ChildElements() {
				if !isElement(at, nsAssertion, "Attribute") {
					continue
				}
				attr, e := readAttribute(at)
				if e != nil {
					return e
				}
				d.attributes = append(d.attributes, attr)
			}
		}
	}
	return nil
}

// readAttribute reads an Attribute's names and values. A value is its text,
// or the text of the NameID it holds (eduPersonTargetedID), trimmed.
func readAttribute(at *etree.Element) (attribute, *Error) {
	out := attribute{name: attrValue(at, "Name"), friendlyName: attrValue(at, "FriendlyName")}
	for _, val := range at.ChildElements() {
		if !isElement(val, nsAssertion, "AttributeValue") {
			continue
		}
		n, e := onlyChild(val, nsAssertion, "NameID")
		if e != nil {
			return attribute{}, e
		}
		if n != nil {
			out.values = append(out.values, strings.TrimSpace(textOf(n)))
			continue
		}
		out.values = append(out.values, strings.TrimSpace(textOf(val)))
	}
	return out, nil
}

// onlyChild returns el's child uri:local, nil when there is none, and a
// malformed error when there are several.
func onlyChild(el *etree.Element, uri, local string) (*etree.Element, *Error) {
	var found *etree.Element
	for _, c := range el.ChildElements() {
		if !isElement(c, uri, local) {
			continue
		}
		if found != nil {
			return nil, fail(ReasonMalformed, fmt.Sprintf("samlsp: %s holds more than one %s", el.Tag, local))
		}
		found = c
	}
	return found, nil
}

// attrValue returns the value of el's unprefixed attribute key, or "".
// (etree's SelectAttr would also match the key in any namespace.)
func attrValue(el *etree.Element, key string) string {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value
		}
	}
	return ""
}

// textOf is all the character data directly inside el, in order, comments
// skipped: a comment cannot truncate a NameID (security.md item 13) the
// way etree's Text, which stops at the first child element, could.
func textOf(el *etree.Element) string {
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// instant parses el's attribute key as an xs:dateTime; zero when absent.
func instant(el *etree.Element, key string) (time.Time, *Error) {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			var t time.Time
			if err := t.UnmarshalText([]byte(a.Value)); err != nil {
				return time.Time{}, wrapFail(ReasonMalformed, fmt.Errorf("samlsp: %s %s %q: %w", el.Tag, key, a.Value, err))
			}
			return t, nil
		}
	}
	return time.Time{}, nil
}

func checkInstant(el *etree.Element, key string) *Error {
	_, e := instant(el, key)
	return e
}
