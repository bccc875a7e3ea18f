package lab

import (
	"regexp"
	"strings"
	"time"
)

// Configuration modes of the IOS-like engine (cisco_ios, cisco_nxos,
// arista_eos, cisco_asa). Global configuration and the modes of the
// common areas (interfaces, routing, ACLs, lines, VLANs, users...) have a
// strict grammar; other global commands are accepted by first keyword and
// stored as typed, as before.
//
// A session's position is a stack of levels: level 0 is the top-level
// section it is in ("router bgp 65000"), deeper levels are nested modes
// ("address-family ipv4"). A line is tried in the deepest mode first and,
// as on IOS, falls back to the parent modes when that mode does not know
// its first word (leaving the deeper modes).

// modeSpec is one configuration mode.
type modeSpec struct {
	prompt func(header string) string // the prompt's mode name ("config-router")
	gram   *grammar                   // nil: any line is accepted as typed
}

// cfgLevel is one mode the session is in, below global configuration.
type cfgLevel struct {
	header string // the line that entered it, canonical
	mode   string // key in iosLike.modes
	prompt string // the prompt's mode name
}

// cfgAction runs a command that asks a question or reads more lines. It
// returns handled=false to let the engine store the line as usual.
type cfgAction func(p *iosLike, s *session, c *cfgCmd) (handled bool, err error)

// cfgCmd is a matched configuration line.
type cfgCmd struct {
	line    string   // as typed
	toks    []token  // the tokens after "no"
	words   []string // canonical words
	neg     bool
	level   int // the stack depth it applies at (0: global)
	mode    string
	parents []string // headers of the modes above it, outermost first
}

func (c *cfgCmd) canon() string { return strings.Join(c.words, " ") }

func (s *session) setCfgStack(st []cfgLevel) {
	s.cfgStack = st
	s.cfgSection, s.cfgMode = "", ""
	if len(st) > 0 {
		s.cfgSection = st[0].header
		s.cfgMode = st[len(st)-1].prompt
	}
}

func (s *session) leaveConfig() {
	s.inConfig = false
	s.setCfgStack(nil)
}

