package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// iosPlatform simulates an IOSv / IOS-XE router (cisco_ios, cisco_xe).
var iosPlatform *iosLike

func initIOS() { iosPlatform = newIOS() }

func newIOS() *iosLike {
	p := &iosLike{
		name:      CiscoIOS,
		indent:    " ",
		more:      " --More-- ",
		globalKW:  iosGlobalKW,
		secondKW:  map[string][]string{"ip": iosIPKW, "ntp": iosNTPKW},
		ifTypes:   [][2]string{{"gigabitethernet", "GigabitEthernet"}, {"loopback", "Loopback"}, {"vlan", "Vlan"}, {"port-channel", "Port-channel"}, {"tunnel", "Tunnel"}, {"tengigabitethernet", "TenGigabitEthernet"}, {"fastethernet", "FastEthernet"}},
		virtualIf: []string{"Loopback", "Vlan", "Port-channel", "Tunnel"},
		submodes: []submodeDef{
			{"route-map ", "config-route-map", nil},
			{"class-map ", "config-cmap", nil},
			{"policy-map ", "config-pmap", nil},
			{"vrf definition ", "config-vrf", nil},
			{"archive", "config-archive", nil},
			{"key chain ", "config-keychain", nil},
		},
		subifMode:   "config-subif",
		afExit:      true,
		ports:       iosPorts,
		ifMode:      func(string) string { return "config-if" },
		enterConfig: "Enter configuration commands, one per line.  End with CNTL/Z.\n",
		initial:     iosInitial,
	}
	p.modes = iosGrammars(p)
	p.actions = iosActions()
	p.globalWords() // computed once, before sessions share the platform
	p.renderRunning = func(st *devState, c *runConfig) string {
		body := "!\n! Last configuration change at " + st.lastChange.UTC().Format("15:04:05 MST Mon Jan 2 2006") + " by " + st.dev.spec.Username + "\n!\n" +
			c.render(" ", "!") + "!\nend\n"
		return fmt.Sprintf("Building configuration...\n\nCurrent configuration : %d bytes\n", len(body)) + body
	}
	p.invalid = func(s *session, pos int) string {
		return strings.Repeat(" ", len(s.lastPrompt)+pos) + "^\n% Invalid input detected at '^' marker.\n\n"
	}
	p.ambiguous = func(s *session, line string, m matchResult) string {
		return fmt.Sprintf("%% Ambiguous command:  %q\n", strings.TrimSpace(line))
	}
	p.incomplete = func(s *session, line string) string { return "% Incomplete command.\n\n" }
	p.enable = func(p *iosLike, s *session) (string, error) {
		// IOS asks three times, then gives up with "% Bad secrets".
		for i := 0; i < 3; i++ {
			pw, err := s.ask("Password: ", true)
			if err != nil {
				return "", err
			}
			if pw == s.dev.spec.Secret {
				s.priv = true
				return "", nil
			}
		}
		s.failed = true
		return "% Bad secrets\n\n", nil
	}

	user, priv := &cmdNode{}, &cmdNode{}
	for _, t := range []*cmdNode{user, priv} {
		t.add("enable", p.cmdEnable)
		t.add("exit", p.cmdExit)
		t.add("logout", p.cmdExit)
		t.add("quit", p.cmdExit)
		t.add("terminal length <n>", p.cmdTermLength)
		t.add("terminal width <n>", p.cmdTermWidth)
		t.add("terminal monitor", p.cmdNothing)
		t.add("terminal no monitor", p.cmdNothing)
		t.add("ping <...>", p.cmdPing)
		t.add("traceroute <...>", iosTraceroute)
		t.add("show version", iosShowVersion)
		t.add("show clock", iosShowClock)
		t.add("show ip interface brief", iosShowIPIntBrief)
		t.add("show interfaces", iosShowInterfaces)
		t.add("show interfaces <if>", iosShowInterfaces)
		t.add("show inventory", iosShowInventory)
		t.add("show ntp associations", iosShowNTPAssoc)
		t.add("show ntp status", iosShowNTPStatus)
		t.add("show ip route", iosShowIPRoute)
		t.add("show cdp neighbors", iosShowCDP)
		t.add("show vlan brief", iosShowVlanBrief)
		t.add("show privilege", func(s *session, _ []string) (string, error) {
			if s.priv {
				return "Current privilege level is 15\n", nil
			}
			return "Current privilege level is 1\n", nil
		})
		t.add("show users", func(s *session, _ []string) (string, error) {
			return "    Line       User       Host(s)              Idle       Location\n*  2 vty 0     " + fmt.Sprintf("%-10s idle                 00:00:00 127.0.0.1\n", s.conn.user) + "\n  Interface    User               Mode         Idle     Peer Address\n\n", nil
		})
		t.add("show history", func(s *session, _ []string) (string, error) { return "", nil })
	}
	priv.add("disable", p.cmdDisable)
	priv.add("configure terminal", p.cmdConfigure)
	priv.add("configure", func(s *session, args []string) (string, error) {
		ans, err := s.ask("Configuring from terminal, memory, or network [terminal]? ", false)
		if err != nil {
			return "", err
		}
		if a := strings.ToLower(strings.TrimSpace(ans)); a != "" && !strings.HasPrefix("terminal", a) {
			return "?Must be \"terminal\", \"memory\" or \"network\"\n", nil
		}
		return p.cmdConfigure(s, args)
	})
	priv.add("show running-config", iosShowRun)
	priv.add("show running-config interface <if>", iosShowRunIf)
	priv.add("show startup-config", func(s *session, _ []string) (string, error) {
		out := s.configText(true)
		// startup-config has no "Building configuration" header.
		if i := strings.Index(out, "!\n"); i >= 0 {
			out = "Using " + itoa(len(out)) + " out of 262144 bytes\n" + out[i:]
		}
		return out, nil
	})
	priv.add("write", iosWriteMemory)
	priv.add("write memory", iosWriteMemory)
	priv.add("write terminal", iosShowRun)
	priv.add("copy running-config startup-config", iosCopyRunStart)
	priv.add("copy startup-config running-config", iosCopyStartRun)
	priv.add("copy <...>", func(s *session, args []string) (string, error) {
		return "%Error parsing filename (Invalid argument)\n", nil
	})
	priv.add("reload", iosReload)
	priv.add("reload in <n>", iosReloadIn)
	priv.add("reload cancel", func(s *session, _ []string) (string, error) {
		s.dev.mu.Lock()
		defer s.dev.mu.Unlock()
		if s.dev.st.reloadAt.IsZero() {
			return "%No reload is scheduled.\n", nil
		}
		s.dev.st.reloadAt = time.Time{}
		return "\n\n***\n*** --- SHUTDOWN ABORTED ---\n***\n\n", nil
	})
	priv.add("show reload", func(s *session, _ []string) (string, error) {
		s.dev.mu.Lock()
		defer s.dev.mu.Unlock()
		if at := s.dev.st.reloadAt; !at.IsZero() {
			return fmt.Sprintf("Reload scheduled for %s (in %s) by %s on vty0 (127.0.0.1)\n", at.UTC().Format("15:04:05 MST Mon Jan 2 2006"), time.Until(at).Truncate(time.Second), s.conn.user), nil
		}
		return "No reload is scheduled.\n", nil
	})
	priv.add("clear counters", p.cmdClearCounters)
	priv.add("dir", p.iosDir)
	priv.add("dir <fs>", p.iosDir)
	priv.add("more <file>", p.iosMore)
	priv.add("delete <...>", p.iosDelete)
	priv.add("copy running-config <dst>", p.iosCopyRunFile)
	priv.add("configure replace <file>", p.iosConfigureReplace(false))
	priv.add("configure replace <file> force", p.iosConfigureReplace(true))
	p.userTree, p.privTree = user, priv
	return p
}

