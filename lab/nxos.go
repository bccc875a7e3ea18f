package lab

import (
	"fmt"
	"strings"
	"time"
)

// nxosPlatform simulates a Nexus 9000v (cisco_nxos): login lands in
// privileged EXEC, "# " prompts, two-space config indent, explicit
// "no shutdown", "copy run start" without confirmation.
var nxosPlatform *iosLike

func initNXOS() { nxosPlatform = newNXOS() }

func newNXOS() *iosLike {
	p := &iosLike{
		name:      CiscoNXOS,
		indent:    "  ",
		loginPriv: true,
		promptSep: " ",
		more:      " --More-- ",
		globalKW: []string{"aaa", "banner", "boot", "callhome", "cdp", "class-map", "clock", "copp", "feature", "hostname",
			"interface", "ip", "ipv6", "key", "line", "logging", "mac", "ntp", "policy-map", "port-channel", "radius-server",
			"rmon", "role", "route-map", "router", "snmp-server", "spanning-tree", "ssh", "switchname", "system", "tacacs-server",
			"username", "vdc", "version", "vlan", "vpc", "vrf", "cfs", "hardware", "lldp", "nv", "evpn", "fabric"},
		secondKW:  map[string][]string{"ntp": {"server", "peer", "source", "source-interface", "master", "authenticate", "authentication-key", "trusted-key", "logging", "access-group", "distribute", "commit", "passive"}},
		ifTypes:   [][2]string{{"ethernet", "Ethernet"}, {"loopback", "loopback"}, {"vlan", "Vlan"}, {"port-channel", "port-channel"}, {"mgmt", "mgmt"}, {"tunnel", "Tunnel"}, {"nve", "nve"}},
		virtualIf: []string{"loopback", "Vlan", "port-channel", "Tunnel", "nve"},
		nxosStyle: true,
		submodes: []submodeDef{
			{"vrf context ", "config-vrf", nil},
			{"role ", "config-role", nil},
			{"route-map ", "config-route-map", nil},
		},
		subifMode:   "config-subif",
		features:    true,
		ports:       iosPorts,
		ifMode:      func(string) string { return "config-if" },
		enterConfig: "Enter configuration commands, one per line. End with CNTL/Z.\n",
		initial:     nxosInitial,
	}
	p.modes = nxosGrammars(p)
	p.actions = nxosActions()
	p.globalWords() // computed once, before sessions share the platform
	p.renderRunning = func(st *devState, c *runConfig) string {
		t := st.lastChange.UTC().Format("Mon Jan _2 15:04:05 2006")
		return "\n!Command: show running-config\n!Running configuration last done at: " + t + "\n!Time: " +
			time.Now().UTC().Format("Mon Jan _2 15:04:05 2006") + "\n\n" + c.render("  ", "") + "\n"
	}
	caret := func(s *session, pos int, what string) string {
		return strings.Repeat(" ", len(s.lastPrompt)+pos) + "^\n% " + what + " at '^' marker.\n\n"
	}
	p.invalid = func(s *session, pos int) string { return caret(s, pos, "Invalid command") }
	p.ambiguous = func(s *session, line string, m matchResult) string { return caret(s, m.pos, "Ambiguous command") }
	p.incomplete = func(s *session, line string) string { return caret(s, len(line)+1, "Incomplete command") }
	p.enable = func(p *iosLike, s *session) (string, error) {
		pw, err := s.ask("Password: ", true)
		if err != nil {
			return "", err
		}
		if pw != s.dev.spec.Secret {
			s.failed = true
			return "% Permission denied\n", nil
		}
		s.priv = true
		return "", nil
	}
	t := &cmdNode{}
	t.add("enable", p.cmdEnable)
	t.add("disable", p.cmdDisable)
	t.add("exit", p.cmdExit)
	t.add("logout", p.cmdExit)
	t.add("terminal length <n>", p.cmdTermLength)
	t.add("terminal width <n>", p.cmdTermWidth)
	t.add("terminal session-timeout <n>", p.cmdNothing)
	t.add("terminal monitor", p.cmdNothing)
	t.add("terminal no monitor", p.cmdNothing)
	t.add("configure terminal", p.cmdConfigure)
	t.add("configure", p.cmdConfigure)
	t.add("ping <...>", func(s *session, a []string) (string, error) {
		h := strings.Fields(a[0])[0]
		return fmt.Sprintf("PING %s (%s): 56 data bytes\n64 bytes from %s: icmp_seq=0 ttl=254 time=1.2 ms\n64 bytes from %s: icmp_seq=1 ttl=254 time=0.9 ms\n64 bytes from %s: icmp_seq=2 ttl=254 time=0.9 ms\n64 bytes from %s: icmp_seq=3 ttl=254 time=0.8 ms\n64 bytes from %s: icmp_seq=4 ttl=254 time=0.8 ms\n\n--- %s ping statistics ---\n5 packets transmitted, 5 packets received, 0.00%% packet loss\nround-trip min/avg/max = 0.8/0.92/1.2 ms\n", h, h, h, h, h, h, h, h), nil
	})
	t.add("show version", nxosShowVersion)
	t.add("show hostname", func(s *session, _ []string) (string, error) { return s.dev.Hostname() + ".lab.local \n", nil })
	t.add("show clock", func(s *session, _ []string) (string, error) {
		mark := "*"
		if len(s.ntpServers()) > 0 {
			mark = ""
		}
		return mark + time.Now().UTC().Format("15:04:05.000 MST Mon Jan 02 2006") + "\nTime source is NTP\n", nil
	})
	t.add("show ip interface brief", nxosShowIPIntBrief)
	t.add("show interface brief", nxosShowIntBrief)
	t.add("show interface", nxosShowInterface)
	t.add("show interface <if>", nxosShowInterface)
	t.add("show inventory", func(s *session, _ []string) (string, error) {
		sn := fmt.Sprintf("9N3K%07X", hashN(s.dev.spec.Name, "serial")&0xfffffff)
		return fmt.Sprintf("NAME: \"Chassis\",  DESCR: \"Nexus9000 C9300v Chassis\"\nPID: N9K-C9300v           ,  VID:      ,  SN: %s\n\nNAME: \"Slot 1\",  DESCR: \"Nexus 9000v 64 port Ethernet Module\"\nPID: N9K-X9364v           ,  VID:      ,  SN: %s\n\n", sn, sn), nil
	})
	t.add("show ntp peer-status", nxosShowNTPPeerStatus)
	t.add("show ntp peers", nxosShowNTPPeers)
	t.add("show ntp status", func(s *session, _ []string) (string, error) {
		return "Distribution : Disabled\nLast operational state: No session\n", nil
	})
	t.add("show ip route", nxosShowIPRoute)
	t.add("show cdp neighbors", func(s *session, _ []string) (string, error) {
		return "Capability Codes: R - Router, T - Trans-Bridge, B - Source-Route-Bridge\n                  S - Switch, H - Host, I - IGMP, r - Repeater,\n                  V - VoIP-Phone, D - Remotely-Managed-Device,\n                  s - Supports-STP-Dispute\n\nDevice-ID          Local Intrfce  Hldtme Capability  Platform      Port ID\ncore1(9QXOX90PJ62)\n                    Eth1/1         164    R S I s   N9K-C9300v    Eth1/1        \n\nTotal entries displayed: 1\n", nil
	})
	t.add("show vlan brief", func(s *session, _ []string) (string, error) {
		var b strings.Builder
		b.WriteString("\nVLAN Name                             Status    Ports\n---- -------------------------------- --------- -------------------------------\n")
		fmt.Fprintf(&b, "%-4d %-32s %-9s %s\n", 1, "default", "active", "Eth1/2, Eth1/3, Eth1/4")
		for _, v := range s.vlans() {
			fmt.Fprintf(&b, "%-4d %-32s %-9s \n", v.id, v.name, "active")
		}
		return b.String(), nil
	})
	t.add("show running-config", iosShowRun)
	t.add("show running-config interface <if>", iosShowRunIf)
	t.add("show startup-config", func(s *session, _ []string) (string, error) {
		return strings.Replace(s.configText(true), "!Command: show running-config", "!Command: show startup-config", 1), nil
	})
	save := func(s *session, _ []string) (string, error) {
		s.saveConfig()
		return "[########################################] 100%\nCopy complete, now saving to disk (please wait)...\nCopy complete.\n", nil
	}
	t.add("copy running-config startup-config", save)
	t.add("checkpoint", p.nxosCheckpoint(false))
	t.add("checkpoint description <...>", p.nxosCheckpoint(false))
	t.add("checkpoint <name>", p.nxosCheckpoint(true))
	t.add("checkpoint <name> description <...>", p.nxosCheckpoint(true))
	t.add("no checkpoint <name>", p.nxosNoCheckpoint)
	t.add("show checkpoint summary", p.nxosShowCheckpointSummary)
	t.add("rollback running-config checkpoint <name>", p.nxosRollback)
	t.add("rollback running-config checkpoint <name> atomic", p.nxosRollback)
	t.add("write memory", func(s *session, a []string) (string, error) { return save(s, a) })
	t.add("reload", func(s *session, _ []string) (string, error) {
		if s.modifiedSinceSave() {
			s.write("!!!WARNING! there is unsaved configuration!!!\n")
		}
		ans, err := s.ask("This command will reboot the system. (y/n)?  [n] ", false)
		if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ans)), "y") {
			return "", err
		}
		return "", s.reload()
	})
	t.add("clear counters", func(s *session, _ []string) (string, error) {
		s.dev.mu.Lock()
		s.dev.st.countersCleared = time.Now()
		s.dev.mu.Unlock()
		return "", nil
	})
	p.userTree, p.privTree = t, t
	return p
}

