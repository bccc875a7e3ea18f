package config

import (
	"strings"
	"testing"
)

func slowNormalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// normalize's shortcut for lines that are already normal gives what
// splitting and joining would, and returns such a line as it is.
func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"ntp server 10.0.1.1", "ntp server 10.0.1.1"},
		{"ntp  server 10.0.1.1", "ntp server 10.0.1.1"},
		{" ntp server", "ntp server"},
		{"ntp server ", "ntp server"},
		{"ntp\tserver", "ntp server"},
		{"ntp\u00a0server", "ntp server"},
		{"description caf\u00e9 bar", "description caf\u00e9 bar"},
		{" ", ""},
		{"a", "a"},
		{"a\x01b", "a\x01b"},
	} {
		if got := normalize(c.in); got != c.want {
			t.Errorf("normalize(%q) = %q; want %q", c.in, got, c.want)
		}
	}
	if !isNormal("ntp server 10.0.1.1") || isNormal("ntp  server") || isNormal(" a") || isNormal("a ") || isNormal("a\tb") {
		t.Error("isNormal misjudges a line")
	}
	line := "interface GigabitEthernet0/1"
	if got := normalize(line); got != line {
		t.Errorf("normalize(%q) = %q", line, got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = normalize(line) }); n != 0 {
		t.Errorf("normalizing a normal line allocates %v times; want 0", n)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "a b", "a  b", " a", "a\tb", "\u00a0a", "a\u2028b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalize(s), slowNormalize(s); got != want {
			t.Errorf("normalize(%q) = %q; want %q", s, got, want)
		}
	})
}
