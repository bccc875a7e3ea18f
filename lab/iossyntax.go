package lab

import "strings"

// The configuration syntax of cisco_ios (IOSv 15.9 / IOS-XE) for the
// common areas. Sources: Cisco IOS and IOS-XE command references, the
// ios_* resource-module parsers of Ansible's cisco.ios collection (which
// render these lines), and IOSv running-configs.

var iosMacros = map[string]string{
	"proto":   "( ip | tcp | udp | icmp | gre | esp | ahp | ospf | eigrp | pim | igmp | <0-255> )",
	"addr":    "( any | host <ip> | <ip> <wild> )",
	"port":    "[ ( eq <port> | neq <port> | lt <port> | gt <port> | range <port> <port> ) ]",
	"aclopts": "{ log | log-input | established | echo | echo-reply | unreachable | time-exceeded | packet-too-big | fragments | dscp <word> | precedence <word> | ttl eq <0-255> | time-range <word> }",
	"level":   "( <level> )",
	"methods": "( local | none | enable | line | group <word> ) { local | none | enable | line | group <word> }",
	"redist":  "( connected | static | rip | bgp <asn> | ospf <1-65535> | eigrp <1-65535> ) [ <line> ]",
	"nbr":     "( <ip> | <word> )",
}

func iosGrammars(p *iosLike) map[string]*modeSpec {
	fixed := func(name string) func(string) string { return func(string) string { return name } }
	global := newGrammar(iosMacros)
	global.add(
		// NTP
		"ntp server [ vrf <word> ] <host> { version <1-4> | key <1-4294967295> | source <if> | prefer | iburst | burst | maxpoll <4-17> | minpoll <4-17> }",
		"ntp peer [ vrf <word> ] <host> { version <1-4> | key <1-4294967295> | source <if> | prefer }",
		"ntp source <if>",
		"ntp authenticate",
		"ntp authentication-key <1-4294967295> md5 <word> [ <0-7> ]",
		"ntp trusted-key <1-4294967295>",
		"ntp master [ <1-15> ]",
		"ntp update-calendar",
		"ntp logging",
		"ntp access-group ( peer | serve | serve-only | query-only ) <word>",
		// logging
		"logging host <host> { vrf <word> | transport ( udp | tcp ) [ port <1-65535> ] }",
		"logging <ip>",
		"logging trap ~ [ $level ]",
		"logging buffered ~ [ <4096-2147483647> ] [ $level ]",
		"logging console ~ [ $level ]",
		"logging monitor ~ [ $level ]",
		"logging source-interface <if> [ vrf <word> ]",
		"logging facility <word>",
		"logging on",
		"logging origin-id ( hostname | ip | string <word> )",
		"logging userinfo",
		// SNMP
		"snmp-server community <word> ~ [ view <word> ] [ ( RO | RW ) ] [ ( <1-99> | <word> ) ]",
		"snmp-server location ~ <line>",
		"snmp-server contact ~ <line>",
		"snmp-server host <host> [ vrf <word> ] [ ( traps | informs ) ] [ version ( 1 | 2c | 3 ( auth | noauth | priv ) ) ] <word> [ <line> ]",
		"snmp-server enable traps ~ [ <line> ]",
		"snmp-server trap-source <if>",
		"snmp-server source-interface ( traps | informs ) <if>",
		"snmp-server user <word> <word> ( v1 | v2c | v3 ) [ <line> ]",
		"snmp-server group <word> ( v1 | v2c | v3 ( auth | noauth | priv ) ) [ <line> ]",
		"snmp-server view <word> <word> ( included | excluded )",
		"snmp-server ifindex persist",
		// AAA
		"aaa new-model",
		"aaa authentication login ( default | <word> ) ~ $methods",
		"aaa authentication enable default ~ ( enable | none | group <word> ) { enable | none | group <word> }",
		"aaa authorization ( exec | network | console | config-commands | commands <0-15> ) ( default | <word> ) ~ ( local | none | if-authenticated | group <word> ) { local | none | if-authenticated | group <word> }",
		"aaa accounting ( exec | network | connection | system | commands <0-15> ) ( default | <word> ) ~ ( start-stop | stop-only | none ) [ group <word> ]",
		"aaa session-id ( common | unique )",
		"aaa group server ( tacacs+ | radius ) <word> => aaa-group",
		// users
		"username <word> ~ { privilege <0-15> | view <word> | autocommand <line> } [ ( secret [ ( 0 | 5 | 8 | 9 ) ] <word> | password [ ( 0 | 7 ) ] <word> | nopassword ) ] @username",
		"enable secret ~ [ ( 0 | 5 | 8 | 9 ) ] <word>",
		"enable password ~ [ ( 0 | 7 ) ] <word>",
		// addressing and services
		"hostname <word>",
		"ip domain name <word>",
		"ip domain-name <word>",
		"ip domain lookup",
		"ip domain-lookup",
		"ip name-server [ vrf <word> ] <ip> { <ip> }",
		"ip route [ vrf <word> ] <ip> <mask> ( <ip> | <if> [ <ip> ] ) { <1-255> | name <word> | tag <1-4294967295> | permanent | track <1-1000> }",
		"ip access-list extended <word> => acl-ext",
		"ip access-list standard <word> => acl-std",
		"ip access-list ( resequence | logging ) [ <line> ]",
		"ip ssh version ( 1 | 2 )",
		"ip ssh time-out <1-120>",
		"ip ssh authentication-retries <0-5>",
		"ip ssh source-interface <if>",
		"ip ssh ( server | client | pubkey-chain | rsa | dh | maxstartups | logging | port ) [ <line> ]",
		"ip http ( server | secure-server | authentication | access-class | max-connections | timeout-policy | client | path ) [ <line> ]",
		"ip scp server enable",
		"ip ( cef | routing | multicast-routing | classless | subnet-zero | source-route | gratuitous-arps | finger | bootp )",
		"ip forward-protocol nd",
		"ip ( arp | as-path | community-list | dhcp | ftp | host | igmp | nat | pim | prefix-list | sla | tacacs | radius | tcp | tftp | vrf | flow-export | flow-cache | local | icmp | mtu | options | wccp | rcmd ) <line>",
		// VLANs, routing, ACLs
		"vlan <vlans> => vlan",
		"router ospf <1-65535> [ vrf <word> ] => ospf",
		"router bgp <asn> => bgp",
		"router ( eigrp <line> | rip | isis [ <word> ] | odr ) => router-other",
		"access-list <1-99> ( permit | deny ) ( any | host <ip> | <ip> [ <wild> ] ) [ log ]",
		"access-list <1300-1999> ( permit | deny ) ( any | host <ip> | <ip> [ <wild> ] ) [ log ]",
		"access-list <100-199> ( permit | deny ) $proto $addr $port $addr $port $aclopts",
		"access-list <2000-2699> ( permit | deny ) $proto $addr $port $addr $port $aclopts",
		"access-list ( <1-199> | <1300-2699> ) remark <line>",
		// banners, lines
		"banner ( motd | login | exec | incoming | prompt-timeout | slip-ppp ) ~ <line> @banner",
		"line ( con | console:con ) 0 => line",
		"line aux 0 => line",
		"line vty <0-1869> [ <0-1869> ] => line",
		// questions
		"crypto key generate rsa { modulus <360-4096> | general-keys | label <word> | exportable | usage-keys } @cryptokey",
		"crypto key zeroize rsa [ <word> ] @zeroize",
		"crypto ( pki | isakmp | ipsec | map | dynamic-map | engine | keyring | ikev2 | logging ) <line>",
	)

	ifg := newGrammar(iosMacros)
	ifg.add(
		"description ~ <line>",
		"ip address ~ <ip> <mask> [ secondary ] @subifip",
		"ip address dhcp",
		"ip helper-address [ vrf <word> ] <ip>",
		"ip access-group <word> ( in | out )",
		"ip ospf <1-65535> area <area>",
		"ip ospf cost ~ <1-65535>",
		"ip ospf network ( point-to-point | broadcast | non-broadcast | point-to-multipoint )",
		"ip ospf ( hello-interval | dead-interval | retransmit-interval | transmit-delay ) <1-65535>",
		"ip ospf priority <0-255>",
		"ip ospf authentication ~ [ ( message-digest | null ) ]",
		"ip ospf message-digest-key <1-255> md5 <line>",
		"ip ospf ( bfd | shutdown | mtu-ignore )",
		"ip mtu <68-1500>",
		"ip nat ( inside | outside )",
		"ip ( proxy-arp | redirects | unreachables | directed-broadcast | route-cache | mroute-cache | split-horizon )",
		"ip vrf forwarding <word>",
		"ip tcp adjust-mss <500-1460>",
		"ip policy route-map <word>",
		"ip ( pim | igmp | flow | verify | dhcp | unnumbered | nbar | virtual-reassembly ) <line>",
		"ipv6 <line>",
		"shutdown",
		"switchport",
		"switchport mode ( access | trunk | dynamic ( auto | desirable ) | private-vlan <line> )",
		"switchport access vlan <1-4094>",
		"switchport trunk allowed vlan ( <vlans> | all | none | add <vlans> | remove <vlans> | except <vlans> )",
		"switchport trunk native vlan <1-4094>",
		"switchport trunk encapsulation ( dot1q | isl | negotiate )",
		"switchport nonegotiate",
		"switchport voice vlan <1-4094>",
		"switchport port-security [ <line> ]",
		"mtu <64-9216>",
		"speed ( 10 | 100 | 1000 | auto )",
		"duplex ( full | half | auto )",
		"negotiation auto",
		"channel-group <1-64> mode ( active | passive | on | auto | desirable )",
		"spanning-tree ( portfast | bpduguard | bpdufilter | guard | cost | port-priority | link-type | vlan ) [ <line> ]",
		"bandwidth <1-10000000>",
		"delay <1-16777215>",
		"encapsulation dot1Q <1-4094> [ native ]",
		"load-interval <30-600>",
		"cdp enable",
		"lldp ( transmit | receive )",
		"vrf forwarding <word>",
		"( standby | vrrp | storm-control | tunnel | mpls | carrier-delay | hold-queue | power | logging | dampening | service-policy | keepalive | media-type ) [ <line> ]",
	)

	ospf := newGrammar(iosMacros)
	ospf.add(
		"router-id <ip>",
		"network <ip> <wild> area <area>",
		"passive-interface ( default | <if> )",
		"default-information originate { always | metric <0-16777214> | metric-type ( 1 | 2 ) | route-map <word> }",
		"redistribute $redist",
		"log-adjacency-changes [ detail ]",
		"area <area> ( authentication [ message-digest ] | stub [ no-summary ] | nssa [ <line> ] | range <ip> <mask> [ <line> ] | default-cost <0-16777215> )",
		"auto-cost reference-bandwidth <1-4294967>",
		"maximum-paths <1-32>",
		"timers <line>",
		"shutdown",
		"bfd all-interfaces",
		"distance <line>",
		"default-metric <1-4294967295>",
		"summary-address <ip> <mask> [ <line> ]",
	)

	bgpNbr := "neighbor $nbr ( activate | next-hop-self [ all ] | send-community [ ( both | standard | extended ) ] | route-map <word> ( in | out ) | prefix-list <word> ( in | out ) | soft-reconfiguration inbound | maximum-prefix <1-2147483647> [ <line> ] | allowas-in [ <1-10> ] | default-originate [ <line> ] | route-reflector-client | remove-private-as [ all ] | weight <0-65535> )"
	bgp := newGrammar(iosMacros)
	bgp.add(
		"bgp router-id <ip>",
		"bgp log-neighbor-changes",
		"bgp default ( ipv4-unicast | local-preference <0-4294967295> | route-target <line> )",
		"bgp ( always-compare-med | deterministic-med | graceful-restart | fast-external-fallover | enforce-first-as ) [ <line> ]",
		"bgp ( bestpath | cluster-id | confederation | dampening | listen | maxas-limit | scan-time | update-delay ) [ <line> ]",
		"neighbor $nbr remote-as <asn>",
		"neighbor $nbr ( description <line> | update-source <if> | shutdown | password [ ( 0 | 7 ) ] <line> | ebgp-multihop [ <1-255> ] | peer-group [ <word> ] | timers <0-65535> <0-65535> [ <0-65535> ] | fall-over [ bfd ] | version 4 | local-as <asn> [ <line> ] | ttl-security hops <1-254> | disable-connected-check | transport <line> )",
		bgpNbr,
		"network <ip> [ mask <mask> ] [ route-map <word> ]",
		"redistribute $redist",
		"aggregate-address <ip> <mask> [ <line> ]",
		"timers bgp <0-65535> <0-65535> [ <0-65535> ]",
		"maximum-paths <1-32>",
		"( synchronization | auto-summary )",
		"distance <line>",
		"default-information originate",
		"address-family ( ipv4 [ ( unicast | multicast ) ] [ vrf <word> ] | ipv6 [ ( unicast | multicast ) ] | vpnv4 [ unicast ] | vpnv6 [ unicast ] | l2vpn evpn ) => bgp-af",
	)
	bgpAF := newGrammar(iosMacros)
	bgpAF.add(
		bgpNbr,
		"neighbor $nbr remote-as <asn>",
		"network <ip> [ mask <mask> ] [ route-map <word> ]",
		"redistribute $redist",
		"aggregate-address <ip> <mask> [ <line> ]",
		"maximum-paths <1-32>",
		"exit-address-family @exitaf",
	)

	line := newGrammar(iosMacros)
	line.add(
		"login ~ [ ( local | authentication ( default | <word> ) ) ]",
		"transport input ( all | none | ( ssh | telnet ) { ssh | telnet } )",
		"transport output ( all | none | ( ssh | telnet ) { ssh | telnet } )",
		"transport preferred none",
		"exec-timeout ~ <0-35791> [ <0-2147483> ]",
		"password ~ [ ( 0 | 7 ) ] <line>",
		"logging synchronous [ <line> ]",
		"privilege level <0-15>",
		"access-class <word> ( in | out ) [ vrf-also ]",
		"ipv6 access-class <word> ( in | out )",
		"session-timeout <0-35791>",
		"stopbits ( 1 | 1.5 | 2 )",
		"length <0-512>",
		"width <0-512>",
		"exec",
		"history size <0-256>",
		"motd-banner",
		"absolute-timeout <0-10000>",
		"speed <0-4294967295>",
		"authorization ( exec | commands <0-15> ) ( default | <word> )",
	)

	vlan := newGrammar(iosMacros)
	vlan.add("name ~ <word>", "state ( active | suspend )", "shutdown", "remote-span")

	aclExt := newGrammar(iosMacros)
	aclExt.add(
		"[ <1-2147483647> ] ( permit | deny ) $proto $addr $port $addr $port $aclopts",
		"remark <line>",
	)
	aclStd := newGrammar(iosMacros)
	aclStd.add(
		"[ <1-2147483647> ] ( permit | deny ) ( any | host <ip> | <ip> [ <wild> ] ) [ log ]",
		"remark <line>",
	)

	return map[string]*modeSpec{
		"":             {gram: global},
		"if":           {gram: ifg},
		"ospf":         {prompt: fixed("config-router"), gram: ospf},
		"bgp":          {prompt: fixed("config-router"), gram: bgp},
		"bgp-af":       {prompt: fixed("config-router-af"), gram: bgpAF},
		"line":         {prompt: fixed("config-line"), gram: line},
		"vlan":         {prompt: fixed("config-vlan"), gram: vlan},
		"acl-ext":      {prompt: fixed("config-ext-nacl"), gram: aclExt},
		"acl-std":      {prompt: fixed("config-std-nacl"), gram: aclStd},
		"aaa-group":    {prompt: fixed("config-sg-tacacs+")},
		"router-other": {prompt: fixed("config-router")},
	}
}

