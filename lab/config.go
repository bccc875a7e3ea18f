package lab

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// stanza is one top-level configuration line and the lines under it.
type stanza struct {
	line     string
	children []string
}

// runConfig is an IOS-like configuration: ordered stanzas. It is rendered
// with the platform's indent and separators.
type runConfig struct {
	stanzas []*stanza
}

// parseConfig reads indented configuration text. Lines starting with "!"
// and blank lines are separators and are not kept.
func parseConfig(text string) *runConfig {
	c := &runConfig{}
	var cur *stanza
	unit := 0 // the indent of the stanza's first child: one level
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "!") {
			continue
		}
		if strings.HasPrefix(t, "banner ") && !strings.HasPrefix(l, " ") {
			b, n := bannerLines(lines, i)
			i += n
			cur = &stanza{line: b}
			c.stanzas = append(c.stanzas, cur)
			continue
		}
		if strings.HasPrefix(l, " ") && cur != nil {
			ind := len(l) - len(strings.TrimLeft(l, " "))
			if len(cur.children) == 0 || unit == 0 {
				unit = ind
			}
			depth := 0
			if unit > 0 && ind > unit {
				depth = ind/unit - 1
			}
			cur.children = append(cur.children, strings.Repeat(" ", depth)+t)
			continue
		}
		cur = &stanza{line: t}
		unit = 0
		c.stanzas = append(c.stanzas, cur)
	}
	return c
}

// A stanza's children are stored one per line; a nested line ("network"
// under "address-family ipv4" under "router bgp 1") starts with one space
// per level below the first.

// childDepth is the nesting level of a stored child (0: under the header).
func childDepth(c string) int { return len(c) - len(strings.TrimLeft(c, " ")) }

// block finds the nested header named by parents (each one level deeper
// than the last) and returns the range of its lines and their depth.
func (s *stanza) block(parents []string) (lo, hi, depth int, ok bool) {
	lo, hi = 0, len(s.children)
	for _, p := range parents {
		want := strings.Repeat(" ", depth) + p
		at := -1
		for i := lo; i < hi; i++ {
			if strings.EqualFold(s.children[i], want) {
				at = i
				break
			}
		}
		if at < 0 {
			return 0, 0, 0, false
		}
		lo = at + 1
		end := lo
		for end < hi && childDepth(s.children[end]) > depth {
			end++
		}
		hi = end
		depth++
	}
	return lo, hi, depth, true
}

func (s *stanza) insertChild(at int, line string) {
	s.children = append(s.children, "")
	copy(s.children[at+1:], s.children[at:])
	s.children[at] = line
}

// ensureNested adds the nested header under parents unless it is there;
// marker, when set, is a closing line at the header's level after its
// block (IOS "exit-address-family").
func (s *stanza) ensureNested(parents []string, header, marker string) {
	if len(parents) > 0 {
		if _, _, _, ok := s.block(parents); !ok {
			s.ensureNested(parents[:len(parents)-1], parents[len(parents)-1], "")
		}
	}
	lo, hi, depth, _ := s.block(parents)
	pad := strings.Repeat(" ", depth)
	for i := lo; i < hi; i++ {
		if strings.EqualFold(s.children[i], pad+header) {
			return
		}
	}
	// Before a closing marker of the enclosing block, if there is one.
	at := hi
	if at > lo && strings.TrimSpace(s.children[at-1]) == "exit-address-family" && childDepth(s.children[at-1]) == depth {
		at--
	}
	s.insertChild(at, pad+header)
	if marker != "" {
		s.insertChild(at+1, pad+marker)
	}
}

// setNested sets a line inside the nested header named by parents,
// replacing the line with the same key at that level.
func (s *stanza) setNested(parents []string, line string) {
	lo, hi, depth, ok := s.block(parents)
	if !ok {
		s.ensureNested(parents[:len(parents)-1], parents[len(parents)-1], "")
		lo, hi, depth, _ = s.block(parents)
	}
	pad := strings.Repeat(" ", depth)
	k := lineKey(line)
	for i := lo; i < hi; i++ {
		if childDepth(s.children[i]) == depth && lineKey(s.children[i]) == k {
			s.children[i] = pad + line
			return
		}
	}
	s.insertChild(hi, pad+line)
}

