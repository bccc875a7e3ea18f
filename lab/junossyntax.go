package lab

import (
	"errors"
	"regexp"
	"strings"
)

// The configuration syntax of juniper_junos (vMX 21.4) for the common
// areas, as "set" paths: system (host-name, ntp, syslog, login, services,
// root-authentication), snmp, interfaces and units, vlans, protocols ospf,
// bgp and lldp, routing-options and firewall filters. Other hierarchies are
// accepted by their first word. Sources: the Junos CLI reference and
// configuration guides; Junos "display set" configurations in public
// repositories; Ansible's junipernetworks.junos resource modules.

var junosMacros = map[string]string{
	"facility": "( any | authorization | change-log | conflict-log | daemon | dfc | external | firewall | ftp | interactive-commands | kernel | ntp | pfe | security | user )",
	"severity": "( any | emergency | alert | critical | error | warning | notice | info | none )",
	"secret":   "( encrypted-password <word> | plain-text-password | ssh-rsa <word> | ssh-ed25519 <word> | ssh-ecdsa <word> )",
}

// junosGrammar is built with the other platforms (loadPlatforms): built
// at start it was a quarter of what every runbook process allocated before
// main, lab or not.
var junosGrammar *grammar

func newJunosGrammar() *grammar {
	g := newGrammar(junosMacros)
	g.caseSensitive = true
	g.add(
		"system host-name <word>",
		"system domain-name <word>",
		"system domain-search <word>",
		"system time-zone <word>",
		"system name-server <ip> [ routing-instance <word> ]",
		"system ntp ~ [ ( server <host> ~ { prefer | version <1-4> | key <1-65534> | routing-instance <word> } | peer <host> ~ { prefer | version <1-4> | key <1-65534> } | boot-server <host> | source-address <ip> [ routing-instance <word> ] | authentication-key <1-65534> ~ [ type ( md5 | sha1 | sha256 ) ] [ value <word> ] | trusted-key <1-65534> ) ]",
		"system syslog ~ [ ( host <host> ~ { $facility $severity | port <1-65535> | source-address <ip> | structured-data | routing-instance <word> | facility-override $facility } | file <word> ~ { $facility $severity | archive <line> | structured-data | match <word> } | user ( * | <word> ) ~ { $facility $severity } | console ~ { $facility $severity } | archive <line> | time-format <line> | source-address <ip> ) ]",
		"system login ~ [ ( user <word> ~ [ { uid <100-64000> | class <word> | full-name <word> | authentication ~ [ $secret ] } ] | class <word> <line> | message <word> | announcement <word> | retry-options <line> | password <line> ) ]",
		"system services ~ [ ( ssh ~ [ <line> ] | netconf ~ [ ( ssh [ <line> ] | rfc-compliant | yang-compliant ) ] | telnet | ftp | web-management <line> | rest <line> | extension-service <line> | dhcp-local-server <line> ) ]",
		"system root-authentication ~ [ $secret ]",
		"system authentication-order ( password | radius | tacplus ) { password | radius | tacplus }",
		"system ( tacplus-server | radius-server ) <ip> [ <line> ]",
		"system ( arp | archival | commit | processes | management-instance | ports | internet-options | static-host-mapping | license | max-configurations-on-flash | max-configuration-rollbacks | scripts | configuration-database | auto-snapshot | location | accounting | no-redirects | default-address-selection | ddos-protection | tracing ) [ <line> ]",
		"snmp ~ [ ( community <word> ~ { authorization ( read-only | read-write ) | clients <prefix> [ restrict ] | view <word> | routing-instance <word> } | location <word> | contact <word> | description <word> | name <word> | trap-group <word> [ <line> ] | ( v3 | view | trap-options | engine-id | interface | filter-interfaces | health-monitor | client-list | routing-instance-access ) [ <line> ] ) ]",
		"interfaces interface-range <word> [ <line> ]",
		"interfaces <jif> ~ [ ( description <word> | disable | mtu <256-9500> | vlan-tagging | flexible-vlan-tagging | encapsulation <word> | native-vlan-id <1-4094> | speed <word> | link-mode ( full-duplex | half-duplex | automatic ) | ( gigether-options | ether-options | aggregated-ether-options | esi | hold-time ) <line> | unit <0-16385> ~ [ ( description <word> | vlan-id <1-4094> | disable | family ( inet ~ [ ( address <prefix> [ <line> ] | filter ( input | output ) <word> | mtu <256-9500> | dhcp [ <line> ] | unnumbered-address <line> ) ] | inet6 ~ [ <line> ] | ethernet-switching ~ [ <line> ] | iso ~ [ <line> ] | mpls ~ [ <line> ] | bridge ~ [ <line> ] ) ) ] ) ]",
		"vlans <word> ~ [ ( vlan-id <1-4094> | description <word> | l3-interface <word> | interface <word> | vlan-id-list <line> | vxlan <line> ) ]",
		"protocols ospf ~ [ ( area <area> ~ [ ( interface <word> ~ { passive | metric <1-65535> | interface-type ( p2p | nbma | p2mp ) | hello-interval <1-255> | dead-interval <1-65535> | priority <0-255> | authentication <line> | bfd-liveness-detection <line> | disable } | stub [ <line> ] | nssa [ <line> ] | area-range <line> ) ] | reference-bandwidth <word> | export <word> | import <word> | traceoptions <line> | overload [ <line> ] | spf-options <line> | preference <0-4294967295> ) ]",
		"protocols bgp ~ [ ( group <word> ~ [ ( type ( internal | external ) | peer-as <asn> | local-address <ip> | neighbor <ip> ~ [ ( peer-as <asn> | description <word> | local-address <ip> | export <word> | import <word> | authentication-key <word> | family <line> | local-as <asn> [ <line> ] ) ] | export <word> | import <word> | description <word> | family <line> | authentication-key <word> | multipath [ <line> ] | cluster <ip> | hold-time <0-65535> | bfd-liveness-detection <line> | local-as <asn> [ <line> ] ) ] | local-as <asn> [ <line> ] | export <word> | import <word> | log-updown | traceoptions <line> | family <line> ) ]",
		"protocols lldp ~ [ ( interface ( all | <word> ) [ disable ] | disable | advertisement-interval <5-32768> | ( port-id-subtype | management-address | hold-multiplier ) <line> ) ]",
		"protocols ( rstp | mstp | vstp | isis | mpls | rsvp | ldp | pim | igmp | igmp-snooping | lldp-med | evpn | l2circuit | sflow | vrrp | bfd | router-advertisement | ospf3 | rip | layer2-control | msdp | l2-learning | connections ) [ <line> ]",
		"routing-options static ~ [ route <prefix> ~ { next-hop <ip> | discard | reject | preference <0-4294967295> | qualified-next-hop <line> | no-readvertise | tag <0-4294967295> | metric <0-4294967295> | install } ]",
		"routing-options ( router-id <ip> | autonomous-system <asn> [ <line> ] | ( rib | forwarding-table | aggregate | generate | rib-groups | instance-import | instance-export | graceful-restart | nonstop-routing | interface-routes | resolution | martians | maximum-prefixes | confederation ) [ <line> ] )",
		"firewall ~ [ ( [ family ( inet | inet6 | ethernet-switching | any | bridge ) ] filter <word> ~ [ ( term <word> ~ [ ( from <line> | then <line> ) ] | interface-specific ) ] | ( policer | three-color-policer | interface-set ) <line> ) ]",
		"( policy-options | security | services | chassis | class-of-service | routing-instances | groups | apply-groups | event-options | forwarding-options | access | applications | bridge-domains | switch-options | virtual-chassis | poe | version | ethernet-switching-options | multi-chassis | smtp | access-security ) [ <line> ]",
	)
	return g
}

