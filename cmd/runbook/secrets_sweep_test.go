package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/lab"
)

// Secrets with every character an encoding escapes, long enough that a
// truncated message could show their beginning.
const (
	sweepPassword = `Pw"q\x<v>w&Login-Secret-4711`
	sweepEnable   = `En"a\b<l>e&Enable-Secret-0815`
	sweepComm     = `Co"mm\un<it>y&Snmp-Secret-2342`
)

// secretLeakForms are the ways a secret could escape into an output: as
// is, JSON-, XML- and %q-escaped, base64, and its first 8 bytes (a
// truncated message).
func secretLeakForms(s string) map[string]string {
	j, _ := json.Marshal(s)
	var x strings.Builder
	_ = xml.EscapeText(&x, []byte(s))
	q := fmt.Sprintf("%q", s)
	return map[string]string{
		"plain":     s,
		"json":      string(j[1 : len(j)-1]),
		"xml":       x.String(),
		"%q":        q[1 : len(q)-1],
		"base64":    base64.StdEncoding.EncodeToString([]byte(s)),
		"truncated": s[:8],
	}
}

// sweep fails the test for every form of every secret found in text.
func sweep(t *testing.T, where, text string, secrets map[string]string) {
	t.Helper()
	for name, sec := range secrets {
		for form, f := range secretLeakForms(sec) {
			if n := strings.Count(text, f); n > 0 {
				i := strings.Index(text, f)
				t.Errorf("%s: %s in %s form (%q) %d times, e.g. …%s…", where, name, form, f, n,
					text[max(0, i-60):min(len(text), i+len(f)+20)])
			}
		}
	}
}

