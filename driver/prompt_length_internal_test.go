package driver

import (
	"strings"
	"testing"
)

// A device name may be up to 255 characters, in any script; a longer word
// ending in '#' is output, not a prompt.
func TestPromptNameLength(t *testing.T) {
	p, _ := LookupPlatform("cisco_ios")
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"r" + strings.Repeat("ä", 254), true},
		{"r" + strings.Repeat("ä", 255), false},
		{strings.Repeat("x", 255), true},
		{strings.Repeat("x", 256), false},
	} {
		for _, suffix := range []string{"#", ">", "(config)#"} {
			_, host, ok := p.modeOf(c.name + suffix)
			if ok != c.ok || (ok && host != c.name) {
				t.Errorf("%d-character name + %q: prompt=%v host %d characters, want prompt=%v", len([]rune(c.name)), suffix, ok, len([]rune(host)), c.ok)
			}
		}
	}
}
