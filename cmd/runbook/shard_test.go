package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/engine"
)

// shardReport is what the shard tests read of a JSON report.
type shardReport struct {
	Mode    string `json:"mode"`
	Devices []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Batch  int    `json:"batch"`
		Steps  []struct {
			Name        string   `json:"name"`
			Status      string   `json:"status"`
			WouldChange []string `json:"would_change"`
		} `json:"steps"`
	} `json:"devices"`
	Batches []struct {
		Batch int `json:"batch"`
		Shard int `json:"shard"`
	} `json:"batches"`
	Shard *struct {
		Index     int   `json:"index"`
		Count     int   `json:"count"`
		Selected  int   `json:"selected"`
		Positions []int `json:"positions"`
	} `json:"shard"`
	Shards []struct {
		Index int `json:"index"`
	} `json:"shards"`
}

func readShardReport(t *testing.T, path string) shardReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r shardReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// outcome is a report's devices with their statuses and their steps'.
func (r shardReport) outcome() []string {
	var out []string
	for _, d := range r.Devices {
		line := d.Name + " " + d.Status + ":"
		for _, s := range d.Steps {
			line += " " + s.Name + "=" + s.Status
		}
		out = append(out, line)
	}
	return out
}

// Bad --shard values, and flags that need --shard, are usage errors
// (exit 2) before anything connects or even a lab starts.
func TestShardUsageErrors(t *testing.T) {
	ntp := playbook(t, "ntp.hcl")
	t.Setenv("JOB_COMPLETION_INDEX", "3")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"apply", "--lab", "--shard", "0/3", ntp}, `runbook: --shard "0/3": the shard number K must be from 1 to 3, not 0`},
		{[]string{"apply", "--lab", "--shard", "4/3", ntp}, `--shard "4/3": the shard number K must be from 1 to 3, not 4`},
		{[]string{"check", "--lab", "--shard", "3", ntp}, `--shard "3": want K/N`},
		{[]string{"apply", "--lab", "--shard", "1/0", ntp}, "the number of shards N must be a whole number from 1 to 10000"},
		{[]string{"apply", "--lab", "--shard", "auto/3", ntp}, "JOB_COMPLETION_INDEX is 3, but auto/3 has the indexes 0 to 2"},
		{[]string{"apply", "--lab", "--rollout-per-shard", ntp}, "--rollout-per-shard needs --shard"},
		// --lab-fault is checked against every selected host, in every shard.
		{[]string{"apply", "--lab", "--shard", "1/3", "--lab-fault", "sw9:refuse", ntp}, `--lab: --lab-fault "sw9:refuse": no selected host matches "sw9"`},
		// Before the playbook is read: the flag is wrong whatever the file.
		{[]string{"apply", "--shard", "x/y", "no/such/playbook.hcl"}, `--shard "x/y"`},
	} {
		code, out, errOut := runCLI(t, tt.args...)
		if code != exitInvalid || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, exitInvalid, tt.want)
		}
		if strings.Contains(errOut, "simulated devices") || strings.Contains(out, "RECAP") {
			t.Errorf("%q ran:\n%s%s", tt.args, out, errOut)
		}
	}
	os.Unsetenv("JOB_COMPLETION_INDEX")
	code, _, errOut := runCLI(t, "apply", "--lab", "--shard", "auto/3", ntp)
	if code != exitInvalid || !strings.Contains(errOut, "JOB_COMPLETION_INDEX is not set: Kubernetes sets it in the pods of an Indexed Job") {
		t.Errorf("auto/3 without JOB_COMPLETION_INDEX: exit %d, %s", code, errOut)
	}
}

