package lab

import (
	"strings"
	"testing"
)

func TestPlatformsSmoke(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "nx1", Platform: CiscoNXOS},
		{Name: "eos1", Platform: AristaEOS},
		{Name: "vmx1", Platform: JuniperJunos},
		{Name: "srv1", Platform: Linux},
	}})
	t.Run("nxos", func(t *testing.T) {
		c := dial(t, f.Device("nx1"))
		c.expect(`nx1# $`)
		c.cmd("terminal length 0", `nx1# $`)
		c.cmd("conf t", `nx1\(config\)# $`)
		c.cmd("ntp server 10.0.1.100 use-vrf management", `nx1\(config\)# $`)
		c.cmd("interface Eth1/4", `nx1\(config-if\)# $`)
		c.cmd("no shutdown", `nx1\(config-if\)# $`)
		c.cmd("end", `nx1# $`)
		t.Log(c.cmd("show ntp peer-status", `nx1# $`))
		t.Log(c.cmd("show ip int brief", `nx1# $`))
		t.Log(c.cmd("show interface brief", `nx1# $`))
		t.Log(c.cmd("copy run start", `nx1# $`))
		t.Log(c.cmd("show foo", `nx1# $`))
		t.Log(f.Device("nx1").RunningConfig())
	})
	t.Run("eos", func(t *testing.T) {
		c := dial(t, f.Device("eos1"))
		c.expect(`eos1>$`)
		c.send("enable\n")
		c.expect("Password: $")
		c.send("admin\n")
		c.expect(`eos1#$`)
		c.cmd("terminal length 0", `eos1#$`)
		c.cmd("conf t", `eos1\(config\)#$`)
		c.cmd("ntp server 10.0.1.100", `eos1\(config\)#$`)
		c.cmd("int et2", `eos1\(config-if-Et2\)#$`)
		c.cmd("description server", `eos1\(config-if-Et2\)#$`)
		c.cmd("end", `eos1#$`)
		t.Log(c.cmd("show ntp associations", `eos1#$`))
		t.Log(c.cmd("show ip int brief", `eos1#$`))
		t.Log(c.cmd("show interfaces status", `eos1#$`))
		t.Log(c.cmd("wr", `eos1#$`))
		t.Log(c.cmd("show foo", `eos1#$`))
		t.Log(f.Device("eos1").RunningConfig())
	})
	t.Run("junos", func(t *testing.T) {
		c := dial(t, f.Device("vmx1"))
		c.expect(`admin@vmx1> $`)
		c.cmd("set cli screen-length 0", `admin@vmx1> $`)
		c.cmd("configure", `\[edit\]\r?\nadmin@vmx1# $`)
		c.cmd("set system ntp server 10.0.1.100", `admin@vmx1# $`)
		c.cmd("set system host-name vmx9", `admin@vmx1# $`)
		c.cmd("delete snmp", `admin@vmx1# $`)
		t.Log(c.cmd("show | compare", `admin@vmx1# $`))
		t.Log(c.cmd("commit", `admin@vmx9# $`))
		t.Log(c.cmd("exit", `admin@vmx9> $`))
		t.Log(c.cmd("show configuration | display set", `admin@vmx9> $`))
		t.Log(c.cmd("show interfaces terse", `admin@vmx9> $`))
		t.Log(c.cmd("show ntp associations", `admin@vmx9> $`))
		t.Log(c.cmd("show route", `admin@vmx9> $`))
		t.Log(c.cmd("show foo", `admin@vmx9> $`))
		t.Log(c.cmd("foo", `admin@vmx9> $`))
		t.Log(f.Device("vmx1").RunningConfig())
	})
	t.Run("linux", func(t *testing.T) {
		c := dial(t, f.Device("srv1"))
		c.expect(`admin@srv1:~\$ $`)
		out := c.cmd("uname -a", `admin@srv1:~\$ $`)
		if !strings.Contains(out, "Linux srv1") {
			t.Errorf("uname: %q", out)
		}
		t.Log(c.cmd("ip addr", `admin@srv1:~\$ $`))
	})
}
