package filter

import (
	"bufio"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

// FuzzParse parses arbitrary filters and matches those that parse against a
// fixed resource: Parse must return a *Error or a Filter, never panic, and
// Match must not panic nor modify the resource.
func FuzzParse(f *testing.F) {
	file, err := os.Open("testdata/filters.txt")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		f.Add(sc.Text())
	}
	file.Close()
	user := loadUser(f)
	pristine := loadUser(f)
	rt := schema.UserResourceType()
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := Parse(s, rt, Limits{})
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) error %T %v is not a *Error", s, err, err)
			}
			return
		}
		flt.Match(user)
		flt.Lookup()
		if !reflect.DeepEqual(user, pristine) {
			t.Fatalf("Match(%q) modified the resource", s)
		}
	})
}
