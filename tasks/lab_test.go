package tasks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// TestRunAgainstLab runs every kind against simulated devices on
// 127.0.0.1 through the real driver.
func TestRunAgainstLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fleet, err := lab.StartFleet(ctx, lab.FleetSpec{
		Seed: "tasks-test",
		Devices: []lab.DeviceSpec{
			{Name: "ios1", Platform: lab.CiscoIOS, Faults: &lab.Faults{RejectConfig: `^ntp serv x`}},
			{Name: "junos1", Platform: lab.JuniperJunos},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()

	open := func(t *testing.T, d *lab.Device) *driver.Session {
		t.Helper()
		s, err := driver.Open(ctx, driver.Config{
			Name: d.Name(), Address: "127.0.0.1", Port: d.Port(), Platform: d.Platform(),
			Username: "admin", Password: "admin", Secret: "admin",
			HostKeyCheck:   driver.HostKeyOff, // the lab's keys are ephemeral
			CommandTimeout: 10 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	dir := t.TempDir()

	t.Run("cisco_ios", func(t *testing.T) {
		dev := fleet.Device("ios1")
		s := open(t, dev)
		env := &Env{HostName: "ios1", Platform: "cisco_ios", BaseDir: dir}

		res, err := run(t, "send_command", `command = "show version"`, s, env)
		if err != nil || res.Failed || !strings.Contains(res.Output, "Cisco IOS") {
			t.Fatalf("show version: %v %+v", err, res)
		}

		res, err = run(t, "send_config_set", `commands = [for s in var.servers : "ntp server ${s}"]`, s, env)
		if err != nil || res.Failed || !res.Changed || len(res.Lines) != 2 {
			t.Fatalf("config: %v %+v", err, res)
		}
		if rc := dev.RunningConfig(); !strings.Contains(rc, "ntp server 10.0.1.101") {
			t.Errorf("running-config lacks the pushed line:\n%s", rc)
		}

		res, err = run(t, "send_config_set", `commands = ["ntp server 10.0.1.102", "ntp serv x"]`, s, env)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Failed || !res.Changed || !strings.Contains(res.Message, `line "ntp serv x": % Invalid input`) {
			t.Errorf("rejected line: %+v", res)
		}

		res, err = run(t, "save", ``, s, env)
		if err != nil || res.Failed || !res.Changed {
			t.Fatalf("save: %v %+v", err, res)
		}
		if sc := dev.StartupConfig(); !strings.Contains(sc, "ntp server 10.0.1.101") {
			t.Errorf("startup-config not saved:\n%s", sc)
		}

		res, err = run(t, "backup", "dir = \"backups\"\nkeep = 2\n", s, env)
		if err != nil || res.Failed {
			t.Fatalf("backup: %v %+v", err, res)
		}
		b, err := os.ReadFile(res.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "hostname ios1") || !strings.Contains(string(b), "ntp server 10.0.1.100") {
			t.Errorf("backup %s:\n%s", res.Path, b)
		}
		if filepath.Dir(res.Path) != filepath.Join(dir, "backups", "ios1") {
			t.Errorf("backup path %s", res.Path)
		}

		res, err = run(t, "expect", "command = \"reload in 5\"\nexpect \"confirm\" {\n send = \"\"\n}\n", s, env)
		if err != nil || res.Failed {
			t.Fatalf("expect: %v %+v", err, res)
		}
		res, err = run(t, "send_command", `command = "show reload"`, s, env)
		if err != nil || !strings.Contains(res.Output, "Reload scheduled") {
			t.Errorf("show reload after expect: %v %+v", err, res)
		}
	})

	t.Run("juniper_junos", func(t *testing.T) {
		dev := fleet.Device("junos1")
		s := open(t, dev)
		res, err := run(t, "backup", `dir = "backups"`, s, &Env{HostName: "junos1", BaseDir: dir})
		if err != nil || res.Failed {
			t.Fatalf("backup: %v %+v", err, res)
		}
		if filepath.Dir(res.Path) != filepath.Join(dir, "backups", "junos1") {
			t.Errorf("backup path %s", res.Path)
		}
		b, err := os.ReadFile(res.Path)
		if err != nil {
			t.Fatalf("the backup file: %v", err)
		}
		got := string(b)
		for _, bad := range []string{"% Invalid input", "syntax error", "unknown command", "error:"} {
			if strings.Contains(got, bad) {
				t.Errorf("junos backup holds an error text (%q), not the configuration:\n%s", bad, got)
			}
		}
		// The backup is the configuration the device holds, as
		// "show configuration" prints it, and nothing else.
		if !strings.Contains(got, "host-name junos1;") {
			t.Errorf("junos backup lacks the host name:\n%s", got)
		}
		// JunOS heads the output with a "## Last commit: ..." comment.
		body := got
		if strings.HasPrefix(body, "## Last commit: ") {
			_, body, _ = strings.Cut(body, "\n")
		}
		if want := strings.TrimSpace(dev.RunningConfig()); strings.TrimSpace(body) != want {
			t.Errorf("junos backup is not the device's configuration:\n got: %q\nwant: %q", got, want)
		}
	})
}
