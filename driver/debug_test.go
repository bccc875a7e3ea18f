package driver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

func TestDebugLab(t *testing.T) {
	ctx := context.Background()
	f, err := lab.StartFleet(ctx, lab.FleetSpec{Devices: []lab.DeviceSpec{
		{Name: "ios1", Platform: "cisco_ios"},
		{Name: "nx1", Platform: "cisco_nxos"},
		{Name: "eos1", Platform: "arista_eos"},
		{Name: "jun1", Platform: "juniper_junos"},
		{Name: "lin1", Platform: "linux"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, d := range f.Devices() {
		var tr syncBuffer
		s, err := driver.Open(ctx, driver.Config{Name: d.Name(), Address: "127.0.0.1", Port: d.Port(), Platform: d.Platform(),
			Username: "admin", Password: "admin", Secret: "admin", HostKeyCheck: "off", CommandTimeout: 3 * time.Second, Transcript: &tr})
		if err != nil {
			fmt.Println(err)
			fmt.Printf("%q\n", tr.String())
			continue
		}
		r, err := s.SendCommand(ctx, "show version")
		fmt.Println(d.Name(), s.Hostname(), s.Mode(), err)
		if r != nil {
			fmt.Printf("%q\n", r.Output[:min(200, len(r.Output))])
		}
		mr, err := s.SendConfigSet(ctx, []string{"ntp server 10.0.0.1", "bogus line here"})
		fmt.Println("config", err)
		for _, r := range mr.Responses {
			fmt.Printf("  %q %q %v %q\n", r.Command, r.Output, r.Failed, r.FailedBy)
		}
		r, err = s.Save(ctx)
		fmt.Println("save", err)
		if r != nil {
			fmt.Printf("  %q %v\n", r.Output, r.Failed)
		}
		s.Close()
		fmt.Printf("%q\n", tr.String()[:min(3000, len(tr.String()))])
	}
}
