package lab

import (
	"fmt"
	"strings"
	"time"
)

// eosPlatform simulates a vEOS-lab switch (arista_eos): "host>" at login
// (an account without privilege 15; StartPrivileged gives "host#"), enable
// with "% Access denied" on a wrong secret, three-space config indent,
// "Copy completed successfully." on save.
var eosPlatform *iosLike

func initEOS() { eosPlatform = newEOS() }

func newEOS() *iosLike {
	p := &iosLike{
		name:   AristaEOS,
		indent: "   ",
		more:   " --More-- ",
		globalKW: []string{"aaa", "banner", "boot", "clock", "daemon", "dns", "enable", "errdisable", "event-handler",
			"hostname", "interface", "ip", "ipv6", "lldp", "logging", "mac", "management", "mlag", "monitor", "ntp",
			"policy-map", "class-map", "queue-monitor", "radius-server", "role", "route-map", "router", "service",
			"snmp-server", "spanning-tree", "tacacs-server", "transceiver", "username", "vlan", "vrf", "vrrp", "ptp", "sflow"},
		secondKW:  map[string][]string{"ntp": {"server", "source", "authenticate", "authentication-key", "trusted-key", "serve"}},
		ifTypes:   [][2]string{{"ethernet", "Ethernet"}, {"loopback", "Loopback"}, {"vlan", "Vlan"}, {"port-channel", "Port-Channel"}, {"management", "Management"}, {"tunnel", "Tunnel"}, {"vxlan", "Vxlan"}},
		virtualIf: []string{"Loopback", "Vlan", "Port-Channel", "Tunnel", "Vxlan"},
		submodes: []submodeDef{
			{"management ", "config-mgmt", nil},
			{"vrf instance ", "config-vrf", nil},
			{"route-map ", "config-route-map", nil},
		},
		ports: eosPorts,
		// EOS names the interface in the prompt: (config-if-Et1).
		ifMode: func(name string) string {
			return "config-if-" + abbrevIf(strings.Replace(strings.Replace(name, "Management", "Ma", 1), "Port-Channel", "Po", 1))
		},
		enterConfig: "",
		initial:     eosInitial,
	}
	p.modes = eosGrammars(p)
	p.actions = eosActions()
	p.globalWords() // computed once, before sessions share the platform
	p.renderRunning = func(st *devState, c *runConfig) string {
		return "! Command: show running-config\n! device: " + st.hostname() + " (vEOS-lab, EOS-4.28.3M)\n!\n! boot system flash:/vEOS-lab.swi\n!\n" +
			c.render("   ", "!") + "!\nend\n"
	}
	p.invalid = func(s *session, pos int) string {
		toks := tokenize(s.lastLine)
		for i, t := range toks {
			if t.pos >= pos {
				return fmt.Sprintf("%% Invalid input (at token %d: '%s')\n", i, t.s)
			}
		}
		return "% Invalid input\n"
	}
	p.ambiguous = func(s *session, line string, m matchResult) string { return "% Ambiguous command\n" }
	p.privRequired = "% Invalid input (privileged mode required)\n"
	p.incomplete = func(s *session, line string) string { return "% Incomplete command\n" }
	p.enable = func(p *iosLike, s *session) (string, error) {
		pw, err := s.ask("Password: ", true)
		if err != nil {
			return "", err
		}
		if pw != s.dev.spec.Secret {
			s.failed = true
			return "% Access denied\n", nil
		}
		s.priv = true
		return "", nil
	}
	user, priv := &cmdNode{}, &cmdNode{}
	for _, t := range []*cmdNode{user, priv} {
		t.add("enable", p.cmdEnable)
		t.add("exit", p.cmdExit)
		t.add("logout", p.cmdExit)
		t.add("terminal length <n>", p.cmdTermLength)
		t.add("terminal width <n>", p.cmdTermWidth)
		t.add("terminal monitor", p.cmdNothing)
		t.add("ping <...>", func(s *session, a []string) (string, error) {
			h := strings.Fields(a[0])[0]
			return fmt.Sprintf("PING %s (%s) 72(100) bytes of data.\n80 bytes from %s: icmp_seq=1 ttl=64 time=0.1 ms\n80 bytes from %s: icmp_seq=2 ttl=64 time=0.1 ms\n\n--- %s ping statistics ---\n2 packets transmitted, 2 received, 0%% packet loss, time 1ms\nrtt min/avg/max/mdev = 0.100/0.100/0.100/0.000 ms\n", h, h, h, h, h), nil
		})
		t.add("show version", eosShowVersion)
		t.add("show hostname", func(s *session, _ []string) (string, error) {
			h := s.dev.Hostname()
			return "Hostname: " + h + "\nFQDN:     " + h + ".lab.local\n", nil
		})
		t.add("show clock", func(s *session, _ []string) (string, error) {
			src := "local"
			if sv := s.ntpServers(); len(sv) > 0 {
				src = "NTP server (" + sv[0] + ")"
			}
			return time.Now().UTC().Format("Mon Jan _2 15:04:05 2006") + "\nTimezone: UTC\nClock source: " + src + "\n", nil
		})
		t.add("show ip interface brief", eosShowIPIntBrief)
		t.add("show interfaces", eosShowInterfaces)
		t.add("show interfaces <if>", eosShowInterfaces)
		t.add("show interfaces status", eosShowIntStatus)
		t.add("show inventory", func(s *session, _ []string) (string, error) {
			sn := fmt.Sprintf("%012X", uint64(hashN(s.dev.spec.Name, "serial")))
			return fmt.Sprintf("System information\n  Model                    Description\n  ------------------------ ----------------------------------------------\n  vEOS-lab                 Arista Networks EOS\n\n  HW Version  Serial Number  Mfg Date\n  ----------- -------------- ----------\n              %s\n\nSystem has 4 switched transceiver slots\n", sn), nil
		})
		t.add("show ntp associations", eosShowNTPAssoc)
		t.add("show ntp status", func(s *session, _ []string) (string, error) {
			sv := s.ntpServers()
			if len(sv) == 0 {
				return "NTP is disabled.\n", nil
			}
			st, _, _, _, _, _ := ntpPeer(s.dev.spec.Name, sv[0], 0)
			return fmt.Sprintf("synchronised to NTP server (%s) at stratum %d\n   time correct to within 12 ms\n   polling server every 64 s\n", sv[0], st+1), nil
		})
		t.add("show ip route", eosShowIPRoute)
		t.add("show lldp neighbors", func(s *session, _ []string) (string, error) {
			return "Last table change time   : 0:10:00 ago\nNumber of table inserts  : 1\nNumber of table deletes  : 0\nNumber of table drops    : 0\nNumber of table age-outs : 0\n\nPort          Neighbor Device ID       Neighbor Port ID    TTL\n---------- ------------------------ ---------------------- ---\nEt1           core1.lab.local          Ethernet1           120\n", nil
		})
		t.add("show vlan", eosShowVlan)
		t.add("show vlan brief", eosShowVlan)
		t.add("show privilege", func(s *session, _ []string) (string, error) {
			if s.priv {
				return "Current privilege level is 15\n", nil
			}
			return "Current privilege level is 1\n", nil
		})
	}
	priv.add("disable", p.cmdDisable)
	priv.add("configure terminal", p.cmdConfigure)
	priv.add("configure", p.cmdConfigure)
	priv.add("show running-config", iosShowRun)
	priv.add("show running-config interfaces <if>", iosShowRunIf)
	priv.add("show startup-config", func(s *session, _ []string) (string, error) {
		return strings.Replace(s.configText(true), "! Command: show running-config", "! Command: show startup-config", 1), nil
	})
	save := func(s *session, _ []string) (string, error) {
		s.saveConfig()
		return "Copy completed successfully.\n", nil
	}
	priv.add("write", save)
	priv.add("write memory", save)
	priv.add("copy running-config startup-config", save)
	priv.add("copy running-config <dst>", p.eosCopyToFile(false))
	priv.add("copy startup-config <dst>", p.eosCopyToFile(true))
	priv.add("dir", p.eosDir)
	priv.add("dir <fs>", p.eosDir)
	priv.add("delete <...>", p.eosDelete)
	priv.add("configure replace <file>", p.eosConfigureReplace)
	priv.add("reload", iosReload)
	priv.add("clear counters", p.cmdClearCounters)
	p.userTree, p.privTree = user, priv
	return p
}