// removeNested removes a line (and the lines nested under it) inside the
// nested header named by parents.
func (s *stanza) removeNested(parents []string, line string) {
	lo, hi, depth, ok := s.block(parents)
	if !ok {
		return
	}
	k := lineKey(line)
	lx := strings.ToLower(line)
	out := append([]string(nil), s.children[:lo]...)
	for i := lo; i < hi; i++ {
		ch := s.children[i]
		lc := strings.ToLower(strings.TrimSpace(ch))
		if childDepth(ch) == depth && (lc == lx || strings.HasPrefix(lc, lx+" ") || lineKey(ch) == k) {
			// Drop it, its nested lines and a closing marker after them.
			j := i + 1
			for j < hi && childDepth(s.children[j]) > depth {
				j++
			}
			if j < hi && strings.HasPrefix(lc, "address-family") && strings.TrimSpace(s.children[j]) == "exit-address-family" && childDepth(s.children[j]) == depth {
				j++
			}
			i = j - 1
			continue
		}
		out = append(out, ch)
	}
	s.children = append(out, s.children[hi:]...)
}

func (c *runConfig) clone() *runConfig {
	n := &runConfig{stanzas: make([]*stanza, len(c.stanzas))}
	for i, s := range c.stanzas {
		n.stanzas[i] = &stanza{line: s.line, children: append([]string(nil), s.children...)}
	}
	return n
}

func (c *runConfig) find(line string) *stanza {
	for _, s := range c.stanzas {
		if strings.EqualFold(s.line, line) {
			return s
		}
	}
	return nil
}

// lineKey decides which existing line a new line replaces: "hostname B"
// replaces "hostname A", "ntp server X prefer" replaces "ntp server X".
// Lines without a rule are their own key (added once, never replaced).
func lineKey(line string) string {
	w := strings.Fields(line)
	n := len(w)
	if n > 1 && w[0] == "no" {
		// A "no X" line the device shows ("no aaa new-model", NX-OS "no
		// shutdown", "no ip address", ASA "no nameif") shares the key of
		// its positive form: one replaces the other.
		w = w[1:]
		n--
	}
	keyWords := 0
	switch {
	case n >= 5 && w[0] == "ntp" && (w[1] == "server" || w[1] == "peer") && w[2] == "vrf":
		keyWords = 5
	case n >= 3 && w[0] == "neighbor" && (w[2] == "remote-as" || w[2] == "description" || w[2] == "update-source" ||
		w[2] == "password" || w[2] == "ebgp-multihop"):
		keyWords = 3
	case n >= 4 && (w[0] == "aaa" && (w[1] == "authentication" || w[1] == "authorization" || w[1] == "accounting") ||
		w[0] == "switchport" && w[1] == "trunk" && (w[2] == "native" || w[2] == "allowed")):
		keyWords = 4
	case n >= 3 && ((w[0] == "logging" && w[1] == "server") || (w[0] == "snmp-server" && w[1] == "host") ||
		(w[0] == "ip" && w[1] == "ssh" && w[2] == "version") || (w[0] == "ip" && w[1] == "router") ||
		(w[0] == "ip" && w[1] == "ospf" && w[2] == "cost")):
		keyWords = 3
	case n >= 2 && ((w[0] == "banner") || (w[0] == "spanning-tree" && w[1] == "mode") ||
		(w[0] == "logging" && (w[1] == "trap" || w[1] == "buffered" || w[1] == "console" || w[1] == "monitor" ||
			w[1] == "source-interface" || w[1] == "logfile")) ||
		(w[0] == "ntp" && (w[1] == "source" || w[1] == "source-interface")) ||
		(w[0] == "vrf" && (w[1] == "member" || w[1] == "forwarding")) || (w[0] == "bgp" && w[1] == "router-id")):
		keyWords = 2
	case n >= 1 && (w[0] == "login" || w[0] == "encapsulation" || w[0] == "bandwidth" || w[0] == "channel-group" ||
		w[0] == "state" || w[0] == "session-timeout" || w[0] == "nameif" || w[0] == "security-level"):
		keyWords = 1
	case n >= 1 && (w[0] == "hostname" || w[0] == "switchname" || w[0] == "description" || w[0] == "mtu" ||
		w[0] == "speed" || w[0] == "duplex" || w[0] == "name" || w[0] == "router-id" || w[0] == "shutdown" ||
		w[0] == "exec-timeout" || w[0] == "password" || w[0] == "version"):
		keyWords = 1
	case n >= 2 && w[0] == "ip" && w[1] == "address" && w[n-1] != "secondary":
		keyWords = 2
	case n >= 2 && (w[0] == "username" || w[0] == "enable" || (w[0] == "clock" && w[1] == "timezone") ||
		(w[0] == "snmp-server" && (w[1] == "location" || w[1] == "contact")) ||
		(w[0] == "switchport" && w[1] == "mode") || (w[0] == "transport" && w[1] == "input") ||
		(w[0] == "ip" && (w[1] == "domain-name"))):
		keyWords = 2
	case n >= 3 && ((w[0] == "ntp" && w[1] == "server") || (w[0] == "logging" && w[1] == "host") ||
		(w[0] == "snmp-server" && w[1] == "community") || (w[0] == "ip" && w[1] == "domain" && w[2] == "name") ||
		(w[0] == "switchport" && w[1] == "access" && w[2] == "vlan")):
		keyWords = 3
	}
	if keyWords == 0 {
		return strings.ToLower(strings.Join(w, " "))
	}
	return strings.ToLower(strings.Join(w[:keyWords], " "))
}