func nxosInitial(d *Device) string {
	ip0, _ := devIP(d, 0)
	ip1, _ := devIP(d, 1)
	lo, _ := devIP(d, 2)
	return fmt.Sprintf(`version 9.3(8) Bios:version
hostname %[1]s
vdc %[1]s id 1
  limit-resource vlan minimum 16 maximum 4094
  limit-resource vrf minimum 2 maximum 4096
feature ssh
feature interface-vlan
username %[2]s password 5 $5$lab$%[6]s role network-admin
ip domain-lookup
snmp-server community public group network-operator
ip route 0.0.0.0/0 10.0.255.254
vlan 1
vrf context management
  ip route 0.0.0.0/0 10.0.255.254
interface Ethernet1/1
  description uplink to core
  no switchport
  ip address %[4]s/24
  no shutdown
interface Ethernet1/2
  no shutdown
interface Ethernet1/3
  no shutdown
interface Ethernet1/4
  shutdown
interface mgmt0
  vrf member management
  ip address %[3]s/16
interface loopback0
  ip address %[5]s/32
logging server 10.0.255.50
line console
line vty
boot nxos bootflash:/nxos.9.3.8.bin
`, d.spec.Name, d.spec.Username, ip0, ip1, lo, fmt.Sprintf("%08x", hashN(d.spec.Name, "secret")))
}

