package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func load(t *testing.T, platform, file string) *Config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return Parse(Lookup(platform), string(b))
}

func TestContains(t *testing.T) {
	tests := []struct {
		platform, file string
		path           []string
		want           bool
	}{
		{"cisco_ios", "ios.txt", []string{"hostname r1"}, true},
		{"cisco_ios", "ios.txt", []string{"hostname  r1"}, true}, // white space runs are one space
		{"cisco_ios", "ios.txt", []string{"hostname r2"}, false},
		{"cisco_ios", "ios.txt", []string{"no ip http server"}, true},
		{"cisco_ios", "ios.txt", []string{"interface GigabitEthernet0/0", "description uplink to core"}, true},
		{"cisco_ios", "ios.txt", []string{"description uplink to core"}, false}, // only in its section
		{"cisco_ios", "ios.txt", []string{"interface GigabitEthernet0/2", "shutdown"}, true},
		{"cisco_ios", "ios.txt", []string{"router bgp 65000", "address-family ipv4 vrf blue", "neighbor 10.9.0.2 activate"}, true},
		{"cisco_ios", "ios.txt", []string{"router bgp 65000", "neighbor 10.9.0.2 activate"}, false},
		{"cisco_ios", "ios.txt", []string{"router bgp 65000", "exit-address-family"}, false}, // navigation, not state
		{"cisco_ios", "ios.txt", []string{"ip access-list extended MGMT", "deny ip any any log"}, true},
		{"cisco_ios", "ios.txt", []string{"Building configuration..."}, false},
		{"cisco_ios", "ios.txt", []string{"! Last configuration change at 01:17:57 UTC Fri Nov 27 2026 by admin"}, false},
		{"cisco_ios", "ios.txt", []string{"line vty 0 4", "transport input ssh"}, true},
		{"cisco_ios", "ios.txt", []string{"end"}, false},
		{"cisco_nxos", "nxos.txt", []string{"router bgp 65010", "vrf tenant-a", "neighbor 10.20.0.2", "address-family ipv4 unicast", "send-community"}, true},
		{"cisco_nxos", "nxos.txt", []string{"interface Ethernet1/1", "no shutdown"}, true},
		{"cisco_nxos", "nxos.txt", []string{"vrf context management", "ip route 0.0.0.0/0 10.0.255.254"}, true},
		{"cisco_nxos", "nxos.txt", []string{"!Time: Fri Nov 27 01:17:57 2026"}, false},
		{"cisco_nxos", "nxos.txt", []string{"line vty", "exec-timeout 10"}, true},
		{"arista_eos", "eos.txt", []string{"interface Ethernet2"}, true},
		{"arista_eos", "eos.txt", []string{"interface Ethernet3"}, true},
		{"arista_eos", "eos.txt", []string{"router bgp 65030", "vrf blue", "address-family ipv4", "neighbor 10.30.0.2 activate"}, true},
		{"arista_eos", "eos.txt", []string{"management api http-commands", "no shutdown"}, true},
		{"arista_eos", "eos.txt", []string{"Authorized access only."}, false}, // banner text is the banner's
		{"juniper_junos", "junos.txt", []string{"set system ntp server 10.0.1.100"}, true},
		{"juniper_junos", "junos.txt", []string{"system ntp server 10.0.1.100 prefer"}, true},
		{"juniper_junos", "junos.txt", []string{"system", "syslog host 10.0.255.50", "any notice"}, true},
		{"juniper_junos", "junos.txt", []string{"set system ntp server 10.0.1.101"}, false},
		{"juniper_junos", "junos.txt", []string{`set interfaces ge-0/0/0 description "uplink to core"`}, true},
		{"juniper_junos", "junos.txt", []string{"set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members v20"}, true},
		{"juniper_junos", "junos.txt", []string{"set interfaces ge-0/0/2 disable"}, true},
		{"juniper_junos", "junos.txt", []string{"set version 21.4R1.12"}, true},
		{"juniper_junos", "junos.txt", []string{"set the lab's NTP"}, false}, // an annotation
		{"juniper_junos", "junos_set.txt", []string{"set system syslog host 10.0.255.50 any notice"}, true},
		{"juniper_junos", "junos_set.txt", []string{`set interfaces ge-0/0/0 description "uplink to core"`}, true},
	}
	for _, tt := range tests {
		c := load(t, tt.platform, tt.file)
		if got := c.Contains(tt.path...); got != tt.want {
			t.Errorf("%s: Contains(%q) = %v, want %v", tt.file, tt.path, got, tt.want)
		}
	}
}

