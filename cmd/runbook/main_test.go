package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/lab"
)

// runCLI runs the CLI in-process and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLICtx(context.Background(), t, args...)
}

func runCLICtx(ctx context.Context, t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// playbook returns the path of the named shipped playbook in a fresh
// temporary copy of playbooks/ (copyPlaybooks): runs write backups next
// to the playbook, and must never write into the source tree.
func playbook(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(copyPlaybooks(t), "playbooks", name)
}

func playbooks(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(copyPlaybooks(t), "playbooks", "*.hcl"))
	if err != nil || len(files) < 4 {
		t.Fatalf("playbooks: %v %v", files, err)
	}
	return files
}

func TestValidateShippedPlaybooks(t *testing.T) {
	for _, p := range playbooks(t) {
		code, out, errOut := runCLI(t, "validate", p)
		if code != exitOK {
			t.Errorf("validate %s: exit %d\nstdout:\n%s\nstderr:\n%s", p, code, out, errOut)
		}
	}
}

func TestValidateReportsEveryErrorWithPosition(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.hcl")
	src := `step "send_command" "a" {
  command = "show clock"
  bogus   = 1
}

step "send_comand" "b" {
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "validate", path)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInvalid, errOut)
	}
	for _, want := range []string{
		regexp.QuoteMeta(path) + `:3:\d+: error: `,
		regexp.QuoteMeta(path) + `:6:\d+: error: .*`,
	} {
		if !regexp.MustCompile(want).MatchString(errOut) {
			t.Errorf("stderr lacks %s:\n%s", want, errOut)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"apply"},
		{"frobnicate"},
		{"apply", "--forks", "x", playbook(t, "ntp.hcl")},
		{"validate", "--diag", "fancy", playbook(t, "ntp.hcl")},
		{"plan", "--limit", "nosuchhost", playbook(t, "ntp.hcl")},
		{"apply", "--lab-fault", "sw1:auth_fail", playbook(t, "ntp.hcl")},
	} {
		if code, _, _ := runCLI(t, args...); code != exitInvalid {
			t.Errorf("%v: exit %d, want %d", args, code, exitInvalid)
		}
	}
}

func TestPlanShowsRenderedCommandsAndHidesSecrets(t *testing.T) {
	t.Setenv("RUNBOOK_PASSWORD", "hunter2-very-secret")
	t.Setenv("RUNBOOK_SECRET", "enable-very-secret")
	code, out, errOut := runCLI(t, "plan", playbook(t, "ntp.hcl"))
	if code != exitOK {
		t.Fatalf("plan exit %d: %s", code, errOut)
	}
	for _, want := range []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101", "send_config_set.push", "[changes device]"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	secrets := map[string]string{"password": "hunter2-very-secret", "enable secret": "enable-very-secret"}
	sweep(t, "plan stdout", out, secrets)
	sweep(t, "plan stderr", errOut, secrets)
}

func TestPlanLimit(t *testing.T) {
	code, all, _ := runCLI(t, "plan", playbook(t, "ntp.hcl"))
	if code != exitOK {
		t.Fatal("plan failed")
	}
	code, one, errOut := runCLI(t, "plan", "--limit", "group:core", playbook(t, "ntp.hcl"))
	if code != exitOK {
		t.Fatalf("plan --limit: exit %d: %s", code, errOut)
	}
	if len(one) >= len(all) {
		t.Errorf("--limit group:core did not narrow the plan")
	}
}

func TestFmtCheck(t *testing.T) {
	if code, out, errOut := runCLI(t, "fmt", "--check", filepath.Join(copyPlaybooks(t), "playbooks")); code != exitOK {
		t.Fatalf("shipped playbooks are not formatted (exit %d):\n%s%s", code, out, errOut)
	}
	path := filepath.Join(t.TempDir(), "ugly.hcl")
	ugly := "step \"send_command\" \"a\" {\ncommand=\"show clock\"\n  timeout =   \"5s\"\n}\n"
	if err := os.WriteFile(path, []byte(ugly), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "fmt", "--check", path); code != exitFailed || !strings.Contains(out, path) {
		t.Errorf("fmt --check on an unformatted file: exit %d, out %q", code, out)
	}
	if b, _ := os.ReadFile(path); string(b) != ugly {
		t.Error("fmt --check wrote the file")
	}
	if code, _, _ := runCLI(t, "fmt", path); code != exitOK {
		t.Errorf("fmt exit %d", code)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "  command = \"show clock\"") {
		t.Errorf("fmt did not format:\n%s", b)
	}
}

func TestVersion(t *testing.T) {
	if code, out, _ := runCLI(t, "version"); code != exitOK || !strings.HasPrefix(out, "runbook ") {
		t.Errorf("version: %d %q", code, out)
	}
}

// jsonReport is the shape the JSON report promises.
type jsonReport struct {
	Summary map[string]any `json:"summary"`
	Devices []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
		Status  string `json:"status"`
		Steps   []struct {
			Name       string           `json:"name"`
			Kind       string           `json:"kind"`
			Status     string           `json:"status"`
			DurationMS float64          `json:"duration_ms"`
			Message    string           `json:"message"`
			Output     *string          `json:"output"`
			Records    []map[string]any `json:"records"`
			Assertions []struct {
				Name   string `json:"name"`
				Passed bool   `json:"passed"`
			} `json:"assertions"`
		} `json:"steps"`
	} `json:"devices"`
}

func readJSONReport(t *testing.T, path string) jsonReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("json report: %v", err)
	}
	var r jsonReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("json report: %v\n%s", err, b)
	}
	return r
}

func TestApplyLabNTP(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "report.json")
	junitPath := filepath.Join(dir, "report.xml")
	logDir := filepath.Join(dir, "sessions")
	ntp := playbook(t, "ntp.hcl")
	code, out, errOut := runCLI(t, "apply", "--lab", "--forks", "50", "--json", jsonPath, "--junit", junitPath,
		"--session-log", logDir, ntp)
	if code != exitOK {
		t.Fatalf("apply --lab exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	rep := readJSONReport(t, jsonPath)
	if len(rep.Devices) < 6 {
		t.Fatalf("%d devices in the report, want the ntp inventory's 6 or more", len(rep.Devices))
	}
	for _, d := range rep.Devices {
		if d.Status != "passed" || d.Address == "" || len(d.Steps) == 0 {
			t.Errorf("device %+v", d)
		}
		for _, s := range d.Steps {
			if s.Output == nil && s.Kind == "send_command" {
				t.Errorf("%s %s: no output in the JSON report", d.Name, s.Name)
			}
		}
	}
	if rep.Summary["passed"] != float64(len(rep.Devices)) {
		t.Errorf("summary %v", rep.Summary)
	}
	checkJUnit(t, junitPath, len(rep.Devices), 0)
	logs, _ := filepath.Glob(filepath.Join(logDir, "*"))
	if len(logs) != len(rep.Devices) {
		t.Errorf("%d session logs, want %d", len(logs), len(rep.Devices))
	}
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		if !strings.Contains(string(b), "ntp server 10.0.1.100") {
			t.Errorf("%s lacks the pushed config", l)
		}
	}
	// The lab's secrets, in every encoding, in no output and no file but
	// the backups (which hold the configuration as the device has it).
	secrets := map[string]string{"lab password": labPass, "lab enable secret": labSecret}
	sweep(t, "stdout", out, secrets)
	sweep(t, "stderr", errOut, secrets)
	if n := sweepFiles(t, dir, "", secrets); n < 2+len(rep.Devices) {
		t.Errorf("swept %d files, want the JSON and JUnit reports and %d transcripts", n, len(rep.Devices))
	}
	if backups, _ := filepath.Glob(filepath.Join(filepath.Dir(ntp), "backups", "*", "*.cfg")); len(backups) != len(rep.Devices) {
		t.Errorf("%d backups next to the playbook copy, want %d", len(backups), len(rep.Devices))
	}
}

type junitSuites struct {
	Suites []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
			Error   *struct{} `xml:"error"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func checkJUnit(t *testing.T, path string, devices, wantFailedSuites int) junitSuites {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("junit: %v", err)
	}
	var js junitSuites
	if err := xml.Unmarshal(b, &js); err != nil {
		t.Fatalf("junit does not parse: %v", err)
	}
	if len(js.Suites) != devices {
		t.Errorf("%d testsuites, want %d", len(js.Suites), devices)
	}
	failed := 0
	for _, s := range js.Suites {
		if len(s.Cases) == 0 || s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d cases=%d", s.Name, s.Tests, len(s.Cases))
		}
		if s.Failures+s.Errors > 0 {
			failed++
		}
	}
	if wantFailedSuites >= 0 && failed != wantFailedSuites {
		t.Errorf("%d suites with failures, want %d", failed, wantFailedSuites)
	}
	return js
}

