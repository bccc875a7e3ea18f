package lab

import (
	"crypto/md5"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// asaPlatform simulates an ASAv firewall (cisco_asa) in single context
// mode: "asa1> " at login, "enable" asks "Password: " and echoes a "*" per
// character, "asa1# ", "configure terminal" to "asa1(config)# ". Paging
// ("<--- More --->") stops with "terminal pager 0" ("terminal length" does
// not exist on the ASA). "write memory" prints the configuration's
// Cryptochecksum. Errors start with "ERROR: ". Prompts end with a space.
var asaPlatform *iosLike

func initASA() { asaPlatform = newASA() }

const asaVersion = "9.16(2)"

func newASA() *iosLike {
	p := &iosLike{
		name:      CiscoASA,
		indent:    " ",
		promptSep: " ",
		more:      "<--- More --->",
		globalKW: []string{"aaa", "aaa-server", "access-group", "access-list", "arp", "asdm", "banner", "boot", "call-home",
			"class-map", "clock", "console", "crypto", "dhcpd", "dhcprelay", "dns", "domain-name", "dynamic-access-policy-record",
			"enable", "failover", "flow-export", "fragment", "ftp", "group-policy", "hostname", "http", "icmp", "interface",
			"ip", "ipv6", "jumbo-frame", "license", "logging", "mac-address", "management-access", "monitor-interface", "mtu",
			"names", "nat", "ntp", "object", "object-group", "object-group-search", "pager", "passwd", "policy-map", "prompt",
			"route", "router", "same-security-traffic", "service", "service-policy", "snmp-server", "ssh", "ssl", "sysopt",
			"telnet", "terminal", "threat-detection", "timeout", "tunnel-group", "user-identity", "username", "vpn-sessiondb",
			"webvpn", "xlate"},
		ifTypes:     [][2]string{{"gigabitethernet", "GigabitEthernet"}, {"management", "Management"}, {"port-channel", "Port-channel"}, {"tengigabitethernet", "TenGigabitEthernet"}, {"redundant", "Redundant"}, {"bvi", "BVI"}},
		virtualIf:   []string{"Port-channel", "Redundant", "BVI"},
		subifMode:   "config-subif",
		ports:       asaPorts,
		ifMode:      func(string) string { return "config-if" },
		enterConfig: "",
		initial:     asaInitial,
		loginText:   "Type help or '?' for a list of available commands.\n",
	}
	p.modes = asaGrammars()
	p.actions = asaActions()
	p.globalWords()
	p.renderRunning = asaRender
	p.invalid = func(s *session, pos int) string {
		return strings.Repeat(" ", len(s.lastPrompt)+pos) + "^\nERROR: % Invalid input detected at '^' marker.\n"
	}
	p.ambiguous = func(s *session, line string, m matchResult) string {
		return fmt.Sprintf("ERROR: %% Ambiguous command:  %q\n", strings.TrimSpace(line))
	}
	p.incomplete = func(s *session, line string) string { return "ERROR: % Incomplete command\n" }
	p.enable = func(p *iosLike, s *session) (string, error) {
		for i := 0; i < 3; i++ {
			pw, err := s.askMasked("Password: ")
			if err != nil {
				return "", err
			}
			if pw == s.dev.spec.Secret {
				s.priv = true
				return "", nil
			}
			if i < 2 {
				s.write("Invalid password\n")
			}
		}
		s.failed = true
		return "Access denied.\n", nil
	}

	user, priv := &cmdNode{}, &cmdNode{}
	for _, t := range []*cmdNode{user, priv} {
		t.add("enable", p.cmdEnable)
		t.add("exit", p.cmdExit)
		t.add("logout", p.cmdExit)
		t.add("quit", p.cmdExit)
		t.add("terminal pager <n>", asaTermPager)
		t.add("terminal pager lines <n>", asaTermPager)
		t.add("terminal monitor", p.cmdNothing)
		t.add("terminal no monitor", p.cmdNothing)
		t.add("ping <...>", p.cmdPing)
		t.add("show version", asaShowVersion)
		t.add("show clock", func(s *session, _ []string) (string, error) {
			return time.Now().UTC().Format("15:04:05.000 MST Mon Jan 2 2006") + "\n", nil
		})
		t.add("show mode", func(s *session, _ []string) (string, error) { return "Security context mode: single \n", nil })
	}
	priv.add("disable", p.cmdDisable)
	priv.add("configure terminal", p.cmdConfigure)
	priv.add("show running-config", iosShowRun)
	priv.add("show running-config <...>", asaShowRunSection)
	priv.add("show startup-config", func(s *session, _ []string) (string, error) { return s.configText(true), nil })
	priv.add("show interface ip brief", asaShowIPBrief)
	priv.add("show route", asaShowRoute)
	priv.add("show ntp associations", asaShowNTP)
	priv.add("write memory", asaWriteMemory)
	priv.add("write terminal", iosShowRun)
	priv.add("copy running-config startup-config", func(s *session, _ []string) (string, error) {
		if _, err := s.ask("\nSource filename [running-config]? ", false); err != nil {
			return "", err
		}
		if _, err := s.ask("\nDestination filename [startup-config]? ", false); err != nil {
			return "", err
		}
		out, _ := asaWriteMemory(s, nil)
		return strings.TrimPrefix(strings.TrimSuffix(out, "[OK]\n"), "Building configuration...\n"), nil
	})
	priv.add("reload", func(s *session, _ []string) (string, error) {
		if s.modifiedSinceSave() {
			ans, err := s.ask("System config has been modified. Save? [Y]es/[N]o: ", false)
			if err != nil {
				return "", err
			}
			if a := strings.ToLower(strings.TrimSpace(ans)); a == "y" || a == "yes" {
				out, _ := asaWriteMemory(s, nil)
				s.write(out)
			}
		}
		ok, err := s.confirm("Proceed with reload? [confirm]")
		if err != nil || !ok {
			return "", err
		}
		s.write("\n\n***\n*** --- START GRACEFUL SHUTDOWN ---\n***\n")
		return "", s.reload()
	})
	p.userTree, p.privTree = user, priv
	return p
}

var asaPorts = wordSet("aol bgp chargen cifs citrix-ica cmd ctiqbe daytime discard domain echo exec finger ftp ftp-data gopher h323 hostname http https ident imap4 irc kerberos klogin kshell ldap ldaps login lotusnotes lpd netbios-ssn nfs nntp pcanywhere-data pim-auto-rp pop2 pop3 pptp rsh rtsp sip smtp sqlnet ssh sunrpc tacacs talk telnet uucp whois www biff bootpc bootps dnsix isakmp mobile-ip nameserver netbios-dgm netbios-ns ntp radius radius-acct rip secureid-udp snmp snmptrap syslog tftp time who xdmcp")

func asaTermPager(s *session, a []string) (string, error) {
	n := atoiDefault(a[0], -1)
	if n < 0 {
		return asaPlatform.invalid(s, strings.LastIndex(s.lastLine, a[0])), nil
	}
	s.termLength = n
	return "", nil
}

func asaInitial(d *Device) string {
	ip0, _ := devIP(d, 0)
	ip1, _ := devIP(d, 1)
	return fmt.Sprintf(`hostname %[1]s
domain-name lab.local
enable password $sha512$5000$lab%[5]s pbkdf2
names
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address %[4]s 255.255.255.0
interface GigabitEthernet0/1
 shutdown
 no nameif
 no security-level
 no ip address
interface GigabitEthernet0/2
 shutdown
 no nameif
 no security-level
 no ip address
interface Management0/0
 management-only
 nameif management
 security-level 100
 ip address %[3]s 255.255.0.0
ftp mode passive
dns domain-lookup management
pager lines 24
logging enable
logging timestamp
logging host management 10.0.255.50
mtu outside 1500
mtu management 1500
route management 0.0.0.0 0.0.0.0 10.0.255.254 1
aaa authentication ssh console LOCAL
http server enable
http 10.0.0.0 255.0.0.0 management
snmp-server community public
ssh 0.0.0.0 0.0.0.0 management
ssh timeout 5
username %[2]s password $sha512$5000$lab%[5]s pbkdf2 privilege 15
`, d.spec.Name, d.spec.Username, ip0, ip1, fmt.Sprintf("%08x", hashN(d.spec.Name, "secret")))
}

// asaSecretRE finds the secrets "show running-config" masks with *****.
var asaSecretRE = regexp.MustCompile(`(?m)^(enable password |username \S+ password |snmp-server community |snmp-server host \S+ \S+ community |ntp authentication-key \d+ md5 | key )(\S+)`)

// asaBody renders the configuration as the ASA does: a "!" before and
// after each block (interfaces, objects), none between other lines;
// secrets masked.
func asaBody(c *runConfig) string {
	var b strings.Builder
	prevBlock := false
	for i, x := range c.stanzas {
		block := len(x.children) > 0 || strings.HasPrefix(x.line, "interface ")
		if block && i > 0 && !prevBlock {
			b.WriteString("!\n")
		}
		b.WriteString(x.line + "\n")
		for _, ch := range x.children {
			b.WriteString(strings.Repeat(" ", 1+childDepth(ch)) + strings.TrimLeft(ch, " ") + "\n")
		}
		if block {
			b.WriteString("!\n")
		}
		prevBlock = block
	}
	return asaSecretRE.ReplaceAllString(b.String(), "${1}*****")
}

func asaChecksum(body string) string {
	sum := md5.Sum([]byte(body))
	return fmt.Sprintf("%x", sum)
}

func asaRender(st *devState, c *runConfig) string {
	body := asaBody(c)
	sn := fmt.Sprintf("9A%08X", hashN(st.dev.spec.Name, "serial"))
	return ": Saved\n\n:\n: Serial Number: " + sn + "\n: Hardware:   ASAv, 2048 MB RAM, CPU Xeon 4100/6100/8100 series 2200 MHz\n:\nASA Version " + asaVersion + " \n!\n" +
		body + "Cryptochecksum:" + asaChecksum(body) + "\n: end\n"
}

// asaWriteMemory saves the configuration. Source: the response of an ASA's
// REST API to "write memory" quoted in a public repository.
func asaWriteMemory(s *session, _ []string) (string, error) {
	s.saveConfig()
	s.dev.mu.Lock()
	body := asaBody(s.dev.st.startup)
	s.dev.mu.Unlock()
	sum := asaChecksum(body)
	return fmt.Sprintf("Building configuration...\nCryptochecksum: %s %s %s %s \n\n%d bytes copied in 0.290 secs\n[OK]\n", sum[0:8], sum[8:16], sum[16:24], sum[24:32], len(body)), nil
}

func asaShowRunSection(s *session, a []string) (string, error) {
	want := strings.ToLower(a[0])
	s.dev.mu.Lock()
	c := s.dev.st.running
	var b strings.Builder
	for _, x := range c.stanzas {
		if l := strings.ToLower(x.line); l == want || strings.HasPrefix(l, want+" ") {
			b.WriteString(x.line + "\n")
			for _, ch := range x.children {
				b.WriteString(" " + ch + "\n")
			}
		}
	}
	s.dev.mu.Unlock()
	return asaSecretRE.ReplaceAllString(b.String(), "${1}*****"), nil
}

func asaShowVersion(s *session, _ []string) (string, error) {
	up := time.Since(s.dev.started)
	sn := fmt.Sprintf("9A%08X", hashN(s.dev.spec.Name, "serial"))
	var ifs strings.Builder
	for i, it := range s.interfaces(false) {
		fmt.Fprintf(&ifs, "%2d: Ext: %-22s: address is %s, irq %d\n", i, it.name, macFor(s.dev.index, it.index), 10+i)
	}
	return fmt.Sprintf(`
Cisco Adaptive Security Appliance Software Version %s 
Device Manager Version 7.16(1)

Compiled on Wed 23-Jun-21 14:23 GMT by builders
System image file is "boot:/asa9162-smp-k8.bin"
Config file at boot was "startup-config"

%s up %d hours %d mins

Hardware:   ASAv, 2048 MB RAM, CPU Xeon 4100/6100/8100 series 2200 MHz,
Model Id:   ASAv10
Internal ATA Compact Flash, 8192MB
Slot 1: ATA Compact Flash, 8192MB
BIOS Flash Firmware Hub @ 0x0, 0KB


%s
License mode: Smart Licensing
ASAv Platform License State: Licensed

Serial Number: %s

Image type                : Release
Key Version               : A

Configuration last modified by %s at %s
`, asaVersion, s.dev.Hostname(), int(up.Hours()), int(up.Minutes())%60, ifs.String(), sn, s.dev.spec.Username,
		time.Now().UTC().Format("15:04:05.000 MST Mon Jan 2 2006")), nil
}

func asaShowIPBrief(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("Interface                  IP-Address      OK? Method Status                Protocol\n")
	for _, it := range s.interfaces(false) {
		addr, method := "unassigned", "unset "
		if it.addr != "" {
			addr, method = it.addr, "CONFIG"
		}
		status, proto := "up", "up"
		if it.shutdown {
			status, proto = "administratively down", "down"
		}
		fmt.Fprintf(&b, "%-26s %-15s YES %s %-21s %s\n", it.name, addr, method, status, proto)
	}
	return b.String(), nil
}

// asaNames maps interfaces to their nameif.
func (s *session) asaIfNames() map[string]string {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	out := map[string]string{}
	for _, x := range s.dev.st.running.stanzas {
		if n, ok := x.child("nameif"); ok && strings.HasPrefix(x.line, "interface ") {
			out[strings.TrimPrefix(x.line, "interface ")] = n
		}
	}
	return out
}

func asaShowRoute(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("\nCodes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP\n       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area \n       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2\n       E1 - OSPF external type 1, E2 - OSPF external type 2, V - VPN\n       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2\n       ia - IS-IS inter area, * - candidate default, U - per-user static route\n       o - ODR, P - periodic downloaded static route, + - replicated route\n       SI - Static InterVRF, BI - BGP InterVRF\n")
	names := s.asaIfNames()
	type rt struct {
		key  uint32
		text string
	}
	var rts []rt
	gw := "Gateway of last resort is not set\n\n"
	s.dev.mu.Lock()
	for _, l := range s.dev.st.running.global("route ") {
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		code := "S     "
		if f[1] == "0.0.0.0" && f[2] == "0.0.0.0" {
			code = "S*    "
			gw = fmt.Sprintf("Gateway of last resort is %s to network 0.0.0.0\n\n", f[3])
		}
		rts = append(rts, rt{parseIPv4(f[1]), fmt.Sprintf("%s   %s %s [1/0] via %s, %s\n", code, f[1], f[2], f[3], f[0])})
	}
	s.dev.mu.Unlock()
	for _, it := range s.interfaces(false) {
		if it.addr == "" || it.shutdown || names[it.name] == "" {
			continue
		}
		m := uint32(0xffffffff) << (32 - it.prefix)
		mask := fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&255, m>>8&255, m&255)
		rts = append(rts, rt{parseIPv4(it.network()), fmt.Sprintf("C        %s %s is directly connected, %s\n", it.network(), mask, names[it.name])})
		rts = append(rts, rt{parseIPv4(it.addr), fmt.Sprintf("L        %s 255.255.255.255 is directly connected, %s\n", it.addr, names[it.name])})
	}
	sort.SliceStable(rts, func(i, j int) bool { return rts[i].key < rts[j].key })
	b.WriteString("\n" + gw)
	for _, r := range rts {
		b.WriteString(r.text)
	}
	b.WriteString("\n")
	return b.String(), nil
}

func asaShowNTP(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("      address         ref clock     st  when  poll reach  delay  offset    disp\n")
	for i, a := range s.ntpServers() {
		st, when, reach, delay, off, disp := ntpPeer(s.dev.spec.Name, a, i)
		mark := "+~"
		if i == 0 {
			mark = "*~"
		}
		fmt.Fprintf(&b, "%s%-15s %-15s %2d %5d %5d %5d %6.1f %7.2f %7.2f\n", mark, a, ".GPS.", st, when, 64, reach, delay, off, disp)
	}
	b.WriteString(" * master (synced), # master (unsynced), + selected, - candidate, ~ configured\n")
	return b.String(), nil
}