var iosGlobalKW = []string{
	"aaa", "access-list", "alias", "archive", "banner", "boot", "bridge", "call-home", "cdp", "class-map", "clock",
	"config-register", "control-plane", "crypto", "default", "dot1x", "enable", "errdisable", "event", "file",
	"hostname", "interface", "ip", "ipv6", "key", "license", "line", "lldp", "logging", "login", "mac", "monitor",
	"mpls", "multilink", "ntp", "parameter-map", "platform", "policy-map", "privilege", "redundancy", "rmon",
	"route-map", "router", "service", "snmp-server", "spanning-tree", "subscriber", "tacacs", "tacacs-server",
	"radius", "radius-server", "track", "username", "version", "vlan", "vrf", "vtp", "archive", "memory", "scheduler",
	"security", "system", "table-map", "template", "threat-visibility", "udld", "vtp",
}

var iosIPKW = []string{"access-list", "address", "access-group", "arp", "as-path", "cef", "community-list", "dhcp",
	"domain", "domain-lookup", "domain-name", "forward-protocol", "ftp", "helper-address", "host", "http", "igmp",
	"mtu", "multicast-routing", "name-server", "nat", "ospf", "pim", "prefix-list", "proxy-arp", "redirects", "route",
	"routing", "scp", "sla", "source-route", "ssh", "tacacs", "tcp", "tftp", "unreachables", "vrf"}

