package lab

import (
	"strings"
	"testing"
)

// Junos takes "set" paths of its own hierarchy and refuses others with
// "syntax error." and the caret under the first word that does not fit.
func TestStrictJunosSyntax(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "vmx1", Platform: JuniperJunos}}})
	c := dial(t, f.Device("vmx1"))
	const op, cfg = `admin@vmx1> $`, `\[edit[^\]]*\]\r?\nadmin@vmx1# $`
	c.expect(op)
	c.cmd("set cli screen-length 0", op)
	c.cmd("configure", cfg)
	for _, tc := range []struct {
		line, bad string // bad: "" accepted
		set       string // accepted: the line "show | display set" holds
	}{
		{line: "set system ntp server 10.0.1.100 prefer", set: "set system ntp server 10.0.1.100 prefer"},
		{line: "set system syslog host 10.9.9.9 any notice", set: "set system syslog host 10.9.9.9 any notice"},
		{line: "set snmp community lab authorization read-only", set: "set snmp community lab authorization read-only"},
		{line: "set system login user bob class super-user", set: "set system login user bob class super-user"},
		{line: `set system login message "authorized only"`, set: `set system login message "authorized only"`},
		{line: "set interfaces ge-0/0/3 vlan-tagging", set: "set interfaces ge-0/0/3 vlan-tagging"},
		{line: "set interfaces ge-0/0/3 unit 100 vlan-id 100", set: "set interfaces ge-0/0/3 unit 100 vlan-id 100"},
		{line: "set interfaces ge-0/0/3 unit 100 family inet address 10.3.0.1/24", set: "set interfaces ge-0/0/3 unit 100 family inet address 10.3.0.1/24"},
		{line: "set vlans users vlan-id 20", set: "set vlans users vlan-id 20"},
		{line: "set protocols ospf area 0.0.0.0 interface ge-0/0/3.100 passive", set: "set protocols ospf area 0.0.0.0 interface ge-0/0/3.100 passive"},
		{line: "set protocols bgp group ext neighbor 10.0.0.2 peer-as 65001", set: "set protocols bgp group ext neighbor 10.0.0.2 peer-as 65001"},
		{line: "set routing-options static route 10.99.0.0/16 next-hop 10.0.255.1", set: "set routing-options static route 10.99.0.0/16 next-hop 10.0.255.1"},
		{line: "set firewall family inet filter MGMT term ssh from protocol tcp", set: "set firewall family inet filter MGMT term ssh from protocol tcp"},
		{line: "set sys ntp server 10.0.1.101", set: "set system ntp server 10.0.1.101"}, // keywords by prefix, stored in full
		{line: "set system ntp server 10.0.1.102 use-vrf management", bad: "use-vrf"},
		{line: "set ntp server 10.0.1.100", bad: "ntp"},
		{line: "set system syslog server 10.9.9.9", bad: "server"},
		{line: "set snmp community lab RO", bad: "RO"},
		{line: "set interfaces ge-0/0/3 ip address 10.3.0.1 255.255.255.0", bad: "ip"},
		{line: "set interfaces ge-0/0/3 unit 0 family inet address 10.3.0.1 255.255.255.0", bad: "10.3.0.1"},
		{line: "set interfaces GigabitEthernet0/1 description x", bad: "GigabitEthernet0/1"},
		{line: "set protocols ospf network 10.0.0.0/8", bad: "network"},
		{line: "set routing-options static route 10.99.0.0 255.255.0.0 10.0.255.1", bad: "10.99.0.0"},
		{line: "set system login user bob privilege 15", bad: "privilege"},
	} {
		out := c.cmd(tc.line, cfg)
		if tc.bad != "" {
			want := strings.Repeat(" ", len("admin@vmx1# ")+wordAt(tc.line, tc.bad)) + "^\nsyntax error.\n\n"
			if out != want {
				t.Errorf("%q: %q, want %q", tc.line, out, want)
			}
			continue
		}
		if out != "\n" {
			t.Errorf("%q refused: %q", tc.line, out)
		}
	}
	set := c.cmd("show | display set", cfg)
	for _, want := range []string{
		"set system ntp server 10.0.1.100 prefer", "set system syslog host 10.9.9.9 any notice",
		"set snmp community lab authorization read-only", "set system login user bob class super-user",
		"set interfaces ge-0/0/3 unit 100 family inet address 10.3.0.1/24", "set vlans users vlan-id 20",
		"set protocols bgp group ext neighbor 10.0.0.2 peer-as 65001", "set system ntp server 10.0.1.101\n",
		"set firewall family inet filter MGMT term ssh from protocol tcp",
	} {
		wantAll(t, "show | display set", set, want)
	}
	wantNone(t, "show | display set", set, "use-vrf", "10.0.1.102", "RO", "privilege")
	// An IOS line is not a configuration-mode command at all.
	if out := c.cmd("ntp server 10.0.1.100", cfg); !strings.HasSuffix(out, "^\nsyntax error, expecting <command>.\n\n") {
		t.Errorf("ntp server at [edit]: %q", out)
	}
}

