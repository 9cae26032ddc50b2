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

func TestNewIsMonotonicWithinAMillisecond(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	prev := NewAt(Event, at)
	for i := 0; i < 10000; i++ {
		// The same instant, and now and then an earlier one (a clock that
		// went back): every id still sorts after the one before.
		when := at
		if i%100 == 0 {
			when = at.Add(-time.Second)
		}
		id := NewAt(Event, when)
		if id <= prev {
			t.Fatalf("id %d: %q does not sort after %q", i, id, prev)
		}
		prev = id
	}
}
