package samlsp

import (
	"bytes"
	"testing"

	"github.com/beevik/etree"

	"github.com/gatehouse-go/gatehouse/ssokit/internal/samlidp"
)

// sameTree compares two etree documents token by token: kinds, names,
// attributes in order, text and its flags.
func sameTree(t testing.TB, want, got *etree.Element, path string) {
	t.Helper()
	if want.Space != got.Space || want.Tag != got.Tag {
		t.Fatalf("%s: element %s:%s, want %s:%s", path, got.Space, got.Tag, want.Space, want.Tag)
	}
	if len(want.Attr) != len(got.Attr) {
		t.Fatalf("%s: %d attributes, want %d", path, len(got.Attr), len(want.Attr))
	}
	for i := range want.Attr {
		w, g := want.Attr[i], got.Attr[i]
		if w.Space != g.Space || w.Key != g.Key || w.Value != g.Value {
			t.Fatalf("%s: attribute %d = %+v, want %+v", path, i, g, w)
		}
	}
	if len(want.Child) != len(got.Child) {
		t.Fatalf("%s: %d children, want %d", path, len(got.Child), len(want.Child))
	}
	for i := range want.Child {
		switch w := want.Child[i].(type) {
		case *etree.Element:
			g, ok := got.Child[i].(*etree.Element)
			if !ok {
				t.Fatalf("%s: child %d is %T, want an element", path, i, got.Child[i])
			}
			sameTree(t, w, g, path+"/"+w.Tag)
		case *etree.CharData:
			g, ok := got.Child[i].(*etree.CharData)
			if !ok || g.Data != w.Data || g.IsCData() != w.IsCData() || g.IsWhitespace() != w.IsWhitespace() {
				t.Fatalf("%s: child %d = %#v, want %#v", path, i, got.Child[i], w)
			}
		case *etree.Comment:
			g, ok := got.Child[i].(*etree.Comment)
			if !ok || g.Data != w.Data {
				t.Fatalf("%s: child %d = %#v, want %#v", path, i, got.Child[i], w)
			}
		case *etree.ProcInst:
			g, ok := got.Child[i].(*etree.ProcInst)
			if !ok || g.Target != w.Target || g.Inst != w.Inst {
				t.Fatalf("%s: child %d = %#v, want %#v", path, i, got.Child[i], w)
			}
		default:
			t.Fatalf("%s: child %d is %T", path, i, w)
		}
	}
}

// checkTree: when the pre-scan accepts raw, the document it built is the
// one etree's reader makes of raw.
func checkTree(t testing.TB, raw []byte) {
	t.Helper()
	sc, e := testSettings(t).prescan(raw)
	if e != nil {
		return
	}
	want := etree.NewDocument()
	if err := want.ReadFromBytes(raw); err != nil {
		t.Fatalf("etree refuses what the pre-scan accepted: %v", err)
	}
	sameTree(t, &want.Element, &sc.doc.Element, "")
	a, err := want.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	b, err := sc.doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("serializations differ:\n%s\n%s", a, b)
	}
}

func TestTreeMatchesEtree(t *testing.T) {
	t.Parallel()
	enc := encryptedResponse(t, samlidp.EncryptionAES256GCM, samlidp.EncryptedKeyRetrievalMethod)
	docs := [][]byte{
		mustDecode(t, build(t, goodResponse(), idpKey(t))),
		mustDecode(t, build(t, enc, idpKey(t))),
		[]byte("<?xml version=\"1.0\"?>\n<!-- c -->\n<samlp:Response xmlns:samlp=\"" + nsProtocol + "\" ID=\"_r\">\n  <a x=\"1\" p:y=\"&lt;2\" xmlns:p=\"urn:p\">t&amp;<![CDATA[<c>]]><!--n-->u</a>\r\n  <b/>\t</samlp:Response>\n"),
	}
	for _, raw := range docs {
		checkTree(t, raw)
	}
}

func FuzzTree(f *testing.F) {
	f.Add([]byte("<samlp:Response xmlns:samlp=\"" + nsProtocol + "\"><a> <![CDATA[x]]> </a></samlp:Response>"))
	f.Add([]byte("<?xml version=\"1.0\"?><samlp:Response xmlns:samlp=\"" + nsProtocol + "\" a=\"&#xD;\">\r\n<!--c--></samlp:Response>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkTree(t, raw)
	})
}