// sweepFiles sweeps every file under dir, except skip (backups hold the
// device's configuration as the device has it: that is their job).
func sweepFiles(t *testing.T, dir string, skip string, secrets map[string]string) (files int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == skip {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		sweep(t, path, string(b), secrets)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

type sweepFleet struct {
	fleet     *lab.Fleet
	inventory string // HCL inventory block
	knownHost string // known_hosts path
}

// startSweepFleet starts lab devices with the given credentials and
// faults, and writes a known_hosts file for them into dir.
func startSweepFleet(t *testing.T, dir, password, secret string, faults map[string]string, names ...string) *sweepFleet {
	t.Helper()
	spec := lab.FleetSpec{Seed: "secrets sweep"}
	for _, n := range names {
		var f *lab.Faults
		if s, ok := faults[n]; ok {
			ff, err := lab.ParseFaults(s)
			if err != nil {
				t.Fatal(err)
			}
			f = &ff
		}
		spec.Devices = append(spec.Devices, lab.DeviceSpec{
			Name: n, Platform: "cisco_ios", Username: "netops", Password: password, Secret: secret, Faults: f,
		})
	}
	fleet, err := lab.StartFleet(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	var kh, hosts strings.Builder
	for _, d := range fleet.Devices() {
		kh.WriteString(knownhosts.Line([]string{knownhosts.Normalize(d.Addr())}, d.HostKey()) + "\n")
		fmt.Fprintf(&hosts, "  host %q {\n    address = \"127.0.0.1\"\n    port    = %d\n  }\n", d.Name(), d.Port())
	}
	khPath := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(khPath, []byte(kh.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := `inventory {
  defaults {
    platform         = "cisco_ios"
    username         = env("RUNBOOK_USERNAME")
    password         = env("RUNBOOK_PASSWORD")
    secret           = env("RUNBOOK_SECRET")
    host_key_check   = "strict"
    known_hosts_file = "known_hosts"
    timeouts {
      connect = "5s"
      command = "5s"
    }
  }
` + hosts.String() + "}\n"
	return &sweepFleet{fleet: fleet, inventory: inv, knownHost: khPath}
}

// sweepSteps push the sensitive community, read it back, fail assertions
// whose messages show it (JSON-escaped, and cut short at the message
// limit), and run a step that errors on a rejected line.
func sweepSteps() string {
	// The message limit is 2000 bytes: this message puts the cut 12 bytes
	// into the community's JSON form.
	long := strings.Repeat("m", 2000-len(`: vars.comm = "`)-12)
	return `
variable "comm" {
  type      = string
  sensitive = true
}

step "backup" "running" {
  dir = "backups"
}

step "send_config_set" "snmp" {
  depends_on = [step.backup.running]
  commands   = ["snmp-server community ${var.comm} RO"]
}

step "send_command" "verify" {
  depends_on = [step.send_config_set.snmp]
  command    = "show running-config | include snmp-server community"
  assert "community_gone" {
    expr    = "!(output contains vars.comm)"
    message = "the community is still configured"
  }
}

step "send_command" "cut" {
  command = "show clock"
  assert "cut_short" {
    expr    = "vars.comm == 'something else'"
    message = "` + long + `"
  }
}

step "send_command" "echo" {
  command = "show running-config | include ${var.comm}"
}
`
}

// TestSecretsSweep runs apply, check and plan with secrets that contain
// every escaped character, with and without failures, with every report
// and -vv, and finds none of them in any form in stdout, stderr or any
// file written.
func TestSecretsSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	dir := t.TempDir()
	faults := map[string]string{
		"r1": "chunk_size=3",                  // secrets split across reads
		"r2": "reject_config=^snmp-server",    // a config line refused
		"r3": "auth_fail",                     // login refused
		"r4": "drop_mid_output,chunk_size=16", // session dropped mid-command
	}
	fl := startSweepFleet(t, dir, sweepPassword, sweepEnable, faults, "r0", "r1", "r2", "r3", "r4")
	pbPath := filepath.Join(dir, "sweep.hcl")
	if err := os.WriteFile(pbPath, []byte(fl.inventory+sweepSteps()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RUNBOOK_USERNAME", "netops")
	t.Setenv("RUNBOOK_PASSWORD", sweepPassword)
	t.Setenv("RUNBOOK_SECRET", sweepEnable)
	t.Setenv("RUNBOOK_VAR_comm", sweepComm)
	secrets := map[string]string{"password": sweepPassword, "enable secret": sweepEnable, "sensitive variable": sweepComm}

	type run struct {
		name string
		args []string
	}
	var runs []run
	for _, cmd := range []string{"apply", "check"} {
		for _, limit := range []string{"r0,r1", "all"} {
			out := filepath.Join(dir, "out-"+cmd+"-"+strings.ReplaceAll(limit, ",", "+"))
			runs = append(runs, run{cmd + " " + limit, []string{cmd, "-vv", "--limit", limit,
				"--json", filepath.Join(out, "report.json"), "--junit", filepath.Join(out, "junit.xml"),
				"--session-log", filepath.Join(out, "logs"), "--report-output", "all", pbPath}})
		}
	}
	runs = append(runs,
		run{"apply json:debug", []string{"apply", "--log-level", "json:debug", "--limit", "r0,r2",
			"--json", filepath.Join(dir, "out-debug", "report.json"), pbPath}},
		run{"plan", []string{"plan", pbPath}},
		run{"plan json", []string{"plan", "--json", pbPath}},
		run{"validate", []string{"validate", pbPath}},
	)
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			code, stdout, stderr := runCLICtx(ctx, t, r.args...)
			t.Logf("exit %d\n%s\n%s", code, stdout, stderr)
			if strings.Contains(r.name, "all") && code != exitFailed {
				t.Errorf("exit %d with failing devices, want %d\n%s%s", code, exitFailed, stdout, stderr)
			}
			sweep(t, "stdout", stdout, secrets)
			sweep(t, "stderr", stderr, secrets)
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			}
		})
	}
	// The community really went through the runs: the sweep looked where
	// it could have been.
	if cfg := fl.fleet.Device("r0").RunningConfig(); !strings.Contains(cfg, sweepComm) {
		t.Fatalf("r0's configuration lacks the community: the sweep proves nothing\n%s", cfg)
	}
	logs, _ := os.ReadFile(filepath.Join(dir, "out-apply-r0+r1", "logs", "r1.log"))
	if !strings.Contains(string(logs), "snmp-server community (sensitive) RO") {
		t.Errorf("r1's transcript does not show the redacted push:\n%s", logs)
	}
	n := sweepFiles(t, dir, filepath.Join(dir, "backups"), secrets)
	if n < 12 {
		t.Errorf("swept %d files, want the reports and transcripts of every run", n)
	}
}

// TestSecretsSweepLab does the same with --lab and --lab-fault: the lab's
// own credentials and a sensitive variable.
func TestSecretsSweepLab(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	dir := t.TempDir()
	inv := `inventory {
  defaults {
    platform = "cisco_ios"
    username = env("RUNBOOK_USERNAME")
    password = env("RUNBOOK_PASSWORD")
    secret   = env("RUNBOOK_SECRET")
  }
  host "r0" { address = "192.0.2.10" }
  host "r1" { address = "192.0.2.11" }
  host "r2" { address = "192.0.2.12" }
}
`
	pbPath := filepath.Join(dir, "sweep.hcl")
	if err := os.WriteFile(pbPath, []byte(inv+sweepSteps()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RUNBOOK_VAR_comm", sweepComm)
	secrets := map[string]string{"lab password": labPass, "lab enable secret": labSecret, "sensitive variable": sweepComm}
	for _, cmd := range []string{"apply", "check"} {
		t.Run(cmd, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+cmd)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			code, stdout, stderr := runCLICtx(ctx, t, cmd, "--lab", "-vv",
				"--lab-fault", "r1:chunk_size=2", "--lab-fault", "r2:reject_config=^snmp-server",
				"--json", filepath.Join(out, "report.json"), "--junit", filepath.Join(out, "junit.xml"),
				"--session-log", filepath.Join(out, "logs"), pbPath)
			if code != exitFailed {
				t.Errorf("exit %d, want %d (assertions fail)", code, exitFailed)
			}
			sweep(t, "stdout", stdout, secrets)
			sweep(t, "stderr", stderr, secrets)
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
			}
		})
	}
	if n := sweepFiles(t, dir, filepath.Join(dir, "backups"), secrets); n < 8 {
		t.Errorf("swept %d files, want the reports and transcripts of both runs", n)
	}
}

// Output that holds a secret only as part of a longer word is reported
// as the device sent it: password "admin" leaves "administratively down"
// alone, in the console, the JSON report and the transcript.
func TestRedactionKeepsWordsWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	dir := t.TempDir()
	fl := startSweepFleet(t, dir, "admin", "enable-admin", nil, "r0")
	steps := `
step "send_config_set" "shut" {
  commands = ["interface GigabitEthernet0/2", "shutdown"]
}

step "send_command" "brief" {
  depends_on = [step.send_config_set.shut]
  command    = "show ip interface brief"
  assert "seen" {
    expr = "output contains 'administratively down'"
  }
}
`
	pbPath := filepath.Join(dir, "words.hcl")
	if err := os.WriteFile(pbPath, []byte(fl.inventory+steps), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RUNBOOK_USERNAME", "netops")
	t.Setenv("RUNBOOK_PASSWORD", "admin")
	t.Setenv("RUNBOOK_SECRET", "enable-admin")
	jsonPath := filepath.Join(dir, "report.json")
	code, stdout, stderr := runCLI(t, "apply", "-v", "--json", jsonPath, "--session-log", filepath.Join(dir, "logs"), pbPath)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	rep, _ := os.ReadFile(jsonPath)
	tr, _ := os.ReadFile(filepath.Join(dir, "logs", "r0.log"))
	for where, text := range map[string]string{"stdout": stdout, "json": string(rep)} {
		if !strings.Contains(text, "administratively down") || strings.Contains(text, "(sensitive)istratively") {
			t.Errorf("%s: output changed by redaction:\n%s", where, text)
		}
	}
	t.Run("transcript", func(t *testing.T) {
		if strings.Contains(string(tr), "********istratively") {
			t.Errorf("the driver masks the password inside a word:\n%s", tr)
		}
		if !strings.Contains(string(tr), "administratively down") || strings.Contains(string(tr), "istratively") && !strings.Contains(string(tr), "administratively") {
			t.Errorf("transcript changed by redaction:\n%s", tr)
		}
		if strings.Contains(string(tr), "Password: admin") {
			t.Errorf("the password answer is in the transcript:\n%s", tr)
		}
	})
}

// A report that cannot be written stops the run before it connects; a
// transcript that cannot be written is said on the console and fails the
// run. (A transcript lost mid-run is tested in engine/report.)
func TestUnwritableReportsFailTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file") // a file where a directory should be
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	places := []string{filepath.Join(blocker, "sub")}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		places = append(places, ro)
	}
	for _, place := range places {
		for _, flag := range []string{"--json", "--junit"} {
			code, stdout, stderr := runCLI(t, "apply", "--lab", flag, filepath.Join(place, "report"), playbook(t, "ntp.hcl"))
			if code == exitOK || !strings.Contains(stderr, flag) || strings.Contains(stdout, "passed") {
				t.Errorf("%s into %s: exit %d, want a failure before connecting\nstdout:\n%s\nstderr:\n%s", flag, place, code, stdout, stderr)
			}
		}
		code, stdout, stderr := runCLI(t, "apply", "--lab", "--session-log", place, "--limit", "sw1", playbook(t, "ntp.hcl"))
		if code == exitOK || !strings.Contains(stdout+stderr, "session-log") && !strings.Contains(stdout+stderr, "session log") {
			t.Errorf("--session-log into %s: exit %d\nstdout:\n%s\nstderr:\n%s", place, code, stdout, stderr)
		}
	}
}

