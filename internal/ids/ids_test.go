package ids

import (
	"sort"
	"testing"
	"time"
)

func TestNewIsSortableAndUnique(t *testing.T) {
	base := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	var list []string
	for i := 0; i < 1000; i++ {
		id := NewAt(Connection, base.Add(time.Duration(i)*time.Millisecond))
		if !HasPrefix(id, Connection) {
			t.Fatalf("HasPrefix(%q) = false", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		list = append(list, id)
	}
	if !sort.StringsAreSorted(list) {
		t.Fatal("ids made in time order do not sort in time order")
	}
}

func TestHasPrefixRejectsOtherShapes(t *testing.T) {
	good := New(User)
	for _, s := range []string{"", "diru_", good + "x", "dirg" + good[4:], "diru_" + "ILOU" + good[9:]} {
		if HasPrefix(s, User) {
			t.Errorf("HasPrefix(%q) = true", s)
		}
	}
}
