package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/lab"
)

// changeWithRollback pushes a line, checks it with a post-check that
// fails on a device where the line did not take effect as wanted (here:
// an assertion that fails on the device named "bad"), and rolls back by
// hand with `when = "steps.post.failed"`.
const changeWithRollback = `
step "send_config_set" "push" {
  commands = ["ntp server 10.9.9.9"]
}

step "send_command" "post" {
  depends_on = [step.send_config_set.push]
  command    = "show running-config | include ntp server"
  on_failure = "continue"
  assert "healthy" {
    expr = "host.name != 'bad' and output contains '10.9.9.9'"
  }
}

step "send_config_set" "rollback" {
  depends_on = [step.send_command.post]
  when       = "steps.post.failed"
  commands   = ["no ntp server 10.9.9.9"]
  match      = "none"
}

step "assert" "outcome" {
  depends_on = [step.send_command.post]
  assert "status" {
    expr = "steps.post.status == (host.name == 'bad' ? 'failed' : 'ok') and steps.push.status == 'changed' and not steps.push.failed"
  }
  assert "rollback_status" {
    expr = "steps.rollback.status == (host.name == 'bad' ? 'changed' : 'skipped')"
  }
}
`

// TestHandWrittenRollbackFires: a post-check that fails only an
// assertion makes steps.post.failed true and steps.post.status "failed",
// so the rollback step runs on that device, and only there.
func TestHandWrittenRollbackFires(t *testing.T) {
	fleet, hosts := startFleet(t,
		labDevice{name: "good", platform: "cisco_ios"},
		labDevice{name: "bad", platform: "cisco_ios"},
	)
	rep := compile(t, changeWithRollback).Run(context.Background(), hosts, fastOpts(nil))

	good, bad := deviceByName(rep, "good"), deviceByName(rep, "bad")
	for addr, want := range map[string]engine.Status{
		"send_config_set.push":     engine.StatusChanged,
		"send_command.post":        engine.StatusOK,
		"send_config_set.rollback": engine.StatusSkipped,
		"assert.outcome":           engine.StatusOK,
	} {
		if got := stepStatus(good, addr); got != want {
			t.Errorf("good %s: %s, want %s", addr, got, want)
		}
	}
	for addr, want := range map[string]engine.Status{
		"send_config_set.push":     engine.StatusChanged,
		"send_command.post":        engine.StatusFailed,
		"send_config_set.rollback": engine.StatusChanged,
		"assert.outcome":           engine.StatusOK,
	} {
		if got := stepStatus(bad, addr); got != want {
			t.Errorf("bad %s: %s, want %s", addr, got, want)
		}
	}
	if !strings.Contains(fleet.Device("good").RunningConfig(), "ntp server 10.9.9.9") {
		t.Error("good: the change is gone")
	}
	if strings.Contains(fleet.Device("bad").RunningConfig(), "ntp server 10.9.9.9") {
		t.Error("bad: the rollback did not remove the line")
	}
	if bad.Status != engine.DeviceFailed {
		t.Errorf("bad: %s, want failed (a rolled-back change still failed)", bad.Status)
	}
}

// TestStepOutcomeInExpressions: status and failed for each outcome: a
// rejected line (failed), a timeout (error: failed too), a step skipped
// by its when (skipped, not failed), and HCL's step.KIND.NAME.status.
func TestStepOutcomeInExpressions(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios", faults: &lab.Faults{
		RejectConfig: "^bogus", Hang: "^show hang",
	}})
	rep := compile(t, `
step "send_config_set" "rejected" {
  commands   = ["bogus line"]
  on_failure = "continue"
}
step "send_command" "slow" {
  command    = "show hang"
  timeout    = "300ms"
  on_failure = "continue"
}
step "send_command" "never" {
  command = "show clock"
  when    = "false"
}
step "send_command" "echo" {
  depends_on = [step.send_config_set.rejected, step.send_command.slow]
  command    = "show ${step.send_config_set.rejected.status}"
  on_failure = "continue"
}
step "assert" "seen" {
  depends_on = [step.send_config_set.rejected, step.send_command.slow, step.send_command.never]
  assert "rejected" {
    expr = "steps.rejected.status == 'failed' and steps.rejected.failed"
  }
  assert "timeout" {
    expr = "steps.slow.status == 'error' and steps.slow.failed"
  }
  assert "skipped" {
    expr = "steps.never.status == 'skipped' and not steps.never.failed and steps.never.output == ''"
  }
}
step "send_command" "when_status" {
  depends_on = [step.assert.seen]
  when       = "steps.seen.status == 'ok' and not steps.seen.failed"
  command    = "show clock"
}
`).Run(context.Background(), hosts, fastOpts(nil))
	d := rep.Devices[0]
	for _, s := range d.Steps {
		t.Logf("%s %s %s", s.Address, s.Status, s.Message)
	}
	if st := stepStatus(d, "assert.seen"); st != engine.StatusOK {
		t.Errorf("assert.seen: %s, want ok", st)
	}
	if st := stepStatus(d, "send_command.when_status"); st != engine.StatusOK {
		t.Errorf("send_command.when_status: %s, want ok", st)
	}
	for _, s := range d.Steps {
		if s.Address == "send_command.echo" && !strings.Contains(s.Message, `"show failed"`) {
			t.Errorf("echo: %q, want the command rendered with step.send_config_set.rejected.status", s.Message)
		}
	}
}
