package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ntp.hcl split into three files, as teams keep variables, inventory and
// steps apart.
var splitPlaybook = map[string]string{
	"vars.hcl": `variable "ntp_servers" {
  type    = list(string)
  default = ["10.0.1.100", "10.0.1.101"]
}
`,
	"inv.hcl": `inventory {
  defaults {
    platform = "cisco_ios"
  }
  host "sw1" { address = "192.0.2.11" }
}
`,
	"steps.hcl": `step "send_config_set" "push" {
  commands = [for s in var.ntp_servers : "ntp server ${s}"]
}
`,
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Several files, or a directory of them, are one playbook in every
// command that reads one.
func TestMultiFilePlaybook(t *testing.T) {
	dir := writeFiles(t, splitPlaybook)
	files := []string{filepath.Join(dir, "vars.hcl"), filepath.Join(dir, "inv.hcl"), filepath.Join(dir, "steps.hcl")}
	if code, out, errOut := runCLI(t, append([]string{"validate"}, files...)...); code != exitOK || !strings.Contains(out, "valid") {
		t.Errorf("validate files: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "validate", dir); code != exitOK {
		t.Errorf("validate dir: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCLI(t, "plan", dir)
	if code != exitOK || !strings.Contains(out, "ntp server 10.0.1.101") {
		t.Errorf("plan dir: exit %d\n%s%s", code, out, errOut)
	}
	// One file alone lacks the others' declarations.
	if code, _, errOut := runCLI(t, "validate", files[2]); code != exitInvalid || !strings.Contains(errOut, "steps.hcl:2:") {
		t.Errorf("validate steps.hcl alone: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "validate", t.TempDir()); code != exitInvalid || !strings.Contains(errOut, "no .hcl files") {
		t.Errorf("empty dir: exit %d, stderr %q", code, errOut)
	}
	// apply runs it against the lab as one playbook.
	if code, out, errOut := runCLI(t, "apply", "--lab", dir); code != exitOK {
		t.Errorf("apply --lab dir: exit %d\n%s%s", code, out, errOut)
	}
}

// --diag json: Terraform's -json diagnostics, on stdout for validate and
// on stderr for the commands that run.
func TestDiagJSON(t *testing.T) {
	bad := writeFiles(t, map[string]string{"play.hcl": `step "send_command" "a" {
  command = "show clock"
  bogus   = 1
}
`})
	path := filepath.Join(bad, "play.hcl")
	code, out, errOut := runCLI(t, "validate", "--diag", "json", path)
	if code != exitInvalid {
		t.Fatalf("exit %d, want 2; stderr %q", code, errOut)
	}
	var doc struct {
		Valid       bool `json:"valid"`
		ErrorCount  int  `json:"error_count"`
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Detail   string `json:"detail"`
			Range    struct {
				Filename string `json:"filename"`
				Start    struct{ Line, Column int }
			} `json:"range"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if doc.Valid || doc.ErrorCount != 1 || len(doc.Diagnostics) != 1 {
		t.Fatalf("document %+v", doc)
	}
	d := doc.Diagnostics[0]
	if d.Severity != "error" || d.Summary == "" || d.Range.Filename != path || d.Range.Start.Line != 3 || d.Range.Start.Column != 3 {
		t.Errorf("diagnostic %+v", d)
	}
	code, out, _ = runCLI(t, "validate", "--diag", "json", playbook(t, "ntp.hcl"))
	if code != exitOK || !strings.Contains(out, `"valid": true`) {
		t.Errorf("valid playbook: exit %d\n%s", code, out)
	}
	code, out, errOut = runCLI(t, "plan", "--diag", "json", path)
	if code != exitInvalid || out != "" || json.Unmarshal([]byte(errOut), &doc) != nil || doc.ErrorCount != 1 {
		t.Errorf("plan --diag json: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestPlanJSON(t *testing.T) {
	t.Setenv("RUNBOOK_PASSWORD", "hunter2-very-secret")
	code, out, errOut := runCLI(t, "plan", "--json", "--limit", "sw1", playbook(t, "ntp.hcl"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var plan struct {
		Devices []struct {
			Name  string `json:"name"`
			Steps []struct {
				Address string   `json:"address"`
				Changes bool     `json:"changes"`
				Lines   []string `json:"lines"`
			} `json:"steps"`
		} `json:"devices"`
		Summary struct {
			Devices       int `json:"devices"`
			ChangingSteps int `json:"changing_steps"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(plan.Devices) != 1 || plan.Devices[0].Name != "sw1" || plan.Summary.Devices != 1 || plan.Summary.ChangingSteps == 0 {
		t.Fatalf("plan %+v", plan)
	}
	found := false
	for _, s := range plan.Devices[0].Steps {
		if s.Address == "send_config_set.push" && s.Changes && strings.Join(s.Lines, "\n") == "ntp server 10.0.1.100\nntp server 10.0.1.101" {
			found = true
		}
	}
	if !found {
		t.Errorf("no push step with its lines: %s", out)
	}
	if strings.Contains(out, "very-secret") {
		t.Error("the password is in the JSON plan")
	}
}

// A `when` that cannot be evaluated on a device (a host var that host
// lacks) is a step error that fails that device, with the expression and
// the values; validate warned about it first.
func TestWhenErrorFailsTheDevice(t *testing.T) {
	play := writePlaybook(t, `inventory {
  defaults {
    platform = "cisco_ios"
  }
  host "sw1" {
    address = "192.0.2.1"
    vars    = { rack = 4 }
  }
  host "sw2" { address = "192.0.2.2" }
}
step "send_command" "clock" {
  when    = "host.vars.rack > 2"
  command = "show clock"
}
`)
	code, _, errOut := runCLI(t, "validate", play)
	if code != exitOK || !strings.Contains(errOut, "warning: Host variable not set on every host: host.vars.rack is not set on sw2") {
		t.Errorf("validate: exit %d, stderr %q", code, errOut)
	}
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--json", jsonPath, play)
	if code != exitFailed {
		t.Fatalf("apply: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, d := range readJSONReport(t, jsonPath).Devices {
		st := d.Steps[0]
		switch d.Name {
		case "sw1":
			if d.Status != "passed" || st.Status != "ok" {
				t.Errorf("sw1: %s / %s %s", d.Status, st.Status, st.Message)
			}
		case "sw2":
			if d.Status != "error" || st.Status != "error" || !strings.Contains(st.Message, `"host.vars.rack > 2" cannot be evaluated`) || !strings.Contains(st.Message, "host.vars.rack = null") {
				t.Errorf("sw2: %s / %s %q", d.Status, st.Status, st.Message)
			}
		}
	}
}
