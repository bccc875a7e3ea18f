package engine_test

// Tests written against mutants that survived the other tests (issue 17):
// each one pins a behaviour a user can see, named in its comment.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/lab"
	"github.com/runbook-dev/runbook/tasks"
)

// A mistyped group:NAME is compared with the groups only: a host whose
// name is close to the whole pattern ("groupab" for "group:ab") is not
// suggested.
func TestLimitSuggestsGroupsForGroupPatterns(t *testing.T) {
	inv := &hcl.Inventory{
		Hosts:  []*hcl.Host{{Name: "groupab", Groups: []string{"core"}}, {Name: "tagx", Groups: []string{"core"}, Tags: []string{"edge"}}},
		Groups: []*hcl.Group{{Name: "core", Hosts: []string{"groupab", "tagx"}}},
	}
	for limit, want := range map[string]string{
		"group:ab": `--limit "group:ab" matches no host in the inventory.`,
		"tag:x":    `--limit "tag:x" matches no host in the inventory.`,
		"group:co": `--limit "group:co" matches no host in the inventory. Did you mean "group:core"?`,
	} {
		_, err := engine.SelectHosts(inv, []string{limit})
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", limit, err, want)
		}
	}
}

// The checkpoint is the playbook's first step and takes no restore point:
// the change after it does not run.
func TestNoChangeWithoutACheckpointTakenFirst(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	before := fleet.Device("r1").RunningConfig()
	rep := compile(t, `
step "checkpoint" "before" {
  file = "nosuchfs:x.cfg"
}

step "send_config_set" "push" {
  commands = ["ntp server 10.9.9.9"]
}
`+rollbackBlock).Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	if got := stepStatus(d, "checkpoint.before"); got != engine.StatusFailed {
		t.Fatalf("checkpoint %s, want failed", got)
	}
	if s := d.Steps[1]; s.Address != "send_config_set.push" || s.Status != engine.StatusSkipped || !strings.Contains(s.Message, "no restore point") {
		t.Errorf("push %s %s %q, want skipped: no restore point", s.Address, s.Status, s.Message)
	}
	if stable(fleet.Device("r1").RunningConfig()) != stable(before) {
		t.Error("the change ran without a restore point")
	}
}

// A change made before the checkpoint is part of the restore point: the
// rollback keeps it, and its step stays changed; only the changes after
// the checkpoint are reported rolled back.
func TestRollbackKeepsTheChangesBeforeTheCheckpoint(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "bad1", platform: "cisco_ios"})
	rep := compile(t, `
step "send_config_set" "early" {
  commands = ["ntp server 10.8.8.8"]
}

step "checkpoint" "before" {
  depends_on = [step.send_config_set.early]
}

step "send_config_set" "push" {
  depends_on = [step.checkpoint.before]
  commands   = ["ntp server 10.9.9.9"]
}

step "send_command" "post" {
  depends_on = [step.send_config_set.push]
  command    = "show version"
  assert "healthy" {
    expr = "false"
  }
}
`+rollbackBlock).Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	if d.Status != engine.DeviceRolledBack {
		t.Fatalf("status %s %q, want rolled_back", d.Status, d.Message)
	}
	want := map[string]engine.Status{
		"send_config_set.early": engine.StatusChanged, "checkpoint.before": engine.StatusOK,
		"send_config_set.push": engine.StatusRolledBack, "send_command.post": engine.StatusFailed,
		"rollback": engine.StatusRolledBack,
	}
	for _, s := range d.Steps {
		if s.Status != want[s.Address] {
			t.Errorf("%s: %s, want %s", s.Address, s.Status, want[s.Address])
		}
	}
	cfg := fleet.Device("bad1").RunningConfig()
	if !strings.Contains(cfg, "ntp server 10.8.8.8") || strings.Contains(cfg, "ntp server 10.9.9.9") {
		t.Errorf("want the early change kept and the later one undone:\n%s", cfg)
	}
}

