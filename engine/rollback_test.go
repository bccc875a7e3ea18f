package engine_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/lab"
)

// changeWindow pushes an NTP server after a checkpoint; the post-check
// fails on the devices whose name starts with "bad".
const changeWindow = `
step "send_command" "pre" {
  command = "show version"
}

step "checkpoint" "before" {
  depends_on = [step.send_command.pre]
}

step "send_config_set" "push" {
  depends_on = [step.checkpoint.before]
  commands   = host.platform == "juniper_junos" ? ["set system ntp server 10.9.9.9"] : ["ntp server 10.9.9.9"]
}

step "send_command" "post" {
  depends_on = [step.send_config_set.push]
  command    = "show version"
  assert "healthy" {
    expr    = "!(host.name startsWith 'bad')"
    message = "post-check failed"
  }
}
`

const rollbackBlock = `
rollback {
  to = step.checkpoint.before
}
`

func TestRollbackRestoresEveryPlatformAndKeepsTheOthers(t *testing.T) {
	platforms := []string{"cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos"}
	var devs []labDevice
	for _, p := range platforms {
		devs = append(devs, labDevice{name: "bad-" + p, platform: p}, labDevice{name: "good-" + p, platform: p})
	}
	fleet, hosts := startFleet(t, devs...)
	before := map[string]string{}
	for _, d := range fleet.Devices() {
		before[d.Name()] = d.RunningConfig()
	}
	rep := compile(t, changeWindow+rollbackBlock).Run(context.Background(), hosts, fastOpts(&recorder{}))

	for _, d := range rep.Devices {
		ld := fleet.Device(d.Name)
		after := ld.RunningConfig()
		if strings.HasPrefix(d.Name, "good") {
			if d.Status != engine.DevicePassed || !strings.Contains(after, "10.9.9.9") {
				t.Errorf("%s: %s %q; the change must stay:\n%s", d.Name, d.Status, d.Message, after)
			}
			if len(d.Steps) != 4 {
				t.Errorf("%s: %d steps; a device that passed gets no rollback step", d.Name, len(d.Steps))
			}
			continue
		}
		if d.Status != engine.DeviceRolledBack {
			t.Errorf("%s: %s %q, want rolled_back", d.Name, d.Status, d.Message)
			for _, s := range d.Steps {
				t.Logf("  %s %s %q\n%s", s.Address, s.Status, s.Message, s.Output)
			}
			continue
		}
		if stable(after) != stable(before[d.Name]) {
			t.Errorf("%s: running configuration not restored:\n%s\nwant\n%s", d.Name, after, before[d.Name])
		}
		want := map[string]engine.Status{
			"send_command.pre": engine.StatusOK, "checkpoint.before": engine.StatusOK,
			"send_config_set.push": engine.StatusRolledBack, "send_command.post": engine.StatusFailed,
			"rollback": engine.StatusRolledBack,
		}
		for _, s := range d.Steps {
			if s.Status != want[s.Address] {
				t.Errorf("%s %s: %s %q, want %s", d.Name, s.Address, s.Status, s.Message, want[s.Address])
			}
		}
		rb := d.Steps[len(d.Steps)-1]
		if rb.Address != "rollback" || !strings.Contains(rb.Diff, "10.9.9.9") || rb.Output == "" {
			t.Errorf("%s: the rollback step must carry the restore's transcript and what it undid: %+v", d.Name, rb)
		}
		if !strings.Contains(d.Message, "rolling back to checkpoint.before after send_command.post failed") {
			t.Errorf("%s: message %q", d.Name, d.Message)
		}
	}
}

func TestNoRollbackBlockLeavesTheChange(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "bad1", platform: "cisco_ios"})
	rep := compile(t, changeWindow).Run(context.Background(), hosts, fastOpts(&recorder{}))
	if d := rep.Devices[0]; d.Status != engine.DeviceFailed || len(d.Steps) != 4 {
		t.Errorf("without a rollback block: %s with %d steps", d.Status, len(d.Steps))
	}
	if !strings.Contains(fleet.Device("bad1").RunningConfig(), "ntp server 10.9.9.9") {
		t.Error("without a rollback block the change stays")
	}
}

