package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/lab"
)

// Issue 15: IOS-XR (commit model) and ASA run the same playbook as the
// other platforms: the push takes and is saved (XR: committed), a second
// run changes nothing, and a line the device refuses fails the step,
// naming the line.
func TestXRAndASARunThePlaybook(t *testing.T) {
	fleet, hosts := startFleet(t,
		labDevice{name: "xr1", platform: "cisco_xr"},
		labDevice{name: "asa1", platform: "cisco_asa"},
	)
	// The verify step of ntpPlaybook greps "ntp server", which XR shows
	// nested ("ntp" / " server X"): the lab's configuration is checked
	// here instead.
	pb := ntpPlaybook[:strings.Index(ntpPlaybook, `step "send_command" "verify"`)]
	plan := compile(t, pb)
	rep := plan.Run(context.Background(), hosts, fastOpts(&recorder{}))
	for _, d := range rep.Devices {
		if d.Status != engine.DevicePassed {
			for _, s := range d.Steps {
				t.Logf("  %s %s %q\n%s", s.Address, s.Status, s.Message, s.Output)
			}
			t.Fatalf("%s: %s %q", d.Name, d.Status, d.Message)
		}
		if got := stepStatus(d, "send_config_set.push"); got != engine.StatusChanged {
			t.Errorf("%s: push %s, want changed", d.Name, got)
		}
		run := fleet.Device(d.Name).RunningConfig()
		for _, srv := range []string{"10.0.1.100", "10.0.1.101"} {
			want := "ntp server " + srv
			if d.Name == "xr1" {
				want = "\n server " + srv // under "ntp", as XR shows it
			}
			if !strings.Contains(run, want) {
				t.Errorf("%s: running configuration lacks ntp server %s:\n%s", d.Name, srv, run)
			}
		}
	}
	if sent := strings.Join(fleet.Device("xr1").Received(), "\n"); !strings.Contains(sent, "commit") {
		t.Errorf("xr1: the push was not committed:\n%s", sent)
	}
	if sent := strings.Join(fleet.Device("asa1").Received(), "\n"); !strings.Contains(sent, "write memory") {
		t.Errorf("asa1: not saved with write memory:\n%s", sent)
	}

	// Again: in sync, nothing sent, nothing saved.
	rep = plan.Run(context.Background(), hosts, fastOpts(&recorder{}))
	for _, d := range rep.Devices {
		if d.Status != engine.DevicePassed || stepStatus(d, "send_config_set.push") != engine.StatusOK || stepStatus(d, "save.config") != engine.StatusOK {
			t.Errorf("%s second run: %s, push %s, save %s", d.Name, d.Status, stepStatus(d, "send_config_set.push"), stepStatus(d, "save.config"))
		}
	}

	// A refused line fails the step with the line and the device's text.
	for _, d := range []string{"xr1", "asa1"} {
		fleet.Device(d).SetFaults(lab.Faults{RejectConfig: `^ntp server 10\.0\.1\.102`})
	}
	rep = compile(t, strings.Replace(pb, `"10.0.1.101"]`, `"10.0.1.101", "10.0.1.102"]`, 1)).Run(context.Background(), hosts, fastOpts(&recorder{}))
	for _, d := range rep.Devices {
		if d.Status != engine.DeviceFailed {
			t.Errorf("%s: %s %q, want failed", d.Name, d.Status, d.Message)
			continue
		}
		for _, s := range d.Steps {
			// XR refuses at commit time: the message shows "show
			// configuration failed", which names the line.
			if s.Address == "send_config_set.push" && (s.Status != engine.StatusFailed || !strings.Contains(s.Message, "10.0.1.102")) {
				t.Errorf("%s: push %s %q", d.Name, s.Status, s.Message)
			}
		}
	}
}