// A Junos change committed with the confirm timer, after which a step that
// may fail hangs and its session is dropped: runbook comes back on a new
// session to confirm, and the change stays.
func TestConfirmReconnectsAfterTheSessionWasDropped(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "j1", platform: "juniper_junos", faults: &lab.Faults{Hang: "^show clock"}})
	rep := compile(t, `
step "checkpoint" "before" {}

step "send_config_set" "push" {
  depends_on = [step.checkpoint.before]
  commands   = ["set system ntp server 10.9.9.9"]
}

step "send_command" "slow" {
  depends_on = [step.send_config_set.push]
  command    = "show clock"
  timeout    = "300ms"
  on_failure = "continue"
}

rollback {
  to              = step.checkpoint.before
  confirm_timeout = "1m"
}
`).Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	last := d.Steps[len(d.Steps)-1]
	if last.Address != "confirm" || last.Status != engine.StatusOK || !strings.Contains(last.Message, "confirmed") {
		for _, s := range d.Steps {
			t.Logf("  %s %s %q", s.Address, s.Status, s.Message)
		}
		t.Fatalf("last step %s %s %q, want confirm ok", last.Address, last.Status, last.Message)
	}
	if got := stepStatus(d, "send_command.slow"); got != engine.StatusError {
		t.Errorf("slow step %s, want error", got)
	}
	if d.Status != engine.DeviceError {
		t.Errorf("device %s %q, want error (a step that may fail still fails the device)", d.Status, d.Message)
	}
	if n := fleet.Device("j1").AuthAttempts(); n != 2 {
		t.Errorf("%d logins, want 2: the confirm came back on a new session", n)
	}
	if !strings.Contains(fleet.Device("j1").RunningConfig(), "10.9.9.9") {
		t.Error("the confirmed change is gone")
	}
}

// An expression that does not compile is reported once, although both
// the compiler and the type check find it.
func TestBrokenExpressionIsReportedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "play.hcl")
	src := `
step "send_command" "show" {
  command = "show version"
  when    = "1 + 1"
  assert "broken" {
    expr = "len(output)"
  }
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, diags := hcl.Load([]string{path}, hcl.WithStepKinds(kinds()))
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	_, diags = engine.Compile(pb, tasks.Kinds())
	count := map[string]int{}
	for _, d := range diags {
		if d.Severity == hclv2.DiagError {
			count[d.Summary]++
		}
	}
	if count["Invalid assertion"] != 1 || count["Invalid when expression"] != 1 || len(count) != 2 {
		t.Errorf("errors %v, want one for the assertion and one for the when:\n%v", count, diags)
	}
}

// compileDiags loads and compiles a playbook source and returns the
// compiler's diagnostics (the loader's must be clean).
func compileDiags(t *testing.T, src string) hclv2.Diagnostics {
	t.Helper()
	path := filepath.Join(t.TempDir(), "play.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, diags := hcl.Load([]string{path}, hcl.WithStepKinds(kinds()))
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	_, diags = engine.Compile(pb, tasks.Kinds())
	return diags
}

// A command with no "auto" template on the hosts' platforms names up to
// three of them, then how many more.
func TestNoTemplateNamesThreePlatformsThenCounts(t *testing.T) {
	t.Setenv("NTC_TEMPLATES_DIR", "") // the built-in templates
	platforms := []string{"cisco_ios", "arista_eos", "cisco_nxos", "juniper_junos"}
	for n := 1; n <= 4; n++ {
		var inv strings.Builder
		inv.WriteString("inventory {\n")
		for i, p := range platforms[:n] {
			fmt.Fprintf(&inv, "  host \"h%d\" {\n    address  = \"192.0.2.%d\"\n    platform = \"%s\"\n  }\n", i, i+1, p)
		}
		inv.WriteString("}\n")
		diags := compileDiags(t, inv.String()+`
step "send_command" "odd" {
  command = "show no-such-thing"
  parse {
    textfsm = "auto"
  }
}
`)
		var detail string
		for _, d := range diags {
			if d.Summary == "No template for this step" {
				detail = d.Detail
			}
		}
		hostsNamed := strings.Count(detail, "host h")
		more := strings.Contains(detail, "more platforms")
		switch {
		case n <= 3 && (hostsNamed != n || more):
			t.Errorf("%d platforms: %q, want each named and no count", n, detail)
		case n == 4 && (hostsNamed != 3 || !strings.HasSuffix(detail, "; and 1 more platforms.")):
			t.Errorf("4 platforms: %q, want three named and 1 more", detail)
		}
	}
}

// Every host var an expression names is checked against the hosts, not
// only the first one.
func TestPartialHostVarsChecksEveryName(t *testing.T) {
	diags := compileDiags(t, `
inventory {
  host "h1" {
    address  = "192.0.2.1"
    platform = "cisco_ios"
    vars     = { a = 1, b = 2 }
  }
  host "h2" {
    address  = "192.0.2.2"
    platform = "cisco_ios"
    vars     = { a = 1 }
  }
}