func TestJunosFormsParseAlike(t *testing.T) {
	braces, set := load(t, "juniper_junos", "junos.txt"), load(t, "juniper_junos", "junos_set.txt")
	if diff := cmp.Diff(set.Lines(), braces.Lines()); diff != "" {
		t.Errorf("hierarchy and set form differ (-set +braces):\n%s", diff)
	}
	if d := Diff(braces, set); len(d) != 0 {
		t.Errorf("Diff of the two forms: %v", d)
	}
}

func TestIndentedLines(t *testing.T) {
	c := load(t, "cisco_nxos", "nxos.txt")
	got := strings.Join(c.Lines(), "\n")
	for _, want := range []string{
		"router bgp 65010\n router-id 192.0.2.2\n vrf tenant-a\n  address-family ipv4 unicast\n   network 10.20.0.0/16\n  neighbor 10.20.0.2\n   remote-as 65020\n   address-family ipv4 unicast\n    send-community\n",
		"banner motd #Authorized access only#\nline vty\n exec-timeout 10",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Lines() lacks\n%s\ngot:\n%s", want, got)
		}
	}
	if strings.Contains(got, "!") || strings.Contains(got, "version 9.3(8) Bios:version\n") == false {
		t.Errorf("comments kept or version lost:\n%s", got)
	}
}

type compareCase struct {
	name    string
	lines   []string
	pending []int
	send    []int // nil: the same as pending
}

func runCompare(t *testing.T, c *Config, tests []compareCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.String()
			cmpr := c.Compare(tt.lines)
			if diff := cmp.Diff(tt.pending, cmpr.Pending()); diff != "" {
				t.Errorf("pending (-want +got):\n%s", diff)
			}
			send := tt.send
			if send == nil {
				send = tt.pending
			}
			if diff := cmp.Diff(send, cmpr.Send()); diff != "" {
				t.Errorf("send (-want +got):\n%s", diff)
			}
			if c.String() != before {
				t.Errorf("Compare changed the configuration")
			}
		})
	}
}

