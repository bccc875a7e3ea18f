package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/lab"
	"github.com/runbook-dev/runbook/tasks"
)

// labDevice describes one device of a test fleet.
type labDevice struct {
	name     string
	platform string
	faults   *lab.Faults
}

// startFleet starts lab devices and returns inventory hosts pointing at
// them, with host keys checked against a known_hosts file of the test.
func startFleet(t *testing.T, devs ...labDevice) (*lab.Fleet, []*hcl.Host) {
	t.Helper()
	spec := lab.FleetSpec{Seed: t.Name()}
	for _, d := range devs {
		spec.Devices = append(spec.Devices, lab.DeviceSpec{
			Name: d.name, Platform: d.platform, Username: "admin", Password: "labpass", Secret: "labsecret", Faults: d.faults,
		})
	}
	fleet, err := lab.StartFleet(context.Background(), spec)
	if err != nil {
		t.Fatalf("StartFleet: %v", err)
	}
	t.Cleanup(func() { fleet.Close() })
	kh := filepath.Join(t.TempDir(), "known_hosts")
	var lines []string
	var hosts []*hcl.Host
	for _, d := range devs {
		ld := fleet.Device(d.name)
		lines = append(lines, knownhosts.Line([]string{knownhosts.Normalize(ld.Addr())}, ld.HostKey()))
		hosts = append(hosts, &hcl.Host{
			Name: d.name, Address: "127.0.0.1", Port: ld.Port(), Platform: d.platform,
			Username: "admin", Password: hcl.NewSecret("labpass"), Secret: hcl.NewSecret("labsecret"),
			HostKeyCheck: "strict", KnownHostsFile: kh,
			Timeouts: hcl.Timeouts{Connect: 5 * time.Second, Command: 5 * time.Second},
		})
	}
	if err := os.WriteFile(kh, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return fleet, hosts
}

func kinds() map[string]hcl.StepKind {
	out := map[string]hcl.StepKind{}
	for k, v := range tasks.Kinds() {
		out[k] = v
	}
	return out
}

// compile loads a playbook source (which needs no inventory of its own:
// the test supplies lab hosts) and compiles it.
func compile(t *testing.T, src string) *engine.Plan {
	t.Helper()
	path := filepath.Join(t.TempDir(), "play.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, diags := hcl.Load([]string{path}, hcl.WithStepKinds(kinds()))
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	plan, diags := engine.Compile(p, tasks.Kinds())
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags)
	}
	return plan
}

// recorder is a Sink that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []engine.Event
	closed bool
}

func (r *recorder) Event(e engine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) Close() error { r.closed = true; return nil }

func fastOpts(sink engine.Sink) engine.Options {
	return engine.Options{Forks: 10, ConnectJitter: -1, RetryBackoff: 10 * time.Millisecond, Sink: sink}
}

const ntpPlaybook = `
variable "ntp_servers" {
  default = ["10.0.1.100", "10.0.1.101"]
}

step "send_command" "pre" {
  command = "show running-config | include ntp server"
}

step "send_config_set" "push" {
  depends_on = [step.send_command.pre]
  commands   = [for s in var.ntp_servers : "ntp server ${s}"]
}

step "save" "config" {
  depends_on = [step.send_config_set.push]
}

step "send_command" "verify" {
  depends_on = [step.save.config]
  command    = "show running-config | include ntp server"
  assert "all_servers_present" {
    expr    = "all(vars.ntp_servers, {output contains #})"
    message = "an NTP server is missing after the push"
  }
}
`

