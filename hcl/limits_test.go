package hcl_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/hcl"
)

// The loader limits: hostile or corrupt input ends quickly, in bounded
// memory, with one clear error, instead of a fatal stack overflow or
// gigabytes of diagnostics. These tests must not run in parallel with
// others: they measure the memory that Load allocates.

// loadBudget is the most a rejected input may make Load allocate.
const loadBudget = 100 << 20

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// loadLimited loads files from memory and checks that it stays under
// loadBudget.
func loadLimited(t *testing.T, files map[string]string, paths []string) (*hcl.Playbook, hclv2.Diagnostics) {
	t.Helper()
	var pb *hcl.Playbook
	var diags hclv2.Diagnostics
	n := allocated(func() { pb, diags = load(t, files, paths) })
	t.Logf("Load allocated %.1f MB, %d diagnostics", float64(n)/(1<<20), len(diags))
	if n > loadBudget {
		t.Errorf("Load allocated %d MB, want at most %d MB", n>>20, loadBudget>>20)
	}
	return pb, diags
}

// wantOnlyError checks that diags is exactly one error with this summary
// whose text contains detail, and returns it.
func wantOnlyError(t *testing.T, diags hclv2.Diagnostics, summary, detail string) *hclv2.Diagnostic {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != hclv2.DiagError || diags[0].Summary != summary || !strings.Contains(diags[0].Detail, detail) {
		t.Fatalf("want one error %q containing %q, got %d diagnostics: %v", summary, detail, len(diags), firstDiags(diags))
	}
	if diags[0].Subject == nil {
		t.Fatalf("%q has no subject", summary)
	}
	return diags[0]
}

func firstDiags(diags hclv2.Diagnostics) []string {
	var out []string
	for _, d := range diags[:min(len(diags), 5)] {
		out = append(out, d.Error())
	}
	return out
}

const deep = 100_000

func TestNestingTooDeep(t *testing.T) {
	r := strings.Repeat
	tests := []struct {
		name, src string
		line, col int // where the 101st level opens
	}{
		{"brackets", "locals { a = " + r("[", deep) + r("]", deep) + " }\n", 1, 113},
		{"parentheses", "locals {\n  a = " + r("(", deep) + "1" + r(")", deep) + "\n}\n", 2, 106},
		{"objects", "locals { a = " + r("{a = ", deep) + "1" + r("}", deep) + " }\n", 1, 509},
		{"blocks", r("b {\n", deep) + r("}\n", deep), 101, 3},
		{"unclosed", "locals { a = " + r("[", deep) + "\n", 1, 113},
		{"templates", `locals { a = ` + r(`"${`, deep) + "1" + r(`}"`, deep) + " }\n", 1, 162},
		{"directives", `locals { a = "` + r("%{ if true }", deep) + r("%{ endif }", deep) + "\" }\n", 1, 15 + 12*97},
		{"heredocs", "locals {\n  a = <<EOT\n" + r("${<<EOT\n", deep) + "\n" + "EOT\n" + "}\n" + "EOT\n}\n", 52, 1},
		{"not", "locals { a = " + r("!", deep) + "true }\n", 1, 113},
		{"negation", "locals { a = " + r("- ", deep) + "1 }\n", 1, 14 + 2*99},
		{"conditionals", "locals { a = " + r("true ? 1 : ", deep) + "1 }\n", 1, 14 + 11*99 + 5},
		{"sum", "locals { a = " + r("1 + ", deep) + "1 }\n", 1, 14 + 4*99 + 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := loadLimited(t, map[string]string{"p.hcl": tc.src}, []string{"p.hcl"})
			d := wantOnlyError(t, diags, "Nesting too deep", "more than 100 deep")
			if d.Subject.Filename != "p.hcl" || d.Subject.Start.Line != tc.line || d.Subject.Start.Column != tc.col {
				t.Errorf("subject %s, want p.hcl:%d,%d", d.Subject, tc.line, tc.col)
			}
		})
	}
}

