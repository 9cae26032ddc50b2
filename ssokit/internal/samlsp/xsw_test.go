package samlsp

import (
	"crypto/x509"
	"testing"

	"github.com/beevik/etree"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// Signature wrapping (security.md items 3–12). Each transformation follows
// the description of SAML Raider's applyXSW1..8 and is applied to a document
// after the IdP signed it. Every case is checked twice: through Validate,
// for its exact reason, and through gosaml2 alone (runLibrary, without our
// pre-scan), to show which layer stops it.

const evilNameID = "attacker@evil.example"

// evilize turns a copy of the signed assertion into the attacker's: new ID,
// attacker NameID, no signature.
func evilize(t testing.TB, a *etree.Element) {
	t.Helper()
	a.RemoveAttr("ID")
	a.CreateAttr("ID", "_evil_copy")
	mustFind(t, a, "NameID").SetText(evilNameID)
	if sig := child(a, "Signature"); sig != nil {
		a.RemoveChild(sig)
	}
}

// retarget edits the signed assertion in place (new ID, attacker NameID) but
// keeps its signature, which still references the old ID.
func retarget(t testing.TB, a *etree.Element) {
	t.Helper()
	a.RemoveAttr("ID")
	a.CreateAttr("ID", "_evil_assertion")
	mustFind(t, a, "NameID").SetText(evilNameID)
}

func withoutSignature(el *etree.Element) *etree.Element {
	c := el.Copy()
	if sig := child(c, "Signature"); sig != nil {
		c.RemoveChild(sig)
	}
	return c
}

func assertionOf(t testing.TB, doc *etree.Document) *etree.Element {
	t.Helper()
	a := child(doc.Root(), "Assertion")
	if a == nil {
		t.Fatal("no assertion")
	}
	return a
}

type wrapCase struct {
	name  string
	shape func() *samlidp.Response
	apply func(t testing.TB, doc *etree.Document)
	want  Reason
	// libraryAccepts marks documents gosaml2 on its own would accept; our
	// checks are then the only defence, which is why they exist.
	libraryAccepts bool
}

func bothSigned() *samlidp.Response { return goodResponse() }

func assertionSigned() *samlidp.Response {
	r := goodResponse()
	r.SignResponse = false
	return r
}

func responseSigned() *samlidp.Response {
	r := goodResponse()
	r.SignAssertion = false
	return r
}

// xsw1: a new root Response with evil content whose Signature holds a clone
// of the original signed Response.
func xsw1(t testing.TB, doc *etree.Document) {
	root := doc.Root()
	orig := withoutSignature(root)
	sig := child(root, "Signature")
	root.RemoveAttr("ID")
	root.CreateAttr("ID", "_evil_response")
	evilize(t, assertionOf(t, doc))
	sig.AddChild(orig)
}

// xsw2: like xsw1, with the clone as a sibling before the Signature.
func xsw2(t testing.TB, doc *etree.Document) {
	root := doc.Root()
	orig := withoutSignature(root)
	sig := child(root, "Signature")
	root.RemoveAttr("ID")
	root.CreateAttr("ID", "_evil_response")
	evilize(t, assertionOf(t, doc))
	root.InsertChildAt(sig.Index(), orig)
}

// xsw3: an unsigned evil assertion before the signed one.
func xsw3(t testing.TB, doc *etree.Document) {
	a := assertionOf(t, doc)
	evil := a.Copy()
	evilize(t, evil)
	doc.Root().InsertChildAt(a.Index(), evil)
}

// xsw4: an evil assertion that wraps the signed one as its child.
func xsw4(t testing.TB, doc *etree.Document) {
	root := doc.Root()
	a := assertionOf(t, doc)
	idx := a.Index()
	evil := a.Copy()
	evilize(t, evil)
	root.RemoveChild(a)
	evil.AddChild(a)
	root.InsertChildAt(idx, evil)
}

// xsw5: the signed assertion is edited (new ID, kept signature) and an
// unsigned copy of the original is appended.
func xsw5(t testing.TB, doc *etree.Document) {
	a := assertionOf(t, doc)
	orig := withoutSignature(a)
	retarget(t, a)
	doc.Root().AddChild(orig)
}

// xsw6: the edited assertion keeps its signature, inside which an unsigned
// copy of the original is nested.
func xsw6(t testing.TB, doc *etree.Document) {
	a := assertionOf(t, doc)
	orig := withoutSignature(a)
	retarget(t, a)
	child(a, "Signature").AddChild(orig)
}

// xsw7: an evil assertion inside samlp:Extensions before the original.
func xsw7(t testing.TB, doc *etree.Document) {
	a := assertionOf(t, doc)
	evil := a.Copy()
	evilize(t, evil)
	ext := etree.NewElement("samlp:Extensions")
	ext.AddChild(evil)
	doc.Root().InsertChildAt(a.Index(), ext)
}

// xsw8: the edited assertion keeps its signature, with a copy of the
// original inside a ds:Object of that signature.
func xsw8(t testing.TB, doc *etree.Document) {
	a := assertionOf(t, doc)
	orig := withoutSignature(a)
	retarget(t, a)
	obj := etree.NewElement("ds:Object")
	obj.AddChild(orig)
	child(a, "Signature").AddChild(obj)
}

func TestSignatureWrapping(t *testing.T) {
	t.Parallel()
	cases := []wrapCase{
		{name: "3 XSW1 response signed", shape: responseSigned, apply: xsw1, want: ReasonMultipleAssertions},
		{name: "3 XSW1 both signed", shape: bothSigned, apply: xsw1, want: ReasonMultipleAssertions},
		{name: "4 XSW2 response signed", shape: responseSigned, apply: xsw2, want: ReasonMultipleAssertions},
		{name: "4 XSW2 both signed", shape: bothSigned, apply: xsw2, want: ReasonMultipleAssertions},
		{name: "5 XSW3 assertion signed", shape: assertionSigned, apply: xsw3, want: ReasonMultipleAssertions},
		{name: "5 XSW3 both signed", shape: bothSigned, apply: xsw3, want: ReasonMultipleAssertions},
		{name: "6 XSW4 assertion signed", shape: assertionSigned, apply: xsw4, want: ReasonMultipleAssertions},
		{name: "6 XSW4 both signed", shape: bothSigned, apply: xsw4, want: ReasonMultipleAssertions},
		{name: "7 XSW5 assertion signed", shape: assertionSigned, apply: xsw5, want: ReasonMultipleAssertions},
		{name: "7 XSW5 both signed", shape: bothSigned, apply: xsw5, want: ReasonMultipleAssertions},
		{name: "8 XSW6 assertion signed", shape: assertionSigned, apply: xsw6, want: ReasonMultipleAssertions},
		{name: "8 XSW6 both signed", shape: bothSigned, apply: xsw6, want: ReasonMultipleAssertions},
		{name: "9 XSW7 assertion signed", shape: assertionSigned, apply: xsw7, want: ReasonMultipleAssertions},
		{name: "9 XSW7 both signed", shape: bothSigned, apply: xsw7, want: ReasonMultipleAssertions},
		{name: "10 XSW8 assertion signed", shape: assertionSigned, apply: xsw8, want: ReasonMultipleAssertions},
		{name: "10 XSW8 both signed", shape: bothSigned, apply: xsw8, want: ReasonMultipleAssertions},

		// One assertion, but out of the signature's reach.
		{name: "9 only assertion moved into Extensions", shape: assertionSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				a := assertionOf(t, doc)
				doc.Root().RemoveChild(a)
				ext := doc.Root().CreateElement("samlp:Extensions")
				ext.AddChild(a)
			}},
		{name: "8 only assertion moved into response Signature", shape: responseSigned, want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				a := assertionOf(t, doc)
				doc.Root().RemoveChild(a)
				child(doc.Root(), "Signature").AddChild(a)
			}},
		{name: "11 response signature copied into assertion Object, assertion ID changed", shape: responseSigned,
			want: ReasonBadSignature,
			apply: func(t testing.TB, doc *etree.Document) {
				a := assertionOf(t, doc)
				retarget(t, a)
				obj := a.CreateElement("ds:Object")
				obj.CreateAttr("xmlns:ds", nsDSig)
				obj.AddChild(child(doc.Root(), "Signature").Copy())
			}},
		{name: "11 second unsigned assertion next to a signed one", shape: bothSigned, want: ReasonMultipleAssertions,
			apply: func(t testing.TB, doc *etree.Document) {
				evil := assertionOf(t, doc).Copy()
				evilize(t, evil)
				doc.Root().AddChild(evil)
			}},
		{name: "12 two individually signed assertions", shape: assertionSigned, want: ReasonMultipleAssertions,
			libraryAccepts: true,
			apply: func(t testing.TB, doc *etree.Document) {
				other := assertionSigned()
				other.NameID = evilNameID
				od := buildDoc(t, other, idpKey(t))
				doc.Root().AddChild(assertionOf(t, od).Copy())
			}},
		{name: "12 two signed assertions, attacker's first", shape: assertionSigned, want: ReasonMultipleAssertions,
			libraryAccepts: true,
			apply: func(t testing.TB, doc *etree.Document) {
				other := assertionSigned()
				other.NameID = evilNameID
				od := buildDoc(t, other, idpKey(t))
				a := assertionOf(t, doc)
				doc.Root().InsertChildAt(a.Index(), assertionOf(t, od).Copy())
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := buildDoc(t, tc.shape(), idpKey(t))
			tc.apply(t, doc)
			resp := encodeDoc(t, doc)
			s := testSettings(t)
			a := expectReason(t, s, resp, solicited, testNow, tc.want)
			if a != nil {
				t.Fatalf("wrapped document accepted as %q", a.NameID)
			}

			// gosaml2 alone, with the connection's settings but none of
			// our checks.
			libResp, err := s.runLibrary(resp, []*x509.Certificate{idpKey(t).Certificate}, nil, testNow)
			switch {
			case tc.libraryAccepts && err != nil:
				t.Errorf("gosaml2 alone rejected it (%v); the case no longer shows why our count check exists", err)
			case !tc.libraryAccepts && err == nil:
				t.Errorf("gosaml2 alone accepted it (assertions: %d)", len(libResp.Assertions))
			case err != nil:
				t.Logf("gosaml2 alone: %v", err)
			}
		})
	}
}

// The assertion Validate returns is the one the signature covered, never a
// sibling: a signed Response whose signed assertion is intact, plus an
// attacker's copy in a place gosaml2 ignores, still fails as a whole.
func TestWrappedCopyNeverRead(t *testing.T) {
	t.Parallel()
	doc := buildDoc(t, responseSigned(), idpKey(t))
	a := assertionOf(t, doc)
	evil := a.Copy()
	evilize(t, evil)
	// After the signed element, where "first match" readers would not look
	// but "last match" readers would.
	doc.Root().AddChild(evil)
	expectReason(t, testSettings(t), encodeDoc(t, doc), solicited, testNow, ReasonMultipleAssertions)
}
