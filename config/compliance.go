package config

import (
	"fmt"
	"regexp"
	"strings"
)

// Rule is one compliance rule over a configuration: lines that must be
// there (Required), lines that must not (Forbidden), at the top level and
// inside the sections matching a pattern, at any depth. The caller (the
// playbook language) gives it an ID, a severity and a message; the package
// only uses them to label results.
//
// Exact lines compare as the configuration model compares them (white
// space runs count as one space), never as substrings:
//
//   - a required line X is there when the section has the line X (in an
//     access list, `permit ip any any` is also the entry `10 permit ip any
//     any`); `no ntp server A` is not `ntp server A`;
//   - a required `no X` (`default X`) is there when the section has no
//     line X nor a line starting with the words of X, or shows `no X`
//     itself (`no ip http server`);
//   - a forbidden line X is violated by the line X and by every line that
//     starts with the words of X (`snmp-server community public` flags
//     `snmp-server community public RO`, as `no snmp-server community
//     public` would remove it), never by `no X`.
//
// With Regex, each entry is a regular expression matched against a whole
// line (anchored at both ends, white space runs collapsed): a required
// pattern needs one matching line, every line a forbidden pattern matches
// is a violation.
//
// On Junos the lines are statements (`set system ntp server 10.0.1.100`,
// with or without `set`): a required statement is configured, a forbidden
// one is not (each `set` line under it is a violation), and `delete X` as
// a required line means X is not configured.
type Rule struct {
	ID       string
	Severity string
	Message  string
	Regex    bool
	Block
}

// Block is what a rule checks at one level of the configuration.
type Block struct {
	Required  []string
	Forbidden []string
	Sections  []Section
}

// Section applies its Block to every section whose line matches Pattern,
// a regular expression anchored at both ends (`interface
// GigabitEthernet.*` is every GigabitEthernet interface; `line vty 0 4`
// is that section). On Junos the pattern is matched against statement
// paths below the enclosing level (`interfaces ge-.*`), the outermost
// match winning. A section that matches nothing passes, unless MustExist
// says that at least one must match.
type Section struct {
	Pattern   string
	MustExist bool
	Block
}

// FindingKind says why a rule did not pass.
type FindingKind string

// Finding kinds.
const (
	// FindingMissing: a required line (or pattern) is not there.
	FindingMissing FindingKind = "missing"
	// FindingForbidden: a forbidden line is there.
	FindingForbidden FindingKind = "forbidden"
	// FindingNoSection: no section matches a pattern that must match.
	FindingNoSection FindingKind = "missing_section"
)

// Finding is one reason a rule did not pass, in its context.
type Finding struct {
	Kind FindingKind
	// Path is the section lines the finding is in, outermost first (the
	// device's own lines); empty at the top level. On Junos each element
	// is the statement path of one matched section.
	Path []string
	// Line is the device's offending line (forbidden), or the required
	// line or pattern as the rule wrote it (missing), or the section
	// pattern (missing_section).
	Line string
	// Entry is the rule's line or pattern that found a forbidden line.
	Entry string
}

// RuleResult is a rule checked against one configuration.
type RuleResult struct {
	ID       string
	Passed   bool
	Findings []Finding
}

// CompiledRule is a Rule with its patterns compiled, ready to check any
// number of configurations (safe for concurrent use).
type CompiledRule struct {
	Rule
	regex bool
	top   cblock
}

type centry struct {
	text  string         // as written
	norm  string         // white space collapsed
	words []string       // Junos statement words, without a leading set
	re    *regexp.Regexp // regex mode
}

type cblock struct {
	required, forbidden []centry
	sections            []csection
}

type csection struct {
	pattern   string
	re        *regexp.Regexp
	mustExist bool
	cblock
}

// CompilePattern compiles a rule's pattern anchored at both ends, as rules
// match it against whole lines.
func CompilePattern(p string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + p + `)$`)
}