func nxosShort(name string) string {
	for _, p := range [][2]string{{"Ethernet", "Eth"}, {"loopback", "Lo"}, {"port-channel", "Po"}} {
		if strings.HasPrefix(name, p[0]) {
			return p[1] + strings.TrimPrefix(name, p[0])
		}
	}
	return name
}

func nxosShowVersion(s *session, _ []string) (string, error) {
	up := time.Since(s.dev.started)
	sn := fmt.Sprintf("9N3K%07X", hashN(s.dev.spec.Name, "serial")&0xfffffff)
	return fmt.Sprintf(`Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Documents: http://www.cisco.com/en/US/products/ps9372/tsd_products_support_series_home.html
Copyright (c) 2002-2021, Cisco Systems, Inc. All rights reserved.
The copyrights to certain works contained herein are owned by
other third parties and are used and distributed under license.
Some parts of this software are covered under the GNU Public
License. A copy of the license is available at
http://www.gnu.org/licenses/gpl.html.

Nexus 9000v is a demo version of the Nexus Operating System

Software
  BIOS: version 
 NXOS: version 9.3(8)
  BIOS compile time:  
  NXOS image file is: bootflash:///nxos.9.3.8.bin
  NXOS compile time:  8/18/2021 16:00:00 [08/19/2021 02:17:16]


Hardware
  cisco Nexus9000 C9300v Chassis 
  Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz with 16409064 kB of memory.
  Processor Board ID %s

  Device name: %s
  bootflash:    4287040 kB
Kernel uptime is %d day(s), %d hour(s), %d minute(s), %d second(s)

Last reset 
  Reason: Unknown
  System version: 
  Service: 

plugin
  Core Plugin, Ethernet Plugin

Active Package(s):
 
`, sn, s.dev.Hostname(), int(up.Hours())/24, int(up.Hours())%24, int(up.Minutes())%60, int(up.Seconds())%60), nil
}