// TestNestingAllowed: what real playbooks write stays well within the
// nesting limit, and levels that close do not add up.
func TestNestingAllowed(t *testing.T) {
	r := strings.Repeat
	tests := map[string]string{
		"deep but not too deep": "locals { a = " + r("[", 90) + r("]", 90) + " }\n",
		"many levels in a row":  "locals { a = " + r("[[[1]]], ", 10000) + "1 }\n",
		"long lists of sums":    "locals { a = [" + r("1 + 2 * 3 - 4, ", 10000) + "1] }\n",
		"a sum on each line":    "locals {\n" + r("  a = 1 + 2 + 3 + 4\n", 10000) + "}\n",
		"templates in a row":    "locals { a = \"" + r("%{ if true }${\"x\"}%{ endif }", 1000) + "\" }\n",
		"conditionals per item": "locals { a = [" + r("true ? 1 : false ? 2 : 3, ", 1000) + "] }\n",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			_, diags := load(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
			for _, d := range diags {
				if d.Summary == "Nesting too deep" {
					t.Fatalf("rejected: %s", d.Error())
				}
			}
		})
	}
}

// randomBytes is n bytes from a fixed seed.
func randomBytes(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestFileTooLarge(t *testing.T) {
	garbage := string(randomBytes(20 << 20))
	t.Run("in memory", func(t *testing.T) {
		pb, diags := loadLimited(t, map[string]string{"p.hcl": garbage}, []string{"p.hcl"})
		d := wantOnlyError(t, diags, "File too large", "p.hcl is larger than 10 MB")
		if d.Subject.Filename != "p.hcl" || pb == nil {
			t.Errorf("subject %s", d.Subject)
		}
	})
	t.Run("on disk", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "p.hcl")
		if err := os.WriteFile(path, []byte(garbage), 0o600); err != nil {
			t.Fatal(err)
		}
		var diags hclv2.Diagnostics
		n := allocated(func() { _, diags = hcl.Load([]string{path}, hcl.WithEnv(noEnv)) })
		if n > loadBudget {
			t.Errorf("Load allocated %d MB", n>>20)
		}
		wantOnlyError(t, diags, "File too large", "larger than 10 MB")
	})
	t.Run("yaml inventory", func(t *testing.T) {
		files := map[string]string{"p.hcl": `inventory { file = "devices.yaml" }`, "devices.yaml": garbage}
		_, diags := loadLimited(t, files, []string{"p.hcl"})
		d := wantOnlyError(t, diags, "File too large", "devices.yaml is larger than 10 MB")
		if d.Subject.Filename != "p.hcl" || d.Subject.Start.Line != 1 {
			t.Errorf("subject %s, want the file attribute in p.hcl", d.Subject)
		}
	})
}

