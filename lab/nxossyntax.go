package lab

import "strings"

// The configuration syntax of cisco_nxos (Nexus 9000v 9.3) for the common
// areas. Sources: Cisco Nexus 9000 NX-OS configuration guides and command
// references; the rm_templates of Ansible's cisco.nxos collection, which
// both render and parse these lines (snmp_server: "snmp-server community X
// ro" is sent, "... group network-operator" is what running-config shows;
// logging_global: "logging server"); Nexus running-configs.

var nxosMacros = map[string]string{
	"proto":   "( ip | tcp | udp | icmp | gre | esp | ahp | ospf | eigrp | pim | igmp | <0-255> )",
	"addr":    "( any | host <ip> | <prefix> | <ip> <wild> | addrgroup <word> )",
	"port":    "[ ( eq <port> | neq <port> | lt <port> | gt <port> | range <port> <port> | portgroup <word> ) ]",
	"aclopts": "{ log | established | echo | echo-reply | unreachable | time-exceeded | fragments | dscp <word> | precedence <word> | ttl <0-255> | packet-length <line> }",
	"methods": "( local | none | group <word> { <word> } [ ( local | none ) ] )",
	"redist":  "( direct | static | rip <word> | bgp <asn> | ospf <word> | eigrp <word> | lisp ) route-map <word>",
	"nxlevel": "<0-7>",
}