// setLine adds a global line, replacing the line with the same key, and
// keeps lines of one kind together (a new ntp server goes after the others).
func (c *runConfig) setLine(line string) {
	k := lineKey(line)
	for _, s := range c.stanzas {
		if len(s.children) == 0 && lineKey(s.line) == k {
			s.line = line
			return
		}
	}
	first := firstWord(line)
	at := -1
	for i, s := range c.stanzas {
		if firstWord(s.line) == first && len(s.children) == 0 {
			at = i
		}
	}
	if at < 0 {
		// Before the trailing blocks (line con/vty) as IOS does; else at the end.
		at = len(c.stanzas) - 1
		for i, s := range c.stanzas {
			if strings.HasPrefix(s.line, "line ") {
				at = i - 1
				break
			}
		}
	}
	c.stanzas = append(c.stanzas, nil)
	copy(c.stanzas[at+2:], c.stanzas[at+1:])
	c.stanzas[at+1] = &stanza{line: line}
}

// section returns the stanza with header line, creating it when create is set.
func (c *runConfig) section(header string, create bool) *stanza {
	if s := c.find(header); s != nil {
		return s
	}
	if !create {
		return nil
	}
	s := &stanza{line: header}
	// Keep interfaces together, after the last one of the kind.
	first := firstWord(header)
	at := -1
	for i, st := range c.stanzas {
		if firstWord(st.line) == first {
			at = i
		}
	}
	if at < 0 {
		c.stanzas = append(c.stanzas, s)
		// Keep line con/vty last.
		for i, st := range c.stanzas[:len(c.stanzas)-1] {
			if strings.HasPrefix(st.line, "line ") {
				copy(c.stanzas[i+1:], c.stanzas[i:len(c.stanzas)-1])
				c.stanzas[i] = s
				break
			}
		}
		return s
	}
	c.stanzas = append(c.stanzas, nil)
	copy(c.stanzas[at+2:], c.stanzas[at+1:])
	c.stanzas[at+1] = s
	return s
}

// remove deletes the lines "no X" names: the line equal to X, lines that
// start with X, or the line with X's key. It reports whether anything went.
func (c *runConfig) remove(x string) bool {
	k := lineKey(x)
	lx := strings.ToLower(x)
	out := c.stanzas[:0]
	removed := false
	for _, s := range c.stanzas {
		ls := strings.ToLower(s.line)
		if ls == lx || strings.HasPrefix(ls, lx+" ") || (len(s.children) == 0 && lineKey(s.line) == k) {
			removed = true
			continue
		}
		out = append(out, s)
	}
	c.stanzas = out
	return removed
}

func (s *stanza) setChild(line string) {
	k := lineKey(line)
	for i, ch := range s.children {
		if childDepth(ch) == 0 && lineKey(ch) == k {
			s.children[i] = line
			return
		}
	}
	if firstWord(line) == "description" {
		s.children = append([]string{line}, s.children...)
		return
	}
	// Before the nested blocks (address-family...), as the devices print them.
	at := len(s.children)
	for i, ch := range s.children {
		if i+1 < len(s.children) && childDepth(ch) == 0 && childDepth(s.children[i+1]) > 0 {
			at = i
			break
		}
	}
	if at == len(s.children) {
		s.children = append(s.children, line)
		return
	}
	s.insertChild(at, line)
}

func (s *stanza) removeChild(x string) {
	s.removeNested(nil, x)
}

func (s *stanza) child(prefix string) (string, bool) {
	for _, ch := range s.children {
		if ch == prefix || strings.HasPrefix(ch, prefix+" ") {
			return strings.TrimSpace(strings.TrimPrefix(ch, prefix)), true
		}
	}
	return "", false
}

func (c *runConfig) global(prefix string) []string {
	var out []string
	for _, s := range c.stanzas {
		if len(s.children) == 0 && strings.HasPrefix(s.line, prefix) {
			out = append(out, strings.TrimSpace(strings.TrimPrefix(s.line, prefix)))
		}
	}
	return out
}