step "send_command" "show" {
  command = "show version"
  when    = "host.vars.a == 1 and host.vars.b == 2"
}
`)
	var warnings []string
	for _, d := range diags {
		if d.Severity == hclv2.DiagWarning && d.Summary == "Host variable not set on every host" {
			warnings = append(warnings, d.Detail)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "host.vars.b is not set on h2") {
		t.Errorf("warnings %q, want one for host.vars.b on h2", warnings)
	}
}

// closeFailingLog is a session log whose Close fails, or panics.
type closeFailingLog struct {
	panics bool
}

func (closeFailingLog) Write(p []byte) (int, error) { return len(p), nil }
func (c closeFailingLog) Close() error {
	if c.panics {
		panic("log writer broke")
	}
	return errors.New("session log: disk full on close")
}

// A session log that cannot be closed is a transcript lost: the device is
// error, whatever its steps did, and its message says why, after the
// message it already had.
func TestSessionLogCloseFailureIsTheDevicesError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		src     string
		panics  bool
		message string
	}{
		{"passed", `step "send_command" "show" {
  command = "show version"
}`, false, "session log: disk full on close"},
		{"unreachable", `step "send_command" "show" {
  command = "show version"
}`, false, "r1: connection refused; session log: disk full on close"},
		{"panics", `step "send_command" "show" {
  command = "show version"
}`, true, "internal error: panic in closing the session log: log writer broke"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &hcl.Host{Name: "r1", Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"}
			opts := fastOpts(&recorder{})
			opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
				if tc.name == "unreachable" {
					return nil, errors.New("r1: connection refused")
				}
				return &echoSession{out: "Cisco IOS"}, nil
			}
			opts.SessionLog = func(string) (io.WriteCloser, error) { return closeFailingLog{panics: tc.panics}, nil }
			rep := compile(t, tc.src).Run(context.Background(), []*hcl.Host{h}, opts)
			d := rep.Devices[0]
			if d.Status != engine.DeviceError || !strings.Contains(d.Message, tc.message) {
				t.Errorf("device %s %q, want error with %q", d.Status, d.Message, tc.message)
			}
		})
	}
}

// A batch of more than ten devices is announced with the first ten names
// and how many more.
func TestBatchAnnouncementListsTenDevices(t *testing.T) {
	var hosts []*hcl.Host
	for i := range 12 {
		hosts = append(hosts, &hcl.Host{Name: fmt.Sprintf("r%02d", i), Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"})
	}
	rec := &recorder{}
	opts := fastOpts(rec)
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &echoSession{out: "Cisco IOS"}, nil
	}
	compile(t, `
step "send_command" "show" {
  command = "show version"
}

rollout {
  serial = [1, 11]
}
`).Run(context.Background(), hosts, opts)
	var got []string
	for _, e := range rec.events {
		if e.Type == engine.BatchStarted {
			got = append(got, e.Message)
		}
	}
	want := []string{"1 device: r00", "11 devices: r01, r02, r03, r04, r05, r06, r07, r08, r09, r10 and 1 more"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batch announcements (-want +got):\n%s", diff)
	}

	// Ten devices: all named.
	rec = &recorder{}
	opts.Sink = rec
	compile(t, `
step "send_command" "show" {
  command = "show version"
}

rollout {
  serial = [10]
}
`).Run(context.Background(), hosts[:10], opts)
	for _, e := range rec.events {
		if e.Type == engine.BatchStarted && e.Message != "10 devices: r00, r01, r02, r03, r04, r05, r06, r07, r08, r09" {
			t.Errorf("ten devices: %q", e.Message)
		}
	}
}

// The report of a playbook of several files names each of them.
func TestReportNamesEveryPlaybookFile(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"a.hcl": "step \"send_command\" \"a\" {\n  command = \"show version\"\n}\n",
		"b.hcl": "step \"send_command\" \"b\" {\n  command = \"show clock\"\n}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pb, diags := hcl.Load([]string{filepath.Join(dir, "a.hcl"), filepath.Join(dir, "b.hcl")}, hcl.WithStepKinds(kinds()))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	plan, diags := engine.Compile(pb, tasks.Kinds())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	opts := fastOpts(&recorder{})
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &echoSession{out: "ok"}, nil
	}
	rep := plan.Run(context.Background(), []*hcl.Host{{Name: "r1", Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"}}, opts)
	names := strings.Split(rep.Playbook, ",")
	if len(names) != 2 || !strings.HasSuffix(rep.Playbook, ".hcl") || !strings.Contains(rep.Playbook, "a.hcl") || !strings.Contains(rep.Playbook, "b.hcl") {
		t.Errorf("playbook %q, want both files", rep.Playbook)
	}
}

// A diagnostic points at the wrong name itself, also when it is the
// expression's first character; a host var missing on more than five
// hosts names five and counts the rest.
func TestExpressionDiagnosticsPointAndCount(t *testing.T) {
	var inv strings.Builder
	inv.WriteString("inventory {\n")
	for i := range 7 {
		vars := "{}"
		if i == 0 {
			vars = "{ rack = 1 }"
		}
		fmt.Fprintf(&inv, "  host \"h%d\" {\n    address  = \"192.0.2.%d\"\n    platform = \"cisco_ios\"\n    vars     = %s\n  }\n", i, i+1, vars)
	}
	inv.WriteString("}\n")
	src := inv.String() + `
