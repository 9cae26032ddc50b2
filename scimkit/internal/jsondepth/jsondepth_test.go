package jsondepth

import "testing"

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{``, 0},
		{`"x"`, 0},
		{`{}`, 1},
		{`{"a":[1,{"b":[]}]}`, 4},
		{`{"a":"[[[{{{"}`, 1},
		{`{"a":"\"[[["}`, 1},
		{`[[[`, 3},
		{`]]]{`, 0}, // malformed: the decoder reports it
	} {
		if got := Of([]byte(tc.in)); got != tc.want {
			t.Errorf("Of(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