func nxosShowIPIntBrief(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("IP Interface Status for VRF \"default\"(1)\nInterface            IP Address      Interface Status\n")
	for _, it := range s.interfaces(true) {
		if it.addr == "" || it.vrf != "" {
			continue
		}
		st := "protocol-up/link-up/admin-up"
		if it.shutdown {
			st = "protocol-down/link-down/admin-down"
		}
		fmt.Fprintf(&b, "%-20s %-15s %s       \n", nxosShort(it.name), it.addr, st)
	}
	return b.String(), nil
}

func nxosShowIntBrief(s *session, _ []string) (string, error) {
	its := s.interfaces(true)
	var b strings.Builder
	line := strings.Repeat("-", 80) + "\n"
	b.WriteString("\n" + line + "Port   VRF          Status IP Address                              Speed    MTU\n" + line)
	for _, it := range its {
		if it.name == "mgmt0" {
			fmt.Fprintf(&b, "%-6s %-12s %-6s %-39s %-8s %d\n", "mgmt0", "--", updown(it), it.addr, "1000", it.mtu)
		}
	}
	b.WriteString("\n" + line + "Ethernet      VLAN    Type Mode   Status  Reason                   Speed     Port\nInterface                                                                    Ch #\n" + line)
	for _, it := range its {
		if !strings.HasPrefix(it.name, "Ethernet") {
			continue
		}
		vlan, mode := "1", "access"
		if it.addr != "" {
			vlan, mode = "--", "routed"
		}
		reason := "none"
		if it.shutdown {
			reason = "Administratively down"
		}
		fmt.Fprintf(&b, "%-13s %-7s eth  %-6s %-7s %-24s %-9s --\n", nxosShort(it.name), vlan, mode, updown(it), reason, "1000(D)")
	}
	b.WriteString("\n" + line + "Interface     Status     Description\n" + line)
	for _, it := range its {
		if strings.HasPrefix(it.name, "loopback") {
			d := it.desc
			if d == "" {
				d = "--"
			}
			fmt.Fprintf(&b, "%-13s %-10s %s\n", nxosShort(it.name), updown(it), d)
		}
	}
	b.WriteString("\n")
	return b.String(), nil
}

func updown(it iface) string {
	if it.shutdown {
		return "down"
	}
	return "up"
}

