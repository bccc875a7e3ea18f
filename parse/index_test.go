package parse

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpandCompletion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sh[[ow]] ver[[sion]]", "sh(o(w)?)? ver(s(i(o(n)?)?)?)?"},
		{"show version", "show version"},
		{"dir", "dir"},
		{"sh[[ow]] (?:i[[p]] bg[[p]]|bg[[p]])", "sh(o(w)?)? (?:i(p)? bg(p)?|bg(p)?)"},
	}
	for _, tt := range tests {
		if got := expandCompletion(tt.in); got != tt.want {
			t.Errorf("expandCompletion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

const testIndex = `# comment
   # indented comment

Template, Hostname, Platform, Command

long.textfsm, .*, cisco_ios, sh[[ow]] ip int[[erface]] br[[ief]]
short.textfsm, .*, cisco_ios, sh[[ow]] ip int[[erface]]
a.textfsm:b.textfsm , .*, cisco_(ios|nxos), sh[[ow]] ver[[sion]]
look.textfsm, .*, huawei_vrp, dis[[play]] inter[[face]]\s*((?!brief|counters).)*$
broken.textfsm, .*, cisco_ios, sh[[ow]] (x
short_row.textfsm, .*, cisco_ios
any.textfsm, .*, , sh[[ow]] any
`

func TestIndexLookup(t *testing.T) {
	idx, err := ParseIndex(testIndex, "test/index")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		platform, command string
		want              string // templates joined by ":", "" for no match
		line              int
	}{
		{"cisco_ios", "show ip interface brief", "long.textfsm", 6},
		{"cisco_ios", "sh ip int br", "long.textfsm", 6},
		{"cisco_ios", "sh ip int", "short.textfsm", 7},
		// Matched at the start only, as Python's re.match: a longer
		// command selects the row of its prefix.
		{"cisco_ios", "show ip interface Gi0/1", "short.textfsm", 7},
		{"cisco_ios", "show ip interface brief | include up", "long.textfsm", 6},
		{"cisco_nxos", "show ver", "a.textfsm:b.textfsm", 8},
		{"cisco_ios", "s ver", "", 0},
		{"arista_eos", "show version", "", 0},
		// A lookahead row (RE2 cannot compile it) runs on the other engine.
		{"huawei_vrp", "display interface GE0/0/1", "look.textfsm", 9},
		{"huawei_vrp", "display interface brief", "", 0},
		{"whatever", "show any", "any.textfsm", 12}, // empty Platform column
	}
	for _, tt := range tests {
		row, ok := idx.Match(tt.platform, tt.command)
		got, line := "", 0
		if ok {
			got, line = strings.Join(row.Templates, ":"), row.Line
		}
		if got != tt.want || line != tt.line {
			t.Errorf("Match(%q, %q) = %q line %d, want %q line %d", tt.platform, tt.command, got, line, tt.want, tt.line)
		}
	}
	// The row no engine can read is skipped with a warning naming its
	// line; the row with too few columns is ignored, as clitable does.
	w := idx.CompileAll()
	if len(w) != 1 || !strings.Contains(w[0], "test/index:10: Command") {
		t.Errorf("warnings = %q, want one for test/index:10", w)
	}
}

func TestIndexErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"# only comments\n", "no header line"},
		{"Template, Hostname, Command\nx, .*, show x\n", `no "Platform" column`},
		{"Template, Template, Platform, Command\n", `duplicate header entry "Template"`},
	}
	for _, tt := range tests {
		_, err := ParseIndex(tt.src, "i")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseIndex(%q): err = %v, want %q", tt.src, err, tt.want)
		}
	}
}

// Every built-in template is in the index, compiles, and every file in
// the index exists.
func TestBuiltinTemplates(t *testing.T) {
	d, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if w := d.Index().CompileAll(); len(w) > 0 {
		t.Errorf("index warnings: %v", w)
	}
	files := map[string]bool{}
	for _, r := range d.Index().Rows() {
		for _, f := range r.Templates {
			files[f] = true
			if _, err := d.Template(f); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	entries, _ := builtinFS.ReadDir("templates")
	for _, e := range entries {
		if e.Name() != "index" && !files[e.Name()] {
			t.Errorf("templates/%s is not in the index", e.Name())
		}
	}
}

// Several templates on one row: the later ones add their columns, joined
// on the Key values, or by position when there are none, as clitable.
func TestParseCmdMerge(t *testing.T) {
	mk := func(src string) *Template {
		t.Helper()
		tm, err := Compile("t", src)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	ports := mk("Value Key PORT (\\d+)\nValue STATE (\\S+)\n\nStart\n  ^port ${PORT} ${STATE} -> Record\n")
	speed := mk("Value Key PORT (\\d+)\nValue SPEED (\\S+)\n\nStart\n  ^speed ${PORT} ${SPEED} -> Record\n")
	h, rows, err := ParseCmd([]*Template{ports, speed}, "port 1 up\nport 2 down\nspeed 2 10G\nspeed 1 1G\nspeed 9 40G\n")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"PORT", "STATE", "SPEED"}, h); d != "" {
		t.Errorf("header: %s", d)
	}
	if d := cmp.Diff([][]any{{"1", "up", "1G"}, {"2", "down", "10G"}}, rows); d != "" {
		t.Errorf("by key (-want +got):\n%s", d)
	}
	a := mk("Value A (\\S+)\n\nStart\n  ^a ${A} -> Record\n")
	b := mk("Value B (\\S+)\n\nStart\n  ^b ${B} -> Record\n")
	_, rows, err = ParseCmd([]*Template{a, b}, "a 1\na 2\nb x\n")
	if d := cmp.Diff([][]any{{"1", "x"}, {"2", ""}}, rows); err != nil || d != "" {
		t.Errorf("by position: %v (-want +got):\n%s", err, d)
	}
	// clitable stores List items through str(): None is "None".
	l := mk("Value List L (x|y)\nValue E (e)\n\nStart\n  ^i(?: ${L})?\n  ^${E} -> Record\n")
	_, rows, err = ParseCmd([]*Template{l}, "i x\ni\ne\n")
	if d := cmp.Diff([][]any{{[]any{"x", "None"}, "e"}}, rows); err != nil || d != "" {
		t.Errorf("List through clitable: %v (-want +got):\n%s", err, d)
	}
}
