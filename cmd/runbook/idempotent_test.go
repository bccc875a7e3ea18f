package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/lab"
)

// Issue 9, done when: applying playbooks/ntp.hcl twice to the same lab
// fleet, the second run sends no configuration line and does not save;
// every device passes with its config steps ok.
func TestApplyTwiceIsIdempotent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The ntp playbook's inventory, as one long-lived fleet (apply --lab
	// would start a new one per run).
	var devs []lab.DeviceSpec
	for _, d := range []struct{ name, platform string }{
		{"sw1", lab.CiscoIOS}, {"sw2", lab.CiscoIOS},
		{"core1", lab.AristaEOS}, {"core2", lab.AristaEOS},
		{"leaf1", lab.CiscoNXOS}, {"leaf2", lab.CiscoNXOS},
	} {
		devs = append(devs, lab.DeviceSpec{Name: d.name, Platform: d.platform, Username: "netops", Password: "lab-password-9", Secret: "lab-enable-9"})
	}
	// Credentials come from the environment, as the playbook's do.
	t.Setenv("RUNBOOK_USERNAME", "netops")
	t.Setenv("RUNBOOK_PASSWORD", "lab-password-9")
	t.Setenv("RUNBOOK_SECRET", "lab-enable-9")
	fleet, err := lab.StartFleet(ctx, lab.FleetSpec{Seed: "idempotent-test", Devices: devs})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()

	dir := t.TempDir()
	var inv, kh bytes.Buffer
	inv.WriteString("inventory {\n  defaults {\n    username = env(\"RUNBOOK_USERNAME\")\n    password = env(\"RUNBOOK_PASSWORD\")\n" +
		"    secret   = env(\"RUNBOOK_SECRET\")\n    host_key_check   = \"strict\"\n    known_hosts_file = \"known_hosts\"\n  }\n")
	for _, d := range fleet.Devices() {
		fmt.Fprintf(&inv, "  host %q {\n    address  = \"127.0.0.1\"\n    port     = %d\n    platform = %q\n  }\n", d.Name(), d.Port(), d.Platform())
	}
	inv.WriteString("}\n")
	if err := lab.WriteKnownHosts(&kh, fleet); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../playbooks/ntp.hcl")
	if err != nil {
		t.Fatal(err)
	}
	invPath, play := filepath.Join(dir, "inventory.hcl"), filepath.Join(dir, "ntp.hcl") // backups land in dir
	for path, b := range map[string][]byte{invPath: inv.Bytes(), filepath.Join(dir, "known_hosts"): kh.Bytes(), play: src} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	apply := func(report string) jsonReport {
		t.Helper()
		jsonPath := filepath.Join(dir, report)
		if code, out, errOut := runCLICtx(ctx, t, "apply", "-i", invPath, "--json", jsonPath, play); code != exitOK {
			t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
		}
		return readJSONReport(t, jsonPath)
	}
	first := apply("first.json")
	for _, d := range first.Devices {
		for _, s := range d.Steps {
			if (s.Name == "send_config_set.push" || s.Name == "save.config") && s.Status != "changed" {
				t.Errorf("first run, %s %s: %s %q, want changed", d.Name, s.Name, s.Status, s.Message)
			}
		}
	}

	received := map[string]int{}
	for _, d := range fleet.Devices() {
		received[d.Name()] = len(d.Received())
	}
	second := apply("second.json")
	if len(second.Devices) != len(devs) {
		t.Fatalf("%d devices in the second report, want %d", len(second.Devices), len(devs))
	}
	for _, d := range second.Devices {
		if d.Status != "passed" {
			t.Errorf("second run, %s: %s", d.Name, d.Status)
		}
		want := map[string]string{"send_config_set.push": "in sync: all 2 lines already in the configuration", "save.config": "nothing to save"}
		for _, s := range d.Steps {
			msg, ok := want[s.Name]
			if !ok {
				continue
			}
			delete(want, s.Name)
			if s.Status != "ok" || !strings.HasPrefix(s.Message, msg) {
				t.Errorf("second run, %s %s: %s %q, want ok %q", d.Name, s.Name, s.Status, s.Message, msg)
			}
		}
		if len(want) > 0 {
			t.Errorf("second run, %s: steps missing from the report: %v", d.Name, want)
		}
	}
	for _, d := range fleet.Devices() {
		for _, line := range d.Received()[received[d.Name()]:] {
			l := strings.TrimSpace(line)
			for _, bad := range []string{"configure", "ntp server", "copy running-config", "write", "end"} {
				if strings.HasPrefix(l, bad) {
					t.Errorf("second run, %s received %q: it must send no configuration and not save", d.Name(), l)
				}
			}
		}
	}
}