// A restore the device refuses: a step after the checkpoint deleted its
// file on flash. The device is rollback_failed, loudly.
func TestRollbackFailedIsItsOwnStatus(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "bad1", platform: "cisco_ios"})
	plan := compile(t, `
step "checkpoint" "before" {}

step "send_command" "lose_checkpoint" {
  depends_on = [step.checkpoint.before]
  command    = "delete /force flash:runbook-before.cfg"
}

step "send_config_set" "push" {
  depends_on = [step.send_command.lose_checkpoint]
  commands   = ["ntp server 10.9.9.9"]
}

step "send_command" "post" {
  depends_on = [step.send_config_set.push]
  command    = "show version"
  assert "healthy" {
    expr = "false"
  }
}
`+rollbackBlock)
	rep := plan.Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	if d.Status != engine.DeviceRollbackFailed {
		for _, s := range d.Steps {
			t.Logf("  %s %s %q", s.Address, s.Status, s.Message)
		}
		t.Fatalf("status %s %q, want rollback_failed", d.Status, d.Message)
	}
	rb := d.Steps[len(d.Steps)-1]
	if rb.Address != "rollback" || rb.Status != engine.StatusFailed || !strings.Contains(rb.Message, "rollback failed: ") ||
		!strings.Contains(rb.Message, "flash:runbook-before.cfg") {
		t.Errorf("rollback step %s %s %q", rb.Address, rb.Status, rb.Message)
	}
	if got := stepStatus(d, "send_config_set.push"); got != engine.StatusChanged {
		t.Errorf("push %s: a change not undone stays changed", got)
	}
	if !strings.Contains(d.Message, "rollback failed") {
		t.Errorf("device message %q", d.Message)
	}
	if !strings.Contains(fleet.Device("bad1").RunningConfig(), "ntp server 10.9.9.9") {
		t.Error("the change is still there: that is why the rollback failed")
	}
}

// The post-check hangs past its timeout: the session is dropped (its state
// is unknown); the rollback connects again and restores.
func TestRollbackReconnectsAfterTheSessionWasDropped(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_nxos", faults: &lab.Faults{Hang: `^show clock`}})
	before := fleet.Device("r1").RunningConfig()
	plan := compile(t, changeWindow+`
step "send_command" "hangs" {
  depends_on = [step.send_config_set.push]
  command    = "show clock"
  timeout    = "300ms"
}
`+rollbackBlock)
	rep := plan.Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	if d.Status != engine.DeviceRolledBack {
		t.Fatalf("status %s %q, want rolled_back", d.Status, d.Message)
	}
	if got := stepStatus(d, "send_command.hangs"); got != engine.StatusError {
		t.Errorf("hanging step %s, want error", got)
	}
	if got := fleet.Device("r1").RunningConfig(); stable(got) != stable(before) {
		t.Errorf("not restored:\n%s", got)
	}
}

// A session that drops for good in the middle of the change: the lab
// closes the connection on a command; the restore runs on a new one.
func TestRollbackAfterTheConnectionDropped(t *testing.T) {
	// Count the commands a clean run sends up to the post-check on one
	// connection, then drop the connection right there on another device.
	probe, probeHosts := startFleet(t, labDevice{name: "good-probe", platform: "cisco_ios"})
	compile(t, changeWindow).Run(context.Background(), probeHosts, fastOpts(&recorder{}))
	n := 0
	for _, l := range probe.Device("good-probe").Received() {
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "ntp server 10.9.9.9") {
			break
		}
		n++
	}
	fleet, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios", faults: &lab.Faults{DropAfter: n}})
	before := fleet.Device("r1").RunningConfig()
	rep := compile(t, changeWindow+rollbackBlock).Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	if d.Status != engine.DeviceRolledBack {
		for _, s := range d.Steps {
			t.Logf("  %s %s %q", s.Address, s.Status, s.Message)
		}
		t.Fatalf("status %s %q, want rolled_back (drop after %d commands)", d.Status, d.Message, n)
	}
	if got := stepStatus(d, "send_config_set.push"); got != engine.StatusError {
		t.Errorf("push %s, want error (the connection dropped)", got)
	}
	if got := fleet.Device("r1").RunningConfig(); stable(got) != stable(before) {
		t.Errorf("not restored:\n%s", got)
	}
}

