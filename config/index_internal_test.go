package config

import (
	"fmt"
	"strings"
	"testing"
)

// A section is looked up by a scan while it is small and by a map once it
// has indexFrom lines; either way every line is found, added once, removed
// for good, and a clone finds its own nodes, not the original's.
func TestSectionLookupAcrossTheIndexThreshold(t *testing.T) {
	for _, n := range []int{1, indexFrom - 1, indexFrom, 3 * indexFrom} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var b strings.Builder
			b.WriteString("router bgp 65000\n")
			for i := range n {
				fmt.Fprintf(&b, " neighbor 10.0.0.%d remote-as 65001\n", i)
			}
			c := Parse(Lookup("cisco_ios"), b.String())
			sec := c.Find("router bgp 65000")
			if sec == nil || len(sec.Children) != n {
				t.Fatalf("section %v with %d lines, want %d", sec, len(sec.Children), n)
			}
			if indexed := sec.index != nil; indexed != (n >= indexFrom) {
				t.Errorf("%d lines: indexed = %v", n, indexed)
			}
			for i := range n {
				line := fmt.Sprintf("neighbor  10.0.0.%d   remote-as 65001", i)
				if got := sec.Child(line); got == nil || got != sec.Children[i] {
					t.Fatalf("Child(%q) = %v, want line %d", line, got, i)
				}
			}
			if again := sec.add("neighbor 10.0.0.0 remote-as 65001", normalize("neighbor 10.0.0.0 remote-as 65001")); again != sec.Children[0] || len(sec.Children) != n {
				t.Errorf("adding an existing line made a second node (%d lines)", len(sec.Children))
			}
			if sec.Child("neighbor 10.9.9.9 remote-as 1") != nil {
				t.Error("a line the section lacks was found")
			}

			clone := c.Clone()
			csec := clone.Find("router bgp 65000")
			last := fmt.Sprintf("neighbor 10.0.0.%d remote-as 65001", n-1)
			if got := csec.Child(last); got == nil || got == sec.Child(last) || got.parent != csec {
				t.Fatalf("the clone's Child(%q) = %v: want the clone's own node", last, got)
			}
			csec.remove(csec.Child(last))
			if csec.Child(last) != nil || len(csec.Children) != n-1 {
				t.Errorf("removed line still found in the clone (%d lines)", len(csec.Children))
			}
			if sec.Child(last) == nil || len(sec.Children) != n {
				t.Error("removing from the clone changed the original")
			}
			added := csec.add("neighbor 10.1.1.1 remote-as 65002", normalize("neighbor 10.1.1.1 remote-as 65002"))
			if csec.Child("neighbor 10.1.1.1 remote-as 65002") != added || sec.Child("neighbor 10.1.1.1 remote-as 65002") != nil {
				t.Error("a line added to the clone is not found there only")
			}
		})
	}
}
