package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/lab"
)

// configLines drops what changes on a device without a configuration
// change: the timestamps and sizes in the header lines of IOS, NX-OS and
// Junos (a restore rewrites them, as on real devices).
func configLines(cfg string) string {
	var keep []string
	for _, l := range strings.Split(cfg, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "! Last configuration change"), strings.HasPrefix(t, "! NVRAM config last updated"),
			strings.HasPrefix(t, "!Time:"), strings.HasPrefix(t, "!Running configuration last done"),
			strings.HasPrefix(t, "Current configuration :"), strings.HasPrefix(t, "## Last commit"):
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// netmikoPython is a python3 that can import netmiko, or "" (the test
// then skips, unless RUNBOOK_REQUIRE_NETMIKO=1 as in CI).
func netmikoPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import netmiko").Run() == nil {
			return p
		}
	}
	if os.Getenv("RUNBOOK_REQUIRE_NETMIKO") == "1" {
		t.Fatal("RUNBOOK_REQUIRE_NETMIKO=1 but no python3 can import netmiko (apt-get install python3-netmiko)")
	}
	t.Skip("Netmiko not installed (apt-get install python3-netmiko)")
	return ""
}

// Issue 9, done when: a playbook whose post-check fails on some devices of
// a mixed lab fleet (IOS, NX-OS, EOS, Junos) leaves those devices' running
// configuration exactly as before the change, as read over SSH after the
// run by a client other than runbook (Netmiko), reports them rolled_back
// and exits 1; the other devices keep the change.
func TestChangeWindowRollsBackFailedPostChecks(t *testing.T) {
	py := netmikoPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const user, pass, secret = "netops", "lab-password-9", "lab-enable-9"
	t.Setenv("RUNBOOK_USERNAME", user)
	t.Setenv("RUNBOOK_PASSWORD", pass)
	t.Setenv("RUNBOOK_SECRET", secret)
	var devs []lab.DeviceSpec
	for _, d := range []struct{ name, platform string }{
		{"sw1", lab.CiscoIOS}, {"sw2", lab.CiscoIOS},
		{"core1", lab.AristaEOS}, {"core2", lab.AristaEOS},
		{"leaf1", lab.CiscoNXOS}, {"leaf2", lab.CiscoNXOS},
		{"edge1", lab.JuniperJunos}, {"edge2", lab.JuniperJunos},
	} {
		devs = append(devs, lab.DeviceSpec{Name: d.name, Platform: d.platform, Username: user, Password: pass, Secret: secret})
	}
	fleet, err := lab.StartFleet(ctx, lab.FleetSpec{Seed: "change-window-test", Devices: devs})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()

	dir := t.TempDir()
	var inv, kh bytes.Buffer
	inv.WriteString("inventory {\n  defaults {\n    username = env(\"RUNBOOK_USERNAME\")\n    password = env(\"RUNBOOK_PASSWORD\")\n" +
		"    secret   = env(\"RUNBOOK_SECRET\")\n    host_key_check   = \"strict\"\n    known_hosts_file = \"known_hosts\"\n  }\n")
	var specs []string
	for _, d := range fleet.Devices() {
		fmt.Fprintf(&inv, "  host %q {\n    address  = \"127.0.0.1\"\n    port     = %d\n    platform = %q\n  }\n", d.Name(), d.Port(), d.Platform())
		specs = append(specs, fmt.Sprintf("%s:%d:%s", d.Platform(), d.Port(), d.Name()))
	}
	inv.WriteString("}\n")
	if err := lab.WriteKnownHosts(&kh, fleet); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../playbooks/change-window.hcl")
	if err != nil {
		t.Fatal(err)
	}
	// A second file of the same playbook adds a post-check that fails on
	// one device of each platform.
	failing := []byte(`
step "send_command" "post_extra" {
  depends_on = [step.save.config]
  command    = "show version"
  assert "not_on_these" {
    expr    = "!(host.name in ['sw2', 'core2', 'leaf1', 'edge2'])"
    message = "post-check failed on purpose"
  }
}
`)
	invPath, play, extra := filepath.Join(dir, "inventory.hcl"), filepath.Join(dir, "change-window.hcl"), filepath.Join(dir, "failing.hcl")
	for path, b := range map[string][]byte{invPath: inv.Bytes(), filepath.Join(dir, "known_hosts"): kh.Bytes(), play: src, extra: failing} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	readConfigs := func() map[string]string {
		t.Helper()
		args := append([]string{"testdata/netmiko_config.py", user, pass, secret}, specs...)
		cmd := exec.CommandContext(ctx, py, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("netmiko: %v\n%s", err, stderr.String())
		}
		got := map[string]string{}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("netmiko: %v\n%s", err, out)
		}
		return got
	}
	before := readConfigs()

	jsonPath := filepath.Join(dir, "report.json")
	code, out, errOut := runCLICtx(ctx, t, "apply", "-i", invPath, "--json", jsonPath, play, extra)
	if code != exitFailed {
		t.Fatalf("apply: exit %d, want 1\n%s%s", code, out, errOut)
	}
	rep := readJSONReport(t, jsonPath)
	after := readConfigs()

	rolledBack := map[string]bool{"sw2": true, "core2": true, "leaf1": true, "edge2": true}
	for _, d := range rep.Devices {
		steps := map[string]string{}
		for _, s := range d.Steps {
			steps[s.Name] = s.Status
		}
		if rolledBack[d.Name] {
			if d.Status != "rolled_back" || steps["rollback"] != "rolled_back" || steps["send_config_set.logging"] != "rolled_back" {
				t.Errorf("%s: %s, steps %v; want rolled_back", d.Name, d.Status, steps)
			}
			if configLines(after[d.Name]) != configLines(before[d.Name]) {
				t.Errorf("%s: the running configuration read by Netmiko differs from before the change:\nbefore:\n%s\nafter:\n%s", d.Name, before[d.Name], after[d.Name])
			}
			continue
		}
		if d.Status != "passed" || steps["send_config_set.logging"] != "changed" {
			t.Errorf("%s: %s, steps %v; want passed with the change", d.Name, d.Status, steps)
		}
		if !strings.Contains(after[d.Name], "10.0.9.9") {
			t.Errorf("%s: the change is gone:\n%s", d.Name, after[d.Name])
		}
	}
	if !strings.Contains(out, "4 rolled_back") {
		t.Errorf("the summary line must count the rolled back devices:\n%s", out)
	}
}

