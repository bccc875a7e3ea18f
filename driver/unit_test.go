package driver

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCleaner(t *testing.T) {
	tests := []struct {
		name string
		in   []string // successive reads
		want string
	}{
		{"crlf", []string{"a\r\nb\r\n"}, "a\nb\n"},
		{"cr cr lf", []string{"a\r\r\nb"}, "a\nb"},
		{"crlf split across reads", []string{"a\r", "\nb"}, "a\nb"},
		{"lone cr ends a line", []string{"abc\rdef"}, "abc\ndef"},
		{"cr at line start is nothing", []string{"a\r\n\rb"}, "a\nb"},
		{"ansi csi", []string{"\x1b[1mbold\x1b[0m \x1b[?2004hx"}, "bold x"},
		{"ansi split across reads", []string{"a\x1b", "[3", "1mb"}, "ab"},
		{"osc title", []string{"\x1b]0;title\x07prompt#"}, "prompt#"},
		{"osc with st", []string{"\x1b]0;t\x1b\\x"}, "x"},
		{"charset", []string{"\x1b(Bok"}, "ok"},
		{"backspaces", []string{"abcd\b\bxy"}, "abxy"},
		{"backspace stops at line start", []string{"a\n\b\bb"}, "a\nb"},
		{"controls dropped", []string{"a\x07\x00b\tc"}, "ab\tc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c cleaner
			for _, r := range tt.in {
				c.write([]byte(r))
			}
			if got := string(c.out); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCleanerPagerErase(t *testing.T) {
	tests := []struct {
		name, after, want string
	}{
		{"ios backspaces", "\b\b\b\b\b\b\b\b        \b\b\b\b\b\b\b\bnext\n", "next\n"},
		{"indented next line", "\b\b\b\b    \b\b\b\b   indented\n", "   indented\n"},
		{"no erase, indented", "  indented\n", "  indented\n"},
		{"cr blanks cr", "\r          \rnext\n", "next\n"},
		{"escape erase-line", "\r\x1b[Knext\n", "next\n"},
		{"newline only", "\r\nnext\n", "next\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c cleaner
			c.write([]byte("line1\n"))
			c.startErase()
			c.write([]byte(tt.after))
			if got := string(c.out); got != "line1\n"+tt.want {
				t.Errorf("got %q, want %q", got, "line1\n"+tt.want)
			}
		})
	}
}

func TestFindEcho(t *testing.T) {
	tests := []struct {
		name, buf, cmd string
		want           int // -1: not found; else len of the echo prefix
	}{
		{"plain", "show ver\nout\nr1#", "show ver", len("show ver\n")},
		{"not yet complete", "show v", "show ver", -1},
		{"no newline yet", "show ver", "show ver", -1},
		{"late prompt before", "\nr1#show ver\nout", "show ver", len("\nr1#show ver\n")},
		{"wrapped", "show running-config | inc\nlude ntp\nout", "show running-config | include ntp", len("show running-config | inc\nlude ntp\n")},
		{"wrap with repeated char (readline)", "echo aaaab\nbccc\nout", "echo aaaabccc", len("echo aaaab\nbccc\n")},
		{"scrolled", "$nning-config | include ntp\nout", "show running-config | include ntp", len("$nning-config | include ntp\n")},
		{"empty command", "anything", "", 0},
		{"blanks differ", "ip  address 1.1.1.1   255.0.0.0\n", " ip address 1.1.1.1 255.0.0.0", len("ip  address 1.1.1.1   255.0.0.0\n")},
		{"output is not echo", "other\nlines\n", "show ver", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := findEcho([]byte(tt.buf), squeeze(tt.cmd)); got != tt.want {
				t.Errorf("findEcho(%q, %q) = %d, want %d", tt.buf, tt.cmd, got, tt.want)
			}
		})
	}
}

func TestPrompts(t *testing.T) {
	tests := []struct {
		platform, line, mode, host string
	}{
		{"cisco_ios", "r1>", ModeExec, "r1"},
		{"cisco_ios", "r1#", ModePrivileged, "r1"},
		{"cisco_ios", "r1# ", ModePrivileged, "r1"},
		{"cisco_ios", "core-sw.lab1(config)#", ModeConfiguration, "core-sw.lab1"},
		{"cisco_ios", "r1(config-if)#", ModeConfiguration, "r1"},
		{"cisco_ios", "r1(config-router-af)#", ModeConfiguration, "r1"},
		{"cisco_ios", "##########", "", ""},
		{"cisco_ios", "# Authorized access only #", "", ""},
		{"cisco_ios", "Welcome to r1#", "", ""},
		{"cisco_ios", "<interface>", "", ""},
		{"cisco_ios", "[####    ] 50%", "", ""},
		{"cisco_nxos", "nx1(config-if)# ", ModeConfiguration, "nx1"},
		{"arista_eos", "eos1(config-if-Et1)#", ModeConfiguration, "eos1"},
		{"arista_eos", "eos1(s1)(config)#", ModeConfiguration, "eos1"},
		{"juniper_junos", "admin@mx1> ", ModePrivileged, "mx1"},
		{"juniper_junos", "admin@mx1# ", ModeConfiguration, "mx1"},
		{"juniper_junos", "[edit]", "", ""},
		{"linux", "admin@lin1:~$ ", ModePrivileged, "admin@lin1"},
		{"linux", "root@lin1:/tmp# ", ModePrivileged, "root@lin1"},
		{"linux", "[admin@lin1 ~]$ ", ModePrivileged, "admin@lin1"},
		{"linux", "$ ", ModePrivileged, ""},
		{"linux", "total 0", "", ""},
	}
	for _, tt := range tests {
		p, ok := LookupPlatform(tt.platform)
		if !ok {
			t.Fatalf("no platform %q", tt.platform)
		}
		mode, host, ok := p.modeOf(tt.line)
		if mode != tt.mode || host != tt.host || ok != (tt.mode != "") {
			t.Errorf("%s %q: mode %q host %q ok %v, want %q %q", tt.platform, tt.line, mode, host, ok, tt.mode, tt.host)
		}
	}
}

func TestLookupPlatform(t *testing.T) {
	for alias, want := range map[string]string{
		"cisco_ios": "cisco_ios", "cisco_xe": "cisco_ios", "CISCO-XE": "cisco_ios", "ios": "cisco_ios",
		"cisco_nxos": "cisco_nxos", "nxos": "cisco_nxos", "arista_eos": "arista_eos", "eos": "arista_eos",
		"juniper": "juniper_junos", "juniper_junos": "juniper_junos", "junos": "juniper_junos", "linux": "linux",
	} {
		p, ok := LookupPlatform(alias)
		if !ok || p.Name != want {
			t.Errorf("LookupPlatform(%q) = %v, %v; want %s", alias, p, ok, want)
		}
	}
	if _, ok := LookupPlatform("cisco_ios_telnet"); ok {
		t.Errorf("telnet platform should not exist")
	}
	want := []string{"arista_eos", "cisco_asa", "cisco_ios", "cisco_nxos", "cisco_xr", "juniper_junos", "linux"}
	if diff := cmp.Diff(want, Platforms()); diff != "" {
		t.Errorf("Platforms() (-want +got):\n%s", diff)
	}
}

func TestModePath(t *testing.T) {
	p, _ := LookupPlatform("cisco_ios")
	var cmds []string
	for _, tr := range p.path(ModeExec, ModeConfiguration) {
		cmds = append(cmds, tr.Command)
	}
	if diff := cmp.Diff([]string{"enable", "configure terminal"}, cmds); diff != "" {
		t.Errorf("exec -> configuration (-want +got):\n%s", diff)
	}
	if got := p.path(ModeConfiguration, ModePrivileged); len(got) != 1 || got[0].Command != "end" {
		t.Errorf("configuration -> privileged: %+v", got)
	}
	if got := p.path(ModePrivileged, ModePrivileged); got == nil || len(got) != 0 {
		t.Errorf("same mode: %+v", got)
	}
	lx, _ := LookupPlatform("linux")
	if lx.path(ModePrivileged, ModeConfiguration) != nil {
		t.Errorf("linux has no configuration mode")
	}
}

func TestFailureIndicators(t *testing.T) {
	ios, _ := LookupPlatform("cisco_ios")
	junos, _ := LookupPlatform("juniper_junos")
	tests := []struct {
		p            *Platform
		out, by, txt string
	}{
		{ios, "             ^\n% Invalid input detected at '^' marker.\n", "% Invalid input", "% Invalid input detected at '^' marker."},
		{ios, "% Ambiguous command:  \"sh\"", "% Ambiguous command", "% Ambiguous command:  \"sh\""},
		{ios, "Building configuration...\n[OK]", "", ""},
		{ios, "%Error opening tftp://1.1.1.1/x (Timed out)", "%Error", "%Error opening tftp://1.1.1.1/x (Timed out)"},
		{ios, "description %Error is not at line start", "", ""},
		{junos, "  error: configuration check-out failed", "error:", "error: configuration check-out failed"},
		{junos, "Input errors: 0, CRC error: 0", "", ""},
		{junos, "syntax error, expecting <command>.", "syntax error", "syntax error, expecting <command>."},
		// Case: simulators and releases differ in capitals.
		{junos, "% Unknown command", "% unknown command", "% Unknown command"},
		{junos, "           ^\nunknown command.", "unknown command", "unknown command."},
		{junos, "             ^\nUnknown Command.", "unknown command", "Unknown Command."},
		{ios, "% INVALID INPUT detected at '^' marker.", "% Invalid input", "% INVALID INPUT detected at '^' marker."},
		{ios, "% unknown command or computer name, or unable to find computer address", "% Unknown command", "% unknown command or computer name, or unable to find computer address"},
		{ios, "Command rejected: Bad VLAN list - character #1 is a non-numeric", "Command rejected", "Command rejected: Bad VLAN list - character #1 is a non-numeric"},
		// Anchored: an error text inside ordinary output is not the
		// device refusing the command (a log line, a description).
		{ios, "*Mar  1 00:01:02: %PARSER-5-CFGLOG: user typed % Invalid input here", "", ""},
		{ios, " description link says % Incomplete command", "", ""},
		{junos, "Last flapped: never, description: unknown command handler", "", ""},
		{junos, "Physical interface: ge-0/0/0, Enabled, Physical link is Up\n  Input errors: 0, syntax error counter 0", "", ""},
	}
	for _, tt := range tests {
		by, txt, failed := tt.p.failure(tt.out)
		if by != tt.by || txt != tt.txt || failed != (tt.by != "") {
			t.Errorf("%s %q: by %q text %q failed %v", tt.p.Name, tt.out, by, txt, failed)
		}
	}
}

func TestDropTrailingNoise(t *testing.T) {
	j, _ := LookupPlatform("juniper_junos")
	if got := dropTrailingNoise("out\n\n[edit]", j.NoiseLines); got != "out\n" {
		t.Errorf("got %q", got)
	}
	if got := dropTrailingNoise("[edit interfaces]", j.NoiseLines); got != "" {
		t.Errorf("got %q", got)
	}
}

// TestTranscriptSplitSecret feeds a secret one byte per write, and at
// every split point in two writes: it must never reach the writer.
func TestTranscriptSplitSecret(t *testing.T) {
	sec := &secrets{}
	sec.add("hunter2-secret", "pw")
	text := "login: admin\r\nPassword: hunter2-secret\r\nr1# show run | i hunter2-secret\r\npw\r\n"
	check := func(name string, chunks []string) {
		var out bytes.Buffer
		tr := &transcript{w: &out, secrets: sec}
		for _, c := range chunks {
			tr.Write([]byte(c))
		}
		tr.Flush()
		want := strings.NewReplacer("hunter2-secret", "********", "pw", "********").Replace(text)
		if out.String() != want {
			t.Errorf("%s: transcript %q, want %q", name, out.String(), want)
		}
	}
	var bytesOne []string
	for i := range len(text) {
		bytesOne = append(bytesOne, text[i:i+1])
	}
	check("byte by byte", bytesOne)
	for i := range len(text) {
		check("split at "+strings.Repeat("x", 0)+string(rune('0'+i%10)), []string{text[:i], text[i:]})
	}
}

func TestSecretsLongestFirst(t *testing.T) {
	sec := &secrets{}
	sec.add("abc", "abcdef", "", "abc")
	if got := sec.redact("xx abcdef yy abc"); got != "xx ******** yy ********" {
		t.Errorf("got %q", got)
	}
	if sec.maxLen() != 6 {
		t.Errorf("maxLen %d", sec.maxLen())
	}
}