// Banners: IOS and NX-OS read the text up to the delimiter (IOS shows it
// between ^C), EOS up to a line EOF, IOS-XR like IOS, the ASA a line per
// command.
func TestBannerDialogues(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "r1", Platform: CiscoIOS, StartPrivileged: true},
		{Name: "nx1", Platform: CiscoNXOS},
		{Name: "eos1", Platform: AristaEOS, StartPrivileged: true},
		{Name: "xr1", Platform: CiscoXR},
		{Name: "asa1", Platform: CiscoASA, StartPrivileged: true},
	}})
	t.Run("cisco_ios", func(t *testing.T) {
		d := f.Device("r1")
		c := dial(t, d)
		c.expect(`r1#$`)
		c.cmd("configure terminal", `r1\(config\)#$`)
		c.send("banner motd #\n")
		c.expect(`Enter TEXT message\.  End with the character '#'\.\r\n`)
		c.send("Authorized users only.\n")
		c.send("  Disconnect now# ignored\n")
		c.expect(`r1\(config\)#$`)
		// One line, and the ^C of a running-config pasted back.
		if out := c.cmd("banner login %Lab login%", `r1\(config\)#$`); out != "" {
			t.Errorf("one-line banner: %q", out)
		}
		c.send("banner exec ^C\n")
		c.expect(`End with the character '\^C'\.\r\n`)
		c.send("exec banner\n^C\n")
		c.expect(`r1\(config\)#$`)
		run := d.RunningConfig()
		wantAll(t, "running-config", run, "banner motd ^C\nAuthorized users only.\n  Disconnect now^C\n",
			"banner login ^CLab login^C\n", "banner exec ^C\nexec banner\n^C\n")
		wantNone(t, "running-config", run, "ignored")
		// "no banner" removes it; Ctrl-C abandons one being typed.
		c.cmd("no banner login", `r1\(config\)#$`)
		c.send("banner incoming @\n")
		c.expect(`character '@'\.\r\n`)
		c.send("half a banner\n\x03")
		c.expect(`r1\(config\)#$`)
		run = d.RunningConfig()
		wantNone(t, "running-config", run, "banner login", "half a banner")
		wantAll(t, "running-config", run, "banner motd ^C")
		// A configuration holding the banner reads back whole (restore points).
		back := parseConfig(strings.SplitN(run, "\n!\n", 2)[1])
		found := false
		for _, s := range back.stanzas {
			if s.line == "banner motd ^C\nAuthorized users only.\n  Disconnect now^C" {
				found = true
			}
		}
		if !found {
			t.Errorf("the banner did not parse back as one line")
		}
	})
	t.Run("cisco_nxos", func(t *testing.T) {
		d := f.Device("nx1")
		c := dial(t, d)
		c.expect(`nx1# $`)
		c.cmd("configure terminal", `nx1\(config\)# $`)
		c.send("banner motd @\n")
		c.expect(`End with the character '@'\.\r\n`)
		c.send("Nexus lab\n@\n")
		c.expect(`nx1\(config\)# $`)
		wantAll(t, "running-config", d.RunningConfig(), "banner motd @\nNexus lab\n@\n")
		if out := c.cmd("banner login #x#", `nx1\(config\)# $`); out != strings.Repeat(" ", len("nx1(config)# banner "))+"^\n% Invalid command at '^' marker.\n\n" {
			t.Errorf("banner login on NX-OS: %q", out)
		}
	})
	t.Run("arista_eos", func(t *testing.T) {
		d := f.Device("eos1")
		c := dial(t, d)
		c.expect(`eos1#$`)
		c.cmd("configure terminal", `eos1\(config\)#$`)
		c.send("banner motd\n")
		c.expect(`Enter TEXT message\. Type 'EOF' on its own line to end\.\r\n`)
		c.send("EOS lab\nEOF is not the end here\nEOF\n")
		c.expect(`eos1\(config\)#$`)
		wantAll(t, "running-config", d.RunningConfig(), "banner motd\nEOS lab\nEOF is not the end here\nEOF\n")
		// The IOS form is not EOS's.
		if out := c.cmd("banner motd #x#", `eos1\(config\)#$`); out != "% Invalid input (at token 2: '#x#')\n" {
			t.Errorf("IOS banner on EOS: %q", out)
		}
	})
	t.Run("cisco_xr", func(t *testing.T) {
		d := f.Device("xr1")
		c := dial(t, d)
		const cfg = `RP/0/RP0/CPU0:xr1\(config\)#$`
		c.expect(`RP/0/RP0/CPU0:xr1#$`)
		c.cmd("configure", cfg)
		c.send("banner motd ;\n")
		c.expect(`End with the character ';'\.\r\n`)
		c.send("XR lab\n;\n")
		c.expect(cfg)
		c.cmd("commit", cfg)
		wantAll(t, "running-config", d.RunningConfig(), "banner motd ^C\nXR lab\n^C\n")
	})
	t.Run("cisco_asa", func(t *testing.T) {
		d := f.Device("asa1")
		c := dial(t, d)
		c.expect(`asa1# $`)
		c.cmd("configure terminal", `asa1\(config\)# $`)
		c.cmd("banner motd Authorized users only.", `asa1\(config\)# $`)
		c.cmd("banner motd Disconnect now.", `asa1\(config\)# $`)
		wantAll(t, "running-config", d.RunningConfig(), "banner motd Authorized users only.\nbanner motd Disconnect now.\n")
		c.cmd("no banner motd", `asa1\(config\)# $`)
		wantNone(t, "running-config", d.RunningConfig(), "banner motd")
	})
}