var iosNTPKW = []string{"access-group", "authenticate", "authentication-key", "broadcast", "logging", "master", "peer",
	"server", "source", "trusted-key", "update-calendar"}

func devIP(d *Device, iface int) (string, int) {
	i := d.index
	switch iface {
	case 0:
		return fmt.Sprintf("10.0.%d.%d", i/250, i%250+1), 16
	case 1:
		return fmt.Sprintf("10.1.%d.1", i%256), 24
	default:
		return fmt.Sprintf("192.0.2.%d", i%250+1), 32
	}
}

func iosInitial(d *Device) string {
	ip0, _ := devIP(d, 0)
	ip1, _ := devIP(d, 1)
	lo, _ := devIP(d, 2)
	return fmt.Sprintf(`version 15.9
service timestamps debug datetime msec
service timestamps log datetime msec
no service password-encryption
hostname %[1]s
boot-start-marker
boot-end-marker
no aaa new-model
no ip domain lookup
ip domain name lab.local
ip cef
no ipv6 cef
username %[2]s privilege 15 secret 9 $9$lab$%[6]s
interface Loopback0
 ip address %[5]s 255.255.255.255
interface GigabitEthernet0/0
 description uplink to core
 ip address %[3]s 255.255.0.0
 duplex auto
 speed auto
 media-type rj45
interface GigabitEthernet0/1
 description access
 ip address %[4]s 255.255.255.0
 duplex auto
 speed auto
 media-type rj45
interface GigabitEthernet0/2
 no ip address
 shutdown
 duplex auto
 speed auto
 media-type rj45
interface GigabitEthernet0/3
 no ip address
 shutdown
 duplex auto
 speed auto
 media-type rj45
router ospf 1
 router-id %[5]s
 network 10.0.0.0 0.255.255.255 area 0
ip forward-protocol nd
no ip http server
no ip http secure-server
ip route 0.0.0.0 0.0.0.0 10.0.255.254
ip ssh version 2
logging host 10.0.255.50
snmp-server community public RO
control-plane
line con 0
 logging synchronous
line aux 0
line vty 0 4
 login local
 transport input ssh
`, d.spec.Name, d.spec.Username, ip0, ip1, lo, fmt.Sprintf("%08x", hashN(d.spec.Name, "secret")))
}

func iosShowRun(s *session, _ []string) (string, error) { return s.configText(false), nil }