func eosInitial(d *Device) string {
	ip0, _ := devIP(d, 0)
	ip1, _ := devIP(d, 1)
	lo, _ := devIP(d, 2)
	return fmt.Sprintf(`no aaa root
username %[2]s secret sha512 $6$lab$%[6]s
transceiver qsfp default-mode 4x10G
service routing protocols model multi-agent
hostname %[1]s
ip domain-name lab.local
snmp-server community public ro
spanning-tree mode mstp
interface Ethernet1
   description uplink to core
   no switchport
   ip address %[4]s/24
interface Ethernet2
interface Ethernet3
interface Ethernet4
   shutdown
interface Loopback0
   ip address %[5]s/32
interface Management1
   ip address %[3]s/16
ip routing
ip route 0.0.0.0/0 10.0.255.254
logging host 10.0.255.50
management api http-commands
   no shutdown
`, d.spec.Name, d.spec.Username, ip0, ip1, lo, fmt.Sprintf("%08x", hashN(d.spec.Name, "secret")))
}

func eosShort(name string) string {
	for _, p := range [][2]string{{"Ethernet", "Et"}, {"Management", "Ma"}, {"Loopback", "Lo"}, {"Port-Channel", "Po"}} {
		if strings.HasPrefix(name, p[0]) {
			return p[1] + strings.TrimPrefix(name, p[0])
		}
	}
	return name
}