// Configuration lines that ask a question, as on the devices.
func TestConfigQuestions(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "r1", Platform: CiscoIOS, StartPrivileged: true},
		{Name: "nx1", Platform: CiscoNXOS},
		{Name: "asa1", Platform: CiscoASA, StartPrivileged: true},
		{Name: "vmx1", Platform: JuniperJunos},
	}})
	t.Run("cisco_ios", func(t *testing.T) {
		d := f.Device("r1")
		c := dial(t, d)
		const cfg = `r1\(config\)#$`
		c.expect(`r1#$`)
		c.cmd("configure terminal", cfg)
		c.cmd("username bob secret s3cret", cfg)
		c.cmd("username eve secret s3cret", cfg)
		// no username asks; "n" keeps the user, Enter removes it.
		c.send("no username bob\n")
		c.expect(`This operation will remove all username related configurations with same name\.Do you want to continue\? \[confirm\]$`)
		c.send("n\n")
		c.expect(cfg)
		wantAll(t, "running-config", d.RunningConfig(), "username bob secret s3cret")
		c.send("no username bob\n")
		c.expect(`\[confirm\]$`)
		c.send("\n")
		c.expect(cfg)
		wantNone(t, "running-config", d.RunningConfig(), "username bob")
		wantAll(t, "running-config", d.RunningConfig(), "username eve")
		// crypto key generate rsa: the lab answers SSH, so keys exist.
		c.send("crypto key generate rsa\n")
		out := c.expect(`Do you really want to replace them\? \[yes/no\]: $`)
		wantAll(t, "question", out, "% You already have RSA keys defined named r1.lab.local.")
		c.send("yes\n")
		out = c.expect(`How many bits in the modulus \[512\]: $`)
		wantAll(t, "modulus question", out, "Choose the size of the key modulus in the range of 360 to 4096 for your")
		c.send("2048\n")
		out = c.expect(cfg)
		wantAll(t, "key generation", out, "% Generating 2048 bit RSA keys, keys will be non-exportable...")
		// With the modulus on the line, only the replace question.
		c.send("crypto key generate rsa modulus 1024\n")
		c.expect(`\[yes/no\]: $`)
		c.send("no\n")
		if out := c.expect(cfg); strings.Contains(out, "Generating") {
			t.Errorf("answered no, generated anyway: %q", out)
		}
		// No domain name, no keys.
		c.cmd("no ip domain name lab.local", cfg)
		if out := c.cmd("crypto key generate rsa", cfg); out != "% Please define a domain-name first.\n" {
			t.Errorf("without a domain: %q", out)
		}
	})
	t.Run("cisco_nxos", func(t *testing.T) {
		d := f.Device("nx1")
		c := dial(t, d)
		const cfg = `nx1\(config\)# $`
		c.expect(`nx1# $`)
		c.cmd("configure terminal", cfg)
		c.send("copp profile strict\n")
		c.expect(`This operation can cause disruption of control traffic\. Proceed \(y/n\)\?  \[no\] $`)
		c.send("\n")
		c.expect(cfg)
		wantNone(t, "running-config", d.RunningConfig(), "copp profile")
		c.send("copp profile strict\n")
		c.expect(`Proceed \(y/n\)\?  \[no\] $`)
		c.send("y\n")
		c.expect(cfg)
		wantAll(t, "running-config", d.RunningConfig(), "copp profile strict")
		c.cmd("control-plane", `nx1\(config-cp\)# $`)
		c.send("service-policy input copp-system-p-policy-strict\n")
		c.expect(`Proceed \(y/n\)\?  \[no\] $`)
		c.send("y\n")
		c.expect(`nx1\(config-cp\)# $`)
		wantAll(t, "running-config", d.RunningConfig(), "control-plane\n  service-policy input copp-system-p-policy-strict\n")
	})
	t.Run("cisco_asa", func(t *testing.T) {
		c := dial(t, f.Device("asa1"))
		const cfg = `asa1\(config\)# $`
		c.expect(`asa1# $`)
		c.cmd("configure terminal", cfg)
		c.send("crypto key generate rsa modulus 2048\n")
		out := strings.ReplaceAll(c.expect(`Do you really want to replace them\? \[yes/no\]: $`), "\r\n", "\n")
		wantAll(t, "question", out, "WARNING: You have a RSA keypair already defined named <Default-RSA-Key>.\n")
		c.send("no\n")
		if out := c.expect(cfg); !strings.Contains(out, "ERROR: Failed to create new RSA keys named <Default-RSA-Key>") {
			t.Errorf("answered no: %q", out)
		}
		c.send("crypto key generate rsa modulus 2048\n")
		c.expect(`\[yes/no\]: $`)
		c.send("yes\n")
		if out := c.expect(cfg); !strings.Contains(out, "Keypair generation process begin. Please wait...") {
			t.Errorf("answered yes: %q", out)
		}
		if out := c.cmd("crypto key generate rsa modulus 2048 noconfirm", cfg); out != "Keypair generation process begin. Please wait...\n" {
			t.Errorf("noconfirm: %q", out)
		}
	})
	t.Run("juniper_junos", func(t *testing.T) {
		d := f.Device("vmx1")
		c := dial(t, d)
		const cfg = `admin@vmx1# $`
		c.expect(`admin@vmx1> $`)
		c.cmd("configure", cfg)
		// plain-text-password asks twice, echoes nothing, keeps a hash.
		c.send("set system login user bob authentication plain-text-password\n")
		c.expect(`New password:$`)
		c.send("Secr3t-pw\n")
		c.expect(`Retype new password:$`)
		c.send("Secr3t-pw\n")
		c.expect(cfg)
		set := c.cmd("show system login | display set", cfg)
		wantAll(t, "display set", set, `set system login user bob authentication encrypted-password "$6$lab$`)
		wantNone(t, "display set", set, "Secr3t-pw")
		for _, l := range d.Received() {
			if strings.Contains(l, "Secr3t-pw") {
				t.Errorf("the password was recorded: %q", l)
			}
		}
		c.send("set system root-authentication plain-text-password\n")
		c.expect(`New password:$`)
		c.send("one\n")
		c.expect(`Retype new password:$`)
		c.send("two\n")
		if out := c.expect(cfg); !strings.Contains(out, "error: Passwords did not match") {
			t.Errorf("mismatch: %q", out)
		}
		// delete alone asks; "no" keeps everything.
		c.cmd("edit system ntp", cfg)
		c.cmd("set server 10.0.1.100", cfg)
		c.send("delete\n")
		c.expect(`Delete everything under this level\? \[yes,no\] \(no\) $`)
		c.send("no\n")
		c.expect(cfg)
		wantAll(t, "ntp", c.cmd("show", cfg), "server 10.0.1.100;")
		c.send("delete\n")
		c.expect(`\(no\) $`)
		c.send("yes\n")
		c.expect(cfg)
		wantNone(t, "ntp", c.cmd("show", cfg), "server")
	})
}

