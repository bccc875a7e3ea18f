package lab

import "strings"

// The configuration syntax of arista_eos (vEOS-lab 4.28) for the common
// areas. Sources: the Arista EOS user manual; Arista AVD's
// eos_cli_config_gen templates, which render these lines (banners end
// with "EOF"); Ansible's arista.eos resource-module parsers; vEOS
// running-configs.

var eosMacros = map[string]string{
	"proto":   "( ip | tcp | udp | icmp | gre | esp | ahp | ospf | pim | igmp | vrrp | <0-255> )",
	"addr":    "( any | host <ip> | <prefix> | <ip> <wild> )",
	"port":    "[ ( eq <port> { <port> } | neq <port> { <port> } | lt <port> | gt <port> | range <port> <port> ) ]",
	"aclopts": "{ log | established | echo | echo-reply | unreachable | time-exceeded | fragments | dscp <word> | ttl ( eq | gt | lt | neq ) <0-255> | tracked }",
	"level":   "( <level> )",
	"methods": "( local | none | group <word> ) { local | none | group <word> }",
	"redist":  "( connected | static | ospf | bgp | rip | isis | attached-host ) [ <line> ]",
	"nbr":     "( <ip> | <word> )",
}

func eosGrammars(p *iosLike) map[string]*modeSpec {
	fixed := func(name string) func(string) string { return func(string) string { return name } }
	global := newGrammar(eosMacros)
	global.add(
		// NTP
		"ntp server [ vrf <word> ] <host> { prefer | iburst | burst | version <1-4> | key <1-65535> | source <if> | local-interface <if> | minpoll <3-17> | maxpoll <3-17> }",
		"ntp authenticate [ servers ]",
		"ntp authentication-key <1-65534> ( md5 | sha1 ) [ ( 0 | 7 | 8a ) ] <word>",
		"ntp trusted-key <line>",
		"ntp ( source | local-interface ) [ vrf <word> ] <if>",
		"ntp serve [ all ]",
		"ntp qos dscp <0-63>",
		// logging
		"logging [ vrf <word> ] host <host> [ <1-65535> ] [ protocol ( udp | tcp ) ]",
		"logging trap ~ [ $level ]",
		"logging buffered ~ [ <10-2147483647> ] [ $level ]",
		"logging console ~ [ $level ]",
		"logging monitor ~ [ $level ]",
		"logging synchronous [ <line> ]",
		"logging [ vrf <word> ] source-interface <if>",
		"logging facility <word>",
		"logging format ( hostname fqdn | hostname ipv4 | timestamp <line> | sequence-numbers )",
		"logging ( on | event <line> | level <line> | persistent [ <line> ] | repeat-messages | qos <line> | policy <line> )",
		// SNMP
		"snmp-server community <word> ~ [ view <word> ] [ ( ro | rw ) ] [ ipv6 <word> ] [ <word> ]",
		"snmp-server location ~ <line>",
		"snmp-server contact ~ <line>",
		"snmp-server host <host> [ vrf <word> ] [ ( traps | informs ) ] [ version ( 1 | 2c | 3 ( auth | noauth | priv ) ) ] <word> [ udp-port <1-65535> ]",
		"snmp-server enable traps ~ [ <line> ]",
		"snmp-server vrf <word> [ <line> ]",
		"snmp-server local-interface <if>",
		"snmp-server ( user | group | view | engineID | chassis-id | extension | ifmib | qos ) <line>",
		// AAA
		"aaa authentication login ( default | console ) ~ $methods",
		"aaa authentication enable default ~ $methods",
		"aaa authentication policy <line>",
		"aaa authorization exec default ~ $methods",
		"aaa authorization commands ( all | <0-15> ) default ~ $methods",
		"aaa authorization ( console | serial-console | policy <line> )",
		"aaa accounting ( exec | system | commands ( all | <0-15> ) | dot1x ) ( default | console ) ~ ( none | start-stop | stop-only ) [ group <word> ] [ logging ]",
		"aaa root ( secret [ ( 0 | 5 | sha512 ) ] <word> | nopassword )",
		"aaa group server ( tacacs+ | radius ) <word> => aaa-group",
		// users
		"username <word> ~ { privilege <0-15> | role <word> | shell <word> | sshkey <line> } [ ( secret [ ( 0 | 5 | sha512 ) ] <word> | nopassword ) ]",
		// addressing and services
		"hostname <word>",
		"ip domain-name <word>",
		"ip domain lookup [ vrf <word> ] source-interface <if>",
		"ip name-server [ vrf <word> ] <ip> { <ip> }",
		"ip route [ vrf <word> ] <prefix> ( <ip> | <if> [ <ip> ] | Null0 ) { <1-255> | name <word> | tag <0-4294967295> | metric <0-4294967295> }",
		"ip routing [ vrf <word> ]",
		"ip access-list <word> => acl",
		"ip access-list standard <word> => acl-std",
		"ip ( virtual-router | igmp | pim | multicast-routing | dhcp | arp | prefix-list | as-path | community-list | extcommunity-list | icmp | ssh | http | ftp | tftp | host | load-sharing | fib | hardware | radius | tacacs | security | verify | nat ) <line>",
		"dns domain <word>",
		// VLANs, routing
		"vlan <vlans> => vlan",
		"router ospf <1-65535> [ vrf <word> ] => ospf",
		"router bgp <asn> => bgp",
		"router ( isis <word> | pim [ <line> ] | igmp | multicast | general | msdp | rip ) => router-other",
		// banners
		"banner ( motd | login ) @banner",
	)

	ifg := newGrammar(eosMacros)
	ifg.add(
		"description ~ <line>",
		"ip address ~ <prefix> [ secondary ]",
		"ip address dhcp",
		"ip access-group <word> ( in | out )",
		"ip ospf cost ~ <1-65535>",
		"ip ospf network point-to-point",
		"ip ospf area <area>",
		"ip ospf ( hello-interval | dead-interval | retransmit-interval | transmit-delay | priority ) <0-65535>",
		"ip ospf authentication ~ [ message-digest ]",
		"ip ospf ( authentication-key | message-digest-key | bfd | disabled | shutdown ) [ <line> ]",
		"ip helper-address <ip> { vrf <word> | source-interface <if> }",
		"ip virtual-router address <ip>",
		"ip proxy-arp",
		"ip ( igmp | pim | attached-host | dhcp | local-proxy-arp | verify | mtu | unnumbered ) <line>",
		"ipv6 <line>",
		"shutdown",
		"switchport",
		"switchport mode ( access | trunk | dot1q-tunnel | routed | tap | tool )",
		"switchport access vlan <1-4094>",
		"switchport trunk allowed vlan ( <vlans> | all | none | add <vlans> | remove <vlans> | except <vlans> )",
		"switchport trunk native vlan ( <1-4094> | tag )",
		"switchport trunk group <word>",
		"switchport ( port-security [ <line> ] | backup-link <line> | vlan <line> )",
		"mtu <68-9214>",
		"speed [ <line> ]",
		"channel-group <1-2000> mode ( active | passive | on )",
		"spanning-tree ( portfast [ <line> ] | bpduguard ( enable | disable ) | bpdufilter ( enable | disable ) | guard ( loop | root | none ) | cost <line> | port-priority <0-240> | link-type <line> | portfast-bpduguard <line> )",
		"load-interval <0-600>",
		"lldp ( transmit | receive )",
		"vrf [ forwarding ] <word>",
		"encapsulation dot1q vlan <1-4094>",
		"mac-address <word>",
		"( service-policy | vrrp | bfd | logging | storm-control | flowcontrol | error-correction | dot1x | ptp | sflow | mlag | ip-nat | tcp | link-debounce | snmp | qos | priority-flow-control ) <line>",
	)

	ospf := newGrammar(eosMacros)
	ospf.add(
		"router-id <ip>",
		"network ( <prefix> | <ip> <wild> ) area <area>",
		"passive-interface ( default | <if> )",
		"redistribute $redist",
		"default-information originate [ always ] [ <line> ]",
		"max-lsa <1-100000> [ <line> ]",
		"area <area> ( default-cost <0-65535> | filter <line> | not-so-stubby [ <line> ] | nssa [ <line> ] | range <prefix> [ <line> ] | stub [ no-summary ] | authentication [ message-digest ] )",
		"log-adjacency-changes [ detail ]",
		"maximum-paths <1-128>",
		"auto-cost reference-bandwidth <1-4294967>",
		"( timers | distance | summary-address | max-metric | graceful-restart | bfd ) <line>",
		"shutdown",
	)

	nbr := "neighbor $nbr ( remote-as <asn> | description <line> | update-source <if> | shutdown | password [ ( 0 | 7 | 8a ) ] <word> | ebgp-multihop [ <1-255> ] | next-hop-self | send-community [ ( standard | extended | large ) ] | route-map <word> ( in | out ) | maximum-routes <0-4294967294> [ <line> ] | peer group <word> | peer-group [ <word> ] | allowas-in [ <1-10> ] | timers <0-3600> <0-3600> | bfd | default-originate [ <line> ] | route-reflector-client | soft-reconfiguration inbound [ all ] | local-as <asn> <line> | activate | remove-private-as [ <line> ] | weight <0-65535> | prefix-list <word> ( in | out ) )"
	bgp := newGrammar(eosMacros)
	bgp.add(
		"router-id <ip>",
		nbr,
		"network <prefix> [ route-map <word> ]",
		"redistribute $redist",
		"maximum-paths <1-600> [ ecmp <1-600> ]",
		"bgp ( log-neighbor-changes | bestpath <line> | default ( ipv4-unicast | ipv6-unicast ) | listen <line> | asn notation <line> | missing-policy <line> | additional-paths <line> )",
		"timers bgp <0-3600> <0-3600>",
		"( distance | graceful-restart | graceful-restart-helper | update | aggregate-address | ucmp | route-target ) <line>",
		"address-family ( ipv4 [ ( unicast | multicast | labeled-unicast ) ] | ipv6 [ ( unicast | multicast ) ] | evpn | vpn-ipv4 | vpn-ipv6 ) => bgp-af",
		"vrf <word> => bgp-vrf",
	)
	bgpAF := newGrammar(eosMacros)
	bgpAF.add(
		"neighbor $nbr ( activate | route-map <word> ( in | out ) | default-originate [ <line> ] | next-hop <line> | prefix-list <word> ( in | out ) | additional-paths <line> | graceful-restart )",
		"network <prefix> [ route-map <word> ]",
		"redistribute $redist",
		"( bgp | maximum-paths | aggregate-address | graceful-restart ) <line>",
	)

	vlan := newGrammar(eosMacros)
	vlan.add("name ~ <word>", "state ( active | suspend )", "trunk group <word>")

	acl := newGrammar(eosMacros)
	acl.add(
		"[ <1-4294967295> ] ( permit | deny ) $proto $addr $port $addr $port $aclopts",
		"[ <1-4294967295> ] remark <line>",
		"( statistics | counters ) per-entry",
	)
	aclStd := newGrammar(eosMacros)
	aclStd.add(
		"[ <1-4294967295> ] ( permit | deny ) ( any | host <ip> | <prefix> | <ip> <wild> ) [ log ]",
		"[ <1-4294967295> ] remark <line>",
		"( statistics | counters ) per-entry",
	)

	after := func(prefix string) func(string) string {
		return func(h string) string {
			f := strings.Fields(h)
			return prefix + f[len(f)-1]
		}
	}
	return map[string]*modeSpec{
		"":             {gram: global},
		"if":           {gram: ifg},
		"ospf":         {prompt: fixed("config-router-ospf"), gram: ospf},
		"bgp":          {prompt: fixed("config-router-bgp"), gram: bgp},
		"bgp-af":       {prompt: fixed("config-router-bgp-af"), gram: bgpAF},
		"bgp-vrf":      {prompt: after("config-router-bgp-vrf-")},
		"router-other": {prompt: fixed("config-router")},
		"vlan":         {prompt: after("config-vlan-"), gram: vlan},
		"acl":          {prompt: after("config-acl-"), gram: acl},
		"acl-std":      {prompt: after("config-std-acl-"), gram: aclStd},
		"aaa-group":    {prompt: after("config-sg-tacacs+-")},
	}
}

func eosActions() map[string]cfgAction {
	return map[string]cfgAction{"banner": bannerAction}
}
