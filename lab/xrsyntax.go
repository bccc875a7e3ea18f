package lab

// The configuration syntax of cisco_xr (IOS XRv 9000 7.3) for the common
// areas. IOS-XR configuration is hierarchical: "ntp" enters (config-ntp)
// where "server X" is typed, and the same can be typed on one line,
// "ntp server X", without leaving (config). Sources: Cisco IOS XR command
// references and configuration guides; IOS-XR running-configs in public
// repositories; Ansible's cisco.iosxr resource-module parsers.

var xrMacros = map[string]string{
	"proto":   "( ipv4 | ip | tcp | udp | icmp | gre | esp | ahp | ospf | pim | igmp | <0-255> )",
	"addr":    "( any | host <ip> | <prefix> | <ip> <wild> )",
	"port":    "[ ( eq <port> | neq <port> | lt <port> | gt <port> | range <port> <port> ) ]",
	"aclopts": "{ log | log-input | established | echo | echo-reply | unreachable | time-exceeded | fragments | dscp <word> | precedence <word> | ttl eq <0-255> }",
	"xrlevel": "( alerts | critical | debugging | emergencies | errors | informational | notifications | warnings )",
	"methods": "( local | none | line | group <word> ) { local | none | line | group <word> }",
	"afi":     "( ipv4 ( unicast | multicast | labeled-unicast | flowspec ) | ipv6 ( unicast | multicast | labeled-unicast ) | vpnv4 unicast | vpnv6 unicast | l2vpn evpn )",
}

