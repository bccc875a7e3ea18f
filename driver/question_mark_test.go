package driver_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// A '?' typed at a Cisco or Arista prompt asks for help at once: sent as
// is, "description why?" would print help and leave "description why" on
// the line. The driver types Ctrl-V before it; the lab, like the devices,
// then takes it as a character.
func TestQuestionMarkIsTypedLiterally(t *testing.T) {
	cases := []struct{ platform, iface string }{
		{"cisco_ios", "interface GigabitEthernet0/1"},
		{"cisco_nxos", "interface Ethernet1/1"},
		{"arista_eos", "interface Ethernet1"},
		{"cisco_xr", "interface GigabitEthernet0/0/0/0"},
		{"cisco_asa", "interface GigabitEthernet0/0"},
	}
	for _, c := range cases {
		t.Run(c.platform, func(t *testing.T) {
			f := startFleet(t, lab.DeviceSpec{Name: "r1", Platform: c.platform})
			d := f.Device("r1")
			s := open(t, labConfig(t, d))
			ctx := hangGuard(t)
			desc := "description uplink? ask noc?"
			mr, err := s.SendConfigSet(ctx, []string{c.iface, desc})
			if err != nil {
				t.Fatal(err)
			}
			if mr.Failed {
				t.Fatalf("rejected: %+v", mr.FirstFailure())
			}
			if !slices.Contains(d.Received(), desc) {
				t.Errorf("the device received %q, want the line %q whole", d.Received(), desc)
			}
			if !strings.Contains(d.RunningConfig(), desc) {
				t.Errorf("running-config lacks %q:\n%s", desc, d.RunningConfig())
			}
			if got := mr.Responses[1].Command; got != desc {
				t.Errorf("response command %q, want %q (no control characters)", got, desc)
			}
			r, err := s.SendCommand(ctx, "show running-config | include uplink?")
			if err != nil {
				t.Fatal(err)
			}
			if r.Failed || !strings.Contains(r.Output, desc) {
				t.Errorf("command with '?': failed=%v output %q", r.Failed, r.Output)
			}
		})
	}
}

// Junos has no documented way to type a '?' literally: a line holding one
// is refused before anything is sent, rather than pushed without its '?'.
func TestQuestionMarkRefusedWithoutEscape(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "j1", Platform: "juniper_junos"})
	d := f.Device("j1")
	s := open(t, labConfig(t, d))
	ctx := hangGuard(t)
	before := len(d.Received())
	lines := []string{"set system location building b1", `set interfaces ge-0/0/0 description "why?"`}
	_, err := s.SendConfigSet(ctx, lines)
	if !errors.Is(err, driver.ErrUnsupported) || !strings.Contains(err.Error(), "'?'") {
		t.Fatalf("SendConfigSet: err = %v, want ErrUnsupported naming the '?'", err)
	}
	if got := d.Received()[before:]; len(got) != 0 {
		t.Errorf("sent before refusing: %q", got)
	}
	if _, err := s.SendCommand(ctx, `show configuration | match "why?"`); !errors.Is(err, driver.ErrUnsupported) {
		t.Errorf("SendCommand: err = %v, want ErrUnsupported", err)
	}
	// The session is still usable.
	if r, err := s.SendCommand(ctx, "show version"); err != nil || r.Failed {
		t.Errorf("after the refusal: %v %+v", err, r)
	}
}