// The shards of a run, after --limit, cover the selection exactly once;
// each says which shard it is, and auto/N reads the Kubernetes index.
func TestShardsComposeWithLimit(t *testing.T) {
	ntp := playbook(t, "ntp.hcl")
	dir := t.TempDir()
	var ran []string
	for k := range 2 {
		t.Setenv("JOB_COMPLETION_INDEX", fmt.Sprint(k))
		path := filepath.Join(dir, "s.json")
		code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--limit", "!sw1", "--shard", "auto/2", "--json", path, ntp)
		if code != exitOK {
			t.Fatalf("shard %d: exit %d\n%s%s", k+1, code, out, errOut)
		}
		r := readShardReport(t, path)
		if r.Shard == nil || r.Shard.Index != k+1 || r.Shard.Count != 2 || r.Shard.Selected != 5 {
			t.Errorf("shard %d: report says %+v", k+1, r.Shard)
		}
		if !strings.Contains(errOut, fmt.Sprintf("shard %d/2: ", k+1)) || !strings.Contains(errOut, " of the 5 selected hosts\n") {
			t.Errorf("shard %d: stderr %q", k+1, errOut)
		}
		for _, d := range r.Devices {
			ran = append(ran, d.Name)
		}
	}
	// ShardOf(_, 2) puts sw2 in 2 and the core and dc hosts in 1 (pinned
	// in engine's tests); inventory order within each.
	if diff := cmp.Diff([]string{"core1", "core2", "leaf1", "leaf2", "sw2"}, ran); diff != "" {
		t.Errorf("devices run by the two shards (-want +got):\n%s", diff)
	}
}

// A rollout that makes batches cannot be honoured across shards running
// at once: refused, unless --rollout-per-shard asks for batches per shard.
func TestShardRollout(t *testing.T) {
	base := filepath.Join(copyPlaybooks(t), "playbooks")
	ntp := filepath.Join(base, "ntp.hcl")
	ro := filepath.Join(base, "rollout.hcl")
	write := func(src string) {
		if err := os.WriteFile(ro, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("rollout {\n  serial              = [1, \"50%\"]\n  max_fail_percentage = 0\n}\n")
	code, out, errOut := runCLI(t, "apply", "--lab", "--shard", "2/2", ntp, ro)
	want := `--shard 2/2: the rollout block (serial = [1, "50%"] at ` + ro + `:1) runs the 6 selected hosts in 3 batches, ` +
		"but shards run at the same time and do not see each other's failures: each of the 2 shards would run its own batches"
	if code != exitInvalid || !strings.Contains(errOut, want) || !strings.Contains(errOut, "pass --rollout-per-shard") {
		t.Fatalf("exit %d, want %d\nstderr: %s\nwant: %s", code, exitInvalid, errOut, want)
	}
	if strings.Contains(errOut, "simulated devices") || strings.Contains(out, "RECAP") {
		t.Errorf("a refused run ran:\n%s%s", out, errOut)
	}

	// Batches per shard, asked for: shard 2/2 (sw1, sw2) runs its own
	// canary, then the rest.
	path := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut = runCLI(t, "apply", "--lab", "--quiet", "--shard", "2/2", "--rollout-per-shard", "--json", path, ntp, ro)
	if code != exitOK {
		t.Fatalf("--rollout-per-shard: exit %d\n%s%s", code, out, errOut)
	}
	r := readShardReport(t, path)
	var batches []int
	for _, d := range r.Devices {
		batches = append(batches, d.Batch)
	}
	if diff := cmp.Diff([]int{1, 2}, batches); diff != "" {
		t.Errorf("batches of sw1, sw2 (-want +got):\n%s", diff)
	}

	// One batch is no rollout to refuse; one shard is the whole run.
	write("rollout {\n  serial = \"100%\"\n}\n")
	if code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--shard", "1/2", ntp, ro); code != exitOK {
		t.Errorf("serial 100%%: exit %d\n%s%s", code, out, errOut)
	}
	write("rollout {\n  serial = [1, 2]\n}\n")
	if code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--shard", "1/1", ntp, ro); code != exitOK {
		t.Errorf("--shard 1/1: exit %d\n%s%s", code, out, errOut)
	}
}

// check shards merge into check's own closing lines and exit code.
func TestMergeCheckShards(t *testing.T) {
	ntp := playbook(t, "ntp.hcl")
	dir := t.TempDir()
	code, whole, errOut := runCLI(t, "check", "--lab", "--quiet", "--detailed-exitcode", ntp)
	if code != exitChanges {
		t.Fatalf("unsharded check: exit %d\n%s%s", code, whole, errOut)
	}
	for _, k := range []string{"1", "2"} {
		if code, out, errOut := runCLI(t, "check", "--lab", "--quiet", "--shard", k+"/2", "--json", filepath.Join(dir, k+".json"), ntp); code != exitOK {
			t.Fatalf("shard %s: exit %d\n%s%s", k, code, out, errOut)
		}
	}
	merged := filepath.Join(t.TempDir(), "m.json")
	code, out, errOut := runCLI(t, "report", "merge", "--detailed-exitcode", "--json", merged, dir)
	if code != exitChanges {
		t.Fatalf("merge --detailed-exitcode: exit %d, want %d\n%s%s", code, exitChanges, out, errOut)
	}
	tail := func(s string) string { return s[strings.Index(s, "\nApply would change:"):] }
	if !strings.Contains(out, "\nApply would change:") || tail(out) != tail(whole) {
		t.Errorf("merged check says:\n%s\nthe unsharded check:\n%s", out, whole)
	}
	if r := readShardReport(t, merged); r.Mode != "check" || len(r.Devices) != 6 || len(r.Shards) != 2 {
		t.Errorf("merged report: mode %q, %d devices, %d shards", r.Mode, len(r.Devices), len(r.Shards))
	}
	// Without --detailed-exitcode, pending changes do not fail.
	if code, out, errOut := runCLI(t, "report", "merge", dir); code != exitOK {
		t.Errorf("merge: exit %d\n%s%s", code, out, errOut)
	}
}

