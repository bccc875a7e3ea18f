package config

import (
	"regexp"
	"strings"
)

// Drift compares a device's configuration with its intended (golden)
// configuration, section by section: the Removed changes are lines the
// device has that the intended configuration does not (extra), the Added
// ones lines it lacks (missing). It is Diff(running, intended).
func Drift(running, intended *Config) []Change {
	return Diff(running, intended)
}

// Select returns a copy of the configuration holding only what keep
// accepts: on the IOS family the top-level lines keep accepts, with
// everything under them; on Junos the statements keep accepts, each given
// without `set` (`system ntp server 10.0.1.100`). Select(nil) is a clone.
// Golden configurations often cover a part of the configuration (NTP,
// logging, the vty lines): comparing only that part keeps the rest from
// showing as drift.
func (c *Config) Select(keep func(line string) bool) *Config {
	if keep == nil {
		return c.Clone()
	}
	out := &Config{platform: c.platform, root: &Node{}}
	if c.platform.Syntax == Junos {
		var walk func(n *Node, words []string)
		walk = func(n *Node, words []string) {
			for _, ch := range n.Children {
				w := append(words[:len(words):len(words)], ch.Text)
				if len(ch.Children) == 0 {
					if keep(strings.Join(w, " ")) {
						addPath(out.root, w)
					}
					continue
				}
				walk(ch, w)
			}
		}
		walk(c.root, nil)
		return out
	}
	for _, ch := range c.root.Children {
		if keep(ch.key) {
			out.root.adopt(ch.clone(out.root))
		}
	}
	return out
}

// SelectPatterns is Select with regular expressions, each anchored at
// both ends (see CompilePattern): a line is kept when one matches.
func (c *Config) SelectPatterns(patterns []*regexp.Regexp) *Config {
	if len(patterns) == 0 {
		return c.Clone()
	}
	return c.Select(func(line string) bool {
		for _, re := range patterns {
			if re.MatchString(line) {
				return true
			}
		}
		return false
	})
}

// Remediation returns the configuration lines that turn running into
// intended, in the order to send them, as hier_config's
// config_to_get_to does:
//
//   - in each section, first the negations of the lines the device has
//     and should not (`no ntp server 10.0.1.102`; `no X` undone by X; a
//     section removed by negating its line alone, `no interface
//     Loopback9`), then the lines it lacks, in the intended order, with
//     everything under a new section;
//   - a line that replaces another is sent without negating the old one
//     first (`hostname r2` over `hostname r1`, `ntp server A prefer` over
//     `ntp server A`, `shutdown` over `no shutdown`, a new `ip address` or
//     `description`);
//   - the section lines above a change, even when the section exists,
//     indented one space a level, and an `exit` after each section that
//     was entered when more lines follow, so the lines read the same to
//     the device and to runbook's own comparison;
//   - in an access list with sequence numbers an entry is removed by its
//     number (`no 20`).
//
// On Junos it is the `delete` statements of what the device should not
// have (the outermost statement path), then the `set` statements of what
// it lacks.
func Remediation(running, intended *Config) []string {
	p := running.platform
	var out []string
	if p.Syntax == Junos {
		remediateJunos(running.root, intended.root, nil, &out, true)
		remediateJunos(running.root, intended.root, nil, &out, false)
		return out
	}
	var lines []remLine
	remediateIndented(p, running.root, intended.root, 0, &lines)
	// Exits are written after every section entered; the ones at the end
	// lead nowhere.
	for len(lines) > 0 && lines[len(lines)-1].exit {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		for i, t := range strings.Split(l.text, "\n") {
			if i == 0 {
				t = strings.Repeat(" ", l.depth) + t
			}
			out = append(out, t)
		}
	}
	return out
}

type remLine struct {
	text  string
	depth int
	exit  bool
}

