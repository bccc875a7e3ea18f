package lab

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// A strict lab: each platform takes its own configuration syntax for the
// common areas (NTP, logging, SNMP, AAA, users, interfaces and
// sub-interfaces, VLANs, OSPF/BGP, ACLs, lines) and refuses the other
// platforms' with its own error text, the caret under the first word that
// does not fit.

// cfgCase is one configuration line tried in a fresh configuration session.
type cfgCase struct {
	enter []string // lines that enter the mode first (accepted)
	line  string
	bad   string // "": accepted; else the word the device refuses
	show  string // accepted: text the running-config holds afterwards
	kind  string // refused: "incomplete" or "ambiguous" instead of invalid
}

// strictPlatform says how to reach and read one platform.
type strictPlatform struct {
	spec    DeviceSpec
	exec    string // the privileged prompt (regex)
	config  string // the global configuration prompt, literally
	conf    string // the line that enters configuration mode
	leave   string // the line that leaves it
	invalid func(prompt, line, bad string) string
	incompl string
	ambig   func(line string) string
	// commit, when set, makes the lines active before running-config is read.
	commit string
}

// caretErr is the Cisco form: the caret under the word, then the text.
func caretErr(text string) func(prompt, line, bad string) string {
	return func(prompt, line, bad string) string {
		return strings.Repeat(" ", len(prompt)+wordAt(line, bad)) + "^\n" + text + "\n"
	}
}

// wordAt is the offset of bad as a whole word in line.
func wordAt(line, bad string) int {
	for i := 0; i+len(bad) <= len(line); i++ {
		if line[i:i+len(bad)] == bad && (i == 0 || line[i-1] == ' ') && (i+len(bad) == len(line) || line[i+len(bad)] == ' ') {
			return i
		}
	}
	panic(fmt.Sprintf("%q not a word of %q", bad, line))
}

func eosErr(_, line, bad string) string {
	idx := 0
	for i, w := range strings.Fields(line) {
		if w == bad {
			idx = i
			break
		}
	}
	return fmt.Sprintf("%% Invalid input (at token %d: '%s')\n", idx, bad)
}

var strictPlatforms = map[string]strictPlatform{
	CiscoIOS: {
		spec: DeviceSpec{Name: "r1", Platform: CiscoIOS, StartPrivileged: true},
		exec: `r1#$`, config: "r1(config)#", conf: "configure terminal", leave: "end",
		invalid: caretErr("% Invalid input detected at '^' marker.\n"), incompl: "% Incomplete command.\n\n",
		ambig: func(line string) string { return fmt.Sprintf("%% Ambiguous command:  %q\n", line) },
	},
	CiscoNXOS: {
		spec: DeviceSpec{Name: "nx1", Platform: CiscoNXOS},
		exec: `nx1# $`, config: "nx1(config)# ", conf: "configure terminal", leave: "end",
		invalid: caretErr("% Invalid command at '^' marker.\n"),
	},
	AristaEOS: {
		spec: DeviceSpec{Name: "eos1", Platform: AristaEOS, StartPrivileged: true},
		exec: `eos1#$`, config: "eos1(config)#", conf: "configure terminal", leave: "end",
		invalid: eosErr, incompl: "% Incomplete command\n",
	},
	CiscoASA: {
		spec: DeviceSpec{Name: "asa1", Platform: CiscoASA, StartPrivileged: true},
		exec: `asa1# $`, config: "asa1(config)# ", conf: "configure terminal", leave: "end",
		invalid: caretErr("ERROR: % Invalid input detected at '^' marker."), incompl: "ERROR: % Incomplete command\n",
	},
	CiscoXR: {
		spec: DeviceSpec{Name: "xr1", Platform: CiscoXR},
		exec: `RP/0/RP0/CPU0:xr1#$`, config: "RP/0/RP0/CPU0:xr1(config)#", conf: "configure terminal", leave: "abort",
		invalid: caretErr("% Invalid input detected at '^' marker."), incompl: "% Incomplete command.\n",
		ambig:  func(line string) string { return fmt.Sprintf("%% Ambiguous command:  %q\n", line) },
		commit: "commit",
	},
}