func iosShowRunIf(s *session, args []string) (string, error) {
	p := platformFor(s.dev.platform).(*iosLike)
	name, ok := p.ifName(args[0])
	s.dev.mu.Lock()
	var sec *stanza
	if ok {
		sec = s.dev.st.running.find("interface " + name)
	}
	s.dev.mu.Unlock()
	if sec == nil {
		return strings.Repeat(" ", len(s.lastPrompt)+strings.LastIndex(s.lastLine, args[0])) + "^\n% Invalid input detected at '^' marker.\n\n", nil
	}
	var b strings.Builder
	b.WriteString("Building configuration...\n\n")
	body := "!\n" + sec.line + "\n"
	for _, c := range sec.children {
		body += p.indent + c + "\n"
	}
	body += "end\n"
	fmt.Fprintf(&b, "Current configuration : %d bytes\n%s", len(body), body)
	return b.String(), nil
}

func iosWriteMemory(s *session, _ []string) (string, error) {
	s.saveConfig()
	return "Building configuration...\n[OK]\n", nil
}

func iosCopyRunStart(s *session, _ []string) (string, error) {
	ans, err := s.ask("Destination filename [startup-config]? ", false)
	if err != nil {
		return "", err
	}
	if a := strings.TrimSpace(ans); a != "" && a != "startup-config" {
		return "%Error opening " + a + " (Permission denied)\n", nil
	}
	s.saveConfig()
	return "Building configuration...\n[OK]\n", nil
}

func iosCopyStartRun(s *session, _ []string) (string, error) {
	ans, err := s.ask("Destination filename [running-config]? ", false)
	if err != nil {
		return "", err
	}
	if a := strings.TrimSpace(ans); a != "" && a != "running-config" {
		return "%Error opening " + a + " (Permission denied)\n", nil
	}
	s.dev.mu.Lock()
	st := s.dev.st
	st.running = st.startup.clone()
	n := len(st.startupText())
	s.dev.mu.Unlock()
	return fmt.Sprintf("%d bytes copied in 0.123 secs (%d bytes/sec)\n", n, n*8), nil
}

func iosReload(s *session, _ []string) (string, error) {
	if s.modifiedSinceSave() {
		ans, err := s.ask("\nSystem configuration has been modified. Save? [yes/no]: ", false)
		if err != nil {
			return "", err
		}
		switch strings.ToLower(strings.TrimSpace(ans)) {
		case "y", "yes":
			s.saveConfig()
			s.write("Building configuration...\n[OK]\n")
		case "n", "no":
		default:
			return "% Please answer 'yes' or 'no'.\n", nil
		}
	}
	ok, err := s.confirm("Proceed with reload? [confirm]")
	if err != nil || !ok {
		return "", err
	}
	return "", s.reload()
}

func iosReloadIn(s *session, args []string) (string, error) {
	var mins int
	if _, err := fmt.Sscanf(args[0], "%d", &mins); err != nil || mins <= 0 {
		return strings.Repeat(" ", len(s.lastPrompt)+strings.LastIndex(s.lastLine, args[0])) + "^\n% Invalid input detected at '^' marker.\n\n", nil
	}
	at := time.Now().Add(time.Duration(mins) * time.Minute)
	s.write(fmt.Sprintf("\nReload scheduled for %s (in %d minutes) by %s on vty0 (127.0.0.1)\n", at.UTC().Format("15:04:05 MST Mon Jan 2 2006"), mins, s.conn.user))
	ok, err := s.confirm("Proceed with reload? [confirm]")
	if err != nil || !ok {
		return "", err
	}
	// The reload is only recorded ("show reload"); the device never goes down.
	s.dev.mu.Lock()
	s.dev.st.reloadAt = at
	s.dev.mu.Unlock()
	return "", nil
}

func iosTraceroute(s *session, args []string) (string, error) {
	t := strings.Fields(args[0])[0]
	return fmt.Sprintf("Type escape sequence to abort.\nTracing the route to %s\nVRF info: (vrf in name/id, vrf out name/id)\n  1 10.0.255.254 1 msec 1 msec 1 msec\n  2 %s 2 msec 1 msec 2 msec\n", t, t), nil
}