func TestApplyFailingAssertionExits1AndNamesDevices(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.hcl")
	src := `inventory {
  defaults {
    username = "x"
    password = env("RUNBOOK_PASSWORD", "")
  }
  host "ios1" {
    platform = "cisco_ios"
    address  = "192.0.2.1"
  }
  host "eos1" {
    platform = "arista_eos"
    address  = "192.0.2.2"
  }
  host "ios2" {
    platform = "cisco_ios"
    address  = "192.0.2.3"
  }
}

step "send_command" "version" {
  command = "show version"
  assert "is_ios" {
    expr    = "output contains \"Cisco IOS\""
    message = "not running Cisco IOS"
  }
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, "r.json")
	junitPath := filepath.Join(dir, "r.xml")
	code, out, errOut := runCLI(t, "apply", "--lab", "--forks", "1", "--json", jsonPath, "--junit", junitPath, path)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"eos1", "send_command.version", "is_ios", "not running Cisco IOS"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	rep := readJSONReport(t, jsonPath)
	got := map[string]string{}
	for _, d := range rep.Devices {
		got[d.Name] = d.Status
	}
	want := map[string]string{"ios1": "passed", "eos1": "failed", "ios2": "passed"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	checkJUnit(t, junitPath, 3, 1)
}

// check runs against lab devices the test keeps, standing in for
// ntp.hcl's inventory: it lists the changes apply would make, and
// afterwards every device has the configuration it had before (running
// and startup) and no backup was written.
func TestCheckDoesNotChangeAndListsChanges(t *testing.T) {
	work := copyPlaybooks(t)
	pbDir := filepath.Join(work, "playbooks")
	devices := map[string]string{"sw1": lab.CiscoIOS, "core1": lab.AristaEOS, "leaf1": lab.CiscoNXOS}
	spec := lab.FleetSpec{Seed: "check does not change"}
	for name, platform := range devices {
		spec.Devices = append(spec.Devices, lab.DeviceSpec{Name: name, Platform: platform, Username: labUser, Password: labPass, Secret: labSecret})
	}
	fleet, err := lab.StartFleet(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	var kh, inv strings.Builder
	inv.WriteString("inventory {\n  defaults {\n    username = env(\"RUNBOOK_USERNAME\")\n    password = env(\"RUNBOOK_PASSWORD\")\n    secret   = env(\"RUNBOOK_SECRET\")\n")
	khPath := filepath.Join(work, "known_hosts")
	fmt.Fprintf(&inv, "    host_key_check   = \"strict\"\n    known_hosts_file = %q\n  }\n", khPath)
	type config struct{ running, startup string }
	before := map[string]config{}
	for _, d := range fleet.Devices() {
		kh.WriteString(knownhosts.Line([]string{knownhosts.Normalize(d.Addr())}, d.HostKey()) + "\n")
		fmt.Fprintf(&inv, "  host %q {\n    platform = %q\n    address  = \"127.0.0.1\"\n    port     = %d\n  }\n", d.Name(), d.Platform(), d.Port())
		before[d.Name()] = config{d.RunningConfig(), d.StartupConfig()}
		if strings.Contains(d.RunningConfig(), "ntp server 10.0.1.100") {
			t.Fatalf("%s has the NTP server before the check: the test proves nothing", d.Name())
		}
	}
	inv.WriteString("}\n")
	if err := os.WriteFile(khPath, []byte(kh.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	invPath := filepath.Join(work, "inventory.hcl")
	if err := os.WriteFile(invPath, []byte(inv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RUNBOOK_USERNAME", labUser)
	t.Setenv("RUNBOOK_PASSWORD", labPass)
	t.Setenv("RUNBOOK_SECRET", labSecret)
	files := dirSnapshot(t, pbDir)

	code, out, errOut := runCLI(t, "check", "--inventory", invPath, filepath.Join(pbDir, "ntp.hcl"))
	if code != exitOK {
		t.Fatalf("check exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "Apply would change:") || !strings.Contains(out, "ntp server 10.0.1.100") {
		t.Errorf("check output does not list the changes:\n%s", out)
	}
	for name := range devices {
		if !strings.Contains(out, name) {
			t.Errorf("check output does not name %s:\n%s", name, out)
		}
	}
	for _, d := range fleet.Devices() {
		after := config{d.RunningConfig(), d.StartupConfig()}
		if diff := cmp.Diff(before[d.Name()], after, cmp.AllowUnexported(config{})); diff != "" {
			t.Errorf("check changed %s's configuration (-before +after):\n%s", d.Name(), diff)
		}
	}
	if diff := cmp.Diff(files, dirSnapshot(t, pbDir)); diff != "" {
		t.Errorf("check wrote next to the playbook (a backup?) (-before +after):\n%s", diff)
	}
}

func TestApplyLimitAndSerial(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--forks", "1", "--limit", "group:core", "--json", jsonPath, "--no-output", playbook(t, "ntp.hcl"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	rep := readJSONReport(t, jsonPath)
	if len(rep.Devices) == 0 || len(rep.Devices) >= 6 {
		t.Errorf("--limit group:core ran %d devices", len(rep.Devices))
	}
	for _, d := range rep.Devices {
		for _, s := range d.Steps {
			if s.Output != nil {
				t.Errorf("--no-output: %s %s has output", d.Name, s.Name)
			}
		}
	}
}

func TestApplyInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // interrupted before any device starts: still a report, exit 130
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLICtx(ctx, t, "apply", "--lab", "--json", jsonPath, playbook(t, "ntp.hcl"))
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s%s", code, out, errOut)
	}
	rep := readJSONReport(t, jsonPath)
	for _, d := range rep.Devices {
		if d.Status != "skipped" {
			t.Errorf("%s: %s, want skipped", d.Name, d.Status)
		}
	}
}

func TestApplyRefusesMissingCredentialsBeforeConnecting(t *testing.T) {
	for _, v := range []string{"RUNBOOK_USERNAME", "RUNBOOK_PASSWORD", "RUNBOOK_SECRET"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	// The ntp inventory points at 192.0.2.0/24: had runbook tried to
	// connect, the run would fail with exit 1 (or hang), not exit 2.
	code, out, errOut := runCLI(t, "apply", playbook(t, "ntp.hcl"))
	if code != exitInvalid {
		t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "RUNBOOK_PASSWORD") || strings.Contains(out, "RECAP") {
		t.Errorf("want an error naming RUNBOOK_PASSWORD and no run; stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

// faultPlaybook has short step timeouts so that fault tests end quickly.
const faultPlaybook = `inventory {
  defaults {
    platform = "cisco_ios"
    username = "lab"
    password = env("RUNBOOK_PASSWORD", "")
  }
  host "r1" { address = "192.0.2.1" }
  host "r2" { address = "192.0.2.2" }
  host "r3" { address = "192.0.2.3" }
  host "r4" { address = "192.0.2.4" }
}

step "send_command" "pre" {
  command = "show clock"
  timeout = "2s"
}

step "send_config_set" "push" {
  depends_on = [step.send_command.pre]
  commands   = ["ntp server 10.0.1.100", "ntp server 10.0.1.101", "logging host 10.0.2.1"]
  timeout    = "2s"
}

step "send_command" "verify" {
  depends_on = [step.send_config_set.push]
  command    = "show running-config | include ntp server"
  timeout    = "2s"
}
`

func writePlaybook(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "play.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func deviceStatuses(t *testing.T, jsonPath string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, d := range readJSONReport(t, jsonPath).Devices {
		got[d.Name] = d.Status
	}
	return got
}

func TestApplyLabFaultsFailOnlyTheirDevice(t *testing.T) {
	play := writePlaybook(t, faultPlaybook)
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--json", jsonPath,
		"--lab-fault", "r1:auth_fail",
		"--lab-fault", "r2:hang=^show clock",
		"--lab-fault", "r3:drop_after=4,drop_mid_output",
		play)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	want := map[string]string{"r1": "auth_failed", "r2": "error", "r3": "error", "r4": "passed"}
	if diff := cmp.Diff(want, deviceStatuses(t, jsonPath)); diff != "" {
		t.Errorf("device statuses (-want +got):\n%s", diff)
	}
	for _, s := range []string{"authentication failed", "timed out (step timeout 2s)", "r3"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestApplyFailFast(t *testing.T) {
	play := writePlaybook(t, faultPlaybook)
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--forks", "1", "--fail-fast", "--json", jsonPath,
		"--lab-fault", "r2:reject_config=^logging", play)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	want := map[string]string{"r1": "passed", "r2": "failed", "r3": "skipped", "r4": "skipped"}
	if diff := cmp.Diff(want, deviceStatuses(t, jsonPath)); diff != "" {
		t.Errorf("device statuses (-want +got):\n%s", diff)
	}
}

// cancelOnWrite cancels a run when the console prints its first step line,
// like Ctrl+C pressed mid-run.
type cancelOnWrite struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("send_command.pre")) {
		c.cancel()
	}
	return c.Buffer.Write(p)
}

func TestApplyInterruptedMidRunStillWritesReports(t *testing.T) {
	play := writePlaybook(t, faultPlaybook)
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOnWrite{cancel: cancel}
	var errb bytes.Buffer
	code := run(ctx, []string{"apply", "--lab", "--forks", "1", "--json", jsonPath, "--junit", junitPath,
		"--lab-fault", "*:latency=50ms", play}, out, &errb)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s%s", code, out.String(), errb.String())
	}
	got := deviceStatuses(t, jsonPath)
	if got["r4"] != "skipped" {
		t.Errorf("r4 %s, want skipped (never started)", got["r4"])
	}
	if got["r1"] == "passed" {
		t.Errorf("r1 passed although the run was interrupted during its first step")
	}
	checkJUnit(t, junitPath, 4, -1)
}

func TestLabFaultFlagErrors(t *testing.T) {
	play := writePlaybook(t, faultPlaybook)
	for _, fl := range []string{"nohost:auth_fail", "r1:explode", "r1"} {
		code, _, errOut := runCLI(t, "apply", "--lab", "--lab-fault", fl, play)
		if code != exitInvalid || !strings.Contains(errOut, "--lab-fault") {
			t.Errorf("--lab-fault %q: exit %d, stderr %q; want 2 and an error naming the flag", fl, code, errOut)
		}
	}
}

func TestParseCommand(t *testing.T) {
	raw := "../../tasks/testdata/parse/cisco_ios/show_ip_interface_brief.raw"
	code, out, errOut := runCLI(t, "parse", "--platform", "cisco_xe", "--command", "sh ip int br", "--json", raw)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	if len(recs) == 0 || recs[0]["interface"] == nil || recs[0]["ip_address"] == nil {
		t.Errorf("records %v lack interface/ip_address", recs)
	}
	// Keys come in the template's Value order, as Python prints them.
	if i, j := strings.Index(out, `"interface"`), strings.Index(out, `"ip_address"`); i < 0 || j < i {
		t.Errorf("keys not in template order:\n%s", out)
	}
	if code, out, _ := runCLI(t, "parse", "--template", "/dev/null", "--json", raw); code == exitOK {
		t.Errorf("an empty template parsed: %s", out)
	}
	tmpl := filepath.Join(t.TempDir(), "gt.textfsm")
	if err := os.WriteFile(tmpl, []byte("Value M (\\S+)\n\nStart\n  ^${M} -> Record\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("a>b&c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "parse", "--template", tmpl, "--json", in); code != exitOK || !strings.Contains(out, `"m": "a>b&c"`) {
		t.Errorf("JSON escapes text: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "parse", "--platform", "cisco_ios", "--command", "show ip interface brief", raw)
	if code != exitOK || !strings.Contains(out, "INTERFACE") || !strings.Contains(out, "GigabitEthernet0/0") {
		t.Errorf("table output: exit %d\n%s", code, out)
	}
	code, _, errOut = runCLI(t, "parse", "--platform", "cisco_ios", "--command", "show no such thing", raw)
	if code != exitFailed || !strings.Contains(errOut, "no template") {
		t.Errorf("unknown command: exit %d, stderr %q; want 1 and \"no template\"", code, errOut)
	}
}

// runbook parse --test DIR runs a tests tree in ntc-templates' layout:
// a fixture whose parsed_sample matches passes; one that does not fails
// with the differing field, and the exit code says so.
func TestParseTestTree(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join(dir, "cisco_ios", "show_clock")
	if err := os.MkdirAll(fixture, 0o755); err != nil {
		t.Fatal(err)
	}
	raw := "*10:00:00.000 UTC Mon Jan 1 2024\n"
	good := "---\nparsed_sample:\n  - time: \"10:00:00.000\"\n    timezone: \"UTC\"\n    dayweek: \"Mon\"\n    month: \"Jan\"\n    day: \"1\"\n    year: \"2024\"\n"
	for name, content := range map[string]string{"ok.raw": raw, "ok.yml": good, "bad.raw": raw, "bad.yml": strings.Replace(good, "2024", "2025", 1)} {
		if err := os.WriteFile(filepath.Join(fixture, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := runCLI(t, "parse", "--test", dir, "-v")
	if code != 1 || !strings.Contains(out, "ok   cisco_ios/show_clock/ok.raw") || !strings.Contains(out, "FAIL cisco_ios/show_clock/bad.raw") ||
		!strings.Contains(out, `"2025"`) || !strings.Contains(out, "1 passed, 1 failed\n") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	// A .raw with no .yml is skipped, not failed.
	if err := os.Remove(filepath.Join(fixture, "bad.yml")); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "parse", "--test", dir); code != 0 || !strings.Contains(out, "1 passed, 0 failed, 1 skipped") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "parse", "--test", t.TempDir()); code != 2 {
		t.Errorf("an empty tests tree: exit %d, want 2", code)
	}
}

// The audit playbook parses "show ip interface brief" with the index
// (textfsm = "auto") on three platforms: the records reach the report
// with ntc-templates' field names, and the assertion over them passes on
// the lab, whose loopbacks have addresses.
func TestApplyLabAuditParses(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "audit.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--json", jsonPath, playbook(t, "audit.hcl"))
	if code != exitOK { // the rules are runbook audit's; apply runs the steps, whose checks pass
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	devices := readJSONReport(t, jsonPath).Devices
	if len(devices) != 6 {
		t.Fatalf("%d devices, want 6", len(devices))
	}
	for _, d := range devices {
		found := false
		for _, st := range d.Steps {
			if st.Name != "send_command.interfaces" {
				continue
			}
			found = true
			if st.Status != "ok" || len(st.Records) < 2 {
				t.Errorf("%s: interfaces step %s with %d records: %s", d.Name, st.Status, len(st.Records), st.Message)
			}
			loopback := false
			for _, r := range st.Records {
				name, _ := r["interface"].(string)
				addr, _ := r["ip_address"].(string)
				if name == "" || addr == "" {
					t.Errorf("%s: record without interface or ip_address: %v", d.Name, r)
				}
				loopback = loopback || strings.HasPrefix(strings.ToLower(name), "lo")
			}
			if !loopback {
				t.Errorf("%s: no loopback among %v", d.Name, st.Records)
			}
			if len(st.Assertions) != 1 || !st.Assertions[0].Passed {
				t.Errorf("%s: assertions %+v, want loopback_addressed passed", d.Name, st.Assertions)
			}
		}
		if !found {
			t.Errorf("%s: no send_command.interfaces step", d.Name)
		}
	}
}

// An index row no regex engine can read is skipped with a warning naming
// its line; the other rows still work.
func TestParseIndexRowSkipped(t *testing.T) {
	dir := t.TempDir()
	index := "Template, Hostname, Platform, Command\n\nx.textfsm, .*, acme, sh[[ow]] (broken\nclock.textfsm, .*, acme, sh[[ow]] clock\n"
	files := map[string]string{"index": index, "clock.textfsm": "Value T (\\S+)\n\nStart\n  ^${T} -> Record\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(in, []byte("10:00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "parse", "--templates-dir", dir, "--platform", "acme", "--command", "show clock", "--json", in)
	if code != exitOK || !strings.Contains(out, `"t": "10:00"`) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "warning: skipped") || !strings.Contains(errOut, "index:3: Command") {
		t.Errorf("stderr %q: want a warning naming index:3", errOut)
	}
}