// "?" lists what the current mode takes next and retypes the line.
func TestContextHelp(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "r1", Platform: CiscoIOS},
		{Name: "nx1", Platform: CiscoNXOS},
		{Name: "xr1", Platform: CiscoXR},
		{Name: "vmx1", Platform: JuniperJunos},
	}})
	t.Run("cisco_ios", func(t *testing.T) {
		c := dial(t, f.Device("r1"))
		c.expect(`r1>$`)
		// User EXEC offers no configure.
		c.send("?")
		out := strings.ReplaceAll(c.expect(`r1>$`), "\r\n", "\n")
		wantAll(t, "? at r1>", out, "  enable\n", "  show\n")
		wantNone(t, "? at r1>", out, "configure")
		c.send("\x15enable\n")
		c.expect("Password: $")
		c.send("admin\n")
		c.expect(`r1#$`)
		c.send("sh?")
		out = c.expect(`r1#sh$`)
		if !strings.Contains(out, "show  \r\n") {
			t.Errorf("sh?: %q", out)
		}
		c.send("ow ?")
		out = c.expect(`r1#show $`)
		wantAll(t, "show ?", strings.ReplaceAll(out, "\r\n", "\n"), "  version\n", "  running-config\n", "  ip\n")
		c.send("\x15configure terminal\n")
		c.expect(`r1\(config\)#$`)
		c.send("logging ?")
		out = strings.ReplaceAll(c.expect(`r1\(config\)#logging $`), "\r\n", "\n")
		wantAll(t, "logging ?", out, "  host\n", "  trap\n", "  A.B.C.D\n")
		c.send("foo?")
		if out := c.expect(`r1\(config\)#logging foo$`); !strings.Contains(out, "% Unrecognized command") {
			t.Errorf("logging foo?: %q", out)
		}
	})
	t.Run("cisco_nxos", func(t *testing.T) {
		c := dial(t, f.Device("nx1"))
		c.expect(`nx1# $`)
		c.cmd("configure terminal", `nx1\(config\)# $`)
		c.send("logging ?")
		out := strings.ReplaceAll(c.expect(`nx1\(config\)# logging $`), "\r\n", "\n")
		wantAll(t, "logging ?", out, "  server\n", "  logfile\n")
		wantNone(t, "logging ?", out, "  host\n")
	})
	t.Run("cisco_xr", func(t *testing.T) {
		c := dial(t, f.Device("xr1"))
		c.expect(`RP/0/RP0/CPU0:xr1#$`)
		c.cmd("configure", `RP/0/RP0/CPU0:xr1\(config\)#$`)
		c.send("router ?")
		out := strings.ReplaceAll(c.expect(`RP/0/RP0/CPU0:xr1\(config\)#router $`), "\r\n", "\n")
		wantAll(t, "router ?", out, "  ospf\n", "  bgp\n", "  static\n")
	})
	t.Run("juniper_junos", func(t *testing.T) {
		c := dial(t, f.Device("vmx1"))
		c.expect(`admin@vmx1> $`)
		c.send("show ?")
		out := strings.ReplaceAll(c.expect(`admin@vmx1> show $`), "\r\n", "\n")
		wantAll(t, "show ?", out, "Possible completions:\n", "  configuration\n", "  version\n")
		c.send("\x15frob?")
		if out := c.expect(`admin@vmx1> frob$`); !strings.Contains(out, "No valid completions") {
			t.Errorf("frob?: %q", out)
		}
		c.send("\x15")
		c.cmd("configure", `admin@vmx1# $`)
		c.send("set ?")
		out = strings.ReplaceAll(c.expect(`admin@vmx1# set $`), "\r\n", "\n")
		wantAll(t, "set ? in configuration", out, "Possible completions:\n")
	})
	t.Run("ctrl-v", func(t *testing.T) {
		// Ctrl-V makes the '?' a character: no help, the line keeps it.
		d := f.Device("r1")
		c := dial(t, d)
		c.expect(`r1>$`)
		c.send("enable\n")
		c.expect("Password: $")
		c.send("admin\n")
		c.expect(`r1#$`)
		c.cmd("configure terminal", `r1\(config\)#$`)
		c.cmd("interface GigabitEthernet0/1", `r1\(config-if\)#$`)
		out := c.cmd("description why\x16? not", `r1\(config-if\)#$`)
		wantNone(t, "description with ^V?", out, "Unrecognized", "%")
		if !strings.Contains(d.RunningConfig(), " description why? not\n") {
			t.Errorf("running-config lacks the description with its '?':\n%s", d.RunningConfig())
		}
	})
}