func nxosGrammars(p *iosLike) map[string]*modeSpec {
	fixed := func(name string) func(string) string { return func(string) string { return name } }
	global := newGrammar(nxosMacros)
	global.add(
		"feature ( ospf | bgp | eigrp | pim | hsrp | vrrp | lacp | vpc | lldp | interface-vlan | tacacs+ | nxapi | scp-server | sftp-server | ssh | telnet | dhcp | udld | bfd | netconf | restconf | grpc | privilege | vn-segment-vlan-based | fex | isis | rip | msdp | ptp | sla <line> | nv overlay | bash-shell | evmed | ngmvpn | port-security | mpls <line> ) @feature",
		// NTP
		"ntp server <host> { prefer | use-vrf <word> | key <1-65535> | maxpoll <4-16> | minpoll <4-16> }",
		"ntp peer <host> { prefer | use-vrf <word> | key <1-65535> | maxpoll <4-16> | minpoll <4-16> }",
		"ntp source-interface <if>",
		"ntp source <ip>",
		"ntp authenticate",
		"ntp authentication-key <1-65535> md5 <word> [ <0-7> ]",
		"ntp trusted-key <1-65535>",
		"ntp master [ <1-15> ]",
		"ntp ( logging | distribute | commit | passive )",
		"ntp access-group ( peer | serve | serve-only | query-only ) <word>",
		// logging
		"logging server <host> [ $nxlevel ] { use-vrf <word> | facility <word> | port <1-65535> | secure [ <line> ] }",
		"logging logfile <word> $nxlevel [ size <4096-4194304> ]",
		"logging console ~ [ $nxlevel ]",
		"logging monitor ~ [ $nxlevel ]",
		"logging module ~ [ $nxlevel ]",
		"logging level <word> ~ $nxlevel",
		"logging timestamp ( microseconds | milliseconds | seconds )",
		"logging source-interface <if>",
		"logging origin-id ( hostname | ip <ip> | string <word> )",
		"logging rate-limit",
		// SNMP
		"snmp-server community <word> ~ [ ( group <word> | ro | rw | use-acl <word> | use-ipv4acl <word> | use-ipv6acl <word> ) ] @nxsnmp",
		"snmp-server location ~ <line>",
		"snmp-server contact ~ <line>",
		"snmp-server host <host> [ ( traps | informs ) ] [ version ( 1 | 2c | 3 ( auth | noauth | priv ) ) ] <word> [ udp-port <1-65535> ]",
		"snmp-server host <host> ( use-vrf <word> | filter-vrf <word> | source-interface <if> )",
		"snmp-server enable traps ~ [ <line> ]",
		"snmp-server source-interface ( traps | informs ) <if>",
		"snmp-server user <word> [ <word> ] [ auth ( md5 | sha | sha-256 ) <word> [ priv [ aes-128 ] <word> ] ] [ localizedkey ] [ engineID <word> ]",
		"snmp-server ( globalEnforcePriv | protocol enable | aaa-user <line> | counter <line> | context <line> | mib <line> | tcp-session [ <line> ] )",
		// AAA
		"aaa authentication login ( default | console ) ~ $methods",
		"aaa authentication login ( ascii-authentication | error-enable | chap enable | mschap enable | mschapv2 enable )",
		"aaa authorization ( commands | config-commands ) ( default | console ) ~ $methods",
		"aaa authorization ssh-certificate default ~ ( local | group <word> { <word> } )",
		"aaa accounting default ~ ( local | group <word> { <word> } [ local ] )",
		"aaa user default-role",
		"aaa group server ( tacacs+ | radius ) <word> => aaa-group",
		"tacacs-server host <host> { key [ ( 0 | 7 ) ] <word> | port <1-65535> | timeout <1-60> } +tacacs+@0",
		"tacacs-server ( key [ ( 0 | 7 ) ] <word> | timeout <1-60> | deadtime <0-1440> | directed-request ) +tacacs+@0",
		// users
		"username <word> ~ { password [ ( 0 | 5 ) ] <word> | role <word> | expire <word> | sshkey <line> | priv-lvl <0-15> }",
		// addressing and services
		"hostname <word>",
		"switchname <word>",
		"ip domain-name <word> [ use-vrf <word> ]",
		"ip domain-lookup",
		"ip domain-list <word>",
		"ip name-server <ip> { <ip> } [ use-vrf <word> ]",
		"ip route <prefix> ( <ip> | <if> [ <ip> ] | Null0 ) { <1-255> | name <word> | tag <0-4294967295> | vrf <word> | track <1-512> }",
		"ip access-list <word> => acl",
		"ip ( pim | igmp | arp | dhcp | host | tacacs | radius | ftp | tftp | sla | community-list | as-path | extcommunity-list | prefix-list | load-sharing | multicast | icmp-errors | source-route | ttl ) <line>",
		"ssh key ( rsa [ <1024-4096> ] [ force ] | ecdsa [ <line> ] | dsa [ force ] )",
		"ssh ( login-attempts <1-10> | ciphers <line> | macs <line> | kexalgos <line> | keytypes <line> | rekey <line> )",
		"copp profile ( strict | moderate | lenient | dense ) @copp",
		"control-plane => control-plane",
		// VLANs, routing
		"vlan <vlans> => vlan",
		"router ospf <word> => ospf +ospf@1",
		"router bgp <asn> => bgp +bgp@1",
		"router eigrp <word> => router-other +eigrp@1",
		"router rip <word> => router-other +rip@1",
		"router isis <word> => router-other +isis@1",
		// banners, lines
		"banner ( motd | exec ) ~ <line> @banner",
		"line console => line-con",
		"line vty => line-vty",
	)

	ifg := newGrammar(nxosMacros)
	ifg.add(
		"description ~ <line>",
		"ip address ~ ( <prefix> | <ip> <mask> ) [ ( secondary | tag <0-4294967295> | route-preference <0-255> ) ]",
		"ip router ospf <word> area <area> [ secondaries none ] +ospf@2",
		"ip router eigrp <word> +eigrp@2",
		"ip ospf cost ~ <1-65535> +ospf@1",
		"ip ospf network ( point-to-point | broadcast ) +ospf@1",
		"ip ospf ( passive-interface | mtu-ignore | bfd | shutdown ) +ospf@1",
		"ip ospf ( hello-interval | dead-interval | retransmit-interval | transmit-delay | priority ) <0-65535> +ospf@1",
		"ip ospf authentication ~ [ ( message-digest | null | key-chain <word> ) ] +ospf@1",
		"ip ospf message-digest-key <1-255> md5 [ ( 0 | 3 ) ] <word> +ospf@1",
		"ip access-group <word> ( in | out )",
		"ip port access-group <word> in",
		"ip dhcp relay address <ip> [ use-vrf <word> ]",
		"ip ( redirects | unreachables | proxy-arp | directed-broadcast | local-proxy-arp )",
		"ip ( pim | igmp | arp | mtu | unnumbered | verify | policy ) <line>",
		"ipv6 <line>",
		"shutdown",
		"switchport",
		"switchport mode ( access | trunk | fex-fabric | dot1q-tunnel | private-vlan <line> )",
		"switchport access vlan <1-4094>",
		"switchport trunk allowed vlan ( <vlans> | all | none | add <vlans> | remove <vlans> | except <vlans> )",
		"switchport trunk native vlan <1-4094>",
		"switchport ( autostate [ exclude ] | host | monitor | voice vlan <1-4094> | port-security [ <line> ] )",
		"mtu <576-9216>",
		"speed ( 100 | 1000 | 10000 | 25000 | 40000 | 50000 | 100000 | 400000 | auto )",
		"duplex ( full | half | auto )",
		"channel-group <1-4096> [ ( force | mode ( active | passive | on ) ) ]",
		"spanning-tree ( port type ( edge [ trunk ] | network | normal ) | bpduguard ( enable | disable ) | bpdufilter ( enable | disable ) | guard ( loop | root | none ) | cost <line> | port-priority <0-224> | link-type <line> | vlan <line> )",
		"bandwidth <1-3200000000>",
		"delay <1-16777215>",
		"vrf member <word>",
		"hsrp <0-4095> [ ( ipv4 | ipv6 ) ] => hsrp +hsrp@0",
		"hsrp ( version ( 1 | 2 ) | delay <line> | bfd | use-bia [ <line> ] ) +hsrp@0",
		"vpc ( <1-4096> | peer-link | orphan-port suspend ) +vpc@0",
		"load-interval counter <1-3> <5-300>",
		"cdp enable",
		"lldp ( transmit | receive )",
		"service-policy ( input | output | type <line> ) [ <line> ]",
		"medium ( broadcast | p2p )",
		"encapsulation dot1q <1-4094>",
		"mac-address <word>",
		"( link | beacon | storm-control | flowcontrol | negotiate | udld | fabricpath | private-vlan | logging | errdisable | snmp | bfd | vrrp | vrrpv3 | negotiate ) <line>",
	)
	hsrp := newGrammar(nxosMacros)
	hsrp.add("ip [ <ip> ] [ secondary ]", "priority <0-255> [ <line> ]", "preempt [ <line> ]", "authentication <line>", "timers <line>", "name <word>", "track <line>", "mac-address <word>")

	ospf := newGrammar(nxosMacros)
	ospf.add(
		"router-id <ip>",
		"log-adjacency-changes [ detail ]",
		"passive-interface default",
		"area <area> ( authentication [ message-digest ] | stub [ no-summary ] | nssa [ <line> ] | range <prefix> [ <line> ] | default-cost <0-16777215> | filter-list <line> | virtual-link <line> )",
		"redistribute $redist",
		"default-information originate [ always ] [ route-map <word> ]",
		"auto-cost reference-bandwidth <1-4000000> [ ( Gbps | Mbps ) ]",
		"maximum-paths <1-64>",
		"( timers | distance | summary-address | max-metric | graceful-restart ) <line>",
		"shutdown",
		"bfd",
		"vrf <word> => router-vrf",
	)

	nbrAF := newGrammar(nxosMacros)
	nbrAF.add(
		"send-community [ ( extended | both | standard ) ]",
		"route-map <word> ( in | out )",
		"prefix-list <word> ( in | out )",
		"next-hop-self [ all ]",
		"soft-reconfiguration inbound [ always ]",
		"allowas-in [ <1-10> ]",
		"maximum-prefix <1-300000> [ <line> ]",
		"default-originate [ route-map <word> ]",
		"( route-reflector-client | as-override | disable-peer-as-check | suppress-inactive )",
		"weight <0-65535>",
	)
	nbr := newGrammar(nxosMacros)
	nbr.add(
		"remote-as ( <asn> | route-map <word> )",
		"description ~ <line>",
		"update-source <if>",
		"shutdown",
		"password [ ( 0 | 3 | 7 ) ] <word>",
		"ebgp-multihop <2-255>",
		"timers <0-3600> <0-3600>",
		"inherit peer <word>",
		"local-as <asn> [ <line> ]",
		"( bfd | remove-private-as | disable-connected-check | dynamic-capability | low-memory <line> | transport <line> )",
		"address-family ( ipv4 | ipv6 | l2vpn ) ( unicast | multicast | evpn ) => bgp-nbr-af",
	)
	bgpAF := newGrammar(nxosMacros)
	bgpAF.add(
		"network <prefix> [ route-map <word> ]",
		"redistribute $redist",
		"maximum-paths [ ibgp ] <1-64>",
		"aggregate-address <prefix> [ <line> ]",
		"( dampening | distance | default-information | nexthop | additional-paths | suppress-inactive | advertise-pip ) [ <line> ]",
	)
	bgp := newGrammar(nxosMacros)
	bgp.add(
		"router-id <ip>",
		"log-neighbor-changes",
		"neighbor ( <ip> | <prefix> ) [ remote-as ( <asn> | route-map <word> ) ] => bgp-nbr @nxnbr",
		"address-family ( ipv4 | ipv6 | l2vpn ) ( unicast | multicast | evpn ) => bgp-af",
		"vrf <word> => router-vrf",
		"( bestpath | graceful-restart | confederation | cluster-id | enforce-first-as | fast-external-fallover | reconnect-interval | event-history ) [ <line> ]",
		"timers ( bgp <0-3600> <0-3600> | prefix-peer-timeout <line> | bestpath-limit <line> )",
		"template peer <word> => router-vrf",
	)

	lineVty := newGrammar(nxosMacros)
	lineVty.add(
		"exec-timeout ~ <0-525600>",
		"session-limit <1-64>",
		"access-class <word> ( in | out )",
		"ipv6 access-class <word> ( in | out )",
		"absolute-timeout <0-10000>",
	)
	lineCon := newGrammar(nxosMacros)
	lineCon.add(
		"exec-timeout ~ <0-525600>",
		"speed ( 300 | 1200 | 2400 | 4800 | 9600 | 38400 | 57600 | 115200 )",
		"databits ( 5 | 6 | 7 | 8 )",
		"stopbits ( 1 | 2 )",
		"parity ( even | none | odd )",
		"modem <line>",
		"terminal <line>",
	)

	vlan := newGrammar(nxosMacros)
	vlan.add("name ~ <word>", "state ( active | suspend )", "shutdown", "vn-segment <4096-16773119>", "mode ( ce | fabricpath )")

	acl := newGrammar(nxosMacros)
	acl.add(
		"[ <1-4294967295> ] ( permit | deny ) $proto $addr $port $addr $port $aclopts",
		"[ <1-4294967295> ] remark <line>",
		"statistics per-entry",
		"fragments ( permit-all | deny-all )",
	)

	cp := newGrammar(nxosMacros)
	cp.add("service-policy input <word> @copp")

	return map[string]*modeSpec{
		"":              {gram: global},
		"if":            {gram: ifg},
		"hsrp":          {prompt: fixed("config-if-hsrp"), gram: hsrp},
		"ospf":          {prompt: fixed("config-router"), gram: ospf},
		"bgp":           {prompt: fixed("config-router"), gram: bgp},
		"bgp-af":        {prompt: fixed("config-router-af"), gram: bgpAF},
		"bgp-nbr":       {prompt: fixed("config-router-neighbor"), gram: nbr},
		"bgp-nbr-af":    {prompt: fixed("config-router-neighbor-af"), gram: nbrAF},
		"router-vrf":    {prompt: fixed("config-router-vrf")},
		"router-other":  {prompt: fixed("config-router")},
		"line-vty":      {prompt: fixed("config-line"), gram: lineVty},
		"line-con":      {prompt: fixed("config-console"), gram: lineCon},
		"vlan":          {prompt: fixed("config-vlan"), gram: vlan},
		"acl":           {prompt: fixed("config-acl"), gram: acl},
		"aaa-group":     {prompt: fixed("config-tacacs+")},
		"control-plane": {prompt: fixed("config-cp"), gram: cp},
	}
}