func xrGrammars() map[string]*modeSpec {
	fixed := func(name string) func(string) string { return func(string) string { return name } }
	global := newGrammar(xrMacros)
	global.add(
		"hostname <word>",
		"domain ( name <word> | name-server <ip> | lookup disable | list <word> )",
		"ntp => ntp",
		"logging <host> ~ { vrf <word> | severity ( alerts | critical | debug | emergencies | error | info | notifications | warning ) | port <1-65535> }",
		"logging console ~ ( disable | $xrlevel )",
		"logging monitor ~ ( disable | $xrlevel )",
		"logging buffered ~ ( <307200-125000000> | $xrlevel )",
		"logging trap ~ $xrlevel",
		"logging source-interface <if> [ vrf <word> ]",
		"logging ( hostnameprefix <word> | facility <word> | events <line> | suppress <line> | history <line> | archive [ <line> ] )",
		"snmp-server community <word> ~ { RO | RW | SystemOwner | SDROwner | IPv4 <word> | IPv6 <word> | view <word> }",
		"snmp-server ( location | contact ) ~ <line>",
		"snmp-server host <host> ( traps | informs ) [ version ( 1 | 2c | 3 ( auth | noauth | priv ) ) ] <word> [ udp-port <1-65535> ]",
		"snmp-server traps ~ [ <line> ]",
		"snmp-server ( trap-source <if> | ifindex persist | vrf <word> [ <line> ] | user <line> | group <line> | view <line> | queue-length <1-5000> | packetsize <484-65500> )",
		"aaa authentication login ( default | <word> ) ~ $methods",
		"aaa authorization ( exec | commands | eventmanager | network ) ( default | <word> ) ~ $methods",
		"aaa accounting ( exec | commands | system | network ) ( default | <word> ) ~ ( start-stop | stop-only | none ) [ group <word> ]",
		"aaa group server ( tacacs+ | radius ) <word> => aaa-group",
		"username <word> => username",
		"interface <if> => if @xrif",
		"router ospf <word> => ospf",
		"router bgp <asn> => bgp",
		"router static => static",
		"router ( isis <word> | rip | pim | igmp | mld | hsrp | vrrp ) => router-other",
		"ipv4 access-list <word> => acl",
		"ipv6 access-list <word> => acl6",
		"route-policy <word> => rpl",
		"prefix-set <word> => set",
		"community-set <word> => set",
		"as-path-set <word> => set",
		"banner ( motd | login | exec | incoming | prompt-timeout ) ~ <line> @banner",
		"line ( console | default | template <word> ) => line",
		"vty-pool ( default | eem | <word> ) <0-99> <0-99> [ line-template <word> ]",
		"ssh server ~ { v2 | vrf <word> | logging | netconf [ vrf <word> ] | rate-limit <1-600> | session-limit <1-1024> }",
		"ssh timeout <5-120>",
		"tacacs-server ( host <host> [ <line> ] | key <line> | timeout <1-1000> )",
		"clock timezone <word> <word>",
		"vrf <word> => vrf",
		"netconf-yang agent ssh",
		"( lldp | cdp | grpc | telemetry | mpls | segment-routing | l2vpn | multicast-routing | call-home | explicit-path | class-map | policy-map | hw-module | service | xml | http | tpa | fpd | control-plane | crypto | key | license | lpts | nsr | rsvp | evpn ) [ <line> ] => lenient",
	)

	ntp := newGrammar(xrMacros)
	ntp.add(
		"server [ vrf <word> ] <host> ~ { prefer | iburst | burst | version <1-4> | key <1-65535> | source <if> | minpoll <4-17> | maxpoll <4-17> }",
		"peer [ vrf <word> ] <host> ~ { prefer | version <1-4> | key <1-65535> | source <if> }",
		"source [ vrf <word> ] <if>",
		"authenticate",
		"authentication-key <1-65535> md5 ( clear | encrypted ) <word>",
		"trusted-key <1-65535>",
		"master [ <1-15> ]",
		"( update-calendar | log-internal-sync )",
		"access-group <line>",
	)

	user := newGrammar(xrMacros)
	user.add(
		"group <word>",
		"secret ~ [ ( 0 | 5 | 8 | 9 | 10 ) ] <word>",
		"password ~ [ ( 0 | 7 ) ] <word>",
		"description <line>",
	)

	ifg := newGrammar(xrMacros)
	ifg.add(
		"description ~ <line>",
		"ipv4 address ~ ( <ip> <mask> | <prefix> ) [ secondary ] @xrip4",
		"ipv4 ( unnumbered <if> | mtu <68-65535> | access-group <word> ( ingress | egress ) | helper-address <ip> | redirects | unreachables disable | directed-broadcast | verify <line> | point-to-point )",
		"ipv6 <line>",
		"shutdown",
		"mtu <64-65535>",
		"encapsulation dot1q <1-4094> [ second-dot1q <1-4094> ]",
		"bundle id <1-65535> mode ( active | passive | on )",
		"load-interval <0-600>",
		"( speed | carrier-delay | bfd | logging | dampening | lacp | cdp | lldp | flow | storm-control ) [ <line> ]",
		"duplex ( full | half )",
		"negotiation auto",
		"vrf <word>",
		"service-policy ( input | output ) <word>",
		"l2transport",
		"mac-address <word>",
	)

	ospf := newGrammar(xrMacros)
	ospf.add(
		"router-id <ip>",
		"area <area> => ospf-ar",
		"log adjacency changes [ ( detail | disable ) ]",
		"passive [ ( enable | disable ) ]",
		"default-information originate [ <line> ]",
		"redistribute ( connected | static | bgp <asn> | ospf <word> | isis <word> ) [ <line> ]",
		"auto-cost reference-bandwidth <1-4294967>",
		"maximum paths <1-64>",
		"network ( broadcast | point-to-point | non-broadcast | point-to-multipoint )",
		"cost <1-65535>",
		"( timers | bfd | authentication | mpls | segment-routing | distance | nsf | max-metric | summary-prefix ) <line>",
		"nsr",
		"vrf <word> => lenient",
	)
	ospfArea := newGrammar(xrMacros)
	ospfArea.add(
		"interface <if> => ospf-ar-if",
		"stub [ no-summary ]",
		"nssa [ <line> ]",
		"range <prefix> [ <line> ]",
		"default-cost <0-16777215>",
		"cost <1-65535>",
		"passive [ ( enable | disable ) ]",
		"network ( broadcast | point-to-point | non-broadcast | point-to-multipoint )",
		"( authentication | mpls | bfd ) <line>",
	)
	ospfIf := newGrammar(xrMacros)
	ospfIf.add(
		"cost <1-65535>",
		"network ( broadcast | point-to-point | non-broadcast | point-to-multipoint )",
		"passive [ ( enable | disable ) ]",
		"( hello-interval | dead-interval | retransmit-interval | transmit-delay ) <1-65535>",
		"priority <0-255>",
		"mtu-ignore [ ( enable | disable ) ]",
		"( authentication | bfd | prefix-suppression ) [ <line> ]",
	)

	bgp := newGrammar(xrMacros)
	bgp.add(
		"bgp router-id <ip>",
		"bgp ( log neighbor changes detail | bestpath <line> | graceful-restart [ <line> ] | cluster-id <line> | confederation <line> | scan-time <5-3600> | fast-external-fallover disable | default local-preference <0-4294967295> )",
		"address-family $afi => bgp-af",
		"neighbor ( <ip> | <prefix> ) => bgp-nbr",
		"neighbor-group <word> => bgp-nbr",
		"vrf <word> => lenient",
		"timers bgp <0-65535> <0-65535> [ <0-65535> ]",
		"nsr [ disable ]",
		"ibgp policy out enforce-modifications",
	)
	bgpAF := newGrammar(xrMacros)
	bgpAF.add(
		"network <prefix> [ route-policy <word> ]",
		"redistribute ( connected | static | ospf <word> | isis <word> ) [ <line> ]",
		"maximum-paths ( ebgp | ibgp | eibgp ) <1-64>",
		"aggregate-address <prefix> [ <line> ]",
		"( allocate-label | additional-paths | bgp | nexthop | distance | table-policy ) <line>",
	)
	nbr := newGrammar(xrMacros)
	nbr.add(
		"remote-as <asn>",
		"description ~ <line>",
		"update-source <if>",
		"shutdown",
		"password ~ ( clear | encrypted ) <word>",
		"ebgp-multihop [ <1-255> ]",
		"use ( neighbor-group | session-group ) <word>",
		"timers <0-65535> <0-65535> [ <0-65535> ]",
		"local-as <asn> [ <line> ]",
		"( bfd | capability | ignore-connected-check | ttl-security | egress-engineering ) [ <line> ]",
		"address-family $afi => bgp-nbr-af",
	)
	nbrAF := newGrammar(xrMacros)
	nbrAF.add(
		"route-policy <word> ( in | out )",
		"( next-hop-self | send-community-ebgp | send-extended-community-ebgp | route-reflector-client | as-override )",
		"soft-reconfiguration inbound [ always ]",
		"maximum-prefix <1-4294967295> [ <line> ]",
		"allowas-in [ <1-10> ]",
		"remove-private-AS [ <line> ]",
		"default-originate [ <line> ]",
	)

	static := newGrammar(xrMacros)
	static.add(
		"address-family ( ipv4 | ipv6 ) ( unicast | multicast ) => static-afi",
		"vrf <word> => lenient",
	)
	staticAF := newGrammar(xrMacros)
	staticAF.add("<prefix> ( <ip> | <if> [ <ip> ] ) { <1-254> | description <word> | tag <1-4294967295> | permanent | bfd <line> }")

	acl := newGrammar(xrMacros)
	acl.add(
		"[ <1-2147483646> ] ( permit | deny ) $proto $addr $port $addr $port $aclopts",
		"[ <1-2147483646> ] remark <line>",
	)

	line := newGrammar(xrMacros)
	line.add(
		"exec-timeout ~ <0-35791> [ <0-2147483> ]",
		"transport input ( all | none | ( ssh | telnet ) { ssh | telnet } )",
		"transport output ( all | none | ( ssh | telnet ) { ssh | telnet } )",
		"session-timeout <0-35791>",
		"access-class ( ingress | egress ) <word>",
		"login authentication ( default | <word> )",
		"authorization ( exec | commands | eventmanager ) ( default | <word> )",
		"session-limit <0-1024>",
		"timestamp disable",
	)

	return map[string]*modeSpec{
		"":             {gram: global},
		"ntp":          {prompt: fixed("config-ntp"), gram: ntp},
		"username":     {prompt: fixed("config-un"), gram: user},
		"if":           {prompt: xrIfMode, gram: ifg},
		"ospf":         {prompt: fixed("config-ospf"), gram: ospf},
		"ospf-ar":      {prompt: fixed("config-ospf-ar"), gram: ospfArea},
		"ospf-ar-if":   {prompt: fixed("config-ospf-ar-if"), gram: ospfIf},
		"bgp":          {prompt: fixed("config-bgp"), gram: bgp},
		"bgp-af":       {prompt: fixed("config-bgp-af"), gram: bgpAF},
		"bgp-nbr":      {prompt: fixed("config-bgp-nbr"), gram: nbr},
		"bgp-nbr-af":   {prompt: fixed("config-bgp-nbr-af"), gram: nbrAF},
		"static":       {prompt: fixed("config-static"), gram: static},
		"static-afi":   {prompt: fixed("config-static-afi"), gram: staticAF},
		"acl":          {prompt: fixed("config-ipv4-acl"), gram: acl},
		"acl6":         {prompt: fixed("config-ipv6-acl")},
		"line":         {prompt: fixed("config-line"), gram: line},
		"rpl":          {prompt: fixed("config-rpl")},
		"set":          {prompt: fixed("config-pfx")},
		"aaa-group":    {prompt: fixed("config-sg-tacacs")},
		"vrf":          {prompt: fixed("config-vrf")},
		"router-other": {prompt: fixed("config-router")},
		"lenient":      {prompt: func(h string) string { return "config-" + firstWord(h) }},
	}
}

func xrIfMode(header string) string {
	for i := 0; i < len(header); i++ {
		if header[i] == '.' {
			return "config-subif"
		}
	}
	return "config-if"
}