// iosActions are IOS's configuration commands that ask or read more lines.
func iosActions() map[string]cfgAction {
	return map[string]cfgAction{
		"banner":    bannerAction,
		"cryptokey": iosCryptoKey,
		"zeroize":   iosZeroize,
		"username":  iosNoUsername,
		"subifip":   iosSubifAddress,
		"exitaf": func(p *iosLike, s *session, c *cfgCmd) (bool, error) {
			if n := len(s.cfgStack); n > 0 && s.cfgStack[n-1].mode == "bgp-af" {
				s.setCfgStack(s.cfgStack[:n-1])
			}
			return true, nil
		},
	}
}

// iosSubifAddress refuses an address on a sub-interface without an
// encapsulation. Source: an IOS session in a public lab write-up.
func iosSubifAddress(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	if c.neg || !strings.Contains(c.parents[0], ".") {
		return false, nil
	}
	s.dev.mu.Lock()
	sec := s.dev.st.running.find(c.parents[0])
	encap := false
	if sec != nil {
		_, encap = sec.child("encapsulation")
	}
	s.dev.mu.Unlock()
	if encap {
		return false, nil
	}
	s.failed = true
	return true, s.emit("\n% Configuring IP routing on a LAN subinterface is only allowed if that \nsubinterface is already configured as part of an IEEE 802.10, IEEE 802.1Q, \nor ISL vLAN.\n\n")
}

