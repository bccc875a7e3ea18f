package lab

import (
	"regexp"
	"strings"
	"testing"
)

const (
	asaUser = `asa1> $`
	asaPriv = `asa1# $`
)

// TestASADialogue: login at "asa1> ", enable with a masked secret, the
// pager and its marker, terminal pager (not terminal length), write
// memory's checksum, the ERROR: texts.
func TestASADialogue(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "asa1", Platform: CiscoASA}}})
	d := f.Device("asa1")
	c := dial(t, d)
	if out := c.expect(asaUser); !strings.Contains(out, "Type help or '?' for a list of available commands.\r\n") {
		t.Errorf("login: %q", out)
	}
	// Privileged commands are not there at asa1>.
	for _, l := range []string{"configure terminal", "show running-config"} {
		bad := strings.Fields(l)[0]
		if l == "show running-config" {
			bad = "running-config"
		}
		want := strings.Repeat(" ", len("asa1> ")+wordAt(l, bad)) + "^\nERROR: % Invalid input detected at '^' marker.\n"
		if out := c.cmd(l, asaUser); out != want {
			t.Errorf("%s at asa1>: %q, want %q", l, out, want)
		}
	}
	// A wrong secret: "Invalid password", asked three times, then refused.
	c.send("enable\n")
	for i := 0; i < 2; i++ {
		c.expect(`Password: $`)
		c.send("wrong\n")
		c.expect(`Invalid password\r\n`)
	}
	c.expect(`Password: $`)
	c.send("wrong\n")
	c.expect(`Access denied\.\r\n` + asaUser)
	// The right one, echoed as stars.
	c.send("enable\n")
	c.expect(`Password: $`)
	c.send(d.Secret() + "\n")
	if out := c.expect(asaPriv); !strings.HasPrefix(out, strings.Repeat("*", len(d.Secret()))+"\r\n") {
		t.Errorf("enable echo: %q", out)
	}
	for _, l := range d.Received() {
		if l == d.Secret() {
			t.Errorf("the enable secret was recorded")
		}
	}

	// Pager: <--- More ---> every 24 lines, "terminal pager 0" stops it;
	// "terminal length" does not exist.
	c.send("show running-config\n")
	c.expect(`<--- More --->$`)
	c.send("q")
	c.expect(asaPriv)
	want := strings.Repeat(" ", len("asa1# terminal ")) + "^\nERROR: % Invalid input detected at '^' marker.\n"
	if out := c.cmd("terminal length 0", asaPriv); out != want {
		t.Errorf("terminal length 0: %q", out)
	}
	if out := c.cmd("terminal pager 0", asaPriv); out != "" {
		t.Errorf("terminal pager 0: %q", out)
	}
	run := c.cmd("show running-config", asaPriv)
	wantNone(t, "show running-config", run, "<--- More --->")
	wantAll(t, "show running-config", run, ": Saved\n", "ASA Version 9.16(2) \n", "\nhostname asa1\n", "\nusername admin password ***** pbkdf2 privilege 15\n", "\n: end\n")
	if !regexp.MustCompile(`\nCryptochecksum:[0-9a-f]{32}\n: end\n$`).MatchString(run) {
		t.Errorf("show running-config ends:\n%s", run[max(0, len(run)-120):])
	}
	wantAll(t, "show version", c.cmd("show version", asaPriv), "Cisco Adaptive Security Appliance Software Version 9.16(2) \n", "Hardware:   ASAv,")
	if out := c.cmd("show mode", asaPriv); out != "Security context mode: single \n" {
		t.Errorf("show mode: %q", out)
	}

	// configure, change, write memory.
	if out := c.cmd("configure terminal", `asa1\(config\)# $`); out != "" {
		t.Errorf("configure terminal: %q", out)
	}
	c.cmd("ntp server 10.0.1.100", `asa1\(config\)# $`)
	c.cmd("end", asaPriv)
	wantNone(t, "startup-config before write", d.StartupConfig(), "ntp server 10.0.1.100")
	out := c.cmd("write memory", asaPriv)
	if !regexp.MustCompile(`^Building configuration\.\.\.\nCryptochecksum: [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} \n\n\d+ bytes copied in 0\.290 secs\n\[OK\]\n$`).MatchString(out) {
		t.Errorf("write memory: %q", out)
	}
	wantAll(t, "startup-config after write", d.StartupConfig(), "\nntp server 10.0.1.100\n")

	// copy running-config startup-config asks for both names.
	c.send("copy running-config startup-config\n")
	c.expect(`Source filename \[running-config\]\? $`)
	c.send("\n")
	c.expect(`Destination filename \[startup-config\]\? $`)
	c.send("\n")
	out = strings.ReplaceAll(c.expect(asaPriv), "\r\n", "\n")
	if !regexp.MustCompile(`Cryptochecksum: [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} \n\n\d+ bytes copied in 0\.290 secs\n`).MatchString(out) {
		t.Errorf("copy running-config startup-config: %q", out)
	}

	// Multiple context mode is not simulated: changeto is not a command.
	if out := c.cmd("changeto context admin", asaPriv); !strings.HasSuffix(out, "ERROR: % Invalid input detected at '^' marker.\n") {
		t.Errorf("changeto: %q", out)
	}
	if out := c.cmd("show", asaPriv); out != "ERROR: % Incomplete command\n" {
		t.Errorf("show: %q", out)
	}
}