// render prints the stanzas: indent for children, sep ("!" or "") between
// blocks and groups of different kinds.
func (c *runConfig) render(indent, sep string) string {
	var b strings.Builder
	prevFirst, prevBlock := "", false
	for i, s := range c.stanzas {
		f := firstWord(s.line)
		if i > 0 && (len(s.children) > 0 || prevBlock || f != prevFirst) {
			b.WriteString(sep + "\n")
		}
		b.WriteString(s.line + "\n")
		for _, ch := range s.children {
			b.WriteString(strings.Repeat(indent, 1+childDepth(ch)) + strings.TrimLeft(ch, " ") + "\n")
		}
		prevFirst, prevBlock = f, len(s.children) > 0
	}
	return b.String()
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// iface is an interface as the show commands see it, derived from the
// running configuration so every command agrees.
type iface struct {
	name     string
	desc     string
	addr     string // dotted address, "" when unassigned
	prefix   int
	shutdown bool
	switched bool // L2 port (NX-OS/EOS "switchport")
	vrf      string
	mtu      int
	index    int
}

func (i iface) up() bool { return !i.shutdown }

func (i iface) network() string {
	ip := parseIPv4(i.addr)
	m := uint32(0xffffffff) << (32 - i.prefix)
	ip &= m
	return fmt.Sprintf("%d.%d.%d.%d", ip>>24, ip>>16&255, ip>>8&255, ip&255)
}

func parseIPv4(s string) uint32 {
	var a, b, c, d uint32
	if n, _ := fmt.Sscanf(s, "%d.%d.%d.%d", &a, &b, &c, &d); n != 4 {
		return 0
	}
	return a<<24 | b<<16 | c<<8 | d
}

func validIPv4(s string) bool {
	p := strings.Split(s, ".")
	if len(p) != 4 {
		return false
	}
	for _, x := range p {
		n, err := strconv.Atoi(x)
		if err != nil || n < 0 || n > 255 {
			return false
		}
	}
	return true
}

func maskLen(mask string) (int, bool) {
	if !validIPv4(mask) {
		return 0, false
	}
	m := parseIPv4(mask)
	n := 0
	for m&0x80000000 != 0 {
		n++
		m <<= 1
	}
	return n, m == 0
}

// interfaces extracts the interfaces from a running configuration.
// noShutDefault: on NX-OS an interface without "no shutdown" is down.
func (c *runConfig) interfaces(nxosStyle bool) []iface {
	var out []iface
	for _, s := range c.stanzas {
		if !strings.HasPrefix(s.line, "interface ") {
			continue
		}
		it := iface{name: strings.TrimPrefix(s.line, "interface "), mtu: 1500, index: len(out)}
		if nxosStyle {
			it.shutdown = true
		}
		for _, ch := range s.children {
			w := strings.Fields(ch)
			switch {
			case w[0] == "description":
				it.desc = strings.TrimSpace(strings.TrimPrefix(ch, "description"))
			case w[0] == "shutdown":
				it.shutdown = true
			case len(w) >= 2 && w[0] == "no" && w[1] == "shutdown":
				it.shutdown = false
			case w[0] == "switchport" && len(w) == 1:
				it.switched = true
			case w[0] == "mtu" && len(w) == 2:
				it.mtu, _ = strconv.Atoi(w[1])
			case w[0] == "vrf" && len(w) >= 2:
				it.vrf = w[len(w)-1]
			case len(w) >= 3 && w[0] == "ip" && w[1] == "address" && w[len(w)-1] != "secondary":
				if a, p, ok := strings.Cut(w[2], "/"); ok {
					it.addr = a
					it.prefix, _ = strconv.Atoi(p)
				} else if len(w) >= 4 {
					it.addr = w[2]
					it.prefix, _ = maskLen(w[3])
				}
			}
		}
		if strings.HasPrefix(strings.ToLower(it.name), "loopback") || strings.HasPrefix(strings.ToLower(it.name), "mgmt") {
			if nxosStyle && !hasChild(s, "shutdown") {
				it.shutdown = false
			}
		}
		out = append(out, it)
	}
	return out
}

func hasChild(s *stanza, line string) bool {
	for _, c := range s.children {
		if c == line {
			return true
		}
	}
	return false
}

// macFor gives every interface of every device a distinct, stable MAC.
func macFor(dev, ifIndex int) string {
	return fmt.Sprintf("5254.00%02x.%02x%02x", (dev>>8)&255, dev&255, ifIndex&255)
}

func uptimeString(d time.Duration) string {
	d = d.Truncate(time.Minute)
	days := int(d.Hours()) / 24
	hours := int(d.Hours()) % 24
	mins := int(d.Minutes()) % 60
	var parts []string
	if days > 0 {
		parts = append(parts, plural(days, "day"))
	}
	if hours > 0 || days > 0 {
		parts = append(parts, plural(hours, "hour"))
	}
	parts = append(parts, plural(mins, "minute"))
	return strings.Join(parts, ", ")
}

func plural(n int, w string) string {
	if n == 1 {
		return "1 " + w
	}
	return fmt.Sprintf("%d %ss", n, w)
}
