package lab

import (
	"strings"
	"testing"
)

// caretColumn returns the column of the '^' marker on the first line of an
// error message, -1 when there is none.
func caretColumn(out string) int {
	first, _, _ := strings.Cut(out, "\n")
	if strings.Trim(first, " ^") != "" {
		return -1
	}
	return strings.Index(first, "^")
}

// wantAll reports each of wants missing from got.
func wantAll(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// wantNone reports each of unwanted found in got.
func wantNone(t *testing.T, what, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Errorf("%s holds %q:\n%s", what, w, got)
		}
	}
}

// TestPlatformsSmoke drives each non-IOS platform through a short session
// with the minimal test client: configuration, show commands, saving or
// commit, and the platform's own error texts (caret under the bad token,
// as the vendors print it).
func TestPlatformsSmoke(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "nx1", Platform: CiscoNXOS},
		{Name: "eos1", Platform: AristaEOS},
		{Name: "vmx1", Platform: JuniperJunos},
		{Name: "srv1", Platform: Linux},
	}})
	t.Run("nxos", func(t *testing.T) {
		d := f.Device("nx1")
		c := dial(t, d)
		c.expect(`nx1# $`)
		c.cmd("terminal length 0", `nx1# $`)
		c.cmd("conf t", `nx1\(config\)# $`)
		c.cmd("ntp server 10.0.1.100 use-vrf management", `nx1\(config\)# $`)
		c.cmd("interface Eth1/4", `nx1\(config-if\)# $`)
		c.cmd("description to-server-4", `nx1\(config-if\)# $`)
		c.cmd("end", `nx1# $`)
		wantAll(t, "show ntp peer-status", c.cmd("show ntp peer-status", `nx1# $`), "*10.0.1.100", "management")
		wantAll(t, "show ip int brief", c.cmd("show ip int brief", `nx1# $`), `IP Interface Status for VRF "default"`, "Eth1/1               10.1.0.1")
		wantAll(t, "show interface brief", c.cmd("show interface brief", `nx1# $`), "Eth1/4", "mgmt0")

		run := d.RunningConfig()
		wantAll(t, "running-config", run, "ntp server 10.0.1.100 use-vrf management", "interface Ethernet1/4\n  description to-server-4\n")
		wantNone(t, "startup-config before copy", d.StartupConfig(), "ntp server 10.0.1.100")
		wantAll(t, "copy run start", c.cmd("copy run start", `nx1# $`), "100%", "Copy complete.")
		wantAll(t, "startup-config after copy", d.StartupConfig(), "ntp server 10.0.1.100 use-vrf management", "description to-server-4")

		out := c.cmd("show foo", `nx1# $`)
		wantAll(t, "show foo", out, "% Invalid command at '^' marker.")
		if col, want := caretColumn(out), len("nx1# show "); col != want {
			t.Errorf("show foo: caret at column %d, want %d (under the bad token):\n%s", col, want, out)
		}
		if d.RunningConfig() != run {
			t.Errorf("a rejected show command changed running-config")
		}
	})
	t.Run("eos", func(t *testing.T) {
		d := f.Device("eos1")
		c := dial(t, d)
		c.expect(`eos1>$`)
		c.send("enable\n")
		c.expect("Password: $")
		c.send(d.Secret() + "\n")
		c.expect(`eos1#$`)
		c.cmd("terminal length 0", `eos1#$`)
		c.cmd("conf t", `eos1\(config\)#$`)
		c.cmd("ntp server 10.0.1.100", `eos1\(config\)#$`)
		c.cmd("int et2", `eos1\(config-if-Et2\)#$`)
		c.cmd("description to-server-2", `eos1\(config-if-Et2\)#$`)
		c.cmd("end", `eos1#$`)
		wantAll(t, "show ntp associations", c.cmd("show ntp associations", `eos1#$`), "*10.0.1.100")
		wantAll(t, "show ip int brief", c.cmd("show ip int brief", `eos1#$`), "Ethernet1         10.1.1.1/24")
		wantAll(t, "show interfaces status", c.cmd("show interfaces status", `eos1#$`), "Et2        to-server-2")

		wantAll(t, "running-config", d.RunningConfig(), "ntp server 10.0.1.100\n", "interface Ethernet2\n   description to-server-2\n")
		wantNone(t, "startup-config before write", d.StartupConfig(), "ntp server 10.0.1.100")
		if out := c.cmd("wr", `eos1#$`); strings.TrimSpace(out) != "Copy completed successfully." {
			t.Errorf("wr: %q", out)
		}
		wantAll(t, "startup-config after write", d.StartupConfig(), "ntp server 10.0.1.100\n", "description to-server-2")

		if out := c.cmd("show foo", `eos1#$`); strings.TrimSpace(out) != "% Invalid input (at token 1: 'foo')" {
			t.Errorf("show foo: %q", out)
		}
	})
	t.Run("junos", func(t *testing.T) {
		d := f.Device("vmx1")
		c := dial(t, d)
		c.expect(`admin@vmx1> $`)
		c.cmd("set cli screen-length 0", `admin@vmx1> $`)
		c.cmd("configure", `\[edit\]\r?\nadmin@vmx1# $`)
		c.cmd("set system ntp server 10.0.1.100", `admin@vmx1# $`)
		c.cmd("set system host-name vmx9", `admin@vmx1# $`)
		c.cmd("delete snmp", `admin@vmx1# $`)
		wantAll(t, "show | compare", c.cmd("show | compare", `admin@vmx1# $`),
			"[edit]\n-   snmp {\n", "[edit system]\n-   host-name vmx1;\n+   host-name vmx9;\n+   ntp {\n+       server 10.0.1.100;\n+   }\n")
		// Nothing is active before the commit.
		wantAll(t, "running-config before commit", d.RunningConfig(), "host-name vmx1;", "snmp {")
		wantNone(t, "running-config before commit", d.RunningConfig(), "10.0.1.100")

		// The prompt takes the new host-name at the commit.
		wantAll(t, "commit", c.cmd("commit", `admin@vmx9# $`), "commit complete")
		wantAll(t, "exit", c.cmd("exit", `admin@vmx9> $`), "Exiting configuration mode")
		run := d.RunningConfig()
		wantAll(t, "running-config after commit", run, "host-name vmx9;", "ntp {\n        server 10.0.1.100;\n    }")
		wantNone(t, "running-config after commit", run, "host-name vmx1;", "snmp {")
		if d.Hostname() != "vmx9" {
			t.Errorf("Hostname() = %q after commit", d.Hostname())
		}

		set := c.cmd("show configuration | display set", `admin@vmx9> $`)
		wantAll(t, "display set", set, "set system host-name vmx9\n", "set system ntp server 10.0.1.100\n")
		wantNone(t, "display set", set, "snmp")
		wantAll(t, "show interfaces terse", c.cmd("show interfaces terse", `admin@vmx9> $`), "ge-0/0/0.0              up    up   inet     10.1.2.1/24")
		wantAll(t, "show ntp associations", c.cmd("show ntp associations", `admin@vmx9> $`), "*10.0.1.100")
		wantAll(t, "show route", c.cmd("show route", `admin@vmx9> $`), "inet.0: ", "0.0.0.0/0          *[Static/5]")

		out := c.cmd("show foo", `admin@vmx9> $`)
		wantAll(t, "show foo", out, "syntax error, expecting <command>.")
		if col, want := caretColumn(out), len("admin@vmx9> show "); col != want {
			t.Errorf("show foo: caret at column %d, want %d:\n%s", col, want, out)
		}
		out = c.cmd("foo", `admin@vmx9> $`)
		wantAll(t, "foo", out, "unknown command.")
		if col, want := caretColumn(out), len("admin@vmx9> "); col != want {
			t.Errorf("foo: caret at column %d, want %d:\n%s", col, want, out)
		}
		if d.RunningConfig() != run {
			t.Errorf("rejected commands changed the configuration")
		}
	})
	t.Run("linux", func(t *testing.T) {
		c := dial(t, f.Device("srv1"))
		c.expect(`admin@srv1:~\$ $`)
		out := c.cmd("uname -a", `admin@srv1:~\$ $`)
		if !strings.Contains(out, "Linux srv1") {
			t.Errorf("uname: %q", out)
		}
		wantAll(t, "ip addr", c.cmd("ip addr", `admin@srv1:~\$ $`), "inet 127.0.0.1/8 scope host lo", "2: eth0: ")
	})
}