// A changing step after the checkpoint never runs without a restore
// point.
func TestNoChangeWithoutACheckpoint(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "bad1", platform: "cisco_ios", faults: &lab.Faults{RejectConfig: "^never"}})
	src := strings.Replace(changeWindow, `step "checkpoint" "before" {`, `step "checkpoint" "before" {
  file = "nosuchfs:x.cfg"`, 1)
	// The push does not depend on the checkpoint: the change window alone
	// keeps it from running.
	src = strings.Replace(src, `depends_on = [step.checkpoint.before]
  commands`, `depends_on = [step.send_command.pre]
  commands`, 1)
	plan := compile(t, src+rollbackBlock)
	before := fleet.Device("bad1").RunningConfig()
	rep := plan.Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	if got := stepStatus(d, "checkpoint.before"); got != engine.StatusFailed {
		t.Fatalf("checkpoint %s, want failed", got)
	}
	for _, s := range d.Steps {
		if s.Address == "send_config_set.push" && (s.Status != engine.StatusSkipped || !strings.Contains(s.Message, "no restore point")) {
			t.Errorf("push %s %q, want skipped: no restore point", s.Status, s.Message)
		}
	}
	if stable(fleet.Device("bad1").RunningConfig()) != stable(before) {
		t.Error("the change ran without a restore point")
	}
}

// Rollout: a canary that is rolled back stops the other batches.
func TestRolledBackCanaryStopsTheRollout(t *testing.T) {
	devs := []labDevice{{name: "bad-canary", platform: "arista_eos"}}
	for i := range 3 {
		devs = append(devs, labDevice{name: fmt.Sprintf("good%d", i), platform: "arista_eos"})
	}
	fleet, hosts := startFleet(t, devs...)
	before := map[string]string{}
	for _, d := range fleet.Devices() {
		before[d.Name()] = d.RunningConfig()
	}
	rep := compile(t, changeWindow+rollbackBlock+`
rollout {
  serial              = [1, "100%"]
  max_fail_percentage = 0
}
`).Run(context.Background(), hosts, fastOpts(&recorder{}))
	for _, d := range rep.Devices {
		want := engine.DeviceSkipped
		if d.Name == "bad-canary" {
			want = engine.DeviceRolledBack
		}
		if d.Status != want {
			t.Errorf("%s: %s %q, want %s", d.Name, d.Status, d.Message, want)
		}
		if got := fleet.Device(d.Name).RunningConfig(); stable(got) != stable(before[d.Name]) {
			t.Errorf("%s: configuration changed", d.Name)
		}
	}
}