func nxosShowInterface(s *session, args []string) (string, error) {
	its := s.interfaces(true)
	if len(args) == 1 {
		sel, ok := nxosPlatform.oneInterface(its, args[0])
		if !ok {
			return nxosPlatform.invalid(s, strings.LastIndex(s.lastLine, args[0])), nil
		}
		its = sel
	}
	var b strings.Builder
	for _, it := range its {
		if it.shutdown {
			fmt.Fprintf(&b, "%s is down (Administratively down)\nadmin state is down, Dedicated Interface\n", it.name)
		} else {
			fmt.Fprintf(&b, "%s is up\nadmin state is up, Dedicated Interface\n", it.name)
		}
		mac := macFor(s.dev.index, it.index)
		fmt.Fprintf(&b, "  Hardware: 100/1000/10000 Ethernet, address: %s (bia %s)\n", mac, mac)
		if it.desc != "" {
			fmt.Fprintf(&b, "  Description: %s\n", it.desc)
		}
		if it.addr != "" {
			fmt.Fprintf(&b, "  Internet Address is %s/%d\n", it.addr, it.prefix)
		}
		inPk, outPk, inB, outB := s.counters(it)
		fmt.Fprintf(&b, "  MTU %d bytes, BW 1000000 Kbit , DLY 10 usec\n  reliability 255/255, txload 1/255, rxload 1/255\n  Encapsulation ARPA, medium is broadcast\n  full-duplex, 1000 Mb/s\n  RX\n    %d unicast packets  0 multicast packets  0 broadcast packets\n    %d input packets  %d bytes\n  TX\n    %d unicast packets  0 multicast packets  0 broadcast packets\n    %d output packets  %d bytes\n\n", it.mtu, inPk, inPk, inB, outPk, outPk, outB)
	}
	return b.String(), nil
}

func nxosShowNTPPeerStatus(s *session, _ []string) (string, error) {
	servers := s.ntpServers()
	var b strings.Builder
	fmt.Fprintf(&b, "Total peers : %d\n* - selected for sync, + -  peer mode(active), \n- - peer mode(passive), = - polled in client mode \n    remote                                 local                                   st   poll   reach delay   vrf\n%s\n", len(servers), strings.Repeat("-", 119))
	ip0, _ := devIP(s.dev, 0)
	for i, a := range servers {
		st, _, reach, delay, _, _ := ntpPeer(s.dev.spec.Name, a, i)
		mark := "="
		if i == 0 {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s%-42s %-39s %-4d %-6d %-5d %.5f management\n", mark, a, ip0, st, 64, reach, delay/1000)
	}
	return b.String(), nil
}

func nxosShowNTPPeers(s *session, _ []string) (string, error) {
	var b strings.Builder
	line := strings.Repeat("-", 77) + "\n"
	b.WriteString(line + "  Peer IP Address               Serv/Peer Prefer KeyId   Vrf\n" + line)
	for _, a := range s.ntpServers() {
		fmt.Fprintf(&b, "  %-29s Server    no     None    management\n", a)
	}
	return b.String(), nil
}

func nxosShowIPRoute(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("IP Route Table for VRF \"default\"\n'*' denotes best ucast next-hop\n'**' denotes best mcast next-hop\n'[x/y]' denotes [preference/metric]\n'%<string>' in via output denotes VRF <string>\n\n")
	for _, r := range s.staticRoutes() {
		fmt.Fprintf(&b, "%s, ubest/mbest: 1/0\n    *via %s, [1/0], 00:10:00, static\n", r[0], r[2])
	}
	for _, it := range s.interfaces(true) {
		if it.addr == "" || it.shutdown || it.vrf != "" {
			continue
		}
		if it.prefix < 32 {
			fmt.Fprintf(&b, "%s/%d, ubest/mbest: 1/0, attached\n    *via %s, %s, [0/0], 00:10:00, direct\n", it.network(), it.prefix, it.addr, nxosShort(it.name))
		}
		fmt.Fprintf(&b, "%s/32, ubest/mbest: 1/0, attached\n    *via %s, %s, [0/0], 00:10:00, local\n", it.addr, it.addr, nxosShort(it.name))
	}
	return b.String(), nil
}

type vlanInfo struct {
	id   int
	name string
}

func (s *session) vlans() []vlanInfo {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	var out []vlanInfo
	for _, st := range s.dev.st.running.stanzas {
		var id int
		if _, err := fmt.Sscanf(st.line, "vlan %d", &id); err == nil && id > 1 {
			name, ok := st.child("name")
			if !ok {
				name = fmt.Sprintf("VLAN%04d", id)
			}
			out = append(out, vlanInfo{id, name})
		}
	}
	return out
}
