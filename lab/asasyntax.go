package lab

import (
	"strings"
	"time"
)

// The configuration syntax of cisco_asa (ASAv 9.16, single context mode)
// for the common areas. The ASA names interfaces by their nameif where IOS
// takes an address or an interface ("logging host management 10.0.0.5",
// "route outside 0.0.0.0 0.0.0.0 10.0.0.1", "ssh 10.0.0.0 255.0.0.0
// management"); masks, not wildcards or prefixes. Sources: the Cisco ASA
// Series command references and CLI configuration guides; ASA
// running-configs in public repositories; Ansible's cisco.asa parsers.

var asaMacros = map[string]string{
	"proto":   "( ip | tcp | udp | icmp | icmp6 | gre | esp | ah | ospf | pim | igmp | sctp | <0-255> | object <word> | object-group <word> )",
	"addr":    "( any | any4 | any6 | host <ip> | <ip> <mask> | object <word> | object-group <word> | interface <nameif> )",
	"port":    "[ ( eq <port> | neq <port> | lt <port> | gt <port> | range <port> <port> | object-group <word> ) ]",
	"aclopts": "{ log [ <line> ] | inactive | time-range <word> | echo | echo-reply | unreachable | time-exceeded }",
	"level":   "( <level> )",
	"server":  "( LOCAL | <word> [ LOCAL ] )",
}

