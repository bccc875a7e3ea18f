package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// A backup's output (the whole configuration) reaches the step's event,
// and the Report keeps only that it was omitted, unless asked to keep it:
// a fleet's report would otherwise hold every device's configuration.
func TestReportDropsConfigurationBodies(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	plan := compile(t, fmt.Sprintf(`
step "backup" "running" {
  dir = %q
}
step "send_command" "version" {
  command = "show version"
}
`, filepath.Join(t.TempDir(), "backups")))
	for _, keep := range []bool{false, true} {
		rec := &recorder{}
		opts := fastOpts(rec)
		opts.KeepConfigBodies = keep
		rep := plan.Run(context.Background(), hosts, opts)
		d := rep.Devices[0]
		if d.Status != engine.DevicePassed {
			t.Fatalf("keep=%v: %s %s", keep, d.Status, d.Message)
		}
		backup, version := d.Steps[0], d.Steps[1]
		var evOut string
		for _, e := range rec.events {
			if e.Type == engine.StepFinished && e.Step == backup.Address {
				evOut = e.Output
			}
		}
		if !strings.Contains(evOut, "hostname r1") {
			t.Errorf("keep=%v: the backup's event lacks the configuration: %q", keep, evOut)
		}
		switch {
		case keep && (!strings.Contains(backup.Output, "hostname r1") || backup.OutputOmitted != ""):
			t.Errorf("keep: backup output %q, omitted %q", backup.Output, backup.OutputOmitted)
		case !keep && (backup.Output != "" || backup.OutputOmitted != engine.OmittedConfiguration):
			t.Errorf("default: backup output kept (%d bytes), omitted %q", len(backup.Output), backup.OutputOmitted)
		}
		if version.Output == "" || version.OutputOmitted != "" {
			t.Errorf("keep=%v: a command's output was dropped: %q %q", keep, version.Output, version.OutputOmitted)
		}
	}
}
