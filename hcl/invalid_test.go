package hcl_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/hcl"
)

var errorMarker = regexp.MustCompile(`#\s*ERROR:\s*([^#]+)`)

// expectedErrors reads `# ERROR: Summary` markers: each names an error
// diagnostic expected on that line of that file. A line may hold several.
func expectedErrors(t *testing.T, path string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range errorMarker.FindAllStringSubmatch(line, -1) {
			out = append(out, fmt.Sprintf("%s:%d: %s", filepath.Base(path), i+1, strings.TrimSpace(m[1])))
		}
	}
	return out
}

// TestInvalid loads every playbook in testdata/invalid and checks that the
// error diagnostics are exactly the marked ones: every marker is matched
// by an error on its line with that summary, and there is no other error.
// Markers may also sit in files the playbook reads (YAML inventories).
func TestInvalid(t *testing.T) {
	paths, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 25 {
		t.Fatalf("found %d invalid playbooks, want at least 25", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".hcl"), func(t *testing.T) {
			pb, diags := hcl.Load([]string{path}, hcl.WithStepKinds(kinds()), hcl.WithEnv(noEnv))
			var want []string
			for f := range pb.Files {
				if strings.HasPrefix(f, "testdata/invalid/") {
					want = append(want, expectedErrors(t, f)...)
				}
			}
			if len(want) == 0 {
				t.Errorf("%s has no # ERROR: markers", path)
			}
			var got []string
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without subject: %s", d.Error())
					continue
				}
				if d.Severity != hclv2.DiagError {
					continue
				}
				got = append(got, fmt.Sprintf("%s:%d: %s", filepath.Base(d.Subject.Filename), d.Subject.Start.Line, d.Summary))
			}
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				var buf bytes.Buffer
				hcl.WriteDiagnostics(&buf, diags, pb.Files, false)
				t.Errorf("errors differ from the markers (-want +got):\n%s\nall diagnostics:\n%s", diff, buf.String())
			}
		})
	}
}
