package driver

// Tests written against the mutants gremlins left alive in platform.go
// and clean.go (docs/testing.md, "Mutation testing"): where failure
// indicators are found and which line is reported, and how the cleaner
// treats escape sequences and control bytes at the edges.

import "testing"

func TestIndicatorEdges(t *testing.T) {
	ios, _ := LookupPlatform("cisco_ios")
	linux, _ := LookupPlatform("linux")
	nxos, _ := LookupPlatform("cisco_nxos")
	tests := []struct {
		name         string
		p            *Platform
		out, by, txt string
	}{
		{"at the very start", ios, "% Invalid input", "% Invalid input", "% Invalid input"},
		{"the line is exactly the indicator", nxos, "x\nERROR:\ny", "ERROR:", "ERROR:"},
		{"after an empty line", ios, "show x\n\n% Invalid input detected\n", "% Invalid input", "% Invalid input detected"},
		{"indented, second line, text after", ios, "show x\n   % Invalid input detected\nmore", "% Invalid input", "% Invalid input detected"},
		{"tab indented", ios, "a\n\t% Ambiguous command: \"s\"", "% Ambiguous command", "% Ambiguous command: \"s\""},
		{"shorter than the indicator", ios, "% Inv", "", ""},
		{"empty output", ios, "", "", ""},
		{"trailing newline only", ios, "ok\n", "", ""},
		{"anywhere: at the end", linux, "bash: foo: command not found", "command not found", "bash: foo: command not found"},
		{"anywhere: the whole output", linux, "command not found", "command not found", "command not found"},
		{"anywhere: mid line, second line", linux, "x\nsh: 1: foo: not found\ny", ": not found", "sh: 1: foo: not found"},
		{"anywhere: cut short", linux, "command not foun", "", ""},
		{"anywhere: absent", linux, "all good", "", ""},
	}
	for _, tt := range tests {
		by, txt, failed := tt.p.failure(tt.out)
		if by != tt.by || txt != tt.txt || failed != (tt.by != "") {
			t.Errorf("%s: failure(%q) = %q, %q, %v; want %q, %q", tt.name, tt.out, by, txt, failed, tt.by, tt.txt)
		}
	}
	if hasPrefixFold("ab", "abc") || !hasPrefixFold("ABC", "abc") || !hasPrefixFold("abcd", "aBc") {
		t.Errorf("hasPrefixFold")
	}
}

func TestIndicatorModeOf(t *testing.T) {
	ios, _ := LookupPlatform("cisco_ios")
	for line, want := range map[string][2]string{
		"r1#":              {ModePrivileged, "r1"},
		"r1(config-if)#":   {ModeConfiguration, "r1"},
		"core-sw.lab>":     {ModeExec, "core-sw.lab"},
		"r1# show version": {"", ""},
	} {
		mode, host, ok := ios.modeOf(line)
		if mode != want[0] || host != want[1] || ok != (want[0] != "") {
			t.Errorf("modeOf(%q) = %q %q %v, want %q %q", line, mode, host, ok, want[0], want[1])
		}
	}
	if got := ios.path(ModeExec, ModeExec); got == nil || len(got) != 0 {
		t.Errorf("path to the same mode = %v, want empty, not nil", got)
	}
	if got := ios.path(ModeExec, "nowhere"); got != nil {
		t.Errorf("path to an unknown mode = %v", got)
	}
}

func TestCleanerEdges(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"csi ends at @", []string{"a\x1b[2@b"}, "ab"},
		{"csi ends at ~", []string{"a\x1b[3~b"}, "ab"},
		{"csi parameters are not its end", []string{"a\x1b[?25;1;2hb"}, "ab"},
		{"csi bytes below @ continue it", []string{"a\x1b[1 qb"}, "ab"},
		{"osc ends at ESC backslash, not at ESC other", []string{"\x1b]0;a\x1bxb\x07c"}, "c"},
		{"osc split across reads", []string{"\x1b]0;ti", "tle\x1b", "\\ok"}, "ok"},
		{"two-byte escape", []string{"a\x1b7b\x1b=c"}, "abc"},
		{"lone cr first in the stream", []string{"\rabc"}, "abc"},
		{"backspace first in the stream", []string{"\b\x7fx"}, "x"},
		{"delete erases too", []string{"ab\x7fc"}, "ac"},
		{"space is text", []string{"a b\x1f\x20c"}, "a b c"},
		{"cr then text after a newline", []string{"a\n\rb\rc"}, "a\nb\nc"},
	}
	for _, tt := range tests {
		var c cleaner
		for _, r := range tt.in {
			c.write([]byte(r))
		}
		if got := string(c.out); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	var c cleaner
	c.write([]byte("ab\r"))
	c.flushCR()
	c.flushCR()
	if string(c.out) != "ab\n" {
		t.Errorf("flushCR: %q", c.out)
	}
}

func TestCleanerEraseEdges(t *testing.T) {
	tests := []struct {
		name, after, want string
	}{
		{"delete bytes erase", "\x7f\x7f  \x7f\x7fnext\n", "next\n"},
		{"blanks then cr", "\b\b   \r\rnext\n", "next\n"},
		{"blanks kept before text", "\r   x\n", "   x\n"},
		{"blanks counted", "\b    text\n", "    text\n"},
		{"erase then text ends it", "\b\b  \b\bab\b\n", "a\n"},
		{"text at once", "x\b\n", "\n"},
	}
	for _, tt := range tests {
		var c cleaner
		c.write([]byte("line1\n"))
		c.startErase()
		c.write([]byte(tt.after))
		if got := string(c.out); got != "line1\n"+tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, "line1\n"+tt.want)
		}
	}
}