var strictCases = map[string][]cfgCase{
	CiscoIOS: {
		// its own syntax
		{line: "ntp server 10.0.1.100 prefer", show: "\nntp server 10.0.1.100 prefer\n"},
		{line: "ntp server vrf Mgmt 10.0.1.101 key 1", show: "\nntp server vrf Mgmt 10.0.1.101 key 1\n"},
		{line: "logging host 10.9.9.9", show: "\nlogging host 10.9.9.9\n"},
		{line: "snmp-server community lab ro 10", show: "\nsnmp-server community lab RO 10\n"},
		{line: "snmp-server location rack 9", show: "\nsnmp-server location rack 9\n"},
		{line: "aaa new-model", show: "\naaa new-model\n"},
		{line: "aaa authentication login default group tacacs+ local", show: "\naaa authentication login default group tacacs+ local\n"},
		{line: "username bob privilege 15 secret s3cret", show: "\nusername bob privilege 15 secret s3cret\n"},
		{enter: []string{"interface GigabitEthernet0/2"}, line: "ip address 10.2.0.1 255.255.255.0", show: "interface GigabitEthernet0/2\n ip address 10.2.0.1 255.255.255.0\n"},
		{enter: []string{"interface GigabitEthernet0/1.100"}, line: "encapsulation dot1Q 100", show: "interface GigabitEthernet0/1.100\n encapsulation dot1Q 100\n"},
		{enter: []string{"vlan 20"}, line: "name users", show: "vlan 20\n name users\n"},
		{enter: []string{"router ospf 1"}, line: "network 10.1.0.0 0.0.0.255 area 0", show: " network 10.1.0.0 0.0.0.255 area 0\n"},
		{enter: []string{"router bgp 65000"}, line: "neighbor 10.0.0.2 remote-as 65001", show: "router bgp 65000\n neighbor 10.0.0.2 remote-as 65001\n"},
		{enter: []string{"router bgp 65000", "address-family ipv4"}, line: "neighbor 10.0.0.2 activate", show: " address-family ipv4\n  neighbor 10.0.0.2 activate\n exit-address-family\n"},
		{enter: []string{"ip access-list extended MGMT"}, line: "permit tcp any host 10.0.0.1 eq 22", show: "ip access-list extended MGMT\n permit tcp any host 10.0.0.1 eq 22\n"},
		{line: "access-list 10 permit 10.0.0.0 0.0.0.255", show: "\naccess-list 10 permit 10.0.0.0 0.0.0.255\n"},
		{enter: []string{"line vty 0 4"}, line: "transport input ssh telnet", show: "line vty 0 4\n login local\n transport input ssh telnet\n"},
		{line: "ip route 10.99.0.0 255.255.0.0 10.0.255.1", show: "\nip route 10.99.0.0 255.255.0.0 10.0.255.1\n"},
		// the others'
		{line: "logging server 10.9.9.9", bad: "server"},
		{line: "ntp server 10.0.1.100 use-vrf management", bad: "use-vrf"},
		{line: "feature ospf", bad: "feature"},
		{line: "snmp-server community lab group network-operator", bad: "network-operator"}, // "group": an ACL name
		{line: "username bob password s3cret role network-admin", bad: "role"},
		{line: "ip route 10.99.0.0/16 10.0.255.1", bad: "10.99.0.0/16"},
		{line: "logging 10.9.9.9 vrf default severity info", bad: "vrf"},
		{line: "ipv4 access-list MGMT", bad: "ipv4"},
		{line: "management api http-commands", bad: "management"},
		{line: "set system ntp server 10.0.1.100", bad: "set"},
		{line: "line vty", kind: "incomplete"},
		{line: "route outside 0.0.0.0 0.0.0.0 10.0.0.1", kind: "ambiguous"},
		{enter: []string{"interface GigabitEthernet0/2"}, line: "ip address 10.2.0.1/24", bad: "10.2.0.1/24"},
		{enter: []string{"interface GigabitEthernet0/2"}, line: "ip router ospf 1 area 0", bad: "router"},
		{enter: []string{"interface GigabitEthernet0/1.100"}, line: "encapsulation dot1q vlan 100", bad: "vlan"},
		{enter: []string{"router ospf 1"}, line: "area 0 interface GigabitEthernet0/1", bad: "interface"},
		{enter: []string{"line vty 0 4"}, line: "ipv4 access-class MGMT ingress", bad: "ipv4"},
		{line: "interface GigabitEthernet0/9.100", bad: "GigabitEthernet0/9.100"},
	},
	CiscoNXOS: {
		// without "feature ospf"/"feature bgp" first, as on a Nexus
		{line: "router ospf 1", bad: "ospf"},
		{line: "router bgp 65000", bad: "bgp"},
		{enter: []string{"interface Ethernet1/1"}, line: "ip ospf cost 10", bad: "ospf"},
		// its own syntax
		{line: "logging server 10.9.9.9 6 use-vrf management", show: "\nlogging server 10.9.9.9 6 use-vrf management\n"},
		{line: "snmp-server community lab ro", show: "\nsnmp-server community lab group network-operator\n"},
		{line: "snmp-server community lab2 rw", show: "\nsnmp-server community lab2 group network-admin\n"},
		{line: "ntp server 10.0.1.100 use-vrf management", show: "\nntp server 10.0.1.100 use-vrf management\n"},
		{line: "aaa authentication login default group tacacs+ local", show: "\naaa authentication login default group tacacs+ local\n"},
		{line: "username bob password S3cret-x role network-operator", show: "\nusername bob password S3cret-x role network-operator\n"},
		{enter: []string{"feature ospf", "router ospf 1"}, line: "router-id 1.1.1.1", show: "router ospf 1\n  router-id 1.1.1.1\n"},
		{enter: []string{"interface Ethernet1/1"}, line: "ip router ospf 1 area 0.0.0.0", show: "  ip router ospf 1 area 0.0.0.0\n"},
		{enter: []string{"feature bgp", "router bgp 65000"}, line: "neighbor 10.0.0.2 remote-as 65001", show: "router bgp 65000\n  neighbor 10.0.0.2\n    remote-as 65001\n"},
		{enter: []string{"interface Ethernet1/1.100"}, line: "encapsulation dot1q 100", show: "interface Ethernet1/1.100\n  encapsulation dot1q 100\n"},
		{enter: []string{"vlan 20"}, line: "name users", show: "vlan 20\n  name users\n"},
		{enter: []string{"ip access-list MGMT"}, line: "10 permit tcp any 10.0.0.1/32 eq 22", show: "ip access-list MGMT\n  10 permit tcp any 10.0.0.1/32 eq 22\n"},
		{enter: []string{"line vty"}, line: "exec-timeout 10", show: "line vty\n  exec-timeout 10\n"},
		{line: "ip route 10.99.0.0/16 10.0.255.1", show: "\nip route 10.99.0.0/16 10.0.255.1\n"},
		// the others' (the two of issue 15 first: IOS-only syntax)
		{line: "logging host 10.9.9.9", bad: "host"},
		{line: "snmp-server community lab RO 10", bad: "10"},
		{line: "ntp server 10.0.1.100 iburst", bad: "iburst"},
		{line: "aaa new-model", bad: "new-model"},
		{line: "username bob privilege 15 secret s3cret", bad: "privilege"},
		{line: "line vty 0 4", bad: "0"},
		{line: "ip access-list extended MGMT", bad: "MGMT"},
		{line: "ip route 10.99.0.0 255.255.0.0 10.0.255.1", bad: "10.99.0.0"},
		{enter: []string{"line vty"}, line: "transport input ssh", bad: "transport"},
		{enter: []string{"interface Ethernet1/1"}, line: "ip helper-address 10.0.0.5", bad: "helper-address"},
		{enter: []string{"router ospf 1"}, line: "network 10.0.0.0 0.0.0.255 area 0", bad: "network"},
		// "no feature interface-vlan" takes interface Vlan away (last: it changes the device)
		{enter: []string{"no feature interface-vlan"}, line: "interface Vlan20", bad: "Vlan20"},
	},
	AristaEOS: {
		{line: "logging host 10.9.9.9", show: "\nlogging host 10.9.9.9\n"},
		{line: "logging vrf MGMT host 10.9.9.8", show: "\nlogging vrf MGMT host 10.9.9.8\n"},
		{line: "ntp server vrf MGMT 10.0.1.100 iburst", show: "\nntp server vrf MGMT 10.0.1.100 iburst\n"},
		{line: "snmp-server community lab ro", show: "\nsnmp-server community lab ro\n"},
		{line: "username bob privilege 15 secret s3cret", show: "\nusername bob privilege 15 secret s3cret\n"},
		{line: "aaa authentication login default group tacacs+ local", show: "\naaa authentication login default group tacacs+ local\n"},
		{enter: []string{"interface Ethernet2"}, line: "ip address 10.2.0.1/24", show: "interface Ethernet2\n   ip address 10.2.0.1/24\n"},
		{enter: []string{"interface Ethernet1.100"}, line: "encapsulation dot1q vlan 100", show: "interface Ethernet1.100\n   encapsulation dot1q vlan 100\n"},
		{enter: []string{"router ospf 1"}, line: "network 10.0.0.0/8 area 0", show: "router ospf 1\n   network 10.0.0.0/8 area 0\n"},
		{enter: []string{"router bgp 65000"}, line: "neighbor 10.0.0.2 remote-as 65001", show: "router bgp 65000\n   neighbor 10.0.0.2 remote-as 65001\n"},
		{enter: []string{"ip access-list MGMT"}, line: "10 permit tcp any host 10.0.0.1 eq ssh", show: "ip access-list MGMT\n   10 permit tcp any host 10.0.0.1 eq ssh\n"},
		{enter: []string{"vlan 20"}, line: "name users", show: "vlan 20\n   name users\n"},
		{line: "ip route 10.99.0.0/16 10.0.255.1", show: "\nip route 10.99.0.0/16 10.0.255.1\n"},
		{line: "logging server 10.9.9.9", bad: "server"},
		{line: "ntp server 10.0.1.100 use-vrf management", bad: "use-vrf"},
		{line: "aaa new-model", bad: "new-model"},
		{line: "line vty 0 4", bad: "line"},
		{line: "feature ospf", bad: "feature"},
		{line: "snmp-server community lab group network-operator", bad: "network-operator"},
		{line: "ip route 10.99.0.0 255.255.0.0 10.0.255.1", bad: "10.99.0.0"},
		{line: "ip access-list extended MGMT", bad: "MGMT"},
		{enter: []string{"interface Ethernet2"}, line: "ip address 10.2.0.1 255.255.255.0", bad: "10.2.0.1"},
		{enter: []string{"interface Ethernet1.100"}, line: "encapsulation dot1Q 100", bad: "100"},
		{enter: []string{"router ospf 1"}, line: "area 0 interface Ethernet1", bad: "interface"},
	},
	CiscoASA: {
		{line: "logging host management 10.9.9.9", show: "\nlogging host management 10.9.9.9\n"},
		{line: "ntp server 10.0.1.100 prefer", show: "\nntp server 10.0.1.100 prefer\n"},
		{line: "snmp-server host management 10.0.5.5 community lab version 2c", show: "\nsnmp-server host management 10.0.5.5 community ***** version 2c\n"},
		{line: "username bob password s3cret privilege 15", show: "\nusername bob password ***** privilege 15\n"},
		{line: "aaa authentication enable console LOCAL", show: "\naaa authentication enable console LOCAL\n"},
		{line: "route outside 10.50.0.0 255.255.0.0 10.1.0.254", show: "\nroute outside 10.50.0.0 255.255.0.0 10.1.0.254\n"},
		{line: "access-list OUT extended permit tcp any host 10.1.0.10 eq https", show: "\naccess-list OUT extended permit tcp any host 10.1.0.10 eq https\n"},
		{enter: []string{"interface GigabitEthernet0/1"}, line: "ip address 10.2.0.1 255.255.255.0", show: "interface GigabitEthernet0/1\n shutdown\n no nameif\n no security-level\n ip address 10.2.0.1 255.255.255.0\n"},
		{enter: []string{"interface GigabitEthernet0/0.100"}, line: "vlan 100", show: "interface GigabitEthernet0/0.100\n vlan 100\n"},
		{enter: []string{"router ospf 1"}, line: "network 10.1.0.0 255.255.255.0 area 0", show: "router ospf 1\n network 10.1.0.0 255.255.255.0 area 0\n"},
		{line: "ssh 10.0.0.0 255.0.0.0 management", show: "\nssh 10.0.0.0 255.0.0.0 management\n"},
		{line: "logging host 10.9.9.9", bad: "10.9.9.9"},
		{line: "logging server 10.9.9.9", bad: "server"},
		{line: "ip route 0.0.0.0 0.0.0.0 10.0.0.1", bad: "route"},
		{line: "snmp-server community lab RO", bad: "RO"},
		{line: "line vty 0 4", bad: "line"},
		{line: "vlan 20", bad: "vlan"},
		{line: "aaa new-model", bad: "new-model"},
		{line: "username bob privilege 15 secret s3cret", bad: "privilege"},
		{line: "access-list 10 permit 10.0.0.0 0.0.0.255", bad: "permit"},
		{line: "ssh 10.0.0.0 255.0.0.0 inside", bad: "inside"}, // no interface is named inside
		{enter: []string{"interface GigabitEthernet0/1"}, line: "ip address 10.2.0.1/24", bad: "10.2.0.1/24"},
		{enter: []string{"router ospf 1"}, line: "network 10.1.0.0 0.0.0.255 area 0", bad: "0.0.0.255"},
	},
	CiscoXR: {
		{line: "ntp server 10.0.1.100 prefer", show: "\nntp\n server 10.0.1.100 prefer\n!\n"},
		{line: "logging 10.9.9.9 vrf default severity info", show: "\nlogging 10.9.9.9 vrf default severity info\n"},
		{line: "snmp-server community lab RO", show: "\nsnmp-server community lab RO\n"},
		{enter: []string{"username bob"}, line: "group root-lr", show: "\nusername bob\n group root-lr\n!\n"},
		{enter: []string{"interface Loopback9"}, line: "ipv4 address 10.9.9.9/32", show: "\ninterface Loopback9\n ipv4 address 10.9.9.9 255.255.255.255\n!\n"},
		{enter: []string{"interface GigabitEthernet0/0/0/1.100"}, line: "encapsulation dot1q 100", show: "\ninterface GigabitEthernet0/0/0/1.100\n encapsulation dot1q 100\n!\n"},
		{line: "router ospf 1 area 0 interface GigabitEthernet0/0/0/1 cost 10", show: "  interface GigabitEthernet0/0/0/1\n   cost 10\n  !\n"},
		{enter: []string{"router bgp 65000", "neighbor 10.0.0.2"}, line: "remote-as 65001", show: "router bgp 65000\n neighbor 10.0.0.2\n  remote-as 65001\n !\n!\n"},
		{line: "router static address-family ipv4 unicast 10.99.0.0/16 10.0.255.1", show: "  10.99.0.0/16 10.0.255.1\n"},
		{enter: []string{"ipv4 access-list MGMT"}, line: "10 permit tcp any host 10.0.0.1 eq 22", show: "ipv4 access-list MGMT\n 10 permit tcp any host 10.0.0.1 eq 22\n!\n"},
		{enter: []string{"line default"}, line: "exec-timeout 10 0", show: "line default\n exec-timeout 10 0\n!\n"},
		{line: "ntp server 10.0.1.100 use-vrf management", bad: "use-vrf"},
		{line: "logging buffered 4096", bad: "4096"},
		{line: "ip route 10.99.0.0 255.255.0.0 10.0.255.1", kind: "ambiguous"}, // ipv4, ipv6
		{line: "vlan 20", bad: "vlan"},
		{line: "feature ospf", bad: "feature"},
		{line: "aaa new-model", bad: "new-model"},
		{line: "snmp-server community lab group network-operator", bad: "group"},
		{line: "username bob privilege 15 secret s3cret", bad: "privilege"},
		{line: "line vty 0 4", bad: "vty"},
		{enter: []string{"interface GigabitEthernet0/0/0/1"}, line: "ip address 10.1.0.1 255.255.255.0", kind: "ambiguous"},
		{enter: []string{"router ospf 1"}, line: "network 10.0.0.0 0.0.0.255 area 0", bad: "10.0.0.0"},
		{line: "interface GigabitEthernet0/0/0/9", bad: "GigabitEthernet0/0/0/9"},
	},
}

