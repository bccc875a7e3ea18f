package lab

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A grammar is the configuration syntax of one CLI mode, compiled from
// patterns into a graph of keyword and argument nodes. It lets the lab
// accept exactly the lines a device accepts for the areas it models, and
// reject the others with the caret under the first word that does not fit.
//
// Pattern language (one command per pattern):
//
//	word            a keyword: matched by unique prefix, case-insensitive,
//	                stored as written ("RO" stays upper-case)
//	<type>          an argument (see argCheck): <ip>, <mask>, <wild>,
//	                <prefix>, <host>, <word>, <line> (the rest of the
//	                line), <if>, <vlans>, <asn>, <area>, <port>, <level>,
//	                <N-M> (a number in range)
//	[ ... ]         optional
//	( a | b c )     alternatives
//	{ a | b c }     any of these, any number of times, in any order
//	~               the "no" form of the command may stop here
//	=> mode         (at the end) the command enters configuration mode "mode"
//	@action         (at the end) a handler runs the command (questions, banners)
//	+feature@N      (at the end) NX-OS: needs "feature feature"; without it the
//	                command is invalid at word N
type grammar struct {
	root   *gnode
	macros map[string]string
	// caseSensitive: keywords match only as typed in lower case (Junos).
	caseSensitive bool
}

type gnode struct {
	kw       string // lower-case keyword, "" for an argument slot
	canon    string // the keyword as printed
	arg      string // argument type, "" for a keyword
	children []*gnode
	links    []*gnode // {...} loops: this node also offers these nodes' children
	end      bool     // a command may end here
	noEnd    bool     // the "no" form may end here
	enters   string   // ending here enters this mode
	action   string   // ending here runs this handler
	feature  string   // NX-OS feature the command needs
	featPos  int      // word index of the caret when the feature is off
}

func newGrammar(macros map[string]string) *grammar {
	return &grammar{root: &gnode{}, macros: macros}
}

// add compiles patterns into the grammar. A bad pattern is a programming
// error: it panics at init.
func (g *grammar) add(patterns ...string) {
	for _, p := range patterns {
		g.add1(p)
	}
}

func (g *grammar) add1(pattern string) {
	src := pattern
	for name, body := range g.macros {
		src = strings.ReplaceAll(src, "$"+name, body)
	}
	var enters, action, feature string
	featPos := 0
	fields := strings.Fields(src)
	for len(fields) > 0 {
		last := fields[len(fields)-1]
		switch {
		case strings.HasPrefix(last, "@"):
			action = last[1:]
		case strings.HasPrefix(last, "+"):
			f, pos, _ := strings.Cut(last[1:], "@")
			feature = f
			featPos, _ = strconv.Atoi(pos)
		case len(fields) >= 2 && fields[len(fields)-2] == "=>":
			enters = last
			fields = fields[:len(fields)-1]
		default:
			goto done
		}
		fields = fields[:len(fields)-1]
	}
done:
	toks := tokenizePattern(strings.Join(fields, " "))
	p := &patParser{toks: toks}
	seq := p.seq()
	if p.i != len(p.toks) {
		panic(fmt.Sprintf("lab: bad grammar pattern %q at %q", pattern, p.toks[p.i]))
	}
	ends := compileSeq(seq, []*gnode{g.root})
	for _, e := range ends {
		e.end = true
		if enters != "" {
			e.enters = enters
		}
		if action != "" {
			e.action = action
		}
		if feature != "" {
			e.feature, e.featPos = feature, featPos
		}
	}
}

func tokenizePattern(s string) []string {
	for _, c := range []string{"[", "]", "(", ")", "{", "}", "|"} {
		s = strings.ReplaceAll(s, c, " "+c+" ")
	}
	return strings.Fields(s)
}

// pattern syntax tree
type pitem struct {
	word string    // keyword, <arg> or "~"
	opt  []pitem   // [ ... ]
	alts [][]pitem // ( a | b )
	rep  [][]pitem // { a | b }
	kind byte      // 'w', 'o', 'a', 'r'
}

type patParser struct {
	toks []string
	i    int
}

func (p *patParser) seq() []pitem {
	var out []pitem
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		switch t {
		case "]", ")", "}", "|":
			return out
		case "[":
			p.i++
			in := p.seq()
			p.expect("]")
			out = append(out, pitem{kind: 'o', opt: in})
		case "(", "{":
			p.i++
			var alts [][]pitem
			for {
				alts = append(alts, p.seq())
				if p.i < len(p.toks) && p.toks[p.i] == "|" {
					p.i++
					continue
				}
				break
			}
			if t == "(" {
				p.expect(")")
				out = append(out, pitem{kind: 'a', alts: alts})
			} else {
				p.expect("}")
				out = append(out, pitem{kind: 'r', rep: alts})
			}
		default:
			p.i++
			out = append(out, pitem{kind: 'w', word: t})
		}
	}
	return out
}