func iosShowVersion(s *session, _ []string) (string, error) {
	d := s.dev
	host := d.Hostname()
	serial := fmt.Sprintf("9%010d", uint64(hashN(d.spec.Name, "serial"))%10000000000)
	return fmt.Sprintf(`Cisco IOS Software, IOSv Software (VIOS-ADVENTERPRISEK9-M), Version 15.9(3)M4, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2021 by Cisco Systems, Inc.
Compiled Thu 28-Oct-21 19:23 by prod_rel_team


ROM: Bootstrap program is IOSv

%s uptime is %s
System returned to ROM by reload
System image file is "flash0:/vios-adventerprisek9-m"
Last reload reason: Unknown reason



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.

Cisco IOSv (revision 1.0) with  with 460017K/62464K bytes of memory.
Processor board ID %s
4 Gigabit Ethernet interfaces
DRAM configuration is 72 bits wide with parity disabled.
256K bytes of non-volatile configuration memory.
2097152K bytes of ATA System CompactFlash 0 (Read/Write)
0K bytes of ATA CompactFlash 1 (Read/Write)
11217K bytes of ATA CompactFlash 2 (Read/Write)
0K bytes of ATA CompactFlash 3 (Read/Write)



Configuration register is 0x0

`, host, uptimeString(time.Since(d.started)), serial), nil
}

func iosShowClock(s *session, _ []string) (string, error) {
	mark := "*"
	if len(s.ntpServers()) > 0 {
		mark = ""
	}
	return mark + time.Now().UTC().Format("15:04:05.000 MST Mon Jan 2 2006") + "\n", nil
}

func abbrevIf(name string) string {
	for _, p := range [][2]string{{"GigabitEthernet", "Gi"}, {"TenGigabitEthernet", "Te"}, {"FastEthernet", "Fa"}, {"Port-channel", "Po"}, {"Ethernet", "Et"}, {"Loopback", "Lo"}} {
		if strings.HasPrefix(name, p[0]) {
			return p[1] + strings.TrimPrefix(name, p[0])
		}
	}
	return name
}

func iosShowIPIntBrief(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("Interface              IP-Address      OK? Method Status                Protocol\n")
	for _, it := range s.interfaces(false) {
		addr := it.addr
		if addr == "" {
			addr = "unassigned"
		}
		status, proto := "up", "up"
		if it.shutdown {
			status, proto = "administratively down", "down"
		}
		fmt.Fprintf(&b, "%-22s %-15s YES %-6s %-21s %s\n", it.name, addr, "NVRAM", status, proto)
	}
	return b.String(), nil
}

