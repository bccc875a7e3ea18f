package driver_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// Issue 15: a configuration line that asks is answered from the answers
// given, and a multi-line banner is typed as the device reads it (no
// prompt until its delimiter); neither hangs the config set.
func TestLabConfigDialogues(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "r1", Platform: lab.CiscoIOS}, lab.DeviceSpec{Name: "eos1", Platform: lab.AristaEOS})
	ctx := hangGuard(t)

	ios := f.Device("r1")
	s := open(t, labConfig(t, ios))
	mr, err := s.SendConfigSet(ctx, []string{
		"username olduser privilege 1 secret 0 Old-Pass-1",
		"banner motd ^C\nAuthorized access only.\nSecond line.\n^C",
		"no username olduser",
		"hostname r1",
	}, driver.WithConfigAnswers(driver.Confirm{Question: regexp.MustCompile(`\[confirm\]\s*$`), Answer: ""}))
	if err != nil {
		t.Fatal(err)
	}
	if mr.Failed || len(mr.Responses) != 4 {
		t.Fatalf("config set: failed=%v, %d responses: %+v", mr.Failed, len(mr.Responses), mr.Responses)
	}
	if b := mr.Responses[1]; b.Command != "banner motd ^C\nAuthorized access only.\nSecond line.\n^C" || !strings.Contains(b.Output, "Enter TEXT message") {
		t.Errorf("banner response: command %q output %q", b.Command, b.Output)
	}
	run := ios.RunningConfig()
	if !strings.Contains(run, "banner motd ^C\nAuthorized access only.\nSecond line.\n^C") {
		t.Errorf("banner not configured:\n%s", run)
	}
	if strings.Contains(run, "username olduser") {
		t.Errorf("no username was not confirmed:\n%s", run)
	}
	if s.Mode() != driver.ModePrivileged {
		t.Errorf("left in mode %q", s.Mode())
	}

	eos := f.Device("eos1")
	e := open(t, labConfig(t, eos))
	mr, err = e.SendConfigSet(ctx, []string{"banner motd\nMaintenance tonight.\nEOF", "hostname eos1"})
	if err != nil {
		t.Fatal(err)
	}
	if mr.Failed || len(mr.Responses) != 2 {
		t.Fatalf("eos config set: failed=%v, %d responses", mr.Failed, len(mr.Responses))
	}
	if run := eos.RunningConfig(); !strings.Contains(run, "Maintenance tonight.") {
		t.Errorf("eos banner not configured:\n%s", run)
	}
}