func (p *patParser) expect(t string) {
	if p.i >= len(p.toks) || p.toks[p.i] != t {
		panic(fmt.Sprintf("lab: grammar pattern %v: want %q at %d", p.toks, t, p.i))
	}
	p.i++
}

// compileSeq adds a sequence after the nodes in from and returns the nodes
// it ends at. Alternatives, optional parts and loops meet again in a join
// node that the nodes before it link to, so a pattern compiles to a graph
// the size of the pattern, not of its expansions.
func compileSeq(seq []pitem, from []*gnode) []*gnode {
	cur := from
	for _, it := range seq {
		cur = compileItem(it, cur)
	}
	return cur
}

// join returns one node standing for all of ns.
func join(ns []*gnode) []*gnode {
	if len(ns) == 1 {
		return ns
	}
	j := &gnode{}
	for _, n := range ns {
		n.links = append(n.links, j)
	}
	return []*gnode{j}
}

func compileItem(it pitem, from []*gnode) []*gnode {
	from = join(from)
	switch it.kind {
	case 'o':
		return join(append(compileSeq(it.opt, from), from...))
	case 'a':
		var out []*gnode
		for _, a := range it.alts {
			out = append(out, compileSeq(a, from)...)
		}
		return join(dedupNodes(out))
	case 'r':
		head := from[0]
		for _, a := range it.rep {
			for _, e := range compileSeq(a, from) {
				if e != head && !containsNode(e.links, head) {
					e.links = append(e.links, head)
				}
			}
		}
		return from
	}
	if it.word == "~" {
		for _, f := range from {
			f.noEnd = true
		}
		return from
	}
	return []*gnode{from[0].child(it.word)}
}

func (n *gnode) child(word string) *gnode {
	arg := ""
	if strings.HasPrefix(word, "<") && strings.HasSuffix(word, ">") {
		arg = word[1 : len(word)-1]
	}
	for _, c := range n.children {
		if arg != "" && c.arg == arg || arg == "" && c.arg == "" && c.kw == strings.ToLower(strings.SplitN(word, ":", 2)[0]) {
			return c
		}
	}
	c := &gnode{arg: arg}
	if arg == "" {
		// "console:con" is typed "console" and printed "con".
		typed, printed, ok := strings.Cut(word, ":")
		if !ok || typed == "" {
			printed = typed
		}
		c.kw, c.canon = strings.ToLower(typed), printed
	}
	n.children = append(n.children, c)
	return c
}