func TestMergeUsageErrors(t *testing.T) {
	ntp := playbook(t, "ntp.hcl")
	dir := t.TempDir()
	s1 := filepath.Join(dir, "s1.json")
	if code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--shard", "1/2", "--json", s1, ntp); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	empty := t.TempDir()
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "merge"}, "requires at least 1 arg"},
		{[]string{"report", "merge", filepath.Join(dir, "nope.json")}, "no such file"},
		{[]string{"report", "merge", empty}, empty + " has no *.json report"},
		{[]string{"report", "merge", s1}, "shard 2/2 missing (completion index 1)"},
		{[]string{"report", "merge", "--json", filepath.Join(blocked, "m.json"), s1}, "--json: cannot write " + filepath.Join(blocked, "m.json")},
		{[]string{"report", "merge", "--junit", filepath.Join(blocked, "m.xml"), s1}, "--junit: cannot write"},
		{[]string{"report", "nope"}, `unknown command "nope" for "runbook report"`},
		{[]string{"report", "merge", "--nope", s1}, "unknown flag: --nope"},
	} {
		code, out, errOut := runCLI(t, tt.args...)
		if code != exitInvalid || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d\nstdout: %s\nstderr: %s\nwant %d and %q", tt.args, code, out, errOut, exitInvalid, tt.want)
		}
	}
	s2 := filepath.Join(dir, "s2.json")
	if code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--shard", "2/2", "--json", s2, ntp); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut := runCLI(t, "report", "merge", "--detailed-exitcode", s1, s2)
	if code != exitInvalid || !strings.Contains(errOut, "--detailed-exitcode is for the reports of check runs; these are from apply") {
		t.Errorf("--detailed-exitcode on apply reports: exit %d, %s", code, errOut)
	}
	// The merged report may go into the shards' directory: merging again
	// leaves it out.
	merged := filepath.Join(dir, "merged.json")
	for range 2 {
		if code, out, errOut := runCLI(t, "report", "merge", "--json", merged, dir); code != exitOK {
			t.Fatalf("merge into the shards' directory: exit %d\n%s%s", code, out, errOut)
		}
	}
	// But named as an input, a merged report is refused.
	code, _, errOut = runCLI(t, "report", "merge", s1, s2, merged)
	if code != exitInvalid || !strings.Contains(errOut, "is a merged report (of 2 shards)") {
		t.Errorf("a merged report as input: exit %d, %s", code, errOut)
	}
}

func TestRunExitCode(t *testing.T) {
	// The codes are apply's: see TestMergeCheckShards and the shard
	// end-to-end test for them in use.
	for _, tt := range []struct {
		interrupted, failed, pending, detailed bool
		want                                   int
	}{
		{false, false, false, false, exitOK},
		{false, false, true, false, exitOK},
		{false, false, true, true, exitChanges},
		{false, true, true, true, exitFailed},
		{true, true, true, true, exitInterrupted},
		{true, false, false, false, exitInterrupted},
	} {
		rep := passedReport(tt.failed)
		rep.Interrupted = tt.interrupted
		if got := runExitCode(rep, tt.pending, tt.detailed); got != tt.want {
			t.Errorf("%+v: exit %d, want %d", tt, got, tt.want)
		}
	}
}

func passedReport(failed bool) *engine.Report {
	st := engine.DevicePassed
	if failed {
		st = engine.DeviceFailed
	}
	return &engine.Report{Devices: []*engine.DeviceResult{{Name: "a", Status: engine.DevicePassed}, {Name: "b", Status: st}}}
}