// plan shows each platform's restore point and the rollback.
func TestPlanShowsCheckpointAndRollback(t *testing.T) {
	code, out, errOut := runCLI(t, "plan", "--limit", "sw1,leaf1,edge1", playbook(t, "change-window.hcl"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"| copy running-config flash:runbook-before_change.cfg\n",
		"| (restored with: configure replace flash:runbook-before_change.cfg force)\n",
		"| checkpoint runbook-before_change\n",
		"| (restored with: rollback N + commit, N = the commits made since)\n",
		"on a failure after checkpoint.before_change: restore it, verify, report rolled_back (changes commit with a 5m0s confirm timer where the platform has one)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
}

// A rollback's transcript and diff hold what the change put in, secrets
// included: they leave the run redacted, in every report and log.
func TestRollbackKeepsSecretsOut(t *testing.T) {
	dir := t.TempDir()
	const comm = "Rb-Comm-7qZ!x"
	pb := filepath.Join(dir, "cw.hcl")
	src := `
variable "comm" {
  type      = string
  sensitive = true
}
inventory {
  host "r1" { platform = "cisco_ios" }
  host "n1" { platform = "cisco_nxos" }
}
step "checkpoint" "before" {}
step "send_config_set" "snmp" {
  depends_on = [step.checkpoint.before]
  commands   = ["snmp-server community ${var.comm} RO"]
}
step "send_command" "post" {
  depends_on = [step.send_config_set.snmp]
  command    = "show version"
  assert "fails" {
    expr = "false"
  }
}
rollback {
  to = step.checkpoint.before
}
`
	if err := os.WriteFile(pb, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RUNBOOK_VAR_comm", comm)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "apply", "--lab", "-vv", "--diff", "--report-output", "all",
		"--json", filepath.Join(out, "r.json"), "--junit", filepath.Join(out, "r.xml"), "--session-log", filepath.Join(out, "logs"), pb)
	if code != exitFailed {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	rep := readJSONReport(t, filepath.Join(out, "r.json"))
	for _, d := range rep.Devices {
		if d.Status != "rolled_back" {
			t.Errorf("%s: %s, want rolled_back", d.Name, d.Status)
		}
	}
	if !strings.Contains(stdout, "snmp-server community (sensitive) RO") {
		t.Errorf("the rollback's diff must show the line, redacted:\n%s", stdout)
	}
	secrets := map[string]string{"sensitive variable": comm}
	sweep(t, "stdout", stdout, secrets)
	sweep(t, "stderr", stderr, secrets)
	if n := sweepFiles(t, out, "", secrets); n < 4 {
		t.Errorf("swept %d files, want the reports and both transcripts", n)
	}
}