// iosNoUsername asks before removing a user, as IOS-XE does.
// Source: the prompt Ansible's cisco.ios user module answers, and Netmiko
// issue threads quoting IOS-XE 16/17 sessions.
func iosNoUsername(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	if !c.neg {
		return false, nil
	}
	ok, err := s.confirm("This operation will remove all username related configurations with same name.Do you want to continue? [confirm]")
	if err != nil || !ok {
		return true, err
	}
	// Only the user's name counts: "no username bob secret x" removes bob.
	c.words = c.words[:min(2, len(c.words))]
	p.store(s, c)
	return true, nil
}

// rsaKeyName is the name IOS gives the default keys: hostname.domain.
func (s *session) rsaKeyName() (string, bool) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	dom := ""
	for _, x := range st.running.stanzas {
		if strings.HasPrefix(x.line, "ip domain name ") || strings.HasPrefix(x.line, "ip domain-name ") {
			f := strings.Fields(x.line)
			dom = f[len(f)-1]
		}
	}
	if dom == "" {
		return "", false
	}
	return st.hostname() + "." + dom, true
}

// iosCryptoKey is "crypto key generate rsa": it asks to replace existing
// keys and, without "modulus N", for the modulus. Sources: IOS 15
// transcripts in public labs and Genie's configure_management_ssh dialog
// (its two questions).
func iosCryptoKey(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	name, ok := s.rsaKeyName()
	if !ok {
		s.failed = true
		return true, s.emit("% Please define a domain-name first.\n")
	}
	label := ""
	bits := 0
	for i := 0; i < len(c.words); i++ {
		switch c.words[i] {
		case "label":
			label = c.words[i+1]
		case "modulus":
			bits = atoiDefault(c.words[i+1], 0)
		}
	}
	if label != "" {
		name = label
	}
	s.dev.mu.Lock()
	_, exists := s.dev.st.rsaKeys[name]
	s.dev.mu.Unlock()
	if exists {
		s.write("% You already have RSA keys defined named " + name + ".\n")
		ans, err := s.ask("% Do you really want to replace them? [yes/no]: ", false)
		if err != nil {
			return true, err
		}
		if a := strings.ToLower(strings.TrimSpace(ans)); a != "y" && a != "yes" {
			return true, nil
		}
	} else {
		s.write("The name for the keys will be: " + name + "\n")
	}
	if bits == 0 {
		s.write("Choose the size of the key modulus in the range of 360 to 4096 for your\n  General Purpose Keys. Choosing a key modulus greater than 512 may take\n  a few minutes.\n\n")
		for try := 0; try < 3 && bits == 0; try++ {
			ans, err := s.ask("How many bits in the modulus [512]: ", false)
			if err != nil {
				return true, err
			}
			a := strings.TrimSpace(ans)
			if a == "" {
				bits = 512
				break
			}
			if n := atoiDefault(a, 0); n >= 360 && n <= 4096 {
				bits = n
			}
		}
		if bits == 0 {
			s.failed = true
			return true, nil
		}
	} else {
		s.write("\n% The key modulus size is " + itoa(bits) + " bits\n")
	}
	s.dev.mu.Lock()
	s.dev.st.rsaKeys[name] = bits
	s.dev.mu.Unlock()
	return true, s.emit("% Generating " + itoa(bits) + " bit RSA keys, keys will be non-exportable...\n[OK] (elapsed time was 1 seconds)\n\n")
}

// iosZeroize is "crypto key zeroize rsa [NAME]", which asks first.
func iosZeroize(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	s.dev.mu.Lock()
	n := len(s.dev.st.rsaKeys)
	s.dev.mu.Unlock()
	if n == 0 {
		s.failed = true
		return true, s.emit("% No Signature RSA Keys found in configuration.\n")
	}
	s.write("% All keys will be removed.\n% All router certs issued using these keys will also be removed.\n")
	ans, err := s.ask("Do you really want to remove these keys? [yes/no]: ", false)
	if err != nil {
		return true, err
	}
	if a := strings.ToLower(strings.TrimSpace(ans)); a == "y" || a == "yes" {
		s.dev.mu.Lock()
		s.dev.st.rsaKeys = map[string]int{}
		s.dev.mu.Unlock()
	}
	return true, nil
}

func atoiDefault(s string, def int) int {
	n := 0
	if s == "" {
		return def
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return def
		}
		n = n*10 + int(r-'0')
		if n > 1<<30 {
			return def
		}
	}
	return n
}