// Reports and transcripts are private: 0600 files, a 0700 transcript
// directory, and never more than the umask allows.
func TestReportFileModes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "apply", "--lab", "--limit", "sw1",
		"--json", filepath.Join(dir, "r", "report.json"), "--junit", filepath.Join(dir, "junit.xml"),
		"--session-log", filepath.Join(dir, "logs"), playbook(t, "ntp.hcl"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(dir, "r", "report.json"): 0o600,
		filepath.Join(dir, "junit.xml"):        0o600,
		filepath.Join(dir, "logs", "sw1.log"):  0o600,
		filepath.Join(dir, "logs"):             0o700,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Error(err)
			continue
		}
		if got := st.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s: mode %v, want at most %v", path, got, want)
		}
	}
	// The backup's running-config is left out of the JSON report unless
	// --report-output all asks for it.
	b, _ := os.ReadFile(filepath.Join(dir, "r", "report.json"))
	var doc jsonDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, d := range doc.Devices {
		for _, s := range d.Steps {
			if s.Kind == "backup" && (s.Output != nil || s.OutputOmitted != "configuration") {
				t.Errorf("backup output in the JSON report (omitted %q)", s.OutputOmitted)
			}
			if s.Kind == "send_command" && s.Output == nil {
				t.Errorf("%s: command output missing", s.Name)
			}
		}
	}
	code, _, stderr = runCLI(t, "apply", "--lab", "--limit", "sw1", "--report-output", "all",
		"--json", filepath.Join(dir, "all.json"), playbook(t, "ntp.hcl"))
	if code != exitOK {
		t.Fatalf("--report-output all: exit %d: %s", code, stderr)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "all.json"))
	if !strings.Contains(string(b), "hostname sw1") {
		t.Errorf("--report-output all: no running-config in the report")
	}
	if code, _, _ := runCLI(t, "apply", "--lab", "--report-output", "some", playbook(t, "ntp.hcl")); code != exitInvalid {
		t.Errorf("--report-output some: exit %d, want %d", code, exitInvalid)
	}
}