func iosShowInterfaces(s *session, args []string) (string, error) {
	its := s.interfaces(false)
	if len(args) == 1 {
		sel, ok := iosPlatform.oneInterface(its, args[0])
		if !ok {
			return strings.Repeat(" ", len(s.lastPrompt)+strings.LastIndex(s.lastLine, args[0])) + "^\n% Invalid input detected at '^' marker.\n\n", nil
		}
		its = sel
	}
	cleared := "never"
	if c := s.countersCleared(); !c.IsZero() {
		d := time.Since(c)
		cleared = fmt.Sprintf("%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	}
	var b strings.Builder
	for _, it := range its {
		state, proto := "up", "up"
		if it.shutdown {
			state, proto = "administratively down", "down"
		}
		loop := strings.HasPrefix(it.name, "Loopback")
		fmt.Fprintf(&b, "%s is %s, line protocol is %s \n", it.name, state, proto)
		if loop {
			b.WriteString("  Hardware is Loopback\n")
		} else {
			mac := macFor(s.dev.index, it.index)
			fmt.Fprintf(&b, "  Hardware is iGbE, address is %s (bia %s)\n", mac, mac)
		}
		if it.desc != "" {
			fmt.Fprintf(&b, "  Description: %s\n", it.desc)
		}
		if it.addr != "" {
			fmt.Fprintf(&b, "  Internet address is %s/%d\n", it.addr, it.prefix)
		}
		if loop {
			b.WriteString("  MTU 1514 bytes, BW 8000000 Kbit/sec, DLY 5000 usec, \n     reliability 255/255, txload 1/255, rxload 1/255\n  Encapsulation LOOPBACK, loopback not set\n  Keepalive set (10 sec)\n")
		} else {
			fmt.Fprintf(&b, "  MTU %d bytes, BW 1000000 Kbit/sec, DLY 10 usec, \n     reliability 255/255, txload 1/255, rxload 1/255\n  Encapsulation ARPA, loopback not set\n  Keepalive set (10 sec)\n", it.mtu)
			if it.shutdown {
				b.WriteString("  Auto Duplex, Auto Speed, link type is auto, media type is RJ45\n")
			} else {
				b.WriteString("  Full Duplex, 1Gbps, link type is auto, media type is RJ45\n")
			}
			b.WriteString("  output flow-control is unsupported, input flow-control is unsupported\n  ARP type: ARPA, ARP Timeout 04:00:00\n")
		}
		inPk, outPk, inB, outB := s.counters(it)
		fmt.Fprintf(&b, `  Last input 00:00:00, output 00:00:00, output hang never
  Last clearing of "show interface" counters %s
  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0
  Queueing strategy: fifo
  Output queue: 0/40 (size/max)
  5 minute input rate %d bits/sec, %d packets/sec
  5 minute output rate %d bits/sec, %d packets/sec
     %d packets input, %d bytes, 0 no buffer
     Received 0 broadcasts (0 IP multicasts)
     0 runts, 0 giants, 0 throttles 
     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored
     0 watchdog, 0 multicast, 0 pause input
     %d packets output, %d bytes, 0 underruns
     0 output errors, 0 collisions, 1 interface resets
     0 unknown protocol drops
     0 babbles, 0 late collision, 0 deferred
     0 lost carrier, 0 no carrier, 0 pause output
     0 output buffer failures, 0 output buffers swapped out
`, cleared, rate(it, 8000), rate(it, 6), rate(it, 7000), rate(it, 5), inPk, inB, outPk, outB)
	}
	return b.String(), nil
}

func rate(it iface, n int) int {
	if it.shutdown {
		return 0
	}
	return n
}

func iosShowInventory(s *session, _ []string) (string, error) {
	serial := fmt.Sprintf("9%010d", uint64(hashN(s.dev.spec.Name, "serial"))%10000000000)
	return fmt.Sprintf("NAME: \"IOSv\", DESCR: \"IOSv chassis, Hw Serial#: %s, Hw Revision: 1.0\"\nPID: IOSv              , VID: 1.0, SN: %s\n\n\n", serial, serial), nil
}

// ntpPeer gives a configured server stable association figures.
func ntpPeer(dev, addr string, i int) (stratum, when, reach int, delay, offset, disp float64) {
	h := hashN(dev, addr)
	return 1 + int(h%3), int(h%60) + 1, 377, float64(h%3000)/1000 + 0.5, float64(int(h%2000)-1000) / 1000, float64(h%900)/1000 + 0.1
}

func iosShowNTPAssoc(s *session, _ []string) (string, error) {
	servers := s.ntpServers()
	if len(servers) == 0 {
		return "%NTP is not enabled.\n", nil
	}
	var b strings.Builder
	b.WriteString("\n  address         ref clock       st   when   poll reach  delay  offset   disp\n")
	for i, a := range servers {
		st, when, reach, delay, off, disp := ntpPeer(s.dev.spec.Name, a, i)
		mark := " ~"
		if i == 0 {
			mark = "*~"
		} else {
			mark = "+~"
		}
		fmt.Fprintf(&b, "%s%-15s .GPS.           %2d %6d %6d %5d %6.3f %7.3f %6.3f\n", mark, a, st, when, 64, reach, delay, off, disp)
	}
	b.WriteString(" * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured\n")
	return b.String(), nil
}

func iosShowNTPStatus(s *session, _ []string) (string, error) {
	servers := s.ntpServers()
	if len(servers) == 0 {
		return "%NTP is not enabled.\n", nil
	}
	st, when, _, delay, off, disp := ntpPeer(s.dev.spec.Name, servers[0], 0)
	now := time.Now().UTC().Add(-time.Duration(when) * time.Second)
	return fmt.Sprintf(`Clock is synchronized, stratum %d, reference is %s    
nominal freq is 250.0000 Hz, actual freq is 250.0000 Hz, precision is 2**10
ntp uptime is %d (1/100 of seconds), resolution is 4000
reference time is E9A2C1F0.1D2E3F40 (%s)
clock offset is %.4f msec, root delay is %.2f msec
root dispersion is %.2f msec, peer dispersion is %.2f msec
loopfilter state is 'CTRL' (Normal Controlled Loop), drift is 0.000000000 s/s
system poll interval is 64, last update was %d sec ago.
`, st+1, servers[0], int(time.Since(s.dev.started).Seconds()*100), now.Format("15:04:05.000 MST Mon Jan 2 2006"), off, delay, disp+1, disp, when), nil
}

func iosShowIPRoute(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString(`Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area 
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP
       a - application route
       + - replicated route, % - next hop override, p - overrides from PfR

`)
	routes := s.staticRoutes()
	gw := "Gateway of last resort is not set\n\n"
	for _, r := range routes {
		if r[0] == "0.0.0.0" {
			gw = fmt.Sprintf("Gateway of last resort is %s to network 0.0.0.0\n\n", r[2])
		}
	}
	b.WriteString(gw)
	type rt struct {
		key  uint32
		text string
	}
	var rts []rt
	for _, r := range routes {
		l, _ := maskLen(r[1])
		code := "S     "
		if r[0] == "0.0.0.0" {
			code = "S*    "
		}
		rts = append(rts, rt{parseIPv4(r[0]), fmt.Sprintf("%s%s/%d [1/0] via %s\n", code, r[0], l, r[2])})
	}
	for _, it := range s.interfaces(false) {
		if it.addr == "" || it.shutdown {
			continue
		}
		if it.prefix < 32 {
			rts = append(rts, rt{parseIPv4(it.network()), fmt.Sprintf("C        %s/%d is directly connected, %s\n", it.network(), it.prefix, it.name)})
		}
		rts = append(rts, rt{parseIPv4(it.addr), fmt.Sprintf("L        %s/32 is directly connected, %s\n", it.addr, it.name)})
	}
	sort.SliceStable(rts, func(i, j int) bool { return rts[i].key < rts[j].key })
	for _, r := range rts {
		b.WriteString(r.text)
	}
	return b.String(), nil
}

func iosShowCDP(s *session, _ []string) (string, error) {
	return `Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge
                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone, 
                  D - Remote, C - CVTA, M - Two-port Mac Relay 

Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID
core1.lab.local  Gig 0/0           163              R B   IOSv      Gig 0/1

Total cdp entries displayed : 1
`, nil
}

func iosShowVlanBrief(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("\nVLAN Name                             Status    Ports\n---- -------------------------------- --------- -------------------------------\n")
	fmt.Fprintf(&b, "%-4d %-32s %-9s %s\n", 1, "default", "active", "Gi0/2, Gi0/3")
	s.dev.mu.Lock()
	for _, st := range s.dev.st.running.stanzas {
		var id int
		if _, err := fmt.Sscanf(st.line, "vlan %d", &id); err == nil && id > 1 {
			name, ok := st.child("name")
			if !ok {
				name = fmt.Sprintf("VLAN%04d", id)
			}
			fmt.Fprintf(&b, "%-4d %-32s %-9s \n", id, name, "active")
		}
	}
	s.dev.mu.Unlock()
	for _, v := range []string{"1002 fddi-default", "1003 token-ring-default", "1004 fddinet-default", "1005 trnet-default"} {
		id, name, _ := strings.Cut(v, " ")
		fmt.Fprintf(&b, "%-4s %-32s %-9s \n", id, name, "act/unsup")
	}
	return b.String(), nil
}
