package parse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunTests(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := Compile("ports.textfsm", "Value PORT (\\d+)\nValue List VLANS (\\d+)\n\nStart\n  ^port ${PORT}\n  ^vlan ${VLANS}\n  ^end -> Record\n")
	if err != nil {
		t.Fatal(err)
	}
	raw := "port 1\r\nvlan 10\r\nvlan 20\r\nend\r\nport 2\rend\r"
	write("acme/show_ports/a.raw", raw)
	write("acme/show_ports/a.yml", "---\nparsed_sample:\n  - port: \"1\"\n    vlans:\n      - \"10\"\n      - \"20\"\n  - port: \"2\"\n    vlans: []\n")
	write("acme/show_ports/b.raw", raw)
	write("acme/show_ports/b.yml", "parsed_sample:\n  - port: \"1\"\n    vlans: [\"10\"]\n  - port: \"2\"\n    vlans: []\n")
	write("acme/show_ports/c.raw", raw)
	write("acme/show_ports/c.yml", "parsed_sample:\n  - port: \"1\"\n    vlans: [\"10\", \"20\"]\n")
	write("acme/show_ports/d.raw", raw) // no .yml
	write("acme/show_other/e.raw", "x\n")
	write("acme/show_other/e.yml", "parsed_sample: []\n")
	write("acme/show_ports/f.raw", raw)
	write("acme/show_ports/f.yml", "other: 1\n")
	write("loose.raw", "not in a platform/command directory\n")

	cases, err := FindTests(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 6 {
		t.Fatalf("%d cases, want 6: %+v", len(cases), cases)
	}
	var asked []string
	resolve := func(platform, command string) ([]*Template, string, error) {
		asked = append(asked, platform+"/"+command)
		if command != "show ports" {
			return nil, "", os.ErrNotExist
		}
		return []*Template{tmpl}, "ports.textfsm", nil
	}
	results := map[string]TestResult{}
	for _, r := range RunTests(cases, resolve) {
		results[filepath.Base(r.Raw)] = r
	}
	if r := results["a.raw"]; !r.Passed() || r.Template != "ports.textfsm" {
		t.Errorf("a: %+v, want a pass (CR and CRLF line ends read as Python reads them)", r)
	}
	if r := results["b.raw"]; r.Passed() || !strings.Contains(r.Diff, "record 1 of 2") || !strings.Contains(r.Diff, `"20"`) {
		t.Errorf("b: %+v, want record 1 to differ in vlans", r)
	}
	if r := results["c.raw"]; r.Passed() || r.Diff != "1 records expected, got 2" {
		t.Errorf("c: %+v, want a count mismatch", r)
	}
	if r := results["d.raw"]; r.Passed() || !r.Skipped {
		t.Errorf("d: %+v, want skipped", r)
	}
	if r := results["e.raw"]; r.Passed() || r.Err == nil {
		t.Errorf("e: %+v, want the resolver's error", r)
	}
	if r := results["f.raw"]; r.Passed() || r.Err == nil || !strings.Contains(r.Err.Error(), "no parsed_sample") {
		t.Errorf("f: %+v, want no parsed_sample", r)
	}
	for _, a := range asked {
		if a != "acme/show ports" && a != "acme/show other" {
			t.Errorf("resolver asked for %q", a)
		}
	}
	if _, err := FindTests(t.TempDir()); err == nil {
		t.Error("an empty tree is not an error")
	}
}