func remediateIndented(p *Platform, run, want *Node, depth int, out *[]remLine) {
	ordered := run.parent != nil && p.isOrdered(run.Text)
	// Lines the device lacks, for the replacement check.
	var adds []*Node
	for _, w := range want.Children {
		if run.child(w.key) == nil {
			adds = append(adds, w)
		}
	}
	for _, r := range run.Children {
		if want.child(r.key) != nil {
			continue
		}
		replaced := false
		for _, a := range adds {
			if replaces(p, r.key, a.key) {
				replaced = true
				break
			}
		}
		if replaced {
			continue
		}
		if neg := negationOf(p, r, ordered); neg != "" {
			*out = append(*out, remLine{text: neg, depth: depth})
		}
	}
	for _, w := range want.Children {
		r := run.child(w.key)
		if r == nil {
			emitSubtree(p, w, depth, out)
			continue
		}
		var sub []remLine
		remediateIndented(p, r, w, depth+1, &sub)
		if len(sub) == 0 {
			continue
		}
		*out = append(*out, remLine{text: w.Text, depth: depth})
		*out = append(*out, sub...)
		*out = append(*out, remLine{text: "exit", depth: depth + 1, exit: true})
	}
}

// emitSubtree sends a line the device lacks with everything under it.
func emitSubtree(p *Platform, n *Node, depth int, out *[]remLine) {
	*out = append(*out, remLine{text: n.Text, depth: depth})
	for _, c := range n.Children {
		emitSubtree(p, c, depth+1, out)
	}
	if len(n.Children) > 0 || (depth == 0 && hasAnyPrefix(n.key, p.Sections)) {
		*out = append(*out, remLine{text: "exit", depth: depth + 1, exit: true})
	}
}

// negationOf is the line that removes r: `no X` for X, X for `no X`, the
// banner's `no banner motd`, `no 20` for an access list entry numbered
// 20. Empty when the platform cannot negate.
func negationOf(p *Platform, r *Node, ordered bool) string {
	if p.Negate == "" {
		return ""
	}
	key := r.key
	if i := strings.IndexByte(key, '\n'); i >= 0 {
		key = key[:i]
	}
	if w := strings.Fields(key); len(w) > 2 && w[0] == "banner" {
		key = w[0] + " " + w[1] // the banner, whatever its text
	}
	if target, _, neg := p.negation(key); neg {
		return target
	}
	if ordered && hasSeq(key) {
		seq, _, _ := strings.Cut(key, " ")
		return p.Negate + seq
	}
	return p.Negate + key
}

// replaces: sending the added line a takes the place of the device's line
// e, so e needs no negation first.
func replaces(p *Platform, e, a string) bool {
	if i := strings.IndexByte(e, '\n'); i >= 0 {
		e = e[:i]
	}
	if i := strings.IndexByte(a, '\n'); i >= 0 {
		a = a[:i]
	}
	eb, ab := p.base(e), p.base(a)
	if hasWordPrefix(eb, ab) || hasWordPrefix(ab, eb) {
		return true
	}
	k := commandKey(eb)
	return k != "" && k == commandKey(ab)
}

// singleValue are commands a section holds once: a new value replaces the
// old one (hier_config's idempotent commands). `username` is keyed by the
// user name.
var singleValue = []string{
	"hostname", "description", "ip address", "ip domain name", "ip domain-name", "ip domain lookup",
	"snmp-server location", "snmp-server contact", "ntp source", "ntp source-interface",
	"logging source-interface", "logging buffered", "logging console", "logging trap", "clock timezone",
	"exec-timeout", "transport input", "transport output", "switchport mode", "switchport access vlan",
	"switchport trunk native vlan", "switchport trunk allowed vlan", "mtu", "ip mtu", "speed", "duplex",
	"bandwidth", "spanning-tree mode", "router-id", "bgp router-id", "ip ssh version", "ip ssh time-out",
	"service-policy input", "service-policy output", "vrf member", "vrf forwarding", "ip vrf forwarding",
	"encapsulation dot1q", "enable secret", "enable password", "password", "banner motd", "banner login",
	"banner exec", "ip default-gateway", "channel-group", "session-timeout", "ip ssh source-interface",
}