func deviceByName(rep *engine.Report, name string) *engine.DeviceResult {
	for _, d := range rep.Devices {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func stepStatus(d *engine.DeviceResult, addr string) engine.Status {
	for _, s := range d.Steps {
		if s.Address == addr {
			return s.Status
		}
	}
	return ""
}

func TestRunPushesConfigAcrossPlatforms(t *testing.T) {
	fleet, hosts := startFleet(t,
		labDevice{name: "ios1", platform: "cisco_ios"},
		labDevice{name: "ios2", platform: "cisco_ios"},
		labDevice{name: "eos1", platform: "arista_eos"},
		labDevice{name: "nxos1", platform: "cisco_nxos"},
	)
	rec := &recorder{}
	rep := compile(t, ntpPlaybook).Run(context.Background(), hosts, fastOpts(rec))
	for _, d := range rep.Devices {
		if d.Status != engine.DevicePassed {
			t.Errorf("%s: status %s (%s); steps:", d.Name, d.Status, d.Message)
			for _, s := range d.Steps {
				t.Errorf("  %s %s %s", s.Address, s.Status, s.Message)
			}
		}
		if got := stepStatus(d, "send_config_set.push"); got != engine.StatusChanged {
			t.Errorf("%s: push status %s, want changed", d.Name, got)
		}
		ld := fleet.Device(d.Name)
		for _, srv := range []string{"10.0.1.100", "10.0.1.101"} {
			if !strings.Contains(ld.RunningConfig(), "ntp server "+srv) {
				t.Errorf("%s: running-config lacks ntp server %s", d.Name, srv)
			}
			if !strings.Contains(ld.StartupConfig(), "ntp server "+srv) {
				t.Errorf("%s: startup-config lacks ntp server %s (save did not take)", d.Name, srv)
			}
		}
	}
	var started, finished int
	for _, e := range rec.events {
		switch e.Type {
		case engine.DeviceStarted:
			started++
		case engine.DeviceFinished:
			finished++
		}
	}
	if started != len(hosts) || finished != len(hosts) {
		t.Errorf("events: %d DeviceStarted, %d DeviceFinished, want %d each", started, finished, len(hosts))
	}
	if last := rec.events[len(rec.events)-1]; last.Type != engine.RunFinished || last.Report != rep {
		t.Errorf("last event is %v, want RunFinished with the report", last.Type)
	}
}

func TestRejectedConfigFailsOnlyThatDeviceAndSkipsDependents(t *testing.T) {
	_, hosts := startFleet(t,
		labDevice{name: "good", platform: "cisco_ios"},
		labDevice{name: "bad", platform: "cisco_ios", faults: &lab.Faults{RejectConfig: `^ntp server 10\.0\.1\.101`}},
	)
	rep := compile(t, ntpPlaybook).Run(context.Background(), hosts, fastOpts(nil))
	good, bad := deviceByName(rep, "good"), deviceByName(rep, "bad")
	if good.Status != engine.DevicePassed {
		t.Errorf("good: %s, want passed", good.Status)
	}
	if bad.Status != engine.DeviceFailed {
		t.Fatalf("bad: %s, want failed", bad.Status)
	}
	want := map[string]engine.Status{
		"send_command.pre":     engine.StatusOK,
		"send_config_set.push": engine.StatusFailed,
		"save.config":          engine.StatusSkipped,
		"send_command.verify":  engine.StatusSkipped,
	}
	for addr, st := range want {
		if got := stepStatus(bad, addr); got != st {
			t.Errorf("bad %s: %s, want %s", addr, got, st)
		}
	}
	msg := bad.Steps[1].Message
	if !strings.Contains(msg, "ntp server 10.0.1.101") || !strings.Contains(msg, "Invalid input") {
		t.Errorf("push message %q should name the rejected line and the indicator", msg)
	}
}

func TestAssertionFailureNamesValues(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	plan := compile(t, `
step "send_command" "ver" {
  command = "show running-config | include ntp server"
  assert "has_ntp" {
    expr    = "output contains \"ntp server 192.0.2.99\""
    message = "NTP server 192.0.2.99 missing"
  }
}
`)
	rep := plan.Run(context.Background(), hosts, fastOpts(nil))
	d := rep.Devices[0]
	if d.Status != engine.DeviceFailed {
		t.Fatalf("status %s, want failed", d.Status)
	}
	s := d.Steps[0]
	if len(s.Asserts) != 1 || s.Asserts[0].Passed {
		t.Fatalf("asserts = %+v, want one failed", s.Asserts)
	}
	if !strings.Contains(s.Message, "has_ntp") || !strings.Contains(s.Message, "NTP server 192.0.2.99 missing") {
		t.Errorf("message %q should name the assertion and carry its message", s.Message)
	}
}

func TestAuthFailureIsNeverRetried(t *testing.T) {
	attempts := func(retries int) int {
		fleet, hosts := startFleet(t, labDevice{name: "locked", platform: "cisco_ios", faults: &lab.Faults{AuthFail: true}})
		plan := compile(t, fmt.Sprintf(`
step "send_command" "show" {
  command = "show clock"
  retries = %d
}
`, retries))
		rep := plan.Run(context.Background(), hosts, fastOpts(nil))
		if st := rep.Devices[0].Status; st != engine.DeviceAuthFailed {
			t.Errorf("retries=%d: status %s, want auth_failed", retries, st)
		}
		if !strings.Contains(rep.Devices[0].Message, "auth") {
			t.Errorf("message %q should say authentication failed", rep.Devices[0].Message)
		}
		return fleet.Device("locked").AuthAttempts()
	}
	once, withRetries := attempts(0), attempts(3)
	if once == 0 {
		t.Fatal("lab counted no authentication attempt")
	}
	if withRetries != once {
		t.Errorf("with retries = 3 the lab saw %d auth attempts, without %d: auth failures must not be retried", withRetries, once)
	}
}

func TestRetriesRunAgainAfterFailure(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	plan := compile(t, `
step "send_command" "check" {
  command = "show clock"
  retries = 2
  assert "never" {
    expr = "output == \"no such clock\""
  }
}
`)
	rep := plan.Run(context.Background(), hosts, fastOpts(nil))
	s := rep.Devices[0].Steps[0]
	if s.Status != engine.StatusFailed || s.Attempts != 3 {
		t.Errorf("status %s after %d attempts, want failed after 3", s.Status, s.Attempts)
	}
	n := 0
	for _, line := range fleet.Device("r1").Received() {
		if line == "show clock" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("device received show clock %d times, want 3", n)
	}
}

func TestHangingDeviceTimesOutAlone(t *testing.T) {
	_, hosts := startFleet(t,
		labDevice{name: "ok", platform: "cisco_ios"},
		labDevice{name: "stuck", platform: "cisco_ios", faults: &lab.Faults{Hang: `^show clock`}},
	)
	plan := compile(t, `
step "send_command" "clock" {
  command = "show clock"
  timeout = "1s"
}
step "send_command" "version" {
  command = "show version"
}
`)
	rep := plan.Run(context.Background(), hosts, fastOpts(nil))
	if st := deviceByName(rep, "ok").Status; st != engine.DevicePassed {
		t.Errorf("ok: %s, want passed", st)
	}
	stuck := deviceByName(rep, "stuck")
	if stuck.Status != engine.DeviceError {
		t.Fatalf("stuck: %s, want error", stuck.Status)
	}
	if s := stuck.Steps[0]; s.Status != engine.StatusError || !strings.Contains(s.Message, "timed out") {
		t.Errorf("stuck clock step: %s %q, want error mentioning the timeout", s.Status, s.Message)
	}
	// The next, independent step reconnects and runs.
	if s := stuck.Steps[1]; s.Status != engine.StatusOK {
		t.Errorf("stuck version step: %s %q, want ok on a fresh session", s.Status, s.Message)
	}
}

func TestDropMidConfigLeavesOthersAlone(t *testing.T) {
	_, hosts := startFleet(t,
		labDevice{name: "a", platform: "cisco_ios"},
		labDevice{name: "drops", platform: "cisco_ios", faults: &lab.Faults{DropAfter: 6, DropMidOutput: true}},
		labDevice{name: "b", platform: "arista_eos"},
	)
	rec := &recorder{}
	rep := compile(t, ntpPlaybook).Run(context.Background(), hosts, fastOpts(rec))
	for _, n := range []string{"a", "b"} {
		if st := deviceByName(rep, n).Status; st != engine.DevicePassed {
			t.Errorf("%s: %s, want passed", n, st)
		}
	}
	if st := deviceByName(rep, "drops").Status; st != engine.DeviceError && st != engine.DeviceUnreachable {
		t.Errorf("drops: %s, want error", st)
	}
	if rec.events[len(rec.events)-1].Type != engine.RunFinished {
		t.Error("no RunFinished event: the report would not be written")
	}
}

func TestFailFastStopsLaunchingDevices(t *testing.T) {
	_, hosts := startFleet(t,
		labDevice{name: "first", platform: "cisco_ios", faults: &lab.Faults{RejectConfig: "ntp"}},
		labDevice{name: "second", platform: "cisco_ios"},
		labDevice{name: "third", platform: "cisco_ios"},
	)
	opts := fastOpts(nil)
	opts.Forks, opts.FailFast = 1, true
	rep := compile(t, ntpPlaybook).Run(context.Background(), hosts, opts)
	want := []engine.Status{engine.DeviceFailed, engine.DeviceSkipped, engine.DeviceSkipped}
	for i, d := range rep.Devices {
		if d.Status != want[i] {
			t.Errorf("%s: %s, want %s", d.Name, d.Status, want[i])
		}
	}
}

func TestCheckModeReadsOnlyAndReportsPendingLines(t *testing.T) {
	fleet, hosts := startFleet(t,
		labDevice{name: "done", platform: "cisco_ios"},
		labDevice{name: "todo", platform: "cisco_ios"},
	)
	plan := compile(t, ntpPlaybook)
	// "done" already has the change.
	if rep := plan.Run(context.Background(), hosts[:1], fastOpts(nil)); rep.Devices[0].Status != engine.DevicePassed {
		t.Fatalf("setup apply: %s", rep.Devices[0].Status)
	}
	before := map[string]string{}
	for _, d := range fleet.Devices() {
		before[d.Name()] = d.RunningConfig()
	}
	opts := fastOpts(nil)
	opts.Check = true
	rep := plan.Run(context.Background(), hosts, opts)
	for _, d := range fleet.Devices() {
		if d.RunningConfig() != before[d.Name()] {
			t.Errorf("%s: check mode changed the running-config", d.Name())
		}
	}
	push := func(name string) *engine.StepResult {
		for _, s := range deviceByName(rep, name).Steps {
			if s.Address == "send_config_set.push" {
				return s
			}
		}
		t.Fatalf("%s: no push step", name)
		return nil
	}
	if p := push("done"); p.Status != engine.StatusSkipped || len(p.WouldChange) != 0 || !strings.Contains(p.Message, "in sync") {
		t.Errorf("done: push %s %q would change %v; want skipped, in sync", p.Status, p.Message, p.WouldChange)
	}
	want := []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"}
	if diff := cmp.Diff(want, push("todo").WouldChange); diff != "" {
		t.Errorf("todo: would change (-want +got):\n%s", diff)
	}
	if got := stepStatus(deviceByName(rep, "todo"), "send_command.pre"); got != engine.StatusOK {
		t.Errorf("todo: read-only pre step %s, want ok", got)
	}
	todoSave := deviceByName(rep, "todo").Steps[2]
	if len(todoSave.WouldChange) == 0 {
		t.Errorf("todo: save after a pending push should be listed as would run: %+v", todoSave)
	}
	if doneSave := deviceByName(rep, "done").Steps[2]; len(doneSave.WouldChange) != 0 {
		t.Errorf("done: save listed although the push is in sync: %+v", doneSave)
	}
	if got := stepStatus(deviceByName(rep, "todo"), "send_command.verify"); got != engine.StatusSkipped {
		t.Errorf("todo: post-check after a change in check mode: %s, want skipped", got)
	}
}

func TestWhenFalseSkipsStep(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"}, labDevice{name: "r2", platform: "arista_eos"})
	plan := compile(t, `
step "send_command" "ios_only" {
  command = "show version"
  when    = "host.platform == \"cisco_ios\""
}
`)
	rep := plan.Run(context.Background(), hosts, fastOpts(nil))
	if got := stepStatus(deviceByName(rep, "r1"), "send_command.ios_only"); got != engine.StatusOK {
		t.Errorf("r1: %s, want ok", got)
	}
	if got := stepStatus(deviceByName(rep, "r2"), "send_command.ios_only"); got != engine.StatusSkipped {
		t.Errorf("r2: %s, want skipped", got)
	}
	if st := deviceByName(rep, "r2").Status; st != engine.DevicePassed {
		t.Errorf("r2 device: %s, want passed (a when-skip is not a failure)", st)
	}
}

func TestCancelClosesSessionsAndLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		slow := &lab.Faults{Latency: 200 * time.Millisecond}
		var devs []labDevice
		for i := range 6 {
			devs = append(devs, labDevice{name: fmt.Sprintf("r%d", i), platform: "cisco_ios", faults: slow})
		}
		fleet, hosts := startFleet(t, devs...)
		plan := compile(t, ntpPlaybook)
		ctx, cancel := context.WithCancel(context.Background())
		rec := &recorder{}
		opts := fastOpts(rec)
		opts.Forks = 2
		go func() {
			// Cancel once the first step has started somewhere.
			for {
				rec.mu.Lock()
				started := false
				for _, e := range rec.events {
					if e.Type == engine.StepStarted {
						started = true
					}
				}
				rec.mu.Unlock()
				if started {
					cancel()
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		rep := plan.Run(ctx, hosts, opts)
		if !rep.Interrupted {
			t.Error("report not marked interrupted")
		}
		skipped := 0
		for _, d := range rep.Devices {
			if d.Status == engine.DeviceSkipped {
				skipped++
			}
		}
		if skipped == 0 {
			t.Error("no device was left unstarted after cancel")
		}
		for _, d := range fleet.Devices() {
			waitFor(t, func() bool { return d.Sessions() == 0 }, "%s still has %d open sessions", d.Name(), d.Sessions())
		}
		fleet.Close()
	}()
	waitFor(t, func() bool { return runtime.NumGoroutine() <= before+1 },
		"goroutines: %d before the run, %d after", before, runtime.NumGoroutine())
}

// waitFor polls cond for up to 5s: goroutines and sessions wind down
// asynchronously after Close.
func waitFor(t *testing.T, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf(format, args...)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOnFailureContinueRunsDependentsButFailsDevice(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	plan := compile(t, `
step "send_command" "check" {
  command    = "show clock"
  on_failure = "continue"
  assert "never" {
    expr = "output == \"no such clock\""
  }
}
step "send_command" "after" {
  depends_on = [step.send_command.check]
  command    = "show version"
}
step "send_command" "strict" {
  command = "show bogus-command"
}
step "send_command" "after_strict" {
  depends_on = [step.send_command.strict]
  command    = "show version"
}
`)
	rep := plan.Run(context.Background(), hosts, fastOpts(nil))
	d := rep.Devices[0]
	want := map[string]engine.Status{
		"send_command.check":        engine.StatusFailed,
		"send_command.after":        engine.StatusOK,
		"send_command.strict":       engine.StatusFailed,
		"send_command.after_strict": engine.StatusSkipped,
	}
	for addr, st := range want {
		if got := stepStatus(d, addr); got != st {
			t.Errorf("%s: %s, want %s", addr, got, st)
		}
	}
	if d.Status != engine.DeviceFailed {
		t.Errorf("device %s, want failed: on_failure = continue still fails the device", d.Status)
	}
}

func TestCheckModeJunosComparesSetForm(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "vmx1", platform: "juniper_junos"})
	plan := compile(t, `
step "send_config_set" "ntp" {
  commands = ["set system ntp server 10.0.1.100"]
}
`)
	check := fastOpts(nil)
	check.Check = true
	pending := func() []string {
		rep := plan.Run(context.Background(), hosts, check)
		s := rep.Devices[0].Steps[0]
		if s.Status != engine.StatusSkipped {
			t.Fatalf("check: %s %q", s.Status, s.Message)
		}
		return s.WouldChange
	}
	if got := pending(); len(got) != 1 {
		t.Errorf("before apply: would change %v, want the one line", got)
	}
	if rep := plan.Run(context.Background(), hosts, fastOpts(nil)); rep.Devices[0].Status != engine.DevicePassed {
		t.Fatalf("apply: %s %s", rep.Devices[0].Status, rep.Devices[0].Steps[0].Message)
	}
	if got := pending(); len(got) != 0 {
		t.Errorf("after apply (committed): would change %v, want nothing", got)
	}
}

func TestSecretsInDeviceOutputAreRedactedFromResults(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	// A device can show a credential in clear text (here the login
	// password reused as an SNMP community).
	plan := compile(t, `
step "send_config_set" "snmp" {
  commands = ["snmp-server community labpass RO"]
}
step "send_command" "show" {
  depends_on = [step.send_config_set.snmp]
  command    = "show running-config | include snmp-server"
  assert "never" {
    expr    = "output contains 'nothing'"
    message = "shows"
  }
}
`)
	rec := &recorder{}
	rep := plan.Run(context.Background(), hosts, fastOpts(rec))
	s := rep.Devices[0].Steps[1]
	if !strings.Contains(s.Output, "snmp-server community (sensitive) RO") {
		t.Errorf("output %q: want the community redacted", s.Output)
	}
	for _, e := range rec.events {
		if strings.Contains(e.Output+e.Message, "labpass") {
			t.Errorf("event %v carries the password: %q %q", e.Type, e.Output, e.Message)
		}
		for _, a := range e.Asserts {
			if strings.Contains(a.Message, "labpass") {
				t.Errorf("assertion message carries the password: %q", a.Message)
			}
		}
	}
}

func TestSessionLogFailureStopsTheDevice(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	opts := fastOpts(nil)
	opts.SessionLog = func(string) (io.WriteCloser, error) { return nil, errors.New("disk full") }
	rep := compile(t, ntpPlaybook).Run(context.Background(), hosts, opts)
	d := rep.Devices[0]
	if d.Status != engine.DeviceError || !strings.Contains(d.Message, "disk full") {
		t.Errorf("device %s %q, want error naming the session log problem", d.Status, d.Message)
	}
	if strings.Contains(fleet.Device("r1").RunningConfig(), "10.0.1.100") {
		t.Error("the change ran although its session could not be logged")
	}
}
