package config

import (
	"slices"
	"testing"
)

// A banner sent in one piece (one line holding its lines) is judged as
// the banner: in effect when the device shows that text, whatever the
// delimiter typed; the lines after it keep their own verdicts and
// sections.
func TestCompareMultiLineBlock(t *testing.T) {
	c := Parse(Lookup("cisco_ios"), "hostname r1\n!\nbanner motd ^C\nhello\nworld\n^C\n!\ninterface Gi0/1\n description up\n!\nend\n")
	for _, tc := range []struct {
		lines   []string
		pending []int
		send    []int
	}{
		{[]string{"banner motd ^C\nhello\nworld\n^C"}, nil, nil},
		{[]string{"banner motd #\nhello\nworld\n#"}, nil, nil},
		{[]string{"banner motd ^C\nbye\n^C"}, []int{0}, []int{0}},
		{[]string{"banner motd ^C\nbye\n^C", "interface Gi0/1", " description up", " shutdown"}, []int{0, 3}, []int{0, 1, 3}},
		{[]string{"hostname r1", "banner motd ^C\nhello\nworld\n^C", "hostname r2"}, []int{2}, []int{2}},
	} {
		cmp := c.Compare(tc.lines)
		if got := cmp.Pending(); !slices.Equal(got, tc.pending) {
			t.Errorf("%q: pending %v, want %v", tc.lines, got, tc.pending)
		}
		if got := cmp.Send(); !slices.Equal(got, tc.send) {
			t.Errorf("%q: send %v, want %v", tc.lines, got, tc.send)
		}
		if len(cmp.Lines) != len(tc.lines) {
			t.Fatalf("%d lines judged for %d given", len(cmp.Lines), len(tc.lines))
		}
		for i, l := range cmp.Lines {
			if l.Index != i {
				t.Errorf("line %d has index %d", i, l.Index)
			}
		}
	}
}

// IOS-XR shows "ntp server X", typed flat, under "ntp": in effect.
func TestCompareXRFlatLinesShownNested(t *testing.T) {
	c := Parse(Lookup("cisco_xr"), "hostname xr1\nntp\n server 10.0.1.100\n!\nend\n")
	if got := c.Compare([]string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"}).Pending(); !slices.Equal(got, []int{1}) {
		t.Errorf("pending %v, want [1]", got)
	}
	// Not on IOS: there the device would show the flat line.
	ios := Parse(Lookup("cisco_ios"), "hostname r1\nntp\n server 10.0.1.100\n!\nend\n")
	if got := ios.Compare([]string{"ntp server 10.0.1.100"}).Pending(); !slices.Equal(got, []int{0}) {
		t.Errorf("ios pending %v, want [0]", got)
	}
}