func TestStrictConfigSyntax(t *testing.T) {
	var specs []DeviceSpec
	for _, p := range []string{CiscoIOS, CiscoNXOS, AristaEOS, CiscoASA, CiscoXR} {
		specs = append(specs, strictPlatforms[p].spec)
	}
	f := startFleet(t, FleetSpec{Devices: specs})
	for _, plat := range []string{CiscoIOS, CiscoNXOS, AristaEOS, CiscoASA, CiscoXR} {
		sp := strictPlatforms[plat]
		t.Run(plat, func(t *testing.T) {
			d := f.Device(sp.spec.Name)
			c := dial(t, d)
			c.expect(sp.exec)
			if plat == CiscoASA {
				c.cmd("terminal pager 0", sp.exec)
			} else {
				c.cmd("terminal length 0", sp.exec)
			}
			anyPrompt := regexp.QuoteMeta(strings.TrimSpace(sp.config[:strings.Index(sp.config, "(")])) + `\([^)]*\)# ?$`
			for _, tc := range strictCases[plat] {
				c.cmd(sp.conf, regexp.QuoteMeta(sp.config)+"$")
				for _, e := range tc.enter {
					if out := c.cmd(e, anyPrompt); out != "" && !strings.HasPrefix(out, "INFO:") {
						t.Fatalf("%s: entering with %q: %q", tc.line, e, out)
					}
				}
				// The prompt the line is typed at, for the caret.
				c.send("\n")
				raw := c.expect(anyPrompt)
				prompt := strings.TrimLeft(raw[strings.LastIndex(raw, "\n")+1:], "\r")
				out := c.cmd(tc.line, anyPrompt)
				switch {
				case tc.kind == "incomplete":
					if out != sp.incompl {
						t.Errorf("%q: %q, want %q", tc.line, out, sp.incompl)
					}
				case tc.kind == "ambiguous":
					if want := sp.ambig(tc.line); out != want {
						t.Errorf("%q: %q, want %q", tc.line, out, want)
					}
				case tc.bad != "":
					if want := sp.invalid(prompt, tc.line, tc.bad); out != want {
						t.Errorf("%q refused with %q, want %q (caret under %q)", tc.line, out, want, tc.bad)
					}
				case out != "":
					t.Errorf("%q refused: %q", tc.line, out)
				}
				if sp.commit != "" && tc.bad == "" && tc.kind == "" {
					if out := c.cmd(sp.commit, anyPrompt); strings.Contains(out, "%") {
						t.Errorf("%q: commit: %q", tc.line, out)
					}
				}
				c.cmd(sp.leave, sp.exec)
				if tc.show != "" && !strings.Contains(d.RunningConfig(), tc.show) {
					t.Errorf("%q accepted, but running-config lacks %q:\n%s", tc.line, tc.show, d.RunningConfig())
				}
			}
		})
	}
}