func TestBinaryFile(t *testing.T) {
	src := "locals {\n  a = 1\n}\n" + string(randomBytes(8<<20))
	_, diags := loadLimited(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
	d := wantOnlyError(t, diags, "Invalid character encoding", "p.hcl is not UTF-8 text: the byte at line 4, column")
	if d.Subject.Start.Line != 4 {
		t.Errorf("subject %s, want line 4", d.Subject)
	}
}

// TestDiagnosticsCapped: text that is all errors yields the first 50
// and one that counts the rest.
func TestDiagnosticsCapped(t *testing.T) {
	t.Run("unknown blocks", func(t *testing.T) {
		src := strings.Repeat("nonsense {}\n", 1000)
		_, diags := loadLimited(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
		if len(diags) != 51 {
			t.Fatalf("got %d diagnostics, want 51", len(diags))
		}
		last := diags[50]
		if last.Severity != hclv2.DiagError || last.Summary != "And 950 more" || !strings.Contains(last.Detail, "950 more diagnostics (950 errors) are not shown") {
			t.Errorf("last diagnostic: %s", last.Error())
		}
		if last.Subject == nil || last.Subject.Start.Line != 51 {
			t.Errorf("last diagnostic's subject: %v, want line 51", last.Subject)
		}
	})
	t.Run("printable garbage", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		// hclsyntax costs about 100 bytes per byte of text however
		// wrong: this is the part of the cost the loader controls.
		b := make([]byte, 512<<10)
		for i := range b {
			b[i] = byte(' ' + rng.IntN(95))
			if rng.IntN(40) == 0 {
				b[i] = '\n'
			}
		}
		_, diags := loadLimited(t, map[string]string{"p.hcl": string(b)}, []string{"p.hcl"})
		if len(diags) == 0 || len(diags) > 51 || !diags.HasErrors() {
			t.Fatalf("got %d diagnostics: %v", len(diags), firstDiags(diags))
		}
	})
}

// billionLaughs is a YAML inventory whose vars hold a "billion laughs":
// each level is a list of ten aliases of the one before.
func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("devices:\n  - host: 192.0.2.1\n    device_type: cisco_ios\n    vars:\n")
	b.WriteString("      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "      l%d: &l%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// aliasFanOut is a device list of n devices that each alias the same
// block of vars of size values.
func aliasFanOut(n, size int) string {
	var b strings.Builder
	b.WriteString("devices:\n  - host: 192.0.2.1\n    device_type: cisco_ios\n    vars: &common\n")
	for i := range size {
		fmt.Fprintf(&b, "      v%d: value%d\n", i, i)
	}
	for i := range n {
		fmt.Fprintf(&b, "  - {host: 10.%d.%d.%d, device_type: cisco_ios, vars: *common}\n", i>>16&255, i>>8&255, i&255)
	}
	return b.String()
}

func TestYAMLAliasExpansion(t *testing.T) {
	inv := func(yml string) map[string]string {
		return map[string]string{"p.hcl": `inventory { file = "devices.yaml" }`, "devices.yaml": yml}
	}
	t.Run("billion laughs", func(t *testing.T) {
		_, diags := loadLimited(t, inv(billionLaughs(9)), []string{"p.hcl"})
		d := wantOnlyError(t, diags, "YAML aliases expand too far", "would expand to more than 200000 values (this one, *l4, crosses the limit)")
		if d.Subject.Filename != "devices.yaml" || d.Subject.Start.Line != 10 {
			t.Errorf("subject %s, want devices.yaml line 10", d.Subject)
		}
	})
	t.Run("fan-out", func(t *testing.T) {
		// 1.4 MB: 20,000 devices that each alias 40 vars.
		yml := aliasFanOut(20000, 40)
		_, diags := loadLimited(t, inv(yml), []string{"p.hcl"})
		wantOnlyError(t, diags, "YAML aliases expand too far", "would expand to more than 200000 values")
	})
	t.Run("alias inside its anchor", func(t *testing.T) {
		yml := "devices:\n  - host: 192.0.2.1\n    device_type: cisco_ios\n    vars: &v {self: *v}\n"
		_, diags := loadLimited(t, inv(yml), []string{"p.hcl"})
		wantOnlyError(t, diags, "YAML aliases expand too far", "an anchor contains an alias to itself")
	})
	t.Run("shared vars load", func(t *testing.T) {
		// 2,000 devices sharing 40 vars: 82,000 values through aliases.
		pb := mustLoad(t, inv(aliasFanOut(2000, 40)), []string{"p.hcl"})
		if n := len(pb.Inventory.Hosts); n != 2001 {
			t.Fatalf("got %d hosts", n)
		}
		if v := pb.Inventory.Hosts[2000].Vars["v39"]; v.AsString() != "value39" {
			t.Errorf("v39 = %#v", v)
		}
	})
}

// A --var value and a templatefile() template get the nesting limit too:
// hclsyntax would overflow the stack on them as on a file.
func TestNestingLimitOnVarsAndTemplates(t *testing.T) {
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	src := `variable "x" { type = any }
`
	_, diags := hcl.Load([]string{"p.hcl"}, hcl.WithReadFile(func(string) ([]byte, error) { return []byte(src), nil }),
		hcl.WithVars(map[string]string{"x": deep}), hcl.WithEnv(func(string) (string, bool) { return "", false }))
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Nesting too deep") {
		t.Errorf("--var: %v", diags)
	}
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "t.tmpl")
	if err := os.WriteFile(tmpl, []byte("${"+strings.Repeat("(", 100000)+"1"+strings.Repeat(")", 100000)+"}"), 0o600); err != nil {
		t.Fatal(err)
	}
	play := filepath.Join(dir, "p.hcl")
	if err := os.WriteFile(play, []byte(`locals { x = templatefile("t.tmpl", {}) }
`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, diags = hcl.Load([]string{play})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Nesting too deep") {
		t.Errorf("templatefile: %v", diags)
	}
}
