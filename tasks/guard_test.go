package tasks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// failingSave is a device that refuses to save.
type failingSave struct{ *fakeConn }

func (f failingSave) Save(context.Context) (*driver.Response, error) {
	f.record("save")
	return &driver.Response{Command: "write memory", Output: "% Error opening nvram:startup-config (No space left on device)", Failed: true, FailedBy: "% Error", ErrorText: "% Error opening nvram:startup-config (No space left on device)"}, nil
}

// A save the device refuses fails the step and changes nothing; a save
// with nothing changed before it does not run at all.
func TestSaveRefusedFails(t *testing.T) {
	conn := failingSave{&fakeConn{platform: "cisco_ios"}}
	changed := true
	res, err := run(t, "save", ``, conn, &Env{ChangedBefore: &changed})
	if err != nil || !res.Failed || res.Changed || !strings.Contains(res.Message, "No space left") {
		t.Errorf("refused save: %v %+v", err, res)
	}
	changed = false
	conn2 := &fakeConn{platform: "cisco_ios"}
	res, err = run(t, "save", ``, conn2, &Env{ChangedBefore: &changed})
	if err != nil || res.Failed || res.Changed || res.Message != NothingToSave || len(conn2.calls) != 0 {
		t.Errorf("nothing to save: %v %+v, calls %v", err, res, conn2.calls)
	}
}

// With continue_on_error, a rejected line does not stop the push: the
// lines after it are sent (driver.ContinueOnError), each line says
// whether it took, and the step is changed and failed. Without it the
// push stops at the rejected line.
func TestRejectedLineDoesNotStopThePush(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fleet, err := lab.StartFleet(ctx, lab.FleetSpec{
		Seed:    "tasks-guard",
		Devices: []lab.DeviceSpec{{Name: "ios1", Platform: lab.CiscoIOS, Faults: &lab.Faults{RejectConfig: `^ntp server 10\.9\.9\.1$`}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	d := fleet.Device("ios1")
	s, err := driver.Open(ctx, driver.Config{
		Name: d.Name(), Address: "127.0.0.1", Port: d.Port(), Platform: d.Platform(),
		Username: "admin", Password: "admin", Secret: "admin",
		HostKeyCheck: driver.HostKeyOff, CommandTimeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	env := &Env{HostName: "ios1", Platform: "cisco_ios"}
	res, err := run(t, "send_config_set", `commands = ["ntp server 10.9.9.1", "ntp server 10.9.9.3"]`, s, env)
	if err != nil || !res.Failed || res.Changed || !strings.Contains(res.Message, "1 line not sent") {
		t.Fatalf("without continue_on_error: %v %+v", err, res)
	}
	res, err = run(t, "send_config_set", "commands = [\"ntp server 10.9.9.1\", \"ntp server 10.9.9.2\"]\ncontinue_on_error = true", s, env)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || !res.Changed || len(res.Lines) != 2 || !res.Lines[0].Failed || res.Lines[1].Failed {
		t.Fatalf("want line 1 rejected, line 2 accepted, changed and failed: %+v", res)
	}
	out, err := s.SendCommand(ctx, "show running-config | include ntp server")
	if err != nil || !strings.Contains(out.Output, "ntp server 10.9.9.2") || strings.Contains(out.Output, "10.9.9.1") || strings.Contains(out.Output, "10.9.9.3") {
		t.Errorf("running-config after the push: %v\n%s", err, out.Output)
	}
}