step "send_command" "show" {
  command = "show version"
  when    = "nme == 1"
}

step "send_command" "rack" {
  command = "show version"
  when    = "host.vars.rack == 1"
}
`
	whenLine := strings.Count(src[:strings.Index(src, `"nme == 1"`)], "\n") + 1
	whenByte := strings.Index(src, `"nme == 1"`) + 1
	var found, warned bool
	for _, d := range compileDiags(t, src) {
		switch d.Summary {
		case "Invalid when expression":
			found = true
			if r := d.Subject; r.Start.Line != whenLine || r.Start.Column != 14 || r.End.Line != whenLine || r.End.Column != 15 || r.Start.Byte != whenByte || r.End.Byte != whenByte+1 {
				t.Errorf("%s at %d:%d-%d:%d, want %d:14-15 (the n of nme)", d.Detail, r.Start.Line, r.Start.Column, r.End.Line, r.End.Column, whenLine)
			}
		case "Host variable not set on every host":
			warned = true
			if !strings.Contains(d.Detail, "host.vars.rack is not set on h1, h2, h3, h4, h5 and 1 more;") {
				t.Errorf("warning %q", d.Detail)
			}
		}
	}
	if !found || !warned {
		t.Errorf("error found %v, warning found %v", found, warned)
	}
	// Five hosts lacking it: all five named, nothing more.
	five := strings.Replace(src, `  host "h6" {
    address  = "192.0.2.7"
    platform = "cisco_ios"
    vars     = {}
  }
`, "", 1)
	for _, d := range compileDiags(t, five) {
		if d.Summary == "Host variable not set on every host" && !strings.HasSuffix(d.Detail, "not set on h1, h2, h3, h4, h5; there the expression sees nil.") {
			t.Errorf("five hosts: %q", d.Detail)
		}
	}
}

// refusingSession refuses or fails every command, as told.
type refusingSession struct {
	echoSession
	err    error // returned by SendCommand when set
	refuse bool  // the device rejects every command
}

func (r *refusingSession) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.refuse {
		return &driver.Response{Command: cmd, Output: "% Invalid input detected at '^' marker.", Failed: true, FailedBy: "% Invalid input",
			ErrorText: "% Invalid input detected at '^' marker."}, nil
	}
	return r.echoSession.SendCommand(ctx, cmd, opts...)
}

// Check mode reports what went wrong while checking a change: a device
// it cannot reach is unreachable, a read that fails is the step's error,
// a read the device refuses fails the step; each message says it was the
// check.
func TestCheckModeFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		open    error
		sess    *refusingSession
		status  engine.Status
		device  engine.Status
		message string
	}{
		{"unreachable", errors.New("r1: connection refused"), nil, engine.StatusError, engine.DeviceUnreachable, "r1: connection refused"},
		{"read error", nil, &refusingSession{err: errors.New("r1: session closed")}, engine.StatusError, engine.DeviceError, "check: send_config_set: "},
		{"read refused", nil, &refusingSession{refuse: true}, engine.StatusFailed, engine.DeviceFailed, `check: command "show running-config": % Invalid input`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &hcl.Host{Name: "r1", Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"}
			opts := fastOpts(&recorder{})
			opts.Check = true
			opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
				if tc.open != nil {
					return nil, tc.open
				}
				return tc.sess, nil
			}
			rep := compile(t, `
step "send_config_set" "push" {
  commands = ["ntp server 10.9.9.9"]
}
`).Run(context.Background(), []*hcl.Host{h}, opts)
			d := rep.Devices[0]
			s := d.Steps[0]
			if s.Status != tc.status || !strings.HasPrefix(s.Message, tc.message) || len(s.WouldChange) != 0 ||
				tc.sess != nil && tc.sess.err != nil && !strings.HasSuffix(s.Message, "read the configuration: r1: session closed") {
				t.Errorf("step %s %q would change %q, want %s %q", s.Status, s.Message, s.WouldChange, tc.status, tc.message)
			}
			if d.Status != tc.device {
				t.Errorf("device %s %q, want %s", d.Status, d.Message, tc.device)
			}
		})
	}
}

// meetingSession holds each device's command until every device of the
// run is inside one: devices run at once, or their commands fail after
// the guard time.
type meetingSession struct {
	echoSession
	arrived chan struct{}
	met     chan struct{}
}

func (m *meetingSession) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	m.arrived <- struct{}{}
	select {
	case <-m.met:
		return m.echoSession.SendCommand(ctx, cmd, opts...)
	case <-time.After(5 * time.Second): // a guard against a serial run, not a wait
		return nil, errors.New("the other devices never ran at the same time")
	}
}

// Forks = 2 runs two devices at once; Forks = 0 runs them one after the
// other (and does run them).
func TestForksRunDevicesAtOnce(t *testing.T) {
	plan := compile(t, `
