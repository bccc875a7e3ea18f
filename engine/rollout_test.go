package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/lab"
)

// TestRolloutCanaryFailureLeavesOthersUnchanged: with serial = [1, "100%"]
// and max_fail_percentage = 0, a failure on the canary keeps the second
// batch from starting: every other device is skipped, with the rollout's
// reason, and its configuration is as before.
func TestRolloutCanaryFailureLeavesOthersUnchanged(t *testing.T) {
	devs := []labDevice{{name: "canary", platform: "cisco_ios", faults: &lab.Faults{RejectConfig: `^ntp server 10\.0\.1\.101`}}}
	for i := range 4 {
		devs = append(devs, labDevice{name: fmt.Sprintf("r%d", i+1), platform: "cisco_ios"})
	}
	fleet, hosts := startFleet(t, devs...)
	before := map[string]string{}
	for _, d := range fleet.Devices() {
		before[d.Name()] = d.RunningConfig()
	}
	plan := compile(t, ntpPlaybook+`
rollout {
  serial              = [1, "100%"]
  max_fail_percentage = 0
}
`)
	rec := &recorder{}
	rep := plan.Run(context.Background(), hosts, fastOpts(rec))

	const why = "rollout stopped after batch 1: 1 of 1 device failed"
	if d := rep.Devices[0]; d.Status != engine.DeviceFailed || d.Batch != 1 {
		t.Errorf("canary: %s in batch %d, want failed in batch 1", d.Status, d.Batch)
	}
	for _, d := range rep.Devices[1:] {
		if d.Status != engine.DeviceSkipped || d.Message != why || d.Batch != 2 {
			t.Errorf("%s: %s %q in batch %d, want skipped %q in batch 2", d.Name, d.Status, d.Message, d.Batch, why)
		}
		for _, s := range d.Steps {
			if s.Status != engine.StatusSkipped || s.Message != why {
				t.Errorf("%s %s: %s %q, want skipped %q", d.Name, s.Address, s.Status, s.Message, why)
			}
		}
		ld := fleet.Device(d.Name)
		if got := ld.RunningConfig(); got != before[d.Name] {
			t.Errorf("%s: running-config changed although its batch never started", d.Name)
		}
		if n := ld.Sessions(); n != 0 {
			t.Errorf("%s: %d sessions, want none", d.Name, n)
		}
	}
	type batch struct {
		Number  int
		Devices []string
		Failed  int
		Started bool
		Message string
	}
	var got []batch
	for _, b := range rep.Batches {
		got = append(got, batch{b.Number, b.Devices, b.Failed, b.Started, b.Message})
	}
	want := []batch{
		{1, []string{"canary"}, 1, true, ""},
		{2, []string{"r1", "r2", "r3", "r4"}, 0, false, why},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	var started []string
	for _, e := range rec.events {
		if e.Type == engine.BatchStarted {
			started = append(started, fmt.Sprintf("%d/%d %s", e.Batch, e.Total, e.Message))
		}
	}
	if diff := cmp.Diff([]string{"1/2 1 device: canary"}, started); diff != "" {
		t.Errorf("BatchStarted events (-want +got):\n%s", diff)
	}
}

// TestRolloutFailureLimit: the failures so far are compared with the
// devices run so far, and only more than max_fail_percentage stops the
// rollout (Ansible: strictly greater). Without max_fail_percentage, only
// a batch in which every device failed stops it.
func TestRolloutFailureLimit(t *testing.T) {
	// a b | c d | e with "40%" of 5 (2 per batch); c fails.
	devs := []labDevice{
		{name: "a", platform: "cisco_ios"},
		{name: "b", platform: "cisco_ios"},
		{name: "c", platform: "cisco_ios", faults: &lab.Faults{RejectConfig: "^ntp"}},
		{name: "d", platform: "cisco_ios"},
		{name: "e", platform: "cisco_ios"},
	}
	_, hosts := startFleet(t, devs...)
	for _, tc := range []struct {
		name    string
		rollout string
		want    string // statuses a..e
		msg     string // e's message when skipped
	}{
		{"25% failed is not more than 25", `serial = ["40%"]
  max_fail_percentage = 25`, "passed passed failed passed passed", ""},
		{"25% failed is more than 20", `serial = ["40%"]
  max_fail_percentage = 20`, "passed passed failed passed skipped", "rollout stopped after batch 2: 1 of 4 devices failed"},
		{"no limit: a batch not wholly failed goes on", `serial = ["40%"]`, "passed passed failed passed passed", ""},
		{"no limit: a wholly failed batch stops", `serial = [2, 1]`, "passed passed failed skipped skipped", "rollout stopped after batch 2: 1 of 3 devices failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := compile(t, ntpPlaybook+"\nrollout {\n  "+tc.rollout+"\n}\n")
			rep := plan.Run(context.Background(), hosts, fastOpts(nil))
			var got []string
			for _, d := range rep.Devices {
				got = append(got, string(d.Status))
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("statuses %s, want %s", strings.Join(got, " "), tc.want)
			}
			if e := rep.Devices[4]; e.Status == engine.DeviceSkipped && e.Message != tc.msg {
				t.Errorf("e: %q, want %q", e.Message, tc.msg)
			}
		})
	}
}

// TestRolloutKeepsFailFast: --fail-fast stops the devices of the current
// batch not yet started, and every later batch.
func TestRolloutKeepsFailFast(t *testing.T) {
	_, hosts := startFleet(t,
		labDevice{name: "a", platform: "cisco_ios"},
		labDevice{name: "b", platform: "cisco_ios", faults: &lab.Faults{RejectConfig: "^ntp"}},
		labDevice{name: "c", platform: "cisco_ios"},
		labDevice{name: "d", platform: "cisco_ios"},
	)
	plan := compile(t, ntpPlaybook+`
rollout {
  serial = [1, 2]
}
`)
	opts := fastOpts(nil)
	opts.Forks, opts.FailFast = 1, true
	rep := plan.Run(context.Background(), hosts, opts)
	want := []engine.Status{engine.DevicePassed, engine.DeviceFailed, engine.DeviceSkipped, engine.DeviceSkipped}
	for i, d := range rep.Devices {
		if d.Status != want[i] {
			t.Errorf("%s: %s, want %s", d.Name, d.Status, want[i])
		}
	}
	if m := rep.Devices[3].Message; !strings.Contains(m, "--fail-fast after b failed") {
		t.Errorf("d: %q, want the --fail-fast reason", m)
	}
	if b := rep.Batches[2]; b.Started || !strings.Contains(b.Message, "--fail-fast") {
		t.Errorf("batch 3: started=%v %q, want not started because of --fail-fast", b.Started, b.Message)
	}
}

// TestWithoutRolloutEveryDeviceIsBatchOne: no rollout block, no batches
// in the report, and every device in batch 1.
func TestWithoutRolloutEveryDeviceIsBatchOne(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "a", platform: "cisco_ios"}, labDevice{name: "b", platform: "cisco_ios"})
	rep := compile(t, ntpPlaybook).Run(context.Background(), hosts, fastOpts(nil))
	if rep.Batches != nil {
		t.Errorf("batches without a rollout block: %v", rep.Batches)
	}
	for _, d := range rep.Devices {
		if d.Batch != 1 {
			t.Errorf("%s in batch %d, want 1", d.Name, d.Batch)
		}
	}
}
