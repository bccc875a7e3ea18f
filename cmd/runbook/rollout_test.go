package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLimitRetryFile: --limit @REPORT.json re-runs only the devices that
// did not pass in the report of an earlier run, alone or with other
// patterns.
func TestLimitRetryFile(t *testing.T) {
	ntp := filepath.Join(copyPlaybooks(t), "playbooks", "ntp.hcl")
	dir := t.TempDir()
	first := filepath.Join(dir, "first.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--json", first, "--lab-fault", "sw2:reject_config=^ntp", ntp)
	if code != exitFailed {
		t.Fatalf("first run: exit %d, want %d\n%s%s", code, exitFailed, out, errOut)
	}
	for _, tc := range []struct {
		limit string
		want  []string
	}{
		{"@" + first, []string{"sw2"}},
		{"@" + first + ",leaf1", []string{"sw2", "leaf1"}},
	} {
		again := filepath.Join(dir, "again.json")
		code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--json", again, "--limit", tc.limit, ntp)
		if code != exitOK {
			t.Fatalf("--limit %s: exit %d\n%s%s", tc.limit, code, out, errOut)
		}
		var ran []string
		for _, d := range readJSONReport(t, again).Devices {
			ran = append(ran, d.Name)
		}
		if diff := cmp.Diff(tc.want, ran); diff != "" {
			t.Errorf("--limit %s ran (-want +got):\n%s", tc.limit, diff)
		}
	}
	// Nothing left to retry is an error, not a run against nothing (or
	// everything).
	passed := filepath.Join(dir, "passed.json")
	if code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--json", passed, "--limit", "sw1", ntp); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "apply", "--lab", "--limit", "@"+passed, ntp)
	if code != exitInvalid || !strings.Contains(errOut, "nothing to re-run") {
		t.Errorf("--limit @passed.json: exit %d, stderr %q; want %d and nothing to re-run", code, errOut, exitInvalid)
	}
}

// TestRolloutCanaryOnTheCommandLine: a rollout block in a second
// playbook file; the canary fails, the other batch never starts; the
// console shows the batches and the JSON report each device's batch.
func TestRolloutCanaryOnTheCommandLine(t *testing.T) {
	base := filepath.Join(copyPlaybooks(t), "playbooks")
	ntp := filepath.Join(base, "ntp.hcl")
	ro := filepath.Join(base, "rollout.hcl")
	if err := os.WriteFile(ro, []byte("rollout {\n  serial              = [1, \"100%\"]\n  max_fail_percentage = 0\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--json", jsonPath, "--lab-fault", "sw1:reject_config=^ntp", ntp, ro)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitFailed, out, errOut)
	}
	const why = "rollout stopped after batch 1: 1 of 1 device failed"
	for _, want := range []string{
		"batch 1/2  1 device: sw1\n",
		"\nBATCHES\nbatch 1  1 device  1 failed\nbatch 2  5 devices  not started: " + why + "\n",
		"6 devices: 1 failed, 5 skipped",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Devices []struct {
			Name, Status, Message string
			Batch                 int
		}
		Batches []struct {
			Batch   int
			Started bool
			Message string
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, d := range doc.Devices {
		want := 2
		if d.Name == "sw1" {
			want = 1
		} else if d.Status != "skipped" || d.Message != why {
			t.Errorf("%s: %s %q, want skipped %q", d.Name, d.Status, d.Message, why)
		}
		if d.Batch != want {
			t.Errorf("%s: batch %d, want %d", d.Name, d.Batch, want)
		}
	}
	if len(doc.Batches) != 2 || !doc.Batches[0].Started || doc.Batches[1].Started || doc.Batches[1].Message != why {
		t.Errorf("batches in the JSON report: %+v", doc.Batches)
	}
}