step "send_command" "show" {
  command = "show version"
}
`)
	hosts := []*hcl.Host{
		{Name: "a", Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"},
		{Name: "b", Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"},
	}
	arrived, met := make(chan struct{}, 2), make(chan struct{})
	go func() {
		<-arrived
		<-arrived
		close(met)
	}()
	opts := fastOpts(&recorder{})
	opts.Forks = 2
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &meetingSession{echoSession: echoSession{out: "ok"}, arrived: arrived, met: met}, nil
	}
	for _, d := range plan.Run(context.Background(), hosts, opts).Devices {
		if d.Status != engine.DevicePassed {
			t.Fatalf("forks 2: %s %s %q", d.Name, d.Status, d.Steps[0].Message)
		}
	}

	opts.Forks = 0
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &echoSession{out: "ok"}, nil
	}
	for _, d := range plan.Run(context.Background(), hosts, opts).Devices {
		if d.Status != engine.DevicePassed {
			t.Errorf("forks 0: %s %s", d.Name, d.Status)
		}
	}
}

// Defaults a caller gets by leaving Options empty: the report says apply
// or check, and a retry waits one second first (the retry's event says
// so).
func TestOptionDefaults(t *testing.T) {
	plan := compile(t, `
step "send_command" "show" {
  command = "show version"
  retries = 1
  assert "never" {
    expr = "false"
  }
}
`)
	h := &hcl.Host{Name: "r1", Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"}
	for _, check := range []bool{false, true} {
		rec := &recorder{}
		opts := engine.Options{Sink: rec, Check: check, ConnectJitter: -1}
		opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
			return &echoSession{out: "Cisco IOS"}, nil
		}
		rep := plan.Run(context.Background(), []*hcl.Host{h}, opts)
		want := map[bool]string{false: "apply", true: "check"}[check]
		if rep.Mode != want {
			t.Errorf("check=%v: mode %q, want %q", check, rep.Mode, want)
		}
		if check {
			continue
		}
		var retry string
		for _, e := range rec.events {
			if e.Type == engine.StepStarted && e.Message != "" {
				retry = e.Message
			}
		}
		if !strings.HasPrefix(retry, "attempt 2/2 after 1s\nattempt 1 failed: ") {
			t.Errorf("retry event %q, want the default backoff of 1s", retry)
		}
	}
}

// A step that ran once and failed says so plainly; only a retried step
// counts its attempts.
func TestSingleAttemptMessageCountsNothing(t *testing.T) {
	h := &hcl.Host{Name: "r1", Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"}
	opts := fastOpts(&recorder{})
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &echoSession{out: "Cisco IOS"}, nil
	}
	rep := compile(t, `
step "send_command" "show" {
  command = "show version"
  assert "never" {
    expr = "false"
  }
}
`).Run(context.Background(), []*hcl.Host{h}, opts)
	s := rep.Devices[0].Steps[0]
	if s.Status != engine.StatusFailed || s.Attempts != 1 || s.Message != `assert "never": assertion false is false` {
		t.Errorf("step %s after %d attempts: %q", s.Status, s.Attempts, s.Message)
	}
}

// stepFunc is a session whose commands run a function: a test's device.
type stepFunc struct {
	echoSession
	f func(cmd string) (*driver.Response, error)
}

func (s *stepFunc) SendCommand(_ context.Context, cmd string, _ ...driver.SendOption) (*driver.Response, error) {
	return s.f(cmd)
}

func fakeHost(name string, port int) *hcl.Host {
	return &hcl.Host{Name: name, Address: "127.0.0.1", Port: port, Platform: "cisco_ios"}
}

// Reports give the device's address with its port, 22 when the inventory
// names none.
func TestDeviceAddressHasThePort(t *testing.T) {
	opts := fastOpts(&recorder{})
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &echoSession{out: "ok"}, nil
	}
	rep := compile(t, `
