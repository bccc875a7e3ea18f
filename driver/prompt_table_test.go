package driver

import "testing"

// Real prompts, as the devices' documentation and shells' defaults print
// them: Cisco configuration guides (IOS, IOS-XE, NX-OS), Arista's EOS
// manual, Juniper's CLI guide, bash's manual (PS1 default "\s-\v\$ "),
// Alpine/busybox ("\h:\w\$ "), openSUSE ("\u@\h:\w> "), RHEL/CentOS
// ("[\u@\h \W]\$ "), Debian ("\u@\h:\w\$ "), macOS zsh ("%n@%m %1~ %# "),
// csh ("host% "). Each must be read as a prompt of its platform, in the
// right mode, with the name the session keeps.
func TestPromptTable(t *testing.T) {
	long := "edge-router-in-the-north-east-datacenter-hall-b-row-12-rack-07-unit-42-primary-01"
	tests := []struct {
		platform, line, mode, host string
	}{
		{"cisco_ios", "Router>", ModeExec, "Router"},
		{"cisco_ios", "Router#", ModePrivileged, "Router"},
		{"cisco_ios", "Router(config)#", ModeConfiguration, "Router"},
		{"cisco_ios", "Router(config-if)#", ModeConfiguration, "Router"},
		{"cisco_ios", "Switch(config-line)#", ModeConfiguration, "Switch"},
		{"cisco_ios", "R1(config-subif)#", ModeConfiguration, "R1"},
		{"cisco_ios", "R1(config-ext-nacl)#", ModeConfiguration, "R1"},
		{"cisco_ios", "C9300-48P#", ModePrivileged, "C9300-48P"},
		{"cisco_ios", "csr1000v-1(config-router)#", ModeConfiguration, "csr1000v-1"},
		{"cisco_ios", "SW1(config-vlan)# ", ModeConfiguration, "SW1"},
		{"cisco_nxos", "switch#", ModePrivileged, "switch"},
		{"cisco_nxos", "N9K-C93180YC-EX(config)#", ModeConfiguration, "N9K-C93180YC-EX"},
		{"cisco_nxos", "nxos-sw01(config-router)#", ModeConfiguration, "nxos-sw01"},
		{"cisco_nxos", "leaf1(config-if-range)#", ModeConfiguration, "leaf1"},
		{"arista_eos", "localhost>", ModeExec, "localhost"},
		{"arista_eos", "veos#", ModePrivileged, "veos"},
		{"arista_eos", "veos(config-if-Et1)#", ModeConfiguration, "veos"},
		{"arista_eos", "leaf1(config-s-sess1)#", ModeConfiguration, "leaf1"},
		{"juniper_junos", "admin@vmx1>", ModePrivileged, "vmx1"},
		{"juniper_junos", "root@EX4300#", ModeConfiguration, "EX4300"},
		{"juniper_junos", "user@srx-fw01> ", ModePrivileged, "srx-fw01"},
		{"linux", "user@host:~$ ", ModePrivileged, "user@host"},
		{"linux", "root@debian:/tmp# ", ModePrivileged, "root@debian"},
		{"linux", "[user@centos7 ~]$ ", ModePrivileged, "user@centos7"},
		{"linux", "[root@rhel9 log]# ", ModePrivileged, "root@rhel9"},
		{"linux", "alpine:~# ", ModePrivileged, "alpine"},
		{"linux", "host:~$ ", ModePrivileged, "host"},
		{"linux", "-bash-5.2$ ", ModePrivileged, "-bash-5.2"},
		{"linux", "bash-5.2# ", ModePrivileged, "bash-5.2"},
		{"linux", "sh-5.1$ ", ModePrivileged, "sh-5.1"},
		{"linux", "user@host:~> ", ModePrivileged, "user@host"},
		{"linux", "jdoe@MacBook-Pro ~ % ", ModePrivileged, "jdoe@MacBook-Pro"},
		{"linux", "bsdhost% ", ModePrivileged, "bsdhost"},
		{"linux", "$ ", ModePrivileged, ""},
		{"linux", "# ", ModePrivileged, ""},
		{"cisco_xr", "RP/0/RP0/CPU0:xr1#", ModePrivileged, "xr1"},
		{"cisco_xr", "RP/0/RSP0/CPU0:PE-01(config)#", ModeConfiguration, "PE-01"},
		{"cisco_xr", "RP/0/0/CPU0:xrv9k(config-if)#", ModeConfiguration, "xrv9k"},
		{"cisco_asa", "ciscoasa>", ModeExec, "ciscoasa"},
		{"cisco_asa", "ciscoasa#", ModePrivileged, "ciscoasa"},
		{"cisco_asa", "fw01(config)#", ModeConfiguration, "fw01"},
		// Names no ASCII-only class would take.
		{"cisco_ios", "Маршрутизатор-1#", ModePrivileged, "Маршрутизатор-1"},
		{"cisco_ios", "交换机01(config)#", ModeConfiguration, "交换机01"},
		{"cisco_ios", long + "#", ModePrivileged, long},
		{"cisco_ios", "-edge>", ModeExec, "-edge"},
		{"cisco_ios", ".core#", ModePrivileged, ".core"},
		{"linux", "ops@сервер-1:~$ ", ModePrivileged, "ops@сервер-1"},
	}
	for _, tt := range tests {
		p, ok := LookupPlatform(tt.platform)
		if !ok {
			t.Fatalf("no platform %s", tt.platform)
		}
		mode, host, ok := p.modeOf(tt.line)
		if !ok || mode != tt.mode || host != tt.host {
			t.Errorf("%s %q: mode %q host %q ok %v, want %q %q", tt.platform, tt.line, mode, host, ok, tt.mode, tt.host)
		}
	}
	if len(tests) < 30 {
		t.Fatalf("the table must hold at least 30 real prompts; it has %d", len(tests))
	}
}

// Output lines that end like prompts but are not: prose with spaces,
// banner art, a pager, numbers.
func TestNotPrompts(t *testing.T) {
	for platform, lines := range map[string][]string{
		"cisco_ios": {
			"##########", "=====>", "Interface Status #", "--More--", " --More-- ",
			"Total 5 entries >", "(config)#", "R1 (config)#", "Router #",
		},
		"juniper_junos": {"{master:0}", "[edit]", "admin@ vmx1>"},
		"linux":         {"Total: 5 %", "load average: 0.00 >", "Usage: 50% used"},
	} {
		p, _ := LookupPlatform(platform)
		for _, l := range lines {
			if mode, host, ok := p.modeOf(l); ok {
				t.Errorf("%s %q read as a prompt (%s, %q)", platform, l, mode, host)
			}
		}
	}
}