type jsonDoc struct {
	Devices []struct {
		Steps []struct {
			Name          string  `json:"name"`
			Kind          string  `json:"kind"`
			Output        *string `json:"output"`
			OutputOmitted string  `json:"output_omitted"`
		} `json:"steps"`
	} `json:"devices"`
}

// lab serve --password X --inventory-out writes an inventory, a
// known_hosts file and a console listing, none of which may hold X; and
// the inventory it writes must load.
func TestSecretsSweepLabServe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	dir := t.TempDir()
	inv := filepath.Join(dir, "lab.hcl")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"lab", "serve", "--devices", "2", "--username", "netops",
			"--password", sweepPassword, "--secret", sweepEnable, "--inventory-out", inv}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if st, err := os.Stat(inv); err == nil && st.Size() > 0 {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("lab serve exited %d early: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no inventory after 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the console listing finish
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("lab serve did not stop")
	}
	written, _ := os.ReadFile(inv)
	if strings.Contains(string(written), `env("RUNBOOK_PASSWORD", "`) {
		t.Errorf("the inventory gives the password as a literal env() default:\n%s", written)
	}
	secrets := map[string]string{"password": sweepPassword, "enable secret": sweepEnable}
	sweep(t, "stdout", stdout.String(), secrets)
	sweep(t, "stderr", stderr.String(), secrets)
	sweepFiles(t, dir, "", secrets)
	t.Setenv("RUNBOOK_PASSWORD", sweepPassword)
	t.Setenv("RUNBOOK_SECRET", sweepEnable)
	if code, out, errOut := runCLI(t, "validate", inv); code != exitOK {
		t.Errorf("the inventory lab serve wrote does not load: exit %d\n%s%s", code, out, errOut)
	}
}