func dedupNodes(ns []*gnode) []*gnode {
	var out []*gnode
	for _, n := range ns {
		if !containsNode(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func containsNode(ns []*gnode, n *gnode) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}

// offered returns the children a node offers, its own first, then those of
// the nodes its {...} loops lead back to.
func (n *gnode) offered() []*gnode {
	seen := map[*gnode]bool{n: true}
	out := append([]*gnode(nil), n.children...)
	var walk func(l []*gnode)
	walk = func(l []*gnode) {
		for _, x := range l {
			if seen[x] {
				continue
			}
			seen[x] = true
			for _, c := range x.children {
				dup := false
				for _, o := range out {
					if o.kw == c.kw && o.arg == c.arg {
						dup = true
						break
					}
				}
				if !dup {
					out = append(out, c)
				}
			}
			walk(x.links)
		}
	}
	walk(n.links)
	return out
}

// nodeEnd is what ending a line at a node means.
type nodeEnd struct {
	end, noEnd     bool
	enters, action string
	feature        string
	featPos        int
}

// terminal is the node reached at the end of a line: whether a command may
// end there, and what it does.
func (n *gnode) terminal() nodeEnd {
	var t nodeEnd
	seen := map[*gnode]bool{}
	var walk func(x *gnode)
	walk = func(x *gnode) {
		if seen[x] {
			return
		}
		seen[x] = true
		if x.end {
			t.end = true
			if t.enters == "" {
				t.enters = x.enters
			}
			if t.action == "" {
				t.action = x.action
			}
			if t.feature == "" {
				t.feature, t.featPos = x.feature, x.featPos
			}
		}
		t.noEnd = t.noEnd || x.noEnd
		for _, l := range x.links {
			walk(l)
		}
	}
	walk(n)
	return t
}

// gmatch is the result of matching a line against a grammar.
type gmatch struct {
	kind    matchKind
	pos     int      // byte offset of the offending word
	words   []string // canonical words (keywords as printed, arguments as typed)
	node    *gnode
	enters  string
	action  string
	feature string // the feature the command needs (NX-OS)
	featPos int    // byte offset of the caret when it is off
	// rest is set when the line went on past a mode-entering command
	// (IOS-XR flat entry: "router ospf 1 area 0 interface Gi0/0/0/0").
	rest []token
}

// argCtx gives argument checks what they need from the platform.
type argCtx struct {
	ifName func(string) (string, bool)
	ports  map[string]bool // named ports the platform knows
	names  map[string]bool // ASA: the configured interface names (nameif)
}

// match walks toks through the grammar. neg is set for the "no" form, which
// may stop early. flat lets a line continue past a mode-entering command
// (IOS-XR): the walk stops there and returns the remaining tokens.
func (g *grammar) match(line string, toks []token, neg, flat bool, ac argCtx) gmatch {
	cur := g.root
	var words []string
	sawArg := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		kids := cur.offered()
		lw := strings.ToLower(t.s)
		if g.caseSensitive {
			lw = t.s
		}
		var exact *gnode
		var cands []*gnode
		for _, c := range kids {
			if c.arg != "" {
				continue
			}
			if c.kw == lw {
				exact = c
			} else if strings.HasPrefix(c.kw, lw) {
				cands = append(cands, c)
			}
		}
		var next *gnode
		word := t.s
		switch {
		case exact != nil:
			next, word = exact, exact.canon
		case len(cands) == 1:
			next, word = cands[0], cands[0].canon
		case len(cands) > 1:
			return gmatch{kind: matchAmbiguous, pos: t.pos}
		}
		if next == nil {
			for _, c := range kids {
				if c.arg == "" {
					continue
				}
				if c.arg == "line" {
					rest := strings.TrimRight(line[t.pos:], " ")
					return g.finish(c, append(words, rest), true, neg, nil, t.pos)
				}
				if canon, ok := argCheck(c.arg, t.s, ac); ok {
					next, word = c, canon
					sawArg = true
					break
				}
			}
		}
		if next == nil {
			if flat {
				if te := cur.terminal(); te.end && te.enters != "" && i > 0 {
					m := g.finish(cur, words, sawArg, neg, nil, t.pos)
					m.rest = toks[i:]
					return m
				}
			}
			return gmatch{kind: matchInvalid, pos: t.pos}
		}
		words = append(words, word)
		cur = next
	}
	return g.finish(cur, words, sawArg, neg, nil, len(line))
}

func (g *grammar) finish(n *gnode, words []string, sawArg, neg bool, _ []token, endPos int) gmatch {
	t := n.terminal()
	if !t.end && !(neg && (t.noEnd || sawArg)) {
		return gmatch{kind: matchIncomplete, pos: endPos}
	}
	m := gmatch{kind: matchOK, words: words, node: n, enters: t.enters, action: t.action, feature: t.feature, featPos: t.featPos}
	if neg && !t.end {
		m.enters, m.action = "", ""
	}
	return m
}

// accepts reports whether a line may start with word in this grammar: a
// keyword (by prefix, even if ambiguous) or an argument ("10 permit ...").
func (g *grammar) accepts(word string, ac argCtx) bool {
	if kw, amb := g.has(word); kw != "" || amb {
		return true
	}
	for _, c := range g.root.offered() {
		if c.arg == "line" {
			return true
		}
		if c.arg != "" {
			if _, ok := argCheck(c.arg, word, ac); ok {
				return true
			}
		}
	}
	return false
}

// has reports whether the grammar knows the first word of a line (by
// unique prefix), and whether it is ambiguous there.
func (g *grammar) has(word string) (kw string, ambiguous bool) {
	lw := strings.ToLower(word)
	var found []string
	for _, c := range g.root.offered() {
		if c.arg != "" {
			continue
		}
		if c.kw == lw {
			return c.kw, false
		}
		if strings.HasPrefix(c.kw, lw) {
			found = append(found, c.kw)
		}
	}
	if len(found) == 1 {
		return found[0], false
	}
	return "", len(found) > 1
}

// keywords lists the first words of the grammar's commands.
func (g *grammar) keywords() []string {
	var out []string
	for _, c := range g.root.offered() {
		if c.arg == "" {
			out = append(out, c.kw)
		}
	}
	return out
}

// helpAt lists what may follow the words of a partial line, for "?":
// keywords, argument slots, and <cr> when the command may end there.
func (g *grammar) helpAt(toks []token, ac argCtx) ([]string, bool) {
	cur := g.root
	for _, t := range toks {
		var next *gnode
		lw := strings.ToLower(t.s)
		var cands []*gnode
		for _, c := range cur.offered() {
			if c.arg == "" && c.kw == lw {
				next = c
				break
			}
			if c.arg == "" && strings.HasPrefix(c.kw, lw) {
				cands = append(cands, c)
			}
		}
		if next == nil && len(cands) == 1 {
			next = cands[0]
		}
		if next == nil {
			for _, c := range cur.offered() {
				if c.arg == "line" {
					return []string{"<cr>"}, true
				}
				if c.arg != "" {
					if _, ok := argCheck(c.arg, t.s, ac); ok {
						next = c
						break
					}
				}
			}
		}
		if next == nil {
			return nil, false
		}
		cur = next
	}
	var out []string
	for _, c := range cur.offered() {
		if c.arg != "" {
			out = append(out, argHelp(c.arg))
		} else {
			out = append(out, c.canon)
		}
	}
	if cur.terminal().end {
		out = append(out, "<cr>")
	}
	return out, true
}

func argHelp(arg string) string {
	switch arg {
	case "ip":
		return "A.B.C.D"
	case "mask", "wild":
		return "A.B.C.D"
	case "prefix":
		return "A.B.C.D/LEN"
	case "host":
		return "Hostname or A.B.C.D"
	case "if":
		return "<interface>"
	case "line":
		return "LINE"
	case "word":
		return "WORD"
	}
	return "<" + arg + ">"
}

var (
	rangeArgRE  = regexp.MustCompile(`^(\d+)-(\d+)$`)
	hostnameRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)
	protoPortRE = regexp.MustCompile(`^(tcp|udp)/\d{1,5}$`)
)