// Junos with a confirm timer: the change is committed with "commit
// confirmed" and confirmed once every step passed; where the run never
// gets back to confirm (interrupted mid-change, as when runbook is
// killed), the device reverts by itself when the timer fires.
func TestJunosConfirmTimer(t *testing.T) {
	const minute = 200 * time.Millisecond
	fleet, hosts := startFleet(t,
		labDevice{name: "good1", platform: "juniper_junos", faults: &lab.Faults{Minute: minute}},
		labDevice{name: "cut", platform: "juniper_junos", faults: &lab.Faults{Minute: minute, Hang: "^show version"}},
	)
	plan := compile(t, strings.Replace(changeWindow, `command = "show version"
}`, `command = "show system uptime"
}`, 1)+`
rollback {
  to              = step.checkpoint.before
  confirm_timeout = "1m"
}
`)
	rep := plan.Run(context.Background(), hosts[:1], fastOpts(&recorder{}))
	good := rep.Devices[0]
	if good.Status != engine.DevicePassed {
		for _, s := range good.Steps {
			t.Logf("  %s %s %q\n%s", s.Address, s.Status, s.Message, s.Output)
		}
		t.Fatalf("good1: %s %q", good.Status, good.Message)
	}
	if last := good.Steps[len(good.Steps)-1]; last.Address != "confirm" || last.Status != engine.StatusOK {
		t.Errorf("good1: last step %s %s, want confirm ok", last.Address, last.Status)
	}
	if sent := strings.Join(fleet.Device("good1").Received(), "\n"); !strings.Contains(sent, "commit confirmed 1") {
		t.Errorf("good1: no commit confirmed sent:\n%s", sent)
	}
	// Confirmed: the change outlives the timer (three device minutes).
	time.Sleep(3 * minute)
	if !strings.Contains(fleet.Device("good1").RunningConfig(), "10.9.9.9") {
		t.Error("good1: the confirmed change was reverted")
	}

	cut := fleet.Device("cut")
	before := cut.RunningConfig()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Interrupt once the change is committed and the post-check hangs.
		for range 500 {
			if strings.Contains(cut.RunningConfig(), "10.9.9.9") && slices.Contains(cut.Received(), "show version") {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	rep = plan.Run(ctx, hosts[1:], fastOpts(&recorder{}))
	d := rep.Devices[0]
	if d.Status == engine.DevicePassed || d.Status == engine.DeviceRolledBack {
		t.Fatalf("cut: %s %q", d.Status, d.Message)
	}
	for _, s := range d.Steps {
		if s.Address == "rollback" || s.Address == "confirm" {
			t.Errorf("cut: an interrupted run neither restores nor confirms; got %s %s", s.Address, s.Status)
		}
	}
	if !strings.Contains(d.Message, "reverts it when its confirm timer fires") {
		t.Errorf("cut: message %q", d.Message)
	}
	waitFor(t, func() bool { return stable(cut.RunningConfig()) == stable(before) },
		"cut: the device did not revert by itself:\n%s", cut.RunningConfig())
}

// stable drops the header lines a device rewrites without a configuration
// change (timestamps, sizes): a restore changes them, as on real devices.
func stable(cfg string) string {
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

// A step that may fail (on_failure = "continue") does not roll the
// device back: the change stays, the device is failed.
func TestOnFailureContinueDoesNotRollBack(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "bad1", platform: "cisco_ios"})
	src := strings.Replace(changeWindow, `  command    = "show version"
  assert "healthy" {`, `  command    = "show version"
  on_failure = "continue"
  assert "healthy" {`, 1)
	if src == changeWindow {
		t.Fatal("the playbook was not changed")
	}
	rep := compile(t, src+rollbackBlock).Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	if d.Status != engine.DeviceFailed || len(d.Steps) != 4 {
		t.Errorf("%s with %d steps, want failed without a rollback step", d.Status, len(d.Steps))
	}
	if !strings.Contains(fleet.Device("bad1").RunningConfig(), "ntp server 10.9.9.9") {
		t.Error("the change must stay")
	}
}

// A checkpoint step that fails its own assertion is no restore point:
// the change after it does not run.
func TestFailedCheckpointIsNoRestorePoint(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "bad1", platform: "cisco_ios"})
	src := strings.Replace(changeWindow, `step "checkpoint" "before" {`, `step "checkpoint" "before" {
  assert "never" {
    expr = "false"
  }`, 1)
	// The push does not depend on the checkpoint: only the change window
	// keeps it from running.
	src = strings.Replace(src, `depends_on = [step.checkpoint.before]
  commands`, `depends_on = [step.send_command.pre]
  commands`, 1)
	before := fleet.Device("bad1").RunningConfig()
	rep := compile(t, src+rollbackBlock).Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	for _, s := range d.Steps {
		if s.Address == "send_config_set.push" && (s.Status != engine.StatusSkipped || !strings.Contains(s.Message, "no restore point")) {
			t.Errorf("push %s %q, want skipped: no restore point", s.Status, s.Message)
		}
	}
	if stable(fleet.Device("bad1").RunningConfig()) != stable(before) {
		t.Error("the change ran without a restore point")
	}
}

// A device that refuses the credentials when runbook comes back is never
// asked again to restore: authentication failures are not retried.
func TestRollbackNeverRetriesRefusedCredentials(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios", faults: &lab.Faults{Hang: `^show clock`}})
	dev := fleet.Device("r1")
	plan := compile(t, `
step "checkpoint" "before" {}

step "send_config_set" "push" {
  depends_on = [step.checkpoint.before]
  commands   = ["ntp server 10.9.9.9"]
}

# Hangs past its timeout (the session is dropped); may fail.
step "send_command" "slow" {
  depends_on = [step.send_config_set.push]
  command    = "show clock"
  timeout    = "300ms"
  on_failure = "continue"
}

# Needs a new session, which the device now refuses.
step "send_command" "post" {
  depends_on = [step.send_command.slow]
  command    = "show version"
}
`+rollbackBlock)
	go func() {
		// Refuse logins once the hanging command has arrived.
		for range 500 {
			if slices.Contains(dev.Received(), "show clock") {
				dev.SetFaults(lab.Faults{Hang: `^show clock`, AuthFail: true})
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	rep := plan.Run(context.Background(), hosts, fastOpts(&recorder{}))
	d := rep.Devices[0]
	if d.Status != engine.DeviceRollbackFailed {
		for _, s := range d.Steps {
			t.Logf("  %s %s %q", s.Address, s.Status, s.Message)
		}
		t.Fatalf("status %s %q, want rollback_failed", d.Status, d.Message)
	}
	rb := d.Steps[len(d.Steps)-1]
	if rb.Address != "rollback" || !strings.Contains(rb.Message, "authentication failed (not retried)") {
		t.Errorf("rollback step %s %q", rb.Address, rb.Message)
	}
	if n := dev.AuthAttempts(); n != 2 {
		t.Errorf("%d authentication attempts, want 2: the first login and the one refused", n)
	}
}