step "send_command" "show" {
  command = "show version"
}
`).Run(context.Background(), []*hcl.Host{fakeHost("a", 2222), fakeHost("b", 0)}, opts)
	if a, b := rep.Devices[0].Address, rep.Devices[1].Address; a != "127.0.0.1:2222" || b != "127.0.0.1:22" {
		t.Errorf("addresses %q %q", a, b)
	}
}

// A device whose step failed before the run was interrupted stays failed
// (the interruption does not turn it into an error); the one step that
// ran once and failed is logged without an attempt count.
func TestInterruptedAfterAFailureStaysFailed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs lockedBuffer
	opts := fastOpts(&recorder{})
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &stepFunc{f: func(cmd string) (*driver.Response, error) {
			if cmd == "show clock" {
				cancel() // Ctrl+C while the second step runs
			}
			return &driver.Response{Command: cmd, Output: "ok", Prompt: "r1#"}, nil
		}}, nil
	}
	rep := compile(t, `
step "send_command" "first" {
  command    = "show version"
  on_failure = "continue"
  assert "never" {
    expr = "false"
  }
}

step "send_command" "second" {
  command = "show clock"
}

step "send_command" "third" {
  command = "show users"
}
`).Run(ctx, []*hcl.Host{fakeHost("r1", 1)}, opts)
	d := rep.Devices[0]
	got := []engine.Status{d.Steps[0].Status, d.Steps[1].Status, d.Steps[2].Status}
	if diff := cmp.Diff([]engine.Status{engine.StatusFailed, engine.StatusOK, engine.StatusSkipped}, got); diff != "" {
		t.Fatalf("steps (-want +got):\n%s", diff)
	}
	if d.Status != engine.DeviceFailed || d.Message == "run interrupted" {
		t.Errorf("device %s %q, want failed", d.Status, d.Message)
	}
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "step finished") && strings.Contains(l, "attempts=") {
			t.Errorf("a single attempt logged with its count: %s", l)
		}
		// A message is logged when there is one, and only then.
		switch {
		case strings.Contains(l, "step=send_command.first") && strings.Contains(l, "step finished") && !strings.Contains(l, `message="assert \"never\"`),
			strings.Contains(l, "step=send_command.second") && strings.Contains(l, "step finished") && strings.Contains(l, "message="),
			strings.Contains(l, "device finished") && strings.Contains(l, "message="):
			t.Errorf("log line %s", l)
		}
	}
	// Failures at info level, the rest at debug.
	if !strings.Contains(logs.String(), `level=INFO msg="step finished" device=r1 step=send_command.first status=failed`) ||
		!strings.Contains(logs.String(), `level=DEBUG msg="step finished" device=r1 step=send_command.second status=ok`) ||
		!strings.Contains(logs.String(), `level=INFO msg="device finished" device=r1 status=failed`) {
		t.Errorf("log:\n%s", logs.String())
	}
}