// argCheck validates one argument word and returns its canonical form.
func argCheck(typ, tok string, ac argCtx) (string, bool) {
	if m := rangeArgRE.FindStringSubmatch(typ); m != nil {
		lo, _ := strconv.ParseUint(m[1], 10, 64)
		hi, _ := strconv.ParseUint(m[2], 10, 64)
		n, err := strconv.ParseUint(tok, 10, 64)
		return tok, err == nil && n >= lo && n <= hi
	}
	switch typ {
	case "ip", "wild":
		return tok, validIPv4(tok)
	case "mask":
		if !validIPv4(tok) {
			return tok, false
		}
		_, ok := maskLen(tok)
		return tok, ok
	case "prefix":
		ip, l, ok := strings.Cut(tok, "/")
		n, err := strconv.Atoi(l)
		return tok, ok && validIPv4(ip) && err == nil && n >= 0 && n <= 32
	case "host":
		return tok, validIPv4(tok) || hostnameRE.MatchString(tok) && !strings.ContainsAny(tok, "/")
	case "word":
		return tok, true
	case "nameif":
		return tok, ac.names[tok]
	case "protoport":
		return strings.ToLower(tok), protoPortRE.MatchString(strings.ToLower(tok))
	case "if", "jif":
		if ac.ifName == nil {
			return tok, false
		}
		return ac.ifName(tok)
	case "vlans":
		for _, part := range strings.Split(tok, ",") {
			a, b, isRange := strings.Cut(part, "-")
			x, err := strconv.Atoi(a)
			if err != nil || x < 1 || x > 4094 {
				return tok, false
			}
			if isRange {
				y, err := strconv.Atoi(b)
				if err != nil || y < x || y > 4094 {
					return tok, false
				}
			}
		}
		return tok, true
	case "asn":
		if a, b, dot := strings.Cut(tok, "."); dot {
			x, e1 := strconv.ParseUint(a, 10, 16)
			y, e2 := strconv.ParseUint(b, 10, 16)
			return tok, e1 == nil && e2 == nil && x <= 65535 && y <= 65535
		}
		n, err := strconv.ParseUint(tok, 10, 32)
		return tok, err == nil && n >= 1
	case "area":
		if validIPv4(tok) {
			return tok, true
		}
		_, err := strconv.ParseUint(tok, 10, 32)
		return tok, err == nil
	case "port":
		if n, err := strconv.Atoi(tok); err == nil {
			return tok, n >= 0 && n <= 65535
		}
		return tok, ac.ports[strings.ToLower(tok)]
	case "level":
		if n, err := strconv.Atoi(tok); err == nil {
			return tok, n >= 0 && n <= 7
		}
		for _, l := range syslogLevels {
			if strings.EqualFold(l, tok) {
				return l, true
			}
		}
		return tok, false
	}
	panic("lab: unknown grammar argument type " + typ)
}

var syslogLevels = []string{"emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging"}

// Named ports (TCP and UDP) as the platforms' ACL parsers know them.
var iosPorts = wordSet("bgp chargen cmd daytime discard domain echo exec finger ftp ftp-data gopher hostname ident irc klogin kshell login lpd nntp pim-auto-rp pop2 pop3 smtp sunrpc tacacs talk telnet time uucp whois www biff bootpc bootps dnsix isakmp mobile-ip nameserver netbios-dgm netbios-ns netbios-ss non500-isakmp ntp rip snmp snmptrap syslog tftp who xdmcp")

var eosPorts = wordSet("bgp domain echo ftp ftp-data http https ldap ldaps ntp smtp snmp snmptrap ssh syslog tacacs telnet tftp www bootpc bootps isakmp rip")

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