func nxosActions() map[string]cfgAction {
	return map[string]cfgAction{
		"banner":  bannerAction,
		"feature": nxosFeature,
		"nxsnmp":  nxosSNMPCommunity,
		"copp":    nxosCopp,
		"nxnbr":   nxosNeighbor,
	}
}

// nxosNeighbor enters neighbor mode; "neighbor X remote-as N" on one line
// is stored as NX-OS shows it, "remote-as N" under "neighbor X".
func nxosNeighbor(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	if len(c.words) <= 2 {
		return false, nil
	}
	ras := strings.Join(c.words[2:], " ")
	c.words = c.words[:2]
	if c.neg {
		return false, nil
	}
	if err := p.enterMode(s, c, "bgp-nbr"); err != nil {
		return true, err
	}
	sub := &cfgCmd{words: strings.Fields(ras), level: c.level + 1, parents: append(append([]string(nil), c.parents...), c.canon())}
	p.store(s, sub)
	return true, nil
}

// nxosSNMPCommunity stores "snmp-server community X ro|rw" the way NX-OS
// shows it: as the group it maps to (network-operator, network-admin).
func nxosSNMPCommunity(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	if c.neg {
		c.words = c.words[:min(3, len(c.words))]
		return false, nil
	}
	if len(c.words) == 3 {
		c.words = append(c.words, "group", "network-operator")
		return false, nil
	}
	switch c.words[3] {
	case "ro":
		c.words = append(c.words[:3], "group", "network-operator")
	case "rw":
		c.words = append(c.words[:3], "group", "network-admin")
	}
	return false, nil
}