// EOS takes configure only in privileged EXEC.
func TestEOSConfigureNeedsEnable(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "eos1", Platform: AristaEOS}}})
	c := dial(t, f.Device("eos1"))
	c.expect(`eos1>$`)
	for _, l := range []string{"configure", "configure terminal", "conf t"} {
		if out := c.cmd(l, `eos1>$`); out != "% Invalid input (privileged mode required)\n" {
			t.Errorf("%s at eos1>: %q", l, out)
		}
	}
}

// IOS takes an address on a sub-interface only after its encapsulation.
func TestIOSSubinterfaceNeedsEncapsulation(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Platform: CiscoIOS, StartPrivileged: true}}})
	d := f.Device("r1")
	c := dial(t, d)
	const sub = `r1\(config-subif\)#$`
	c.expect(`r1#$`)
	c.cmd("configure terminal", `r1\(config\)#$`)
	c.cmd("interface GigabitEthernet0/2.5", sub)
	want := "\n% Configuring IP routing on a LAN subinterface is only allowed if that \nsubinterface is already configured as part of an IEEE 802.10, IEEE 802.1Q, \nor ISL vLAN.\n\n"
	if out := c.cmd("ip address 10.5.0.1 255.255.255.0", sub); out != want {
		t.Errorf("address before encapsulation: %q", out)
	}
	c.cmd("encapsulation dot1Q 5", sub)
	if out := c.cmd("ip address 10.5.0.1 255.255.255.0", sub); out != "" {
		t.Errorf("address after encapsulation: %q", out)
	}
	wantAll(t, "running-config", d.RunningConfig(), "interface GigabitEthernet0/2.5\n encapsulation dot1Q 5\n ip address 10.5.0.1 255.255.255.0\n")
}