func asaGrammars() map[string]*modeSpec {
	fixed := func(name string) func(string) string { return func(string) string { return name } }
	global := newGrammar(asaMacros)
	global.add(
		"hostname <word>",
		"domain-name <word>",
		"route <nameif> <ip> <mask> <ip> [ <1-255> ] [ track <1-500> ]",
		"access-list <word> extended ( permit | deny ) $proto $addr $port $addr $port $aclopts",
		"access-list <word> standard ( permit | deny ) ( any4 | host <ip> | <ip> <mask> )",
		"access-list <word> remark <line>",
		"access-group <word> ( ( in | out ) interface <nameif> | global )",
		"object network <word> => obj-net",
		"object service <word> => obj-svc",
		"object-group ( network | service | protocol | icmp-type | user ) <word> [ <line> ] => obj-group",
		// logging
		"logging enable",
		"logging host <nameif> <ip> ~ [ <protoport> ] [ format emblem ] [ secure ]",
		"logging ( trap | buffered | console | monitor | history | asdm | mail ) ~ $level",
		"logging timestamp [ rfc5424 ]",
		"logging buffer-size <4096-1048576>",
		"logging facility <16-23>",
		"logging ( standby | emblem | permit-hostdown | hide username | device-id <line> | list <line> | message <line> | class <line> | queue <line> )",
		// NTP
		"ntp server <ip> ~ { key <1-4294967295> | source <nameif> | prefer }",
		"ntp authenticate",
		"ntp authentication-key <1-4294967295> md5 <word>",
		"ntp trusted-key <1-4294967295>",
		// SNMP
		"snmp-server host <nameif> <ip> ~ { community <word> | version ( 1 | 2c | 3 <word> ) | udp-port <1-65535> | poll | trap }",
		"snmp-server community <word>",
		"snmp-server ( location | contact ) ~ <line>",
		"snmp-server enable [ traps [ <line> ] ]",
		"snmp-server ( group | user | user-list | listen-port ) <line>",
		// AAA and users
		"aaa authentication ( ssh | telnet | http | serial | enable ) console $server",
		"aaa authentication login-history [ <line> ]",
		"aaa authorization command $server",
		"aaa authorization exec ( LOCAL | authentication-server ) [ auto-enable ]",
		"aaa accounting ( ssh | telnet | serial | enable ) console <word>",
		"aaa accounting command [ privilege <0-15> ] <word>",
		"aaa-server <word> protocol ( tacacs+ | radius | ldap | kerberos | sdi | nt ) => aaa-server",
		"aaa-server <word> <line> => aaa-server",
		"username <word> ~ ( password <word> [ ( encrypted | pbkdf2 | nt-encrypted ) ] [ privilege <0-15> ] | nopassword [ privilege <0-15> ] )",
		"username <word> attributes => user-attr",
		"enable password ~ <word> [ level <0-15> ] [ ( encrypted | pbkdf2 ) ]",
		// management access
		"ssh <ip> <mask> <nameif>",
		"ssh ( timeout <1-60> | version ( 1 | 2 ) | key-exchange group <line> | cipher <line> | scopy enable | stricthostkeycheck | stack <line> )",
		"telnet <ip> <mask> <nameif>",
		"telnet timeout <1-1440>",
		"http server enable [ <1-65535> ]",
		"http <ip> <mask> <nameif>",
		"banner ( motd | login | exec | asdm ) ~ <line> @asabanner",
		"crypto key generate rsa { modulus ( 512 | 768 | 1024 | 2048 | 4096 ) | label <word> | noconfirm | general-keys | usage-keys } @asakey",
		"crypto ( ca | ikev1 | ikev2 | ipsec | map | dynamic-map | isakmp | key zeroize ) <line>",
		"dns domain-lookup <nameif>",
		"dns server-group <word> => dns-group",
		"terminal width <40-511>",
		"pager lines <0-2147483647>",
		"mtu <nameif> <64-9198>",
		"same-security-traffic permit ( inter-interface | intra-interface )",
		"icmp ( permit | deny | unreachable ) <line>",
		"router ospf <1-65535> => ospf",
		"router bgp <asn> => bgp",
		"router eigrp <1-65535> => router-other",
		"ip ( local pool <word> <line> | verify reverse-path interface <nameif> | audit <line> )",
		"( nat | timeout | failover | names | clock | ftp | arp | threat-detection | sysopt | service-policy | user-identity | dhcpd | dhcprelay | flow-export | call-home | license | ipv6 | prompt | console | no-mac | mac-address | asdm | boot | xlate | monitor-interface | fragment | management-access | vpn-sessiondb | service | dynamic-access-policy-record | ssl | jumbo-frame | passwd ) [ <line> ]",
		"( policy-map | class-map | group-policy | tunnel-group | webvpn | object-group-search ) [ <line> ] => lenient",
	)

	ifg := newGrammar(asaMacros)
	ifg.add(
		"nameif ~ <word> @nameif",
		"security-level ~ <0-100>",
		"ip address ~ <ip> <mask> [ standby <ip> ]",
		"ip address dhcp [ setroute ]",
		"shutdown",
		"description ~ <line>",
		"vlan <1-4094>",
		"speed ( 10 | 100 | 1000 | auto | nonegotiate )",
		"duplex ( auto | full | half )",
		"management-only",
		"channel-group <1-48> mode ( active | passive | on )",
		"mac-address <word> [ standby <word> ]",
		"( ipv6 | ospf | bfd | pppoe | delay | authentication | flowcontrol | lacp | member-interface ) <line>",
	)

	objNet := newGrammar(asaMacros)
	objNet.add("host <ip>", "subnet <ip> <mask>", "range <ip> <ip>", "fqdn [ ( v4 | v6 ) ] <word>", "description <line>", "nat <line>")

	ospf := newGrammar(asaMacros)
	ospf.add(
		"router-id <ip>",
		"network <ip> <mask> area <area>",
		"passive-interface ( default | <nameif> )",
		"redistribute ( connected | static | bgp <asn> | ospf <1-65535> | eigrp <1-65535> | rip ) [ <line> ]",
		"default-information originate [ <line> ]",
		"log-adj-changes [ detail ]",
		"area <area> <line>",
		"( timers | distance | summary-address | compatible | default-metric ) <line>",
	)
	bgp := newGrammar(asaMacros)
	bgp.add(
		"bgp ( log-neighbor-changes | router-id <ip> | bestpath <line> | default <line> | fast-external-fallover )",
		"address-family ( ipv4 | ipv6 ) [ unicast ] => bgp-af",
		"timers bgp <0-65535> <0-65535> [ <0-65535> ]",
	)
	bgpAF := newGrammar(asaMacros)
	bgpAF.add(
		"neighbor <ip> ( remote-as <asn> | activate | description <line> | password [ ( 0 | 8 ) ] <word> | route-map <word> ( in | out ) | shutdown | ebgp-multihop [ <1-255> ] | default-originate [ <line> ] | next-hop-self | send-community [ <line> ] | timers <0-65535> <0-65535> )",
		"network <ip> [ mask <mask> ] [ route-map <word> ]",
		"redistribute ( connected | static | ospf <1-65535> ) [ <line> ]",
		"( auto-summary | synchronization | maximum-paths <1-8> | no-synchronization )",
	)

	return map[string]*modeSpec{
		"":             {gram: global},
		"if":           {gram: ifg},
		"obj-net":      {prompt: fixed("config-network-object"), gram: objNet},
		"obj-svc":      {prompt: fixed("config-service-object")},
		"obj-group":    {prompt: fixed("config-network-object-group")},
		"aaa-server":   {prompt: fixed("config-aaa-server-group")},
		"user-attr":    {prompt: fixed("config-username")},
		"dns-group":    {prompt: fixed("config-dns-server-group")},
		"ospf":         {prompt: fixed("config-router"), gram: ospf},
		"bgp":          {prompt: fixed("config-router"), gram: bgp},
		"bgp-af":       {prompt: fixed("config-router-af"), gram: bgpAF},
		"router-other": {prompt: fixed("config-router")},
		"lenient":      {prompt: func(h string) string { return "config-" + firstWord(h) }},
	}
}