// CompileRule checks and compiles a rule's patterns. The error names the
// pattern that does not compile.
func CompileRule(r Rule) (*CompiledRule, error) {
	cr := &CompiledRule{Rule: r, regex: r.Regex}
	var err error
	cr.top, err = compileBlock(r.Block, r.Regex)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.ID, err)
	}
	return cr, nil
}

func compileBlock(b Block, regex bool) (cblock, error) {
	var out cblock
	entries := func(lines []string) ([]centry, error) {
		var es []centry
		for _, l := range lines {
			e := centry{text: l, norm: normalize(l)}
			if regex {
				re, err := CompilePattern(l)
				if err != nil {
					return nil, fmt.Errorf("pattern %q: %w", l, err)
				}
				e.re = re
			} else {
				e.words = junosTokens(l)
				if len(e.words) > 0 && e.words[0] == "set" {
					e.words = e.words[1:]
				}
			}
			es = append(es, e)
		}
		return es, nil
	}
	var err error
	if out.required, err = entries(b.Required); err != nil {
		return out, err
	}
	if out.forbidden, err = entries(b.Forbidden); err != nil {
		return out, err
	}
	for _, s := range b.Sections {
		re, err := CompilePattern(s.Pattern)
		if err != nil {
			return out, fmt.Errorf("section %q: %w", s.Pattern, err)
		}
		inner, err := compileBlock(s.Block, regex)
		if err != nil {
			return out, err
		}
		out.sections = append(out.sections, csection{pattern: s.Pattern, re: re, mustExist: s.MustExist, cblock: inner})
	}
	return out, nil
}

// Check checks the rule against a configuration.
func (r *CompiledRule) Check(c *Config) RuleResult {
	res := RuleResult{ID: r.ID}
	if c.platform.Syntax == Junos {
		r.checkJunos(c.root, nil, &r.top, &res.Findings)
	} else {
		r.checkIndented(c.platform, c.root, nil, &r.top, &res.Findings)
	}
	res.Passed = len(res.Findings) == 0
	return res
}

func withPath(path []string, line string) []string {
	return append(path[:len(path):len(path)], line)
}

func (r *CompiledRule) checkIndented(p *Platform, n *Node, path []string, b *cblock, out *[]Finding) {
	ordered := n.parent != nil && p.isOrdered(n.Text)
	for _, e := range b.required {
		if !r.hasIndented(p, n, e, ordered) {
			*out = append(*out, Finding{Kind: FindingMissing, Path: path, Line: e.text})
		}
	}
	for _, e := range b.forbidden {
		for _, c := range n.Children {
			if r.violates(p, c, e, ordered) {
				*out = append(*out, Finding{Kind: FindingForbidden, Path: path, Line: c.Text, Entry: e.text})
			}
		}
	}
	for i := range b.sections {
		s := &b.sections[i]
		matched := false
		for _, c := range n.Children {
			if s.re.MatchString(c.key) {
				matched = true
				r.checkIndented(p, c, withPath(path, c.Text), &s.cblock, out)
			}
		}
		if !matched && s.mustExist {
			*out = append(*out, Finding{Kind: FindingNoSection, Path: path, Line: s.pattern})
		}
	}
}

// hasIndented: the required entry is in effect in section n.
func (r *CompiledRule) hasIndented(p *Platform, n *Node, e centry, ordered bool) bool {
	if r.regex {
		for _, c := range n.Children {
			if e.re.MatchString(lineKey(c)) {
				return true
			}
		}
		return false
	}
	if target, reset, neg := p.negation(e.norm); neg {
		return len(negated(p, n, e.norm, target, reset)) == 0
	}
	if lookup(n, e.norm, ordered) != nil {
		return true
	}
	if strings.HasPrefix(e.norm, "banner ") {
		for _, c := range n.Children {
			if lineKey(c) == e.norm {
				return true
			}
		}
	}
	return false
}