// A connection that fails is tried again by a step with retries: the
// next attempt connects and the step passes.
func TestRetryReconnectsAfterAFailedConnection(t *testing.T) {
	opens := 0
	opts := fastOpts(&recorder{})
	opts.ConnectRetries = -1 // the step's retry, not the login's
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		opens++
		if opens == 1 {
			return nil, fmt.Errorf("r1: %w: connection refused", driver.ErrConnect)
		}
		return &echoSession{out: "ok"}, nil
	}
	rep := compile(t, `
step "send_command" "show" {
  command = "show version"
  retries = 1
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
	d := rep.Devices[0]
	if s := d.Steps[0]; d.Status != engine.DevicePassed || s.Status != engine.StatusOK || s.Attempts != 2 || opens != 2 {
		t.Errorf("device %s, step %s after %d attempts (%q), %d connections", d.Status, s.Status, s.Attempts, s.Message, opens)
	}
}

// A driver timeout in a step without a timeout of its own is reported as
// the driver said it, not as the step's timeout.
func TestDriverTimeoutWithoutAStepTimeout(t *testing.T) {
	opts := fastOpts(&recorder{})
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &stepFunc{f: func(cmd string) (*driver.Response, error) {
			return nil, fmt.Errorf("r1: send_command %q: %w: no prompt within 5s", cmd, driver.ErrTimeout)
		}}, nil
	}
	rep := compile(t, `
step "send_command" "show" {
  command = "show version"
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
	s := rep.Devices[0].Steps[0]
	if s.Status != engine.StatusError || s.Message != `r1: send_command "show version": timeout: no prompt within 5s` {
		t.Errorf("step %s %q", s.Status, s.Message)
	}
}

// A step with a timeout that fails before it for another reason (the
// session closed) says that reason, not "timed out".
func TestStepWithATimeoutFailingForAnotherReason(t *testing.T) {
	opts := fastOpts(&recorder{})
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &stepFunc{f: func(cmd string) (*driver.Response, error) {
			return nil, fmt.Errorf("r1: send_command %q: %w: the device closed the connection", cmd, driver.ErrClosed)
		}}, nil
	}
	rep := compile(t, `
step "send_command" "show" {
  command = "show version"
  timeout = "1h"
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
	s := rep.Devices[0].Steps[0]
	if s.Status != engine.StatusError || s.Message != `r1: send_command "show version": session closed: the device closed the connection` {
		t.Errorf("step %s %q", s.Status, s.Message)
	}
}

// pushSession answers the configuration read, a push (the first
// answered lines, then err), and a save.
type pushSession struct {
	echoSession
	answered int
	err      error
}

func (p *pushSession) SendCommand(_ context.Context, cmd string, _ ...driver.SendOption) (*driver.Response, error) {
	return &driver.Response{Command: cmd, Output: "hostname r1\nend\n", Prompt: "r1#"}, nil
}

func (p *pushSession) SendConfigSet(_ context.Context, lines []string, _ ...driver.ConfigOption) (*driver.MultiResponse, error) {
	mr := &driver.MultiResponse{}
	for _, l := range lines[:p.answered] {
		mr.Responses = append(mr.Responses, &driver.Response{Command: l, Prompt: "r1(config)#"})
	}
	return mr, p.err
}

func (p *pushSession) Save(context.Context) (*driver.Response, error) {
	return &driver.Response{Command: "copy running-config startup-config", Output: "[OK]", Prompt: "r1#"}, nil
}

// The -vv trace of a push shows each line sent with the prompt that
// answered it, and the line that got no answer when the push broke off;
// a save shows the command the platform saves with.
func TestTraceOfPushAndSave(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answered int
		err      error
		want     []string
	}{
		{"broke off", 1, fmt.Errorf("r1: %w: no prompt", driver.ErrTimeout), []string{
			"> show running-config", "< r1#", "> ntp server 10.9.9.1", "< r1(config)#", "> ntp server 10.9.9.2"}},
		{"failed after every line", 2, fmt.Errorf("r1: %w: no prompt after the last line", driver.ErrTimeout), []string{
			"> show running-config", "< r1#", "> ntp server 10.9.9.1", "< r1(config)#", "> ntp server 10.9.9.2", "< r1(config)#"}},
		{"stopped at a rejected line", 1, nil, []string{
			"> show running-config", "< r1#", "> ntp server 10.9.9.1", "< r1(config)#", "> show running-config", "< r1#"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &traceRecorder{}
			opts := fastOpts(rec)
			opts.Tracer = rec
			opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
				return &pushSession{answered: tc.answered, err: tc.err}, nil
			}
			rep := compile(t, `
step "send_config_set" "push" {
  commands = ["ntp server 10.9.9.1", "ntp server 10.9.9.2"]
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
			if d := rep.Devices[0]; strings.Contains(d.Message, "panic") {
				t.Fatalf("device %s %q", d.Status, d.Message)
			}
			var got []string
			for _, l := range rec.log {
				if rest, ok := strings.CutPrefix(l, "r1 send_config_set.push "); ok && (strings.HasPrefix(rest, "> ") || strings.HasPrefix(rest, "< ")) {
					got = append(got, rest)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("trace (-want +got):\n%s", diff)
			}
		})
	}

	rec := &traceRecorder{}
	opts := fastOpts(rec)
	opts.Tracer = rec
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &pushSession{answered: 1}, nil
	}
	compile(t, `
step "send_config_set" "push" {
  commands = ["ntp server 10.9.9.1"]
}

step "save" "config" {
  depends_on = [step.send_config_set.push]
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
	var got []string
	for _, l := range rec.log {
		if strings.HasPrefix(l, "r1 save.config ") {
			got = append(got, l)
		}
	}
	want := []string{"r1 save.config > copy running-config startup-config", "r1 save.config < r1#", "r1 save.config finished changed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("save trace (-want +got):\n%s", diff)
	}
}

// A step that hits its timeout says so, then what the driver was doing
// and what it saw, without repeating the device's name.
func TestTimeoutMessageKeepsTheDriversDetail(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&driver.Error{Device: "r1", Op: `send_command "show clock"`, Err: driver.ErrTimeout, Detail: "no prompt within 1s"},
			`timed out (step timeout 1h0m0s): send_command "show clock": no prompt within 1s`},
		{&driver.Error{Device: "r1", Err: driver.ErrTimeout, Detail: "no prompt within 1s"},
			`timed out (step timeout 1h0m0s): no prompt within 1s`},
		{&driver.Error{Device: "r1", Op: `send_command "show clock"`, Err: driver.ErrTimeout},
			`timed out (step timeout 1h0m0s): r1: send_command "show clock": timeout`},
		{fmt.Errorf("r1: %w", driver.ErrTimeout), `timed out (step timeout 1h0m0s): r1: timeout`},
	} {
		opts := fastOpts(&recorder{})
		opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
			return &stepFunc{f: func(string) (*driver.Response, error) { return nil, tc.err }}, nil
		}
		rep := compile(t, `
step "send_command" "show" {
  command = "show clock"
  timeout = "1h"
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
		if s := rep.Devices[0].Steps[0]; s.Status != engine.StatusError || s.Message != tc.want {
			t.Errorf("%v: step %s %q, want %q", tc.err, s.Status, s.Message, tc.want)
		}
	}
}