func asaActions() map[string]cfgAction {
	return map[string]cfgAction{
		"asabanner": asaBanner,
		"asakey":    asaCryptoKey,
		"nameif":    asaNameif,
	}
}

// asaBanner: on the ASA each "banner motd TEXT" adds a line to the banner;
// "no banner motd" removes them all.
func asaBanner(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	if c.neg {
		c.words = c.words[:min(2, len(c.words))]
		return false, nil
	}
	line := c.canon()
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	at := -1
	for i, x := range st.running.stanzas {
		if strings.HasPrefix(x.line, "banner "+c.words[1]+" ") {
			at = i
		}
	}
	if at < 0 {
		st.running.setLine(line)
	} else {
		st.running.stanzas = append(st.running.stanzas, nil)
		copy(st.running.stanzas[at+2:], st.running.stanzas[at+1:])
		st.running.stanzas[at+1] = &stanza{line: line}
	}
	st.lastChange = time.Now()
	return true, nil
}

// asaCryptoKey is "crypto key generate rsa": it asks before replacing the
// key pair unless "noconfirm". Source: ASA sessions in public lab guides
// (the WARNING, the question and both answers' texts).
func asaCryptoKey(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	name := "<Default-RSA-Key>"
	noconfirm := false
	for i, w := range c.words {
		switch w {
		case "label":
			name = c.words[i+1]
		case "noconfirm":
			noconfirm = true
		}
	}
	s.dev.mu.Lock()
	_, exists := s.dev.st.rsaKeys[name]
	s.dev.mu.Unlock()
	if exists && !noconfirm {
		s.write("WARNING: You have a RSA keypair already defined named " + name + ".\n\n")
		ans, err := s.ask("Do you really want to replace them? [yes/no]: ", false)
		if err != nil {
			return true, err
		}
		if a := strings.ToLower(strings.TrimSpace(ans)); a != "y" && a != "yes" {
			s.failed = true
			return true, s.emit("ERROR: Failed to create new RSA keys named " + name + "\n")
		}
	}
	s.dev.mu.Lock()
	s.dev.st.rsaKeys[name] = 2048
	s.dev.mu.Unlock()
	return true, s.emit("Keypair generation process begin. Please wait...\n")
}

// asaNameif names an interface; a security level follows from the name as
// on the ASA ("inside" 100, anything else 0) unless one is configured.
func asaNameif(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	if c.neg {
		return false, nil
	}
	level := "0"
	if c.words[1] == "inside" {
		level = "100"
	}
	p.store(s, c)
	s.dev.mu.Lock()
	sec := s.dev.st.running.find(c.parents[0])
	has := false
	if sec != nil {
		_, has = sec.child("security-level")
		if !has {
			sec.setChild("security-level " + level) // in place of "no security-level"
		}
	}
	s.dev.mu.Unlock()
	if !has {
		return true, s.emit("INFO: Security level for \"" + c.words[1] + "\" set to " + level + " by default.\n")
	}
	return true, nil
}

// asaNameifs lists the interface names configured.
func (s *session) asaNameifs() map[string]bool {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	out := map[string]bool{}
	for _, x := range s.dev.st.running.stanzas {
		if !strings.HasPrefix(x.line, "interface ") {
			continue
		}
		if n, ok := x.child("nameif"); ok && n != "" {
			out[n] = true
		}
	}
	return out
}