// nxosFeature turns a feature off with everything configured under it, as
// NX-OS does ("no feature ospf" removes "router ospf" and "ip router ospf").
func nxosFeature(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	if !c.neg {
		return false, nil
	}
	f := strings.Join(c.words[1:], " ")
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	st.running.remove("feature " + f)
	var gone []string
	switch f {
	case "ospf", "bgp", "eigrp", "rip", "isis":
		gone = []string{"router " + f + " "}
		for _, x := range st.running.stanzas {
			if strings.HasPrefix(x.line, "interface ") {
				x.removeChild("ip router " + f)
				if f == "ospf" {
					x.removeChild("ip ospf")
				}
			}
		}
	case "interface-vlan":
		gone = []string{"interface Vlan"}
	case "hsrp":
		for _, x := range st.running.stanzas {
			if strings.HasPrefix(x.line, "interface ") {
				x.removeChild("hsrp")
			}
		}
	case "tacacs+":
		gone = []string{"tacacs-server ", "aaa group server tacacs+ "}
	}
	out := st.running.stanzas[:0]
	for _, x := range st.running.stanzas {
		drop := false
		for _, g := range gone {
			if strings.HasPrefix(x.line, g) {
				drop = true
			}
		}
		if !drop {
			out = append(out, x)
		}
	}
	st.running.stanzas = out
	return true, nil
}

// nxosCopp asks before changing the control-plane policy. Source: an NX-OS
// 7.x session quoted in ansible/ansible#36880 ("service-policy input" under
// control-plane); "copp profile" asks too (srl-labs/vrnetlab#374).
func nxosCopp(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	ans, err := s.ask("This operation can cause disruption of control traffic. Proceed (y/n)?  [no] ", false)
	if err != nil {
		return true, err
	}
	if a := strings.ToLower(strings.TrimSpace(ans)); a != "y" && a != "yes" {
		return true, nil
	}
	return false, nil
}