// Later steps see an earlier step's output, status and parsed records.
func TestLaterStepsSeeEarlierResults(t *testing.T) {
	opts := fastOpts(&recorder{})
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &echoSession{out: "u alice k1\nu bob k2\n"}, nil
	}
	rep := compile(t, `step "send_command" "users" {
  command = "show users"
  parse {
    template = "Value USER (\\S+)\nValue KEY (\\S+)\n\nStart\n  ^u $${USER} $${KEY} -> Record\n"
  }
}

step "assert" "seen" {
  depends_on = [step.send_command.users]
  assert "all" {
    expr = "steps.users.output contains 'alice' and steps.users.status == 'ok' and not steps.users.failed and len(steps.users.result) == 2 and steps.users.result[1].user == 'bob'"
  }
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
	for _, s := range rep.Devices[0].Steps {
		if s.Status != engine.StatusOK {
			t.Errorf("%s: %s %q", s.Address, s.Status, s.Message)
		}
	}
}

// panicSession panics in a command, as a broken plugin would.
type panicSession struct{ echoSession }

func (p *panicSession) SendCommand(context.Context, string, ...driver.SendOption) (*driver.Response, error) {
	panic(errors.New("plugin bug"))
}

// The debug log's stack of a panic names each function with its own file
// and line: the panicking method with this file.
func TestPanicStackPairsFunctionsWithTheirLines(t *testing.T) {
	var logs lockedBuffer
	opts := fastOpts(&recorder{})
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) { return &panicSession{}, nil }
	rep := compile(t, `
step "send_command" "show" {
  command = "show version"
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
	if d := rep.Devices[0]; d.Status != engine.DeviceError {
		t.Fatalf("device %s %q", d.Status, d.Message)
	}
	frame := regexp.MustCompile(`\(\*panicSession\)\.SendCommand\([^)]*\) \S*mutation_test\.go:\d+`)
	if !frame.MatchString(logs.String()) {
		t.Errorf("the stack does not name the panicking method with its line:\n%s", logs.String())
	}

	// A deeper stack is cut at 16 frames.
	var deepLogs lockedBuffer
	opts.Logger = slog.New(slog.NewTextHandler(&deepLogs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) { return &deepPanicSession{}, nil }
	compile(t, `
step "send_command" "show" {
  command = "show version"
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
	m := regexp.MustCompile(`stack="([^"]*)"`).FindStringSubmatch(deepLogs.String())
	if m == nil || strings.Count(m[1], `\n`)+1 != 16 || !strings.Contains(m[1], "engine_test.deepPanic(") {
		t.Errorf("the stack is not the 16 innermost frames:\n%s", deepLogs.String())
	}
}

// deepPanicSession panics 30 calls deep.
type deepPanicSession struct{ echoSession }

func (p *deepPanicSession) SendCommand(context.Context, string, ...driver.SendOption) (*driver.Response, error) {
	deepPanic(30)
	return nil, nil
}

func deepPanic(n int) {
	if n == 0 {
		panic(errors.New("deep plugin bug"))
	}
	deepPanic(n - 1)
}

// memLog is a session log in memory.
type memLog struct{ lockedBuffer }

func (*memLog) Close() error { return nil }

// The session log receives what the session writes to its transcript:
// the opener gets the log's writer.
func TestSessionLogGetsTheTranscript(t *testing.T) {
	log := &memLog{}
	opts := fastOpts(&recorder{})
	opts.SessionLog = func(string) (io.WriteCloser, error) { return log, nil }
	opts.Open = func(_ context.Context, _ *hcl.Host, transcript io.Writer) (engine.Session, error) {
		if transcript == nil {
			return nil, errors.New("no transcript writer")
		}
		if _, err := io.WriteString(transcript, "r1# show version\n"); err != nil {
			return nil, err
		}
		return &echoSession{out: "ok"}, nil
	}
	rep := compile(t, `
step "send_command" "show" {
  command = "show version"
}
`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
	if d := rep.Devices[0]; d.Status != engine.DevicePassed || log.String() != "r1# show version\n" {
		t.Errorf("device %s %q, session log %q", d.Status, d.Message, log.String())
	}
}
