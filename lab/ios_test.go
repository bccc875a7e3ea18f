package lab

import (
	"strings"
	"testing"
)

func TestIOSBasicDialogue(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Platform: CiscoIOS}}})
	d := f.Device("r1")
	c := dial(t, d)
	c.expect(`r1>$`)
	c.send("enable\n")
	c.expect(`Password: $`)
	c.send("admin\n")
	c.expect(`\nr1#$`)
	if out := c.cmd("terminal length 0", `r1#$`); out != "" {
		t.Errorf("terminal length 0 printed %q", out)
	}
	out := c.cmd("sh ip int br", `r1#$`)
	if !strings.Contains(out, "GigabitEthernet0/0     10.0.0.1") {
		t.Errorf("show ip int brief:\n%s", out)
	}
	c.cmd("conf t", `r1\(config\)#$`)
	c.cmd("ntp server 10.0.1.100", `r1\(config\)#$`)
	c.cmd("ntp server 10.0.1.101", `r1\(config\)#$`)
	c.cmd("interface Gi0/2", `r1\(config-if\)#$`)
	c.cmd("description to server", `r1\(config-if\)#$`)
	c.cmd("no shut", `r1\(config-if\)#$`)
	c.cmd("end", `r1#$`)
	out = c.cmd("show running-config | include ntp server", `r1#$`)
	if out != "ntp server 10.0.1.100\nntp server 10.0.1.101\n" {
		t.Errorf("show run | include ntp: %q", out)
	}
	if strings.Contains(d.StartupConfig(), "ntp server") {
		t.Errorf("startup-config changed before write memory")
	}
	out = c.cmd("wr", `r1#$`)
	if out != "Building configuration...\n[OK]\n" {
		t.Errorf("wr: %q", out)
	}
	if !strings.Contains(d.StartupConfig(), "ntp server 10.0.1.101") {
		t.Errorf("startup-config after wr:\n%s", d.StartupConfig())
	}
	out = c.cmd("show ntp associations", `r1#$`)
	if !strings.Contains(out, "10.0.1.100") || !strings.Contains(out, "10.0.1.101") {
		t.Errorf("show ntp associations:\n%s", out)
	}
	out = c.cmd("show run interface Gi0/2", `r1#$`)
	t.Logf("%s", out)
	out = c.cmd("sh foo", `r1#$`)
	if out != "      ^\n% Invalid input detected at '^' marker.\n\n" {
		t.Errorf("invalid: %q", out)
	}
	out = c.cmd("sh c", `r1#$`)
	if out != "% Ambiguous command:  \"sh c\"\n" {
		t.Errorf("ambiguous: %q", out)
	}
	out = c.cmd("show", `r1#$`)
	if out != "% Incomplete command.\n\n" {
		t.Errorf("incomplete: %q", out)
	}
	t.Log(c.cmd("show version", `r1#$`))
	t.Log(c.cmd("show interfaces Gi0/2", `r1#$`))
	t.Log(c.cmd("show ip route", `r1#$`))
	t.Log(c.cmd("show ntp status", `r1#$`))
	t.Log(d.RunningConfig())
}