// commandKey is the words that identify a single-value command, or "".
func commandKey(line string) string {
	w := strings.Fields(line)
	if len(w) >= 2 && w[0] == "username" {
		return "username " + w[1]
	}
	if len(w) > 0 && w[len(w)-1] == "secondary" {
		return "" // ip address ... secondary adds an address
	}
	for _, k := range singleValue {
		if hasWordPrefix(line, k) && line != k {
			return k
		}
	}
	return ""
}

// remediateJunos writes the delete statements (deletes) or the set
// statements (!deletes) that turn run into want.
func remediateJunos(run, want *Node, path []string, out *[]string, deletes bool) {
	if deletes {
		for _, r := range run.Children {
			p := append(path[:len(path):len(path)], r.Text)
			if want.child(r.key) == nil {
				words := make([]string, len(p))
				for i, w := range p {
					words[i] = quoteWord(w)
				}
				*out = append(*out, "delete "+strings.Join(words, " "))
				continue
			}
			remediateJunos(r, want.child(r.key), p, out, true)
		}
		return
	}
	for _, w := range want.Children {
		p := append(path[:len(path):len(path)], w.Text)
		r := run.child(w.key)
		if r == nil {
			*out = append(*out, junosSetLines(w)...)
			continue
		}
		remediateJunos(r, w, p, out, false)
	}
}

// Fix returns the configuration lines that would make a failed rule pass
// on c: each missing line under its sections, each forbidden line
// negated (`no ip http server`; Junos `delete ...`), with the section
// lines above them and an `exit` between sections, as Remediation writes
// them. Regular expressions and missing sections cannot be turned into
// lines, so they have none: the result may be partial, and is empty for a
// passed rule.
func (r *CompiledRule) Fix(c *Config, res RuleResult) []string {
	p := c.platform
	var out []string
	if p.Syntax == Junos {
		for _, f := range res.Findings {
			switch {
			case f.Kind == FindingMissing && !r.regex:
				words := junosTokens(f.Line)
				verb := "set"
				if len(words) > 0 && (words[0] == "set" || words[0] == "delete") {
					verb, words = words[0], words[1:]
				}
				if strings.HasPrefix(strings.TrimSpace(f.Line), "delete") && r.isForbidden(f.Line) {
					verb = "set" // forbidden to be deleted: put it back
				}
				out = append(out, strings.TrimSpace(verb+" "+strings.Join(append(append([]string(nil), f.Path...), quoteWords(words)...), " ")))
			case f.Kind == FindingForbidden:
				out = append(out, "delete "+strings.TrimPrefix(f.Line, "set "))
			}
		}
		return out
	}
	var lines []remLine
	var cur []string
	for _, f := range res.Findings {
		var line string
		switch {
		case f.Kind == FindingMissing && !r.regex:
			line = strings.TrimSpace(f.Line)
		case f.Kind == FindingForbidden:
			first, _, _ := strings.Cut(f.Line, "\n")
			n := &Node{Text: f.Line, key: normalize(first)}
			line = negationOf(p, n, len(f.Path) > 0 && p.isOrdered(f.Path[len(f.Path)-1]))
		}
		if line == "" {
			continue
		}
		k := 0
		for k < len(cur) && k < len(f.Path) && cur[k] == f.Path[k] {
			k++
		}
		for d := len(cur); d > k; d-- {
			lines = append(lines, remLine{text: "exit", depth: d, exit: true})
		}
		for d := k; d < len(f.Path); d++ {
			lines = append(lines, remLine{text: f.Path[d], depth: d})
		}
		cur = f.Path
		lines = append(lines, remLine{text: line, depth: len(f.Path)})
	}
	for _, l := range lines {
		out = append(out, strings.Repeat(" ", l.depth)+l.text)
	}
	return out
}

func (r *CompiledRule) isForbidden(line string) bool {
	var walk func(b *cblock) bool
	walk = func(b *cblock) bool {
		for _, e := range b.forbidden {
			if e.text == line {
				return true
			}
		}
		for i := range b.sections {
			if walk(&b.sections[i].cblock) {
				return true
			}
		}
		return false
	}
	return walk(&r.top)
}

func quoteWords(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = quoteWord(w)
	}
	return out
}
