package config

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustRule(t *testing.T, r Rule) *CompiledRule {
	t.Helper()
	cr, err := CompileRule(r)
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

// findings renders a result's findings one a line: kind, path and line.
func findings(res RuleResult) []string {
	out := []string{}
	for _, f := range res.Findings {
		s := string(f.Kind) + ": "
		if len(f.Path) > 0 {
			s += strings.Join(f.Path, " > ") + " > "
		}
		s += f.Line
		out = append(out, s)
	}
	return out
}

type ruleCase struct {
	name string
	rule Rule
	want []string // findings; empty: passed
}

func runRules(t *testing.T, c *Config, cases []ruleCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.ID = "r"
			res := mustRule(t, tt.rule).Check(c)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, findings(res)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if res.Passed != (len(want) == 0) {
				t.Errorf("Passed = %v with %d findings", res.Passed, len(want))
			}
			if res.ID != "r" {
				t.Errorf("ID = %q", res.ID)
			}
		})
	}
}

func TestRulesIOS(t *testing.T) {
	c := load(t, "cisco_ios", "ios.txt")
	runRules(t, c, []ruleCase{
		{name: "required present", rule: Rule{Block: Block{Required: []string{"ntp server 10.0.1.100", "logging  host 10.0.255.50"}}}},
		{name: "required missing", rule: Rule{Block: Block{Required: []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"}}},
			want: []string{"missing: ntp server 10.0.1.101"}},
		{name: "required is not a prefix of a longer line", rule: Rule{Block: Block{Required: []string{"ntp server 10.0.1.102"}}},
			want: []string{"missing: ntp server 10.0.1.102"}},
		{name: "required is not a substring", rule: Rule{Block: Block{Required: []string{"ntp server 10.0.1.10"}}},
			want: []string{"missing: ntp server 10.0.1.10"}},
		{name: "required no X shown by the device", rule: Rule{Block: Block{Required: []string{"no ip http server"}}}},
		{name: "required no X of an absent X", rule: Rule{Block: Block{Required: []string{"no ip http secure-server", "no service finger"}}}},
		{name: "required no X of a present X", rule: Rule{Block: Block{Required: []string{"no ntp server 10.0.1.102"}}},
			want: []string{"missing: no ntp server 10.0.1.102"}},
		{name: "required X when the device shows no X", rule: Rule{Block: Block{Required: []string{"ip http server"}}},
			want: []string{"missing: ip http server"}},
		{name: "forbidden X is not no X", rule: Rule{Block: Block{Forbidden: []string{"ip http server", "service password-encryption"}}}},
		{name: "forbidden X flags the lines it starts", rule: Rule{Block: Block{Forbidden: []string{"ntp server 10.0.1.102"}}},
			want: []string{"forbidden: ntp server 10.0.1.102 prefer"}},
		{name: "forbidden is word by word, not a substring", rule: Rule{Block: Block{Forbidden: []string{"ntp server 10.0.1.10", "logging host 10.0.255.5"}}}},
		{name: "forbidden no X", rule: Rule{Block: Block{Forbidden: []string{"no ip http server"}}},
			want: []string{"forbidden: no ip http server"}},
		{name: "only its own level", rule: Rule{Block: Block{Required: []string{"shutdown"}, Forbidden: []string{"description uplink to core"}}},
			want: []string{"missing: shutdown"}},
		{name: "section by name", rule: Rule{Block: Block{Sections: []Section{{Pattern: "line vty 0 4", Block: Block{Required: []string{"transport input ssh"}, Forbidden: []string{"transport input telnet"}}}}}}},
		{name: "section missing its line", rule: Rule{Block: Block{Sections: []Section{{Pattern: "line vty 0 4", Block: Block{Required: []string{"exec-timeout 5 0"}}}}}},
			want: []string{"missing: line vty 0 4 > exec-timeout 5 0"}},
		{name: "every matching section", rule: Rule{Block: Block{Sections: []Section{{Pattern: `interface GigabitEthernet.*`, Block: Block{Required: []string{"duplex auto"}}}}}},
			want: []string{"missing: interface GigabitEthernet0/2 > duplex auto"}},
		{name: "section pattern is anchored", rule: Rule{Block: Block{Sections: []Section{{Pattern: `GigabitEthernet0/0`, MustExist: true, Block: Block{Required: []string{"shutdown"}}}}}},
			want: []string{"missing_section: GigabitEthernet0/0"}},
		{name: "no matching section passes", rule: Rule{Block: Block{Sections: []Section{{Pattern: `interface Vlan.*`, Block: Block{Required: []string{"shutdown"}}}}}}},
		{name: "no matching section with must_exist", rule: Rule{Block: Block{Sections: []Section{{Pattern: `line aux 0`, MustExist: true, Block: Block{Required: []string{"logging synchronous"}}}}}},
			want: []string{"missing_section: line aux 0"}},
		{name: "nested sections at depth 3", rule: Rule{Block: Block{Sections: []Section{{Pattern: `router bgp \d+`, Block: Block{
			Required: []string{"bgp log-neighbor-changes"},
			Sections: []Section{{Pattern: `address-family .*`, Block: Block{Required: []string{"neighbor 10.9.0.2 activate", "neighbor 10.9.0.3 activate"}}}},
		}}}}},
			want: []string{"missing: router bgp 65000 > address-family ipv4 vrf blue > neighbor 10.9.0.3 activate"}},
		{name: "forbidden in a section", rule: Rule{Block: Block{Sections: []Section{{Pattern: `interface .*`, Block: Block{Forbidden: []string{"shutdown"}}}}}},
			want: []string{"forbidden: interface GigabitEthernet0/2 > shutdown"}},
		{name: "access list entries", rule: Rule{Block: Block{Sections: []Section{{Pattern: `ip access-list extended MGMT`, Block: Block{Required: []string{"deny ip any any log"}, Forbidden: []string{"permit ip any any"}}}}}}},
		{name: "regex required and forbidden", rule: Rule{Regex: true, Block: Block{Required: []string{`ntp server \S+`, `snmp-server .*`}, Forbidden: []string{`ip http .*`, `ntp server .* prefer`}}},
			want: []string{"missing: snmp-server .*", "forbidden: ntp server 10.0.1.102 prefer"}},
		{name: "regex is anchored", rule: Rule{Regex: true, Block: Block{Forbidden: []string{`http server`}}}},
		{name: "regex no X", rule: Rule{Regex: true, Block: Block{Required: []string{`no ip http server`}}}},
		{name: "banner text is not a line", rule: Rule{Block: Block{Forbidden: []string{"Authorized access only."}}}},
		{name: "a banner is its first words", rule: Rule{Block: Block{Required: []string{"banner motd"}, Forbidden: []string{"banner exec"}}}},
		{name: "a banner that is not there", rule: Rule{Block: Block{Required: []string{"banner login"}}}, want: []string{"missing: banner login"}},
		{name: "a banner, by regex", rule: Rule{Regex: true, Block: Block{Required: []string{"banner (motd|login)"}}}},
	})
}

func TestRulesNXOS(t *testing.T) {
	c := load(t, "cisco_nxos", "nxos.txt")
	runRules(t, c, []ruleCase{
		{name: "features", rule: Rule{Block: Block{Required: []string{"feature ssh"}, Forbidden: []string{"feature telnet"}}}},
		{name: "interfaces up", rule: Rule{Block: Block{Sections: []Section{{Pattern: `interface Ethernet.*`, Block: Block{Required: []string{"no shutdown"}}}}}},
			want: []string{"missing: interface Ethernet1/4 > no shutdown"}},
		{name: "depth 4", rule: Rule{Block: Block{Sections: []Section{{Pattern: `router bgp .*`, Block: Block{Sections: []Section{{Pattern: `vrf .*`, Block: Block{Sections: []Section{{Pattern: `neighbor .*`, Block: Block{Sections: []Section{{Pattern: `address-family .*`, Block: Block{Required: []string{"send-community", "send-community extended"}}}}}}}}}}}}}}},
			want: []string{"missing: router bgp 65010 > vrf tenant-a > neighbor 10.20.0.2 > address-family ipv4 unicast > send-community extended"}},
		{name: "unnumbered entries and numbered ones", rule: Rule{Block: Block{Sections: []Section{{Pattern: `ip access-list MGMT`, Block: Block{Required: []string{"permit tcp 10.0.0.0/16 any eq 22"}, Forbidden: []string{"deny ip any any"}}}}}},
			want: []string{"forbidden: ip access-list MGMT > 20 deny ip any any"}},
		{name: "vty", rule: Rule{Block: Block{Sections: []Section{{Pattern: `line vty`, Block: Block{Required: []string{"exec-timeout 10"}}}}}}},
	})
}

func TestRulesEOS(t *testing.T) {
	c := load(t, "arista_eos", "eos.txt")
	runRules(t, c, []ruleCase{
		{name: "http api off", rule: Rule{Block: Block{Sections: []Section{{Pattern: `management api http-commands`, Block: Block{Required: []string{"shutdown"}}}}}},
			want: []string{"missing: management api http-commands > shutdown"}},
		{name: "empty sections", rule: Rule{Block: Block{Sections: []Section{{Pattern: `interface Ethernet[23]`, Block: Block{Required: []string{"description .+"}}}}}, Regex: true},
			want: []string{"missing: interface Ethernet2 > description .+", "missing: interface Ethernet3 > description .+"}},
		{name: "depth 3 under a vrf", rule: Rule{Block: Block{Sections: []Section{{Pattern: `router bgp .*`, Block: Block{Sections: []Section{{Pattern: `vrf blue`, Block: Block{Required: []string{"rd 192.0.2.3:10"}}}}}}}}}},
		{name: "no aaa root", rule: Rule{Block: Block{Required: []string{"no aaa root"}}}},
	})
}

func TestRulesJunos(t *testing.T) {
	for _, file := range []string{"junos.txt", "junos_set.txt"} {
		t.Run(file, func(t *testing.T) {
			c := load(t, "juniper_junos", file)
			runRules(t, c, []ruleCase{
				{name: "set statements", rule: Rule{Block: Block{Required: []string{"set system ntp server 10.0.1.100", "system syslog host 10.0.255.50 any notice"}}}},
				{name: "missing statement", rule: Rule{Block: Block{Required: []string{"set system ntp server 10.0.1.101"}}},
					want: []string{"missing: set system ntp server 10.0.1.101"}},
				{name: "forbidden statement and what is under it", rule: Rule{Block: Block{Forbidden: []string{"set system ntp", "set system services telnet"}}},
					want: []string{"forbidden: set system ntp server 10.0.1.100 prefer"}},
				{name: "delete: must not be configured", rule: Rule{Block: Block{Required: []string{"delete system services telnet", "delete system ntp server 10.0.1.100"}}},
					want: []string{"missing: delete system ntp server 10.0.1.100"}},
				{name: "sections", rule: Rule{Block: Block{Sections: []Section{{Pattern: `interfaces ge-.*`, Block: Block{Required: []string{"unit 0"}, Forbidden: []string{"disable"}}}}}},
					want: []string{"missing: interfaces ge-0/0/2 > unit 0", "forbidden: interfaces ge-0/0/2 > set interfaces ge-0/0/2 disable"}},
				{name: "regex statements", rule: Rule{Regex: true, Block: Block{Required: []string{`set system host-name \S+`}, Forbidden: []string{`system ntp server .* prefer`}}},
					want: []string{"forbidden: set system ntp server 10.0.1.100 prefer"}},
			})
		})
	}
}

func TestCompileRuleErrors(t *testing.T) {
	for _, r := range []Rule{
		{ID: "a", Regex: true, Block: Block{Required: []string{"ntp server ("}}},
		{ID: "b", Block: Block{Sections: []Section{{Pattern: "interface [Gi"}}}},
		{ID: "c", Block: Block{Sections: []Section{{Pattern: "x", Block: Block{Sections: []Section{{Pattern: "(?<name>"}}}}}}},
	} {
		if _, err := CompileRule(r); err == nil || !strings.Contains(err.Error(), "rule "+r.ID) {
			t.Errorf("CompileRule(%s) = %v, want an error naming the rule", r.ID, err)
		}
	}
	// Exact lines are not patterns: brackets are fine.
	if _, err := CompileRule(Rule{ID: "d", Block: Block{Required: []string{"permit ip any any (x"}}}); err != nil {
		t.Errorf("an exact line was compiled as a pattern: %v", err)
	}
}

func TestRemediationIOS(t *testing.T) {
	running := load(t, "cisco_ios", "ios.txt")
	intended := Parse(Lookup("cisco_ios"), `hostname r2
no ip http server
ntp server 10.0.1.100
ntp server 10.0.1.101
logging host 10.0.255.51
interface GigabitEthernet0/0
 description uplink to core2
 ip address 10.0.0.1 255.255.0.0
 duplex auto
interface GigabitEthernet0/2
 no ip address
 no shutdown
interface Loopback0
 ip address 192.0.2.1 255.255.255.255
router bgp 65000
 bgp log-neighbor-changes
 neighbor 10.0.0.2 remote-as 65001
 address-family ipv4 vrf blue
  network 10.9.0.0 mask 255.255.0.0
  neighbor 10.9.0.2 remote-as 65002
line con 0
 logging synchronous
line vty 0 4
 login local
 transport input ssh
 exec-timeout 5 0
`)
	only := func(re ...string) []*regexp.Regexp {
		var out []*regexp.Regexp
		for _, r := range re {
			out = append(out, regexp.MustCompile("^(?:"+r+")$"))
		}
		return out
	}
	keep := only("hostname .*", "no ip http server", "ntp .*", "logging .*", "interface .*", "router .*", "line .*")
	run, want := running.SelectPatterns(keep), intended.SelectPatterns(keep)
	got := Remediation(run, want)
	wantLines := []string{
		"no ntp server 10.0.1.102 prefer",
		"no logging host 10.0.255.50",
		"hostname r2",
		"ntp server 10.0.1.101",
		"logging host 10.0.255.51",
		"interface GigabitEthernet0/0",
		" description uplink to core2",
		" exit",
		"interface GigabitEthernet0/2",
		" no shutdown",
		" exit",
		"interface Loopback0",
		" ip address 192.0.2.1 255.255.255.255",
		" exit",
		"router bgp 65000",
		" address-family ipv4 vrf blue",
		"  no neighbor 10.9.0.2 activate",
		"  exit",
		" exit",
		"line vty 0 4",
		" exec-timeout 5 0",
	}
	if diff := cmp.Diff(wantLines, got); diff != "" {
		t.Errorf("remediation (-want +got):\n%s", diff)
	}
	// The remediation is what the configuration model would send to get
	// there: every intended line is in effect after it.
	after := Parse(Lookup("cisco_ios"), run.String())
	if p := after.Compare(append(Remediation(run, want), "end")).Pending(); len(p) == 0 {
		t.Errorf("the remediation is all in effect before it is applied")
	}
	drift := FormatDiff(Drift(run, want))
	for _, l := range []string{"- ntp server 10.0.1.102 prefer", "+ ntp server 10.0.1.101", "  interface GigabitEthernet0/0\n-  description uplink to core\n+  description uplink to core2"} {
		if !strings.Contains(drift, l) {
			t.Errorf("drift lacks %q:\n%s", l, drift)
		}
	}
	if r := Remediation(want, want.Clone()); len(r) != 0 {
		t.Errorf("remediation of a configuration to itself: %q", r)
	}
}

func TestRemediationNegations(t *testing.T) {
	p := Lookup("cisco_nxos")
	run := Parse(p, `interface Ethernet1/1
  no shutdown
  description old
interface loopback9
  ip address 192.0.2.9/32
ip access-list MGMT
  10 permit tcp any any eq 22
  20 permit udp any any eq 161
  30 deny ip any any
no ip domain-lookup
banner motd #Go away#
`)
	want := Parse(p, `interface Ethernet1/1
  shutdown
ip access-list MGMT
  10 permit tcp any any eq 22
  30 deny ip any any
`)
	got := Remediation(run, want)
	wantLines := []string{
		"no interface loopback9",
		"ip domain-lookup",
		"no banner motd",
		"interface Ethernet1/1",
		"  no description old",
		"  shutdown",
		"  exit",
		"ip access-list MGMT",
		"  no 20",
	}
	// NX-OS sections are indented two spaces by the device; remediation
	// writes one a level, which every IOS-family CLI reads the same.
	for i := range wantLines {
		wantLines[i] = strings.Replace(wantLines[i], "  ", " ", 1)
	}
	if diff := cmp.Diff(wantLines, got); diff != "" {
		t.Errorf("remediation (-want +got):\n%s", diff)
	}
}

func TestRemediationJunos(t *testing.T) {
	run := load(t, "juniper_junos", "junos.txt")
	want := Parse(Lookup("juniper_junos"), `set version 21.4R1.12
set system host-name j1
set system ntp server 10.0.1.100 prefer
set system ntp server 10.0.1.101
set interfaces ge-0/0/0 description "uplink to core"
set interfaces ge-0/0/0 unit 0 family inet address 10.1.3.1/24
set interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members v10
`)
	got := Remediation(run, want)
	wantLines := []string{
		"delete system syslog",
		"delete interfaces ge-0/0/1 unit 0 family ethernet-switching vlan members v20",
		"delete interfaces ge-0/0/2",
		"set system ntp server 10.0.1.101",
	}
	if diff := cmp.Diff(wantLines, got); diff != "" {
		t.Errorf("remediation (-want +got):\n%s", diff)
	}
	sel := run.Select(func(s string) bool { return strings.HasPrefix(s, "system ntp") })
	if diff := cmp.Diff([]string{"set system ntp server 10.0.1.100 prefer"}, sel.Lines()); diff != "" {
		t.Errorf("Select (-want +got):\n%s", diff)
	}
}

func TestMaskSecrets(t *testing.T) {
	for in, want := range map[string]string{
		"username admin privilege 15 secret 9 $9$lab$30fcad78":          "username admin privilege 15 secret 9 (sensitive)",
		"username admin password 5 $5$lab$x role network-admin":         "username admin password 5 (sensitive) role network-admin",
		"username admin secret sha512 $6$lab$abc":                       "username admin secret sha512 (sensitive)",
		"enable secret 5 $1$abc":                                        "enable secret 5 (sensitive)",
		"snmp-server community public RO":                               "snmp-server community (sensitive) RO",
		"snmp-server community s3cret group network-operator":           "snmp-server community (sensitive) group network-operator",
		"tacacs-server key 7 0822455D0A16":                              "tacacs-server key 7 (sensitive)",
		"tacacs-server host 10.0.0.5 key s3cret":                        "tacacs-server host 10.0.0.5 key (sensitive)",
		" key-string 7 110A1016141D":                                    " key-string 7 (sensitive)",
		` ip ospf message-digest-key 1 md5 7 045802150C2E`:              ` ip ospf message-digest-key 1 md5 7 (sensitive)`,
		`set system root-authentication encrypted-password "$6$abc$de"`: `set system root-authentication encrypted-password (sensitive)`,
		"set snmp community public authorization read-only":             "set snmp community (sensitive) authorization read-only",
		"no service password-encryption":                                "no service password-encryption",
		"username guest nopassword":                                     "username guest nopassword",
		"ntp server 10.0.1.100":                                         "ntp server 10.0.1.100",
		"key chain OSPF":                                                "key chain OSPF",
	} {
		if got := MaskSecrets(in); got != want {
			t.Errorf("MaskSecrets(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MaskSecrets("a\n password 7 abc\nb"); got != "a\n password 7 (sensitive)\nb" {
		t.Errorf("multi-line: %q", got)
	}
}

func TestFix(t *testing.T) {
	ios := load(t, "cisco_ios", "ios.txt")
	r := mustRule(t, Rule{ID: "x", Block: Block{
		Required:  []string{"ntp server 10.0.1.101", "no ntp server 10.0.1.102"},
		Forbidden: []string{"logging host", "banner motd"},
		Sections: []Section{
			{Pattern: `router bgp .*`, Block: Block{Sections: []Section{{Pattern: `address-family .*`, Block: Block{Required: []string{"neighbor 10.9.0.3 activate"}}}}}},
			{Pattern: `interface GigabitEthernet0/[02]`, Block: Block{Required: []string{"no shutdown"}, Forbidden: []string{"duplex"}}},
			{Pattern: `line vty .*`, Block: Block{Required: []string{"exec-timeout 5 0"}}},
		},
	}})
	res := r.Check(ios)
	want := []string{
		"ntp server 10.0.1.101",
		"no ntp server 10.0.1.102",
		"no logging host 10.0.255.50",
		"no banner motd",
		"router bgp 65000",
		" address-family ipv4 vrf blue",
		"  neighbor 10.9.0.3 activate",
		"  exit",
		" exit",
		"interface GigabitEthernet0/0",
		" no duplex auto",
		" exit",
		"interface GigabitEthernet0/2",
		" no shutdown",
		" exit",
		"line vty 0 4",
		" exec-timeout 5 0",
	}
	if diff := cmp.Diff(want, r.Fix(ios, res)); diff != "" {
		t.Errorf("Fix (-want +got):\n%s", diff)
	}
	// After the fix, the rule passes: the fix is what the configuration
	// model reads as bringing every line in effect.
	fixed := Parse(Lookup("cisco_ios"), ios.String())
	if p := fixed.Compare(r.Fix(ios, res)).Pending(); len(p) == 0 {
		t.Error("the fix changes nothing")
	}
	if got := r.Fix(ios, RuleResult{Passed: true}); len(got) != 0 {
		t.Errorf("fix of a passed rule: %q", got)
	}
	re := mustRule(t, Rule{ID: "y", Regex: true, Block: Block{Required: []string{`snmp-server .*`}, Forbidden: []string{`ntp server .* prefer`}}})
	if diff := cmp.Diff([]string{"no ntp server 10.0.1.102 prefer"}, re.Fix(ios, re.Check(ios))); diff != "" {
		t.Errorf("regex fix (-want +got):\n%s", diff)
	}

	j := load(t, "juniper_junos", "junos.txt")
	jr := mustRule(t, Rule{ID: "j", Block: Block{
		Required:  []string{"set system ntp server 10.0.1.101", "delete system ntp server 10.0.1.100"},
		Forbidden: []string{"system syslog"},
		Sections:  []Section{{Pattern: `interfaces ge-.*`, Block: Block{Required: []string{`description "to be set"`}}}},
	}})
	want = []string{
		"set system ntp server 10.0.1.101",
		"delete system ntp server 10.0.1.100",
		"delete system syslog host 10.0.255.50 any notice",
		`set interfaces ge-0/0/0 description "to be set"`,
		`set interfaces ge-0/0/1 description "to be set"`,
		`set interfaces ge-0/0/2 description "to be set"`,
	}
	if diff := cmp.Diff(want, jr.Fix(j, jr.Check(j))); diff != "" {
		t.Errorf("junos fix (-want +got):\n%s", diff)
	}
}

func TestRemediationReplaces(t *testing.T) {
	p := Lookup("cisco_ios")
	run := Parse(p, `username admin privilege 15 secret 9 $9$old
username ops privilege 1 secret 9 $9$ops
interface Vlan10
 ip address 10.0.0.1 255.255.255.0
 ip address 10.0.1.1 255.255.255.0 secondary
 description old
`)
	want := Parse(p, `username admin privilege 15 secret 9 $9$new
interface Vlan10
 ip address 10.0.0.2 255.255.255.0
 ip address 10.0.2.1 255.255.255.0 secondary
 description new
`)
	got := Remediation(run, want)
	// Within a section the negations come first, then the additions in
	// the intended order.
	wantLines := []string{
		"no username ops privilege 1 secret 9 $9$ops", // another user: removed
		"username admin privilege 15 secret 9 $9$new", // the same user: replaced
		"interface Vlan10",
		" no ip address 10.0.1.1 255.255.255.0 secondary", // secondaries add up
		" ip address 10.0.0.2 255.255.255.0",
		" ip address 10.0.2.1 255.255.255.0 secondary",
		" description new",
	}
	if diff := cmp.Diff(wantLines, got); diff != "" {
		t.Errorf("remediation (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		e, a string
		want bool
	}{
		{"hostname r1", "hostname r2", true},
		{"ntp server 10.0.1.1", "ntp server 10.0.1.1 prefer", true},
		{"no shutdown", "shutdown", true},
		{"ntp server 10.0.1.1", "ntp server 10.0.1.2", false},
		{"ip address 1.1.1.1 255.0.0.0 secondary", "ip address 2.2.2.2 255.0.0.0 secondary", false},
		{"username a secret x", "username b secret x", false},
		{"banner motd\nold", "banner motd\nnew", true},
		{"mtu 9000", "mtu 1500", true},
		{"logging host 10.0.0.1", "logging host 10.0.0.2", false},
	} {
		if got := replaces(p, tt.e, tt.a); got != tt.want {
			t.Errorf("replaces(%q, %q) = %v, want %v", tt.e, tt.a, got, tt.want)
		}
	}
	if commandKey("hostname") != "" || commandKey("description x") != "description" {
		t.Errorf("commandKey: %q %q", commandKey("hostname"), commandKey("description x"))
	}
}

func TestRemediationAndFixEdges(t *testing.T) {
	p := Lookup("cisco_ios")
	run := Parse(p, "hostname r1\n")
	want := Parse(p, "hostname r1\ninterface Loopback5\nntp server 10.0.1.1\n")
	// A new section with nothing under it is still a mode entered: exit
	// before a global line.
	if diff := cmp.Diff([]string{"interface Loopback5", " exit", "ntp server 10.0.1.1"}, Remediation(run, want)); diff != "" {
		t.Errorf("remediation (-want +got):\n%s", diff)
	}
	if commandKey("") != "" || commandKey("secondary") != "" {
		t.Error("commandKey of an empty line")
	}
	ios := load(t, "cisco_ios", "ios.txt")
	r := mustRule(t, Rule{ID: "x", Block: Block{Sections: []Section{{Pattern: `router bgp .*`, Block: Block{
		Required: []string{"bgp graceful-restart"},
		Sections: []Section{{Pattern: `address-family .*`, Block: Block{Required: []string{"neighbor 10.9.0.3 activate"}}}},
	}}}}})
	wantFix := []string{"router bgp 65000", " bgp graceful-restart", " address-family ipv4 vrf blue", "  neighbor 10.9.0.3 activate"}
	if diff := cmp.Diff(wantFix, r.Fix(ios, r.Check(ios))); diff != "" {
		t.Errorf("fix (-want +got):\n%s", diff)
	}
	// From a deeper section back to its parent: one exit.
	r = mustRule(t, Rule{ID: "y", Block: Block{Sections: []Section{
		{Pattern: `router bgp .*`, Block: Block{Sections: []Section{{Pattern: `address-family .*`, Block: Block{Required: []string{"neighbor 10.9.0.3 activate"}}}}}},
		{Pattern: `router bgp .*`, Block: Block{Required: []string{"bgp graceful-restart"}}},
	}}})
	wantFix = []string{"router bgp 65000", " address-family ipv4 vrf blue", "  neighbor 10.9.0.3 activate", "  exit", " bgp graceful-restart"}
	if diff := cmp.Diff(wantFix, r.Fix(ios, r.Check(ios))); diff != "" {
		t.Errorf("fix (-want +got):\n%s", diff)
	}
	if commandKey("username bob") != "username bob" {
		t.Errorf("commandKey(username bob) = %q", commandKey("username bob"))
	}
	// Empty entries (the language refuses them) check nothing and do not
	// crash.
	e := mustRule(t, Rule{ID: "e", Block: Block{Required: []string{""}, Forbidden: []string{""}}})
	j := load(t, "juniper_junos", "junos.txt")
	_ = e.Fix(j, e.Check(j))
	_ = e.Fix(ios, e.Check(ios))
}