// globalWords are the first words global configuration knows.
func (p *iosLike) globalWords() []string {
	if p.globalWordsCache != nil {
		return p.globalWordsCache
	}
	seen := map[string]bool{}
	var out []string
	add := func(ws ...string) {
		for _, w := range ws {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	add("interface")
	add(p.globalKW...)
	if g := p.modes[""]; g != nil && g.gram != nil {
		add(g.gram.keywords()...)
	}
	p.globalWordsCache = out
	return out
}

func (p *iosLike) argCtx(s *session) argCtx {
	ac := argCtx{ifName: p.ifName, ports: p.ports}
	if p.name == CiscoASA {
		ac.names = s.asaNameifs()
	}
	return ac
}

// belongs reports whether mode knows the line's first word.
func (p *iosLike) belongs(s *session, mode string, probe string) bool {
	if mode == "" {
		kw, amb := resolveWord(probe, p.globalWords())
		return kw != "" || amb
	}
	m := p.modes[mode]
	if m == nil || m.gram == nil {
		// A lenient mode keeps every line but a global keyword typed in full.
		kw, _ := resolveWord(probe, p.globalWords())
		return kw == "" || !strings.EqualFold(kw, probe) || isSpecial(probe)
	}
	return m.gram.accepts(probe, p.argCtx(s))
}

// configLine applies one line typed in configuration mode.
func (p *iosLike) configLine(s *session, line string) error {
	toks := tokenize(line)
	if f := s.dev.getFaults(); f.RejectConfig != "" {
		if re, err := regexp.Compile(f.RejectConfig); err == nil && re.MatchString(strings.TrimSpace(line)) {
			return p.fail(s, p.invalid(s, toks[0].pos))
		}
	}
	first, amb := resolveWord(toks[0].s, []string{"end", "exit", "do", "no"})
	if amb {
		return p.fail(s, p.ambiguous(s, line, matchResult{pos: toks[0].pos, word: toks[0].s}))
	}
	// A word of the current mode wins over a prefix of end/exit/do/no
	// ("e" is "exit-address-family"'s too, "d" "description"'s).
	if first != "" && !strings.EqualFold(first, toks[0].s) && len(s.cfgStack) > 0 {
		if m := p.modes[s.cfgStack[len(s.cfgStack)-1].mode]; m != nil && m.gram != nil {
			if kw, _ := m.gram.has(toks[0].s); kw != "" {
				first = ""
			}
		}
	}
	switch first {
	case "end":
		s.leaveConfig()
		return nil
	case "exit":
		if len(s.cfgStack) > 0 {
			s.setCfgStack(s.cfgStack[:len(s.cfgStack)-1])
		} else {
			s.leaveConfig()
		}
		return nil
	case "do":
		if len(toks) < 2 {
			return p.fail(s, p.incomplete(s, line))
		}
		saved := s.priv
		s.priv = true
		err := p.execLine(s, line[toks[1].pos:])
		s.priv = saved
		return err
	}
	neg := first == "no"
	rest := toks
	if neg {
		rest = toks[1:]
		if len(rest) == 0 {
			return p.fail(s, p.incomplete(s, line))
		}
	}
	// The deepest mode that knows the first word takes the line.
	level := -1
	for l := len(s.cfgStack); l >= 0; l-- {
		mode := ""
		if l > 0 {
			mode = s.cfgStack[l-1].mode
		}
		if p.belongs(s, mode, rest[0].s) {
			level = l
			break
		}
	}
	if level < 0 {
		// Invalid in every mode: reported in the current one.
		return p.fail(s, p.invalid(s, rest[0].pos))
	}
	s.setCfgStack(s.cfgStack[:level])
	c := &cfgCmd{line: line, toks: rest, neg: neg, level: level}
	if level > 0 {
		c.mode = s.cfgStack[level-1].mode
	}
	for _, l := range s.cfgStack {
		c.parents = append(c.parents, l.header)
	}
	if level == 0 {
		kw, _ := resolveWord(rest[0].s, p.globalWords())
		if kw == "interface" {
			return p.interfaceLine(s, c)
		}
	}
	m := p.modes[c.mode]
	if m == nil || m.gram == nil || (c.mode == "" && !p.inGlobalGrammar(rest[0].s)) {
		return p.lenientLine(s, c)
	}
	r := m.gram.match(line, rest, neg, false, p.argCtx(s))
	switch r.kind {
	case matchInvalid:
		return p.fail(s, p.invalid(s, r.pos))
	case matchAmbiguous:
		return p.fail(s, p.ambiguous(s, line, matchResult{pos: r.pos}))
	case matchIncomplete:
		return p.fail(s, p.incomplete(s, line))
	}
	if r.feature != "" && !s.featureOn(r.feature) {
		return p.fail(s, p.invalid(s, rest[min(r.featPos, len(rest)-1)].pos))
	}
	c.words = r.words
	if msg, bad := p.validate(s, c.words, rest); bad {
		return p.fail(s, msg)
	}
	if r.action != "" {
		if act := p.actions[r.action]; act != nil {
			handled, err := act(p, s, c)
			if handled || err != nil {
				return err
			}
		}
	}
	if r.enters != "" {
		return p.enterMode(s, c, r.enters)
	}
	p.store(s, c)
	return nil
}

func (p *iosLike) inGlobalGrammar(word string) bool {
	g := p.modes[""]
	if g == nil || g.gram == nil {
		return false
	}
	kw, _ := resolveWord(word, p.globalWords())
	if kw == "" {
		return false
	}
	gk, _ := g.gram.has(kw)
	return gk == kw
}

// enterMode creates (or, negated, removes) a section and enters its mode.
func (p *iosLike) enterMode(s *session, c *cfgCmd, mode string) error {
	hdr := c.canon()
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	st.lastChange = time.Now()
	if c.level == 0 {
		if c.neg {
			st.running.remove(hdr)
			return nil
		}
		st.running.section(hdr, true)
	} else {
		sec := st.running.find(c.parents[0])
		if sec == nil {
			sec = st.running.section(c.parents[0], true)
		}
		if c.neg {
			sec.removeNested(c.parents[1:], hdr)
			return nil
		}
		marker := ""
		if p.afExit && strings.HasPrefix(hdr, "address-family ") {
			marker = "exit-address-family"
		}
		sec.ensureNested(c.parents[1:], hdr, marker)
	}
	prompt := mode
	if ms := p.modes[mode]; ms != nil && ms.prompt != nil {
		prompt = ms.prompt(hdr)
	}
	s.setCfgStack(append(s.cfgStack, cfgLevel{header: hdr, mode: mode, prompt: prompt}))
	return nil
}

// store applies a leaf line at its level.
func (p *iosLike) store(s *session, c *cfgCmd) {
	canon := c.canon()
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	st.lastChange = time.Now()
	if c.level == 0 {
		if c.neg {
			st.running.remove(canon)
		} else {
			st.running.setLine(canon)
		}
		return
	}
	sec := st.running.find(c.parents[0])
	if sec == nil { // removed meanwhile by another session
		sec = st.running.section(c.parents[0], true)
	}
	if c.level > 1 {
		if c.neg {
			sec.removeNested(c.parents[1:], canon)
		} else {
			sec.setNested(c.parents[1:], canon)
		}
		return
	}
	w := c.words
	switch {
	case c.neg && p.nxosStyle && w[0] == "shutdown":
		sec.setChild("no shutdown")
	case c.neg && p.name == CiscoIOS && c.mode == "if" && len(w) >= 2 && w[0] == "ip" && w[1] == "address":
		sec.removeChild("ip address")
		sec.setChild("no ip address")
	case c.neg:
		sec.removeChild(canon)
	default:
		sec.setChild(canon)
	}
}

// lenientLine is a command outside the modelled areas: accepted by its
// first keyword (and second, where the platform lists them) and stored as
// typed.
func (p *iosLike) lenientLine(s *session, c *cfgCmd) error {
	rest := c.toks
	words := make([]string, len(rest))
	for i, t := range rest {
		words[i] = t.s
	}
	if c.level == 0 {
		kw, amb := resolveWord(rest[0].s, p.globalWords())
		if amb {
			return p.fail(s, p.ambiguous(s, c.line, matchResult{pos: rest[0].pos, word: rest[0].s}))
		}
		if kw == "" {
			return p.fail(s, p.invalid(s, rest[0].pos))
		}
		words[0] = kw
		if len(words) > 1 {
			if set, ok := p.secondKW[kw]; ok {
				kw2, amb := resolveWord(words[1], set)
				switch {
				case amb:
					return p.fail(s, p.ambiguous(s, c.line, matchResult{pos: rest[1].pos, word: rest[1].s}))
				case kw2 == "":
					return p.fail(s, p.invalid(s, rest[1].pos))
				}
				words[1] = kw2
			}
		} else if _, ok := p.secondKW[kw]; ok && !c.neg {
			return p.fail(s, p.incomplete(s, c.line))
		}
	}
	if msg, bad := p.validate(s, words, rest); bad {
		return p.fail(s, msg)
	}
	c.words = words
	canon := c.canon()
	if c.level == 0 {
		for _, sm := range p.submodes {
			if strings.HasPrefix(canon+" ", sm.prefix) {
				if c.neg {
					s.dev.mu.Lock()
					s.dev.st.running.remove(canon)
					s.dev.st.lastChange = time.Now()
					s.dev.mu.Unlock()
					return nil
				}
				return p.enterMode(s, c, sm.mode)
			}
		}
	}
	p.store(s, c)
	return nil
}

// interfaceLine is "interface X" (and "no interface X") in global
// configuration: the name is expanded and checked, virtual interfaces are
// created, physical ones must exist.
func (p *iosLike) interfaceLine(s *session, c *cfgCmd) error {
	rest := c.toks
	if len(rest) < 2 {
		return p.fail(s, p.incomplete(s, c.line))
	}
	var raw strings.Builder
	for _, t := range rest[1:] {
		raw.WriteString(t.s)
	}
	name, ok := p.ifName(raw.String())
	if !ok {
		return p.fail(s, p.invalid(s, rest[1].pos))
	}
	header := "interface " + name
	// Decided under the lock; errors are written after it (emit takes it).
	errPos := -1
	s.dev.mu.Lock()
	st := s.dev.st
	exists := st.running.find(header) != nil
	virtual := p.isVirtual(name)
	switch {
	case strings.Contains(name, ".") && st.running.find("interface "+name[:strings.IndexByte(name, '.')]) == nil:
		errPos = rest[1].pos // a sub-interface needs its parent
	case p.features && strings.HasPrefix(name, "Vlan") && !st.featureOnLocked("interface-vlan"):
		errPos = rest[1].pos
	case c.neg && (!exists || !virtual):
		errPos = rest[0].pos
	case c.neg:
		st.running.remove(header)
		st.lastChange = time.Now()
	case !exists && !virtual:
		errPos = rest[1].pos
	default:
		sec := st.running.section(header, true)
		if !exists && p.name == CiscoIOS && !strings.Contains(name, ".") {
			sec.children = append(sec.children, "no ip address")
		}
		if !exists {
			st.lastChange = time.Now()
		}
	}
	s.dev.mu.Unlock()
	if errPos >= 0 {
		return p.fail(s, p.invalid(s, errPos))
	}
	if c.neg {
		return nil
	}
	prompt := p.ifMode(name)
	if strings.Contains(name, ".") && p.subifMode != "" {
		prompt = p.subifMode
	}
	s.setCfgStack([]cfgLevel{{header: header, mode: "if", prompt: prompt}})
	return nil
}

// featureOn reports whether "feature X" is configured (NX-OS).
func (s *session) featureOn(f string) bool {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	return s.dev.st.featureOnLocked(f)
}

func (st *devState) featureOnLocked(f string) bool {
	for _, x := range st.running.stanzas {
		if x.line == "feature "+f {
			return true
		}
	}
	return false
}