func eosShowVersion(s *session, _ []string) (string, error) {
	mac := macFor(s.dev.index, 0)
	up := time.Since(s.dev.started)
	return fmt.Sprintf(`Arista vEOS-lab
Hardware version: 
Serial number: %012X
Hardware MAC address: %s
System MAC address: %s

Software image version: 4.28.3M
Architecture: x86_64
Internal build version: 4.28.3M-28837868.4283M
Internal build ID: 3d0e6d68-5e7c-4a5f-9f6e-9f1e2d3c4b5a
Image format version: 1.0
Image optimization: None

Uptime: %d hours and %d minutes
Total memory: 3970668 kB
Free memory: 2553036 kB

`, uint64(hashN(s.dev.spec.Name, "serial")), mac, mac, int(up.Hours()), int(up.Minutes())%60), nil
}

func eosShowIPIntBrief(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("                                                                        Address\nInterface         IP Address           Status       Protocol         MTU    Owner  \n----------------- -------------------- ------------ -------------- -------- -------\n")
	for _, it := range s.interfaces(false) {
		if it.addr == "" {
			continue
		}
		st, proto := "up", "up"
		if it.shutdown {
			st, proto = "admin down", "down"
		}
		mtu := it.mtu
		if strings.HasPrefix(it.name, "Loopback") {
			mtu = 65535
		}
		fmt.Fprintf(&b, "%-17s %-20s %-12s %-14s %8d        \n", it.name, fmt.Sprintf("%s/%d", it.addr, it.prefix), st, proto, mtu)
	}
	return b.String(), nil
}

func eosShowIntStatus(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("Port       Name              Status       Vlan     Duplex Speed  Type            Flags Encapsulation\n")
	for _, it := range s.interfaces(false) {
		if !strings.HasPrefix(it.name, "Ethernet") && !strings.HasPrefix(it.name, "Management") {
			continue
		}
		st, vlan := "connected", "1"
		if it.shutdown {
			st = "disabled"
		}
		if it.addr != "" {
			vlan = "routed"
		}
		fmt.Fprintf(&b, "%-10s %-17s %-12s %-8s %-6s %-6s %-15s\n", eosShort(it.name), it.desc, st, vlan, "full", "1G", "EbraTestPhyPort")
	}
	return b.String(), nil
}