var junosIfRE = regexp.MustCompile(`^((ge|xe|et|fe|mge|so|ce|gr|ip|lt|vt|pe|pd)-\d+/\d+/\d+(:\d+)?|(ae|lo|fxp|em|me|irb|vlan|reth|vme|st|lsq)\d*)$`)

// junosTok is a word of a set line and where it starts.
func junosTokensPos(s string) []token {
	var out []token
	start, inQ, has := 0, false, false
	for i, r := range s {
		switch {
		case r == '"':
			if !has {
				start, has = i, true
			}
			inQ = !inQ
		case r == ' ' && !inQ:
			if has {
				out = append(out, token{s[start:i], start})
				has = false
			}
		default:
			if !has {
				start, has = i, true
			}
		}
	}
	if has {
		out = append(out, token{s[start:], start})
	}
	return out
}

// junosCheck matches the words of a "set" (or "edit") line, after the
// current [edit] path, against the grammar. It returns "" (and the words
// with keywords in full in s.junosWords) or the error to print, with the
// caret under the word that does not fit.
func junosCheck(s *session, typed string, partial bool) string {
	var prefix []string
	for _, e := range s.junosEdit {
		prefix = append(prefix, junosTokens(e)...)
	}
	pre := strings.Join(prefix, " ")
	line := strings.TrimSpace(pre + " " + typed)
	off := len(line) - len(typed) // where the typed words start in line
	toks := junosTokensPos(line)
	ac := argCtx{ifName: func(w string) (string, bool) { return w, junosIfRE.MatchString(w) }}
	r := junosGrammar.match(line, toks, partial, false, ac)
	if r.kind == matchOK || (partial && r.kind == matchIncomplete) {
		// The words as Junos stores them: keywords in full.
		var words []string
		for _, w := range r.words {
			words = append(words, junosTokens(w)...)
		}
		if len(words) >= len(prefix) {
			s.junosWords = words[len(prefix):]
		}
		return ""
	}
	pos := r.pos - off
	if pos < 0 || r.kind == matchIncomplete {
		pos = len(typed)
	}
	at := strings.Index(s.lastLine, typed)
	if at < 0 {
		at = 0
	}
	if r.kind == matchAmbiguous {
		word := typed[pos:]
		if i := strings.IndexByte(word, ' '); i >= 0 {
			word = word[:i]
		}
		return junosError(s, at+pos, "'"+word+"' is ambiguous.")
	}
	return junosError(s, at+pos, "syntax error.")
}

// junosSecret asks for a plain-text password twice, without echo, as Junos
// does for "... plain-text-password"; the configuration keeps a hash.
func junosSecret(s *session) (string, error) {
	pw, err := s.ask("New password:", true)
	if err != nil {
		return "", err
	}
	s.write("\n")
	again, err := s.ask("Retype new password:", true)
	if err != nil {
		return "", err
	}
	s.write("\n")
	if pw != again {
		return "", errPasswordsDiffer
	}
	return `encrypted-password "$6$lab$` + itoa(int(hashN(pw, "junos"))) + `"`, nil
}

var errPasswordsDiffer = errors.New("passwords differ")
