package config

import "strings"

// Syntax is how a platform writes its configuration.
type Syntax int

const (
	// Indented is the IOS family's running-config: one command a line,
	// the lines of a section indented under the line that opens it, at any
	// depth (IOS, IOS-XE, NX-OS, EOS).
	Indented Syntax = iota
	// Junos is a Junos configuration: the braces hierarchy of `show
	// configuration` or its `| display set` form. Both parse to the same
	// tree of words, so `set a b c` is in effect when the path a b c is.
	Junos
)

// Platform is the data that tells one OS's configuration from another's.
// hier_config's lesson: the OS rules are data, the algorithm is one.
type Platform struct {
	Name   string
	Syntax Syntax
	// Comments are prefixes of lines that carry no configuration
	// ("!" on the IOS family, "#" on Junos).
	Comments []string
	// Preamble are prefixes of lines a device prints before the
	// configuration ("Building configuration...", "Current configuration :").
	Preamble []string
	// Negate undoes a line: "no X" is in effect when X is absent (or when
	// the device shows "no X" itself, as for "no ip http server"). On Junos
	// it is "delete ".
	Negate string
	// Default resets a line to its default: "default X" is in effect when
	// neither X nor "no X" is configured. Empty: the platform has none.
	Default string
	// Sections are prefixes of top-level lines that open a section even
	// when the device does not have that section yet.
	Sections []string
	// SubSections are prefixes of lines that open a nested section
	// (address-family under router bgp, class under policy-map).
	SubSections []string
	// Ordered are prefixes of section lines whose children are ordered
	// (access lists): a merge appends, so an entry added in the middle
	// cannot be placed by sending it alone.
	Ordered []string
	// Exits are lines that leave the current section ("exit",
	// "exit-address-family"); End leaves every section.
	Exits []string
	End   string
	// Navigation are lines that move around or commit without being
	// configuration state (Junos "commit", "top", "up").
	Navigation []string
	// FlatInSections: a top-level line "A B..." typed flat is shown by
	// the device under a section "A" as "B..." (IOS-XR: "ntp server X"
	// is shown as "ntp" / " server X").
	FlatInSections bool
}

var iosSections = []string{
	"interface ", "router ", "line ", "vlan ", "ip access-list ", "ipv6 access-list ", "mac access-list ",
	"route-map ", "policy-map ", "class-map ", "vrf definition ", "ip vrf ", "key chain ", "ip dhcp pool ",
	"crypto isakmp policy ", "crypto map ", "track ", "aaa group server ", "control-plane", "redundancy",
	"archive", "spanning-tree mst configuration",
}

var (
	iosPlatform = Platform{
		Name:        "cisco_ios",
		Syntax:      Indented,
		Comments:    []string{"!"},
		Preamble:    []string{"Building configuration", "Current configuration :"},
		Negate:      "no ",
		Default:     "default ",
		Sections:    iosSections,
		SubSections: []string{"address-family ", "class ", "vrf "},
		Ordered:     []string{"ip access-list ", "ipv6 access-list ", "mac access-list "},
		Exits:       []string{"exit", "exit-"},
		End:         "end",
	}
	nxosPlatform = Platform{
		Name:        "cisco_nxos",
		Syntax:      Indented,
		Comments:    []string{"!"},
		Preamble:    []string{"Building configuration", "Current configuration :"},
		Negate:      "no ",
		Default:     "default ",
		Sections:    append([]string{"vrf context ", "vpc domain ", "vdc ", "role name ", "object-group "}, iosSections...),
		SubSections: []string{"address-family ", "neighbor ", "vrf ", "class ", "template "},
		Ordered:     []string{"ip access-list ", "ipv6 access-list ", "mac access-list "},
		Exits:       []string{"exit", "exit-"},
		End:         "end",
	}
	eosPlatform = Platform{
		Name:        "arista_eos",
		Syntax:      Indented,
		Comments:    []string{"!"},
		Preamble:    []string{"Building configuration", "Current configuration :"},
		Negate:      "no ",
		Default:     "default ",
		Sections:    append([]string{"management ", "vrf instance ", "mlag configuration", "daemon ", "ip prefix-list ", "ipv6 prefix-list "}, iosSections...),
		SubSections: []string{"address-family ", "vrf ", "class ", "api "},
		Ordered:     []string{"ip access-list ", "ipv6 access-list ", "mac access-list "},
		Exits:       []string{"exit", "exit-"},
		End:         "end",
	}
	junosPlatform = Platform{
		Name:       "juniper_junos",
		Syntax:     Junos,
		Comments:   []string{"#", "/*"},
		Negate:     "delete ",
		Navigation: []string{"commit", "top", "up", "exit", "quit"},
	}
)

// Lookup returns the rules of a platform by its runbook name or alias
// (cisco_ios, cisco_xe, cisco_nxos, arista_eos, juniper_junos...). A
// platform it does not know gets the IOS rules under its own name: most
// network CLIs write their configuration the IOS way.
func Lookup(name string) *Platform {
	var p Platform
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "cisco_nxos", "nxos", "cisco_nxos_ssh":
		p = nxosPlatform
	case "arista_eos", "eos":
		p = eosPlatform
	case "juniper_junos", "junos", "juniper":
		p = junosPlatform
	case "cisco_ios", "cisco_xe", "cisco_ios_xe", "ios", "iosxe":
		p = iosPlatform
	case "cisco_xr", "iosxr", "ios_xr", "xr":
		p = iosPlatform
		p.Name, p.FlatInSections = "cisco_xr", true
	default:
		p = iosPlatform
		p.Name = name
	}
	return &p
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) || strings.TrimSpace(p) == s {
			return true
		}
	}
	return false
}

func (p *Platform) isComment(t string) bool {
	for _, c := range p.Comments {
		if strings.HasPrefix(t, c) {
			return true
		}
	}
	return false
}

func (p *Platform) isPreamble(t string) bool {
	for _, c := range p.Preamble {
		if strings.HasPrefix(t, c) {
			return true
		}
	}
	return false
}

// isExit: "exit" and "exit-address-family" leave one section.
func (p *Platform) isExit(t string) bool {
	for _, e := range p.Exits {
		if t == e || (strings.HasSuffix(e, "-") && strings.HasPrefix(t, e)) {
			return true
		}
	}
	return false
}

func (p *Platform) isNavigation(t string) bool {
	w, _, _ := strings.Cut(t, " ")
	for _, n := range p.Navigation {
		if w == n {
			return true
		}
	}
	return false
}

func (p *Platform) isOrdered(line string) bool { return hasAnyPrefix(line, p.Ordered) }

// negation splits "no X" into X; ok is false for a positive line.
func (p *Platform) negation(line string) (target string, reset, ok bool) {
	if p.Negate != "" {
		if t, found := strings.CutPrefix(line, p.Negate); found {
			return strings.TrimSpace(t), false, true
		}
	}
	if p.Default != "" {
		if t, found := strings.CutPrefix(line, p.Default); found {
			return strings.TrimSpace(t), true, true
		}
	}
	return line, false, false
}

// base is a line without its negation: "no shutdown" -> "shutdown".
func (p *Platform) base(line string) string {
	t, _, _ := p.negation(line)
	return t
}