func eosShowInterfaces(s *session, args []string) (string, error) {
	its := s.interfaces(false)
	if len(args) == 1 {
		sel, ok := eosPlatform.oneInterface(its, args[0])
		if !ok {
			return eosPlatform.invalid(s, strings.LastIndex(s.lastLine, args[0])), nil
		}
		its = sel
	}
	var b strings.Builder
	for _, it := range its {
		if it.shutdown {
			fmt.Fprintf(&b, "%s is administratively down, line protocol is down (disabled)\n", it.name)
		} else {
			fmt.Fprintf(&b, "%s is up, line protocol is up (connected)\n", it.name)
		}
		mac := macFor(s.dev.index, it.index)
		fmt.Fprintf(&b, "  Hardware is Ethernet, address is %s (bia %s)\n", mac, mac)
		if it.desc != "" {
			fmt.Fprintf(&b, "  Description: %s\n", it.desc)
		}
		if it.addr != "" {
			fmt.Fprintf(&b, "  Internet address is %s/%d\n  Broadcast address is 255.255.255.255\n", it.addr, it.prefix)
		}
		inPk, outPk, inB, outB := s.counters(it)
		fmt.Fprintf(&b, "  IP MTU %d bytes , BW 1000000 kbit\n  Full-duplex, 1Gb/s, auto negotiation: off, uni-link: n/a\n  Up 10 minutes\n  Loopback Mode : None\n  1 link status changes since last clear\n  Last clearing of \"show interface\" counters never\n  5 minutes input rate 0 bps (0.0%% with framing overhead), 0 packets/sec\n  5 minutes output rate 0 bps (0.0%% with framing overhead), 0 packets/sec\n     %d packets input, %d bytes\n     Received 0 broadcasts, 0 multicast\n     0 runts, 0 giants\n     0 input errors, 0 CRC, 0 alignment, 0 symbol, 0 input discards\n     0 PAUSE input\n     %d packets output, %d bytes\n     Sent 0 broadcasts, 0 multicast\n     0 output errors, 0 collisions\n     0 late collision, 0 deferred, 0 output discards\n     0 PAUSE output\n", it.mtu, inPk, inB, outPk, outB)
	}
	return b.String(), nil
}

func eosShowNTPAssoc(s *session, _ []string) (string, error) {
	sv := s.ntpServers()
	if len(sv) == 0 {
		return "NTP is disabled.\n", nil
	}
	var b strings.Builder
	b.WriteString("     remote          refid      st t when  poll reach   delay   offset  jitter\n==============================================================================\n")
	for i, a := range sv {
		st, when, reach, delay, off, disp := ntpPeer(s.dev.spec.Name, a, i)
		mark := "+"
		if i == 0 {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s%-15s .GPS.           %2d u %4d %5d %4d %8.3f %8.3f %7.3f\n", mark, a, st, when, 64, reach, delay, off, disp)
	}
	return b.String(), nil
}

func eosShowIPRoute(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString(`VRF: default
Codes: C - connected, S - static, K - kernel, 
       O - OSPF, IA - OSPF inter area, E1 - OSPF external type 1,
       E2 - OSPF external type 2, N1 - OSPF NSSA external type 1,
       N2 - OSPF NSSA external type2, B - Other BGP Routes,
       B I - iBGP, B E - eBGP, R - RIP, I L1 - IS-IS level 1,
       I L2 - IS-IS level 2, O3 - OSPFv3, A B - BGP Aggregate,
       A O - OSPF Summary, NG - Nexthop Group Static Route,
       V - VXLAN Control Service, M - Martian,
       DH - DHCP client installed default route,
       DP - Dynamic Policy Route, L - VRF Leaked,
       G  - gRIBI, RC - Route Cache Route

`)
	gw := "Gateway of last resort is not set\n\n"
	var lines []string
	for _, r := range s.staticRoutes() {
		if r[0] == "0.0.0.0/0" {
			gw = "Gateway of last resort:\n"
			lines = append(lines, fmt.Sprintf(" S        0.0.0.0/0 [1/0] via %s, Management1\n", r[2]))
			continue
		}
		lines = append(lines, fmt.Sprintf(" S        %s [1/0] via %s\n", r[0], r[2]))
	}
	b.WriteString(gw)
	for i, l := range lines {
		if i == 0 && strings.HasPrefix(gw, "Gateway of last resort:") {
			b.WriteString(l + "\n")
			continue
		}
		b.WriteString(l)
	}
	for _, it := range s.interfaces(false) {
		if it.addr == "" || it.shutdown {
			continue
		}
		fmt.Fprintf(&b, " C        %s/%d is directly connected, %s\n", it.network(), it.prefix, it.name)
	}
	b.WriteString("\n")
	return b.String(), nil
}

func eosShowVlan(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("VLAN  Name                             Status    Ports\n----- -------------------------------- --------- -------------------------------\n")
	fmt.Fprintf(&b, "%-5d %-32s %-9s %s\n", 1, "default", "active", "Et2, Et3, Et4")
	for _, v := range s.vlans() {
		fmt.Fprintf(&b, "%-5d %-32s %-9s \n", v.id, v.name, "active")
	}
	b.WriteString("\n")
	return b.String(), nil
}
