package lab

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// xrTS is IOS-XR's timestamp line before a command's output.
var xrTS = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3} UTC\n`)

const (
	xrExec = `RP/0/RP0/CPU0:xr1#$`
	xrCfg  = `RP/0/RP0/CPU0:xr1\(config\)#$`
)

func xrLogin(t *testing.T, d *Device) *testClient {
	t.Helper()
	c := dial(t, d)
	c.expect(xrExec)
	c.cmd("terminal length 0", xrExec)
	return c
}

// TestXRCommitModel: every session edits its own target configuration;
// commit makes it running, abort and "end ... no" drop it, a failed commit
// changes nothing and says why in "show configuration failed", rollback
// undoes commits.
func TestXRCommitModel(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "xr1", Platform: CiscoXR}}})
	d := f.Device("xr1")
	c := xrLogin(t, d)

	if out := c.cmd("terminal width 511", xrExec); out != "" {
		t.Errorf("terminal width: %q", out)
	}
	out := c.cmd("show version", xrExec)
	if !xrTS.MatchString(out) || !strings.Contains(out, "Cisco IOS XR Software, Version 7.3.2\n") || !strings.Contains(out, "cisco IOS-XRv 9000 () processor") {
		t.Errorf("show version:\n%s", out)
	}
	if out := c.cmd("configure terminal", xrCfg); !xrTS.MatchString(out) || len(xrTS.FindString(out)) != len(out) {
		t.Errorf("configure printed %q, want a timestamp line", out)
	}

	// The change is in the target, not in running-config, until commit.
	c.cmd("ntp server 10.0.1.100", xrCfg)
	target := c.cmd("show configuration", xrCfg)
	if want := "Building configuration...\n!! IOS XR Configuration 7.3.2\nntp\n server 10.0.1.100\n!\nend\n\n"; strings.TrimPrefix(target, xrTS.FindString(target)) != want {
		t.Errorf("show configuration: %q, want %q after the timestamp", target, want)
	}
	wantNone(t, "running-config before commit", d.RunningConfig(), "10.0.1.100")
	other := xrLogin(t, d)
	if out := other.cmd("show running-config ntp", xrExec); !strings.HasSuffix(out, "% No such configuration item(s)\n\n") {
		t.Errorf("another session sees the target: %q", out)
	}
	if out := c.cmd("commit", xrCfg); !xrTS.MatchString(out) || len(xrTS.FindString(out)) != len(out) {
		t.Errorf("commit printed %q, want only the timestamp", out)
	}
	wantAll(t, "running-config after commit", d.RunningConfig(), "\nntp\n server 10.0.1.100\n!\n")
	if out := c.cmd("commit", xrCfg); !strings.HasSuffix(out, "% No modifications to commit.\n") {
		t.Errorf("empty commit: %q", out)
	}

	// abort drops the target and leaves configuration mode.
	c.cmd("interface Loopback9", `RP/0/RP0/CPU0:xr1\(config-if\)#$`)
	c.cmd("ipv4 address 10.9.9.9 255.255.255.255", `RP/0/RP0/CPU0:xr1\(config-if\)#$`)
	if out := c.cmd("abort", xrExec); out != "" {
		t.Errorf("abort: %q", out)
	}
	wantNone(t, "running-config after abort", d.RunningConfig(), "Loopback9")

	// end asks: cancel stays, no drops, yes commits.
	const q = `Uncommitted changes found, commit them before exiting\(yes/no/cancel\)\? \[cancel\]:$`
	c.cmd("configure", xrCfg)
	c.cmd("snmp-server location rack-1", xrCfg)
	c.send("end\n")
	c.expect(q)
	c.send("\n")
	c.expect(xrCfg)
	c.send("end\n")
	c.expect(q)
	c.send("no\n")
	c.expect(xrExec)
	wantNone(t, "running-config after end/no", d.RunningConfig(), "rack-1")
	c.cmd("configure", xrCfg)
	c.cmd("snmp-server location rack-2", xrCfg)
	c.send("exit\n") // exit at (config) is end
	c.expect(q)
	c.send("yes\n")
	c.expect(xrExec)
	wantAll(t, "running-config after end/yes", d.RunningConfig(), "snmp-server location rack-2\n")

	// A commit that fails changes nothing, keeps the target and explains.
	d.SetFaults(Faults{RejectConfig: `^logging`})
	c.cmd("configure", xrCfg)
	c.cmd("ntp server 10.0.1.101", xrCfg)
	c.cmd("logging 10.9.9.9 vrf default severity info", xrCfg)
	out = c.cmd("commit", xrCfg)
	if want := "\n% Failed to commit one or more configuration items during a pseudo-atomic operation. All changes made have been reverted. Please issue 'show configuration failed [inheritance]' from this session to view the errors\n"; strings.TrimPrefix(out, xrTS.FindString(out)) != want {
		t.Errorf("failed commit: %q", out)
	}
	wantNone(t, "running-config after a failed commit", d.RunningConfig(), "10.0.1.101", "10.9.9.9")
	failed := c.cmd("show configuration failed", xrCfg)
	wantAll(t, "show configuration failed", failed,
		"!! SEMANTIC ERRORS: This configuration was rejected by \n!! the system due to semantic errors. The individual \n!! errors with each failed configuration command can be \n!! found below.\n",
		"\nlogging 10.9.9.9 vrf default severity info\n!!% 'lab' detected the 'warning' condition 'rejected by the reject_config fault'\nend\n")
	wantNone(t, "show configuration failed", failed, "10.0.1.101")
	wantAll(t, "target after the failure", c.cmd("show configuration", xrCfg), "server 10.0.1.101", "logging 10.9.9.9")
	c.cmd("abort", xrExec)
	d.SetFaults(Faults{})

	// rollback configuration last 1 undoes the last commit (rack-2).
	list := c.cmd("show configuration commit list", xrExec)
	wantAll(t, "commit list", list, "SNo. Label/ID", "\n1    1000000002 ", "\n2    1000000001 ")
	out = c.cmd("rollback configuration last 1", xrExec)
	wantAll(t, "rollback", out, "\nLoading Rollback Changes.\nLoaded Rollback Changes in 1 sec\nCommitting.\n", " items committed in 1 sec\nUpdating.\nUpdated Commit database in 1 sec\nConfiguration successfully rolled back 1 commits.\n")
	run := d.RunningConfig()
	wantNone(t, "running-config after rollback", run, "rack-2")
	wantAll(t, "running-config after rollback", run, "server 10.0.1.100")
	if out := c.cmd("rollback configuration last 9", xrExec); !strings.Contains(out, "Rollback of 9 commits is not possible") {
		t.Errorf("rollback beyond the database: %q", out)
	}

	// commit replace asks first.
	c.cmd("configure", xrCfg)
	c.cmd("hostname xr9", xrCfg)
	c.send("commit replace\n")
	c.expect(`This commit will replace or remove the entire running configuration\. This\r\noperation can be service affecting\.\r\nDo you wish to proceed\? \[no\]: $`)
	c.send("\n")
	c.expect(xrCfg)
	if d.Hostname() != "xr1" {
		t.Errorf("commit replace answered no replaced the configuration")
	}
	c.cmd("abort", xrExec)

	// IOS-XR has no write, no enable; unknown words get the caret.
	for _, l := range []string{"write memory", "enable", "show foo"} {
		w := strings.Fields(l)
		bad := w[len(w)-1]
		if l != "show foo" {
			bad = w[0]
		}
		want := strings.Repeat(" ", len("RP/0/RP0/CPU0:xr1#")+wordAt(l, bad)) + "^\n% Invalid input detected at '^' marker.\n"
		if out := c.cmd(l, xrExec); out != want {
			t.Errorf("%s: %q, want %q", l, out, want)
		}
	}
}

// Ctrl-Z is end: it asks too. An exec request runs one command.
func TestXRCtrlZAndExec(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "xr1", Platform: CiscoXR}}})
	d := f.Device("xr1")
	c := xrLogin(t, d)
	c.cmd("configure", xrCfg)
	c.cmd("hostname xr7", xrCfg)
	c.send("\x1a")
	c.expect(`\[cancel\]:$`)
	c.send("yes\n")
	c.expect(`RP/0/RP0/CPU0:xr7#$`)

	client, err := ssh.Dial("tcp", d.Addr(), sshConfig(d, d.Password()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("show running-config hostname")
	if err != nil || !strings.Contains(string(out), "hostname xr7") {
		t.Errorf("exec: %v %q", err, out)
	}
}
