package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/tasks"
)

var errorMarker = regexp.MustCompile(`#\s*ERROR:\s*([^#]+)`)

// TestTypeCheck compiles every playbook (a file, or a directory of files
// that form one playbook) in testdata/typecheck and requires exactly the
// errors marked `# ERROR: Summary` on their lines: expression typos in
// vars, steps, host and record fields, type errors in when, and "auto"
// templates that do not exist, all found before anything connects.
func TestTypeCheck(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "typecheck"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("NTC_TEMPLATES_DIR", "") // the built-in templates
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			paths, err := hcl.ExpandPaths([]string{filepath.Join("testdata", "typecheck", e.Name())})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, p := range paths {
				src, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				for i, line := range strings.Split(string(src), "\n") {
					for _, m := range errorMarker.FindAllStringSubmatch(line, -1) {
						want = append(want, fmt.Sprintf("%s:%d: %s", filepath.Base(p), i+1, strings.TrimSpace(m[1])))
					}
				}
			}
			pb, diags := hcl.Load(paths, hcl.WithStepKinds(kinds()))
			if diags.HasErrors() {
				t.Fatalf("load: %v", diags)
			}
			_, cdiags := engine.Compile(pb, tasks.Kinds())
			var got []string
			for _, d := range cdiags {
				if d.Severity != hclv2.DiagError {
					continue
				}
				got = append(got, fmt.Sprintf("%s:%d: %s", filepath.Base(d.Subject.Filename), d.Subject.Start.Line, d.Summary))
			}
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s\nall diagnostics:\n%v", diff, cdiags)
			}
		})
	}
}

// The messages name the playbook's names, suggest the nearest one, and
// point at the column of the wrong name; a host var that only some hosts
// have is a warning.
func TestTypeCheckMessages(t *testing.T) {
	pb, diags := hcl.Load([]string{filepath.Join("testdata", "typecheck", "host.hcl")}, hcl.WithStepKinds(kinds()))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_, cdiags := engine.Compile(pb, tasks.Kinds())
	var text []string
	for _, d := range cdiags {
		text = append(text, fmt.Sprintf("%d:%d %s: %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Summary, d.Detail))
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{
		`15:24 Invalid when expression: host.vars has no "rol"; did you mean "role"?`,
		`18:18 Invalid assertion: host has no "nme"; did you mean "name"?`,
		`Host variable not set on every host: host.vars.rack is not set on sw2`,
		`mismatched types string and int`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "struct {") {
		t.Errorf("diagnostics show Go types:\n%s", all)
	}
}