func TestCompareIOS(t *testing.T) {
	runCompare(t, load(t, "cisco_ios", "ios.txt"), []compareCase{
		{name: "all present", lines: []string{"ntp server 10.0.1.100", "logging host 10.0.255.50"}},
		{name: "one missing", lines: []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"}, pending: []int{1}},
		{name: "a line is not the longer line it starts", lines: []string{"ntp server 10.0.1.102"}, pending: []int{0}},
		{name: "no X when X absent is in sync", lines: []string{"no ntp server 10.0.9.9"}},
		{name: "no X when X present is pending", lines: []string{"no ntp server 10.0.1.100"}, pending: []int{0}},
		{name: "no X removes X with more words", lines: []string{"no ntp server 10.0.1.102"}, pending: []int{0}},
		{name: "no X shown by the device is in sync", lines: []string{"no ip http server", "no service password-encryption"}},
		{name: "X when the device shows no X", lines: []string{"ip http server"}, pending: []int{0}},
		{name: "default X resets no X", lines: []string{"default ip http server"}, pending: []int{0}},
		{name: "default X of an absent X", lines: []string{"default logging host 10.0.9.9"}},
		{name: "no X then X", lines: []string{"no ntp server 10.0.1.100", "ntp server 10.0.1.100"}, pending: []int{0, 1}},
		{name: "a line under a parent, flat", lines: []string{"interface GigabitEthernet0/0", "description uplink to core", "shutdown"}, pending: []int{2}, send: []int{0, 2}},
		{name: "a line under a parent, indented", lines: []string{"interface GigabitEthernet0/2", " shutdown", " description spare"}, pending: []int{2}, send: []int{0, 2}},
		{name: "no X in a section where X is", lines: []string{"interface GigabitEthernet0/2", "no shutdown"}, pending: []int{1}, send: []int{0, 1}},
		{name: "no X in a section without X", lines: []string{"interface GigabitEthernet0/0", "no shutdown"}},
		{name: "new section: every line, negations too", lines: []string{"interface Loopback9", " ip address 192.0.2.9 255.255.255.255", " no shutdown"}, pending: []int{0, 1, 2}},
		{name: "a flat global line leaves the section", lines: []string{"interface GigabitEthernet0/0", "description uplink to core", "logging host 10.0.255.50", "ntp server 10.0.1.101"}, pending: []int{3}},
		{name: "a flat negation of a global line", lines: []string{"interface GigabitEthernet0/0", "no logging host 10.0.255.50"}, pending: []int{1}},
		{name: "a new interface after an interface", lines: []string{"interface GigabitEthernet0/0", "description uplink to core", "interface GigabitEthernet0/5", "description new"}, pending: []int{2, 3}},
		{name: "nested sections at depth 3", lines: []string{"router bgp 65000", " address-family ipv4 vrf blue", "  neighbor 10.9.0.2 activate", "  network 10.10.0.0 mask 255.255.0.0", " exit-address-family"}, pending: []int{3}, send: []int{0, 1, 3, 4}},
		{name: "nested sections at depth 3, flat", lines: []string{"router bgp 65000", "address-family ipv4 vrf blue", "neighbor 10.9.0.2 activate", "exit-address-family"}},
		{name: "flat nested: a line of the outer section", lines: []string{"router bgp 65000", "address-family ipv4 vrf blue", "neighbor 10.9.0.2 activate", "bgp log-neighbor-changes", "neighbor 10.0.0.3 remote-as 65003"}, pending: []int{4}, send: []int{0, 4}},
		{name: "an address-family does not nest in one", lines: []string{"router bgp 65000", "address-family ipv4 vrf blue", "network 10.9.0.0 mask 255.255.0.0", "address-family ipv4 vrf red", "network 10.8.0.0 mask 255.255.0.0"}, pending: []int{3, 4}, send: []int{0, 3, 4}},
		{name: "ordered section in order", lines: []string{"ip access-list extended MGMT", " permit tcp 10.0.0.0 0.0.255.255 any eq 22", " permit icmp any any", " deny ip any any log"}},
		{name: "ordered section out of order", lines: []string{"ip access-list extended MGMT", " permit icmp any any", " permit tcp 10.0.0.0 0.0.255.255 any eq 22"}, pending: []int{1, 2}, send: []int{0, 1, 2}},
		{name: "ordered section with an entry added in the middle", lines: []string{"ip access-list extended MGMT", " permit tcp 10.0.0.0 0.0.255.255 any eq 22", " permit udp any any eq 123", " permit icmp any any", " deny ip any any log"}, pending: []int{1, 2, 3, 4}, send: []int{0, 1, 2, 3, 4}},
		{name: "banner present, typed with another delimiter", lines: []string{"banner motd ^", "Authorized access only.", "Disconnect now if you are not.", "^"}},
		{name: "banner changed", lines: []string{"banner motd ^C", "Authorized access only.", "^C"}, pending: []int{0, 1, 2}},
		{name: "comments, exit and end", lines: []string{"!", "interface GigabitEthernet0/2", " shutdown", " exit", "end"}},
		{name: "exit sent after a sent section", lines: []string{"interface GigabitEthernet0/2", " description spare", " exit", "ntp server 10.0.1.100", "end"}, pending: []int{1}, send: []int{0, 1, 2, 4}},
		{name: "a replaced value", lines: []string{"hostname r2"}, pending: []int{0}},
		{name: "line sections", lines: []string{"line vty 0 4", "transport input ssh", "exec-timeout 5 0"}, pending: []int{2}, send: []int{0, 2}},
	})
}

func TestCompareNXOS(t *testing.T) {
	runCompare(t, load(t, "cisco_nxos", "nxos.txt"), []compareCase{
		{name: "no shutdown shown by the device", lines: []string{"interface Ethernet1/1", "  no shutdown"}},
		{name: "no shutdown of a shut interface", lines: []string{"interface Ethernet1/4", "  no shutdown"}, pending: []int{1}, send: []int{0, 1}},
		{name: "depth 4", lines: []string{"router bgp 65010", "  vrf tenant-a", "    neighbor 10.20.0.2", "      address-family ipv4 unicast", "        send-community", "        route-map RM out"}, pending: []int{5}, send: []int{0, 1, 2, 3, 5}},
		{name: "sequence numbers are line by line", lines: []string{"ip access-list MGMT", "  10 permit tcp 10.0.0.0/16 any eq 22", "  15 permit udp any any eq 123"}, pending: []int{2}, send: []int{0, 2}},
		{name: "unnumbered entries match numbered ones", lines: []string{"ip access-list MGMT", "  permit tcp 10.0.0.0/16 any eq 22", "  deny ip any any"}},
		{name: "one-line banner", lines: []string{"banner motd #Authorized access only#"}},
		{name: "features", lines: []string{"feature bgp", "feature lacp"}, pending: []int{1}},
		{name: "vlan list", lines: []string{"vlan 1,10"}},
	})
}

func TestCompareEOS(t *testing.T) {
	runCompare(t, load(t, "arista_eos", "eos.txt"), []compareCase{
		{name: "an empty section gets a line", lines: []string{"interface Ethernet2", "   description server"}, pending: []int{1}, send: []int{0, 1}},
		{name: "no shutdown of a shut interface", lines: []string{"interface Ethernet4", "no shutdown"}, pending: []int{1}, send: []int{0, 1}},
		{name: "no shutdown of an up interface", lines: []string{"interface Ethernet3", "no shutdown"}},
		{name: "section after a banner", lines: []string{"management api http-commands", "   no shutdown"}},
		{name: "flat global after a section", lines: []string{"interface Ethernet1", "description uplink to core", "ntp server 10.0.1.100"}},
		{name: "depth 3 under a vrf", lines: []string{"router bgp 65030", "   vrf blue", "      address-family ipv4", "         neighbor 10.30.0.2 activate", "      rd 192.0.2.3:10"}},
		{name: "EOS banner", lines: []string{"banner motd", "Authorized access only.", "EOF"}},
		{name: "EOS banner changed", lines: []string{"banner motd", "Go away.", "EOF"}, pending: []int{0, 1, 2}},
	})
}

func TestCompareJunos(t *testing.T) {
	cases := []compareCase{
		{name: "set present", lines: []string{"set system ntp server 10.0.1.100"}},
		{name: "set absent", lines: []string{"set system ntp server 10.0.1.100", "set system ntp server 10.0.1.101"}, pending: []int{1}},
		{name: "delete absent is in sync", lines: []string{"delete system ntp server 10.0.9.9"}},
		{name: "delete present is pending", lines: []string{"delete system ntp server 10.0.1.100"}, pending: []int{0}},
		{name: "delete then set", lines: []string{"delete system ntp", "set system ntp server 10.0.1.100"}, pending: []int{0, 1}},
		{name: "quoted values", lines: []string{`set interfaces ge-0/0/0 description "uplink to core"`, "set interfaces ge-0/0/0 description uplink"}, pending: []int{1}},
		{name: "lists", lines: []string{"set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members [ v10 v20 ]", "set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members [ v10 v30 ]"}, pending: []int{1}},
		{name: "commit only around a change", lines: []string{"set system host-name j1", "commit"}},
		{name: "commit after a change", lines: []string{"set system host-name j2", "commit"}, pending: []int{0}, send: []int{0, 1}},
		{name: "other lines are never hidden", lines: []string{"edit system"}, pending: []int{0}},
	}
	runCompare(t, load(t, "juniper_junos", "junos.txt"), cases)
	runCompare(t, load(t, "juniper_junos", "junos_set.txt"), cases)
}

func TestDiffIOS(t *testing.T) {
	before := load(t, "cisco_ios", "ios.txt")
	b, _ := os.ReadFile("testdata/ios.txt")
	s := string(b)
	for _, r := range [][2]string{
		{" description uplink to core\n", " description uplink to core2\n"},
		{"ntp server 10.0.1.100\n", "ntp server 10.0.1.100\nntp server 10.0.1.101\n"},
		{"  network 10.9.0.0 mask 255.255.0.0\n", ""},
		{" permit icmp any any\n", ""},
		{" deny   ip any any log\n", " deny   ip any any log\n permit icmp any any\n"},
		{"line con 0\n logging synchronous\n", ""},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("fixture lacks %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	s += "interface Loopback9\n ip address 192.0.2.9 255.255.255.255\n"
	after := Parse(Lookup("cisco_ios"), s)
	want := `  interface GigabitEthernet0/0
-  description uplink to core
+  description uplink to core2
  router bgp 65000
   address-family ipv4 vrf blue
-   network 10.9.0.0 mask 255.255.0.0
+ ntp server 10.0.1.101
- line con 0
-  logging synchronous
+ interface Loopback9
+  ip address 192.0.2.9 255.255.255.255
`
	// The access list kept its entries but not their order: an ordered
	// section shows the move.
	got := FormatDiff(Diff(before, after))
	wantACL := "  ip access-list extended MGMT\n-  permit icmp any any\n+  permit icmp any any\n"
	if !strings.Contains(got, wantACL) {
		t.Errorf("diff lacks the ACL move:\n%s", got)
	}
	got = strings.Replace(got, wantACL, "", 1)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	if d := Diff(before, before.Clone()); len(d) != 0 {
		t.Errorf("self diff: %v", d)
	}
}

func TestDiffJunos(t *testing.T) {
	before := load(t, "juniper_junos", "junos.txt")
	after := Parse(Lookup("juniper_junos"), strings.Join(before.Lines(), "\n")+"\nset system ntp server 10.0.1.101\n")
	after.Root().Child("interfaces").remove(after.Find("interfaces ge-0/0/2"))
	want := "+ set system ntp server 10.0.1.101\n- set interfaces ge-0/0/2 disable\n"
	if got := FormatDiff(Diff(before, after)); got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
}

func TestLookupUnknownPlatformIsIOSLike(t *testing.T) {
	p := Lookup("cisco_xr_custom")
	if p.Name != "cisco_xr_custom" || p.Syntax != Indented || p.Negate != "no " {
		t.Errorf("%+v", p)
	}
	if Lookup("junos").Syntax != Junos {
		t.Error("junos alias")
	}
}