// lineKey is the line rules match: the node's line, white space runs
// collapsed; for a banner, its first words (`banner motd`), whatever its
// text and delimiter.
func lineKey(c *Node) string {
	if i := strings.IndexByte(c.key, '\n'); i >= 0 {
		return c.key[:i]
	}
	return c.key
}

// violates: the child line c breaks the forbidden entry e.
func (r *CompiledRule) violates(p *Platform, c *Node, e centry, ordered bool) bool {
	key := lineKey(c)
	if r.regex {
		return e.re.MatchString(key)
	}
	if _, _, neg := p.negation(e.norm); !neg {
		if _, _, isNeg := p.negation(key); isNeg {
			return false
		}
	}
	if hasWordPrefix(key, e.norm) {
		return true
	}
	if ordered && hasSeq(key) {
		_, rest, _ := strings.Cut(key, " ")
		return hasWordPrefix(rest, e.norm)
	}
	return false
}

func (r *CompiledRule) checkJunos(n *Node, path []string, b *cblock, out *[]Finding) {
	var stmts [][2]string // relative statement, full set line; built on demand
	statements := func() [][2]string {
		if stmts == nil {
			stmts = junosStatements(n)
		}
		return stmts
	}
	for _, e := range b.required {
		ok := false
		switch {
		case r.regex:
			for _, s := range statements() {
				if e.re.MatchString(s[0]) || e.re.MatchString("set "+s[0]) {
					ok = true
					break
				}
			}
		case len(e.words) > 0 && e.words[0] == "delete":
			ok = n.walk(e.words[1:]) == nil
		default:
			ok = n.walk(e.words) != nil
		}
		if !ok {
			*out = append(*out, Finding{Kind: FindingMissing, Path: path, Line: e.text})
		}
	}
	for _, e := range b.forbidden {
		switch {
		case r.regex:
			for _, s := range statements() {
				if e.re.MatchString(s[0]) || e.re.MatchString("set "+s[0]) {
					*out = append(*out, Finding{Kind: FindingForbidden, Path: path, Line: s[1], Entry: e.text})
				}
			}
		case len(e.words) > 0 && e.words[0] == "delete":
			// Forbidden to be deleted: the statement must be there.
			if n.walk(e.words[1:]) == nil {
				*out = append(*out, Finding{Kind: FindingMissing, Path: path, Line: e.text})
			}
		default:
			if m := n.walk(e.words); m != nil {
				for _, l := range junosSetLines(m) {
					*out = append(*out, Finding{Kind: FindingForbidden, Path: path, Line: l, Entry: e.text})
				}
			}
		}
	}
	for i := range b.sections {
		s := &b.sections[i]
		matched := false
		var walk func(m *Node, rel []string)
		walk = func(m *Node, rel []string) {
			for _, c := range m.Children {
				words := append(rel[:len(rel):len(rel)], c.Text)
				text := strings.Join(words, " ")
				if s.re.MatchString(text) {
					matched = true
					r.checkJunos(c, withPath(path, text), &s.cblock, out)
					continue
				}
				walk(c, words)
			}
		}
		walk(n, nil)
		if !matched && s.mustExist {
			*out = append(*out, Finding{Kind: FindingNoSection, Path: path, Line: s.pattern})
		}
	}
}

// junosStatements lists the statements under n: each relative to n
// (words joined by spaces, unquoted) and as a full set line.
func junosStatements(n *Node) [][2]string {
	out := [][2]string{}
	var walk func(m *Node, rel []string)
	walk = func(m *Node, rel []string) {
		for _, c := range m.Children {
			words := append(rel[:len(rel):len(rel)], c.Text)
			if len(c.Children) == 0 {
				out = append(out, [2]string{strings.Join(words, " "), junosSetLines(c)[0]})
				continue
			}
			walk(c, words)
		}
	}
	walk(n, nil)
	return out
}
