package lab

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// xrPlatform simulates an IOS XRv 9000 router (cisco_xr): login lands at
// "RP/0/RP0/CPU0:r1#" (no enable), "configure" gives every session its
// own target configuration, "commit" makes it running (or fails as a
// whole: pseudo-atomic), "abort" drops it, "end" asks about uncommitted
// changes, "rollback configuration last N" undoes commits. Show commands,
// "configure" and "commit" start their output with a timestamp line.
type xrPlatform struct{}

var (
	xrModes            map[string]*modeSpec
	xrExecTree         *cmdNode
	xrGlobalWordsCache []string
)

func initXR() {
	xrConfigTree = newXRConfigTree()
	xrModes = xrGrammars()
	xrGlobalWordsCache = xrModes[""].gram.keywords()
	t := &cmdNode{}
	t.add("exit", xrExit)
	t.add("logout", xrExit)
	t.add("quit", xrExit)
	t.add("terminal length <n>", func(s *session, a []string) (string, error) {
		n := atoiDefault(a[0], -1)
		if n < 0 || n > 512 {
			return xrInvalid(s, strings.LastIndex(s.lastLine, a[0])), nil
		}
		s.termLength = n
		return "", nil
	})
	t.add("terminal width <n>", func(s *session, a []string) (string, error) {
		n := atoiDefault(a[0], -1)
		if n < 0 || n > 512 {
			return xrInvalid(s, strings.LastIndex(s.lastLine, a[0])), nil
		}
		s.width.Store(int64(n))
		return "", nil
	})
	t.add("terminal exec prompt no-timestamp", func(s *session, _ []string) (string, error) { s.xrNoTS = true; return "", nil })
	t.add("terminal exec prompt timestamp", func(s *session, _ []string) (string, error) { s.xrNoTS = false; return "", nil })
	t.add("terminal monitor", func(s *session, _ []string) (string, error) { return "", nil })
	t.add("terminal monitor disable", func(s *session, _ []string) (string, error) { return "", nil })
	t.add("configure", xrConfigure)
	t.add("configure terminal", xrConfigure)
	t.add("configure exclusive", xrConfigure)
	t.add("show version", xrShowVersion)
	t.add("show running-config", xrShowRun)
	t.add("show running-config <...>", xrShowRun)
	t.add("show clock", func(s *session, _ []string) (string, error) {
		return s.xrTS() + time.Now().UTC().Format("15:04:05.000 MST Mon Jan 2 2006") + "\n", nil
	})
	t.add("show ipv4 interface brief", xrShowIPv4Brief)
	t.add("show ip interface brief", xrShowIPv4Brief)
	t.add("show ntp associations", xrShowNTP)
	t.add("show configuration commit list", xrShowCommitList)
	t.add("show configuration commit list <n>", xrShowCommitList)
	t.add("rollback configuration last <n>", xrRollbackLast)
	t.add("ping <...>", func(s *session, a []string) (string, error) {
		h := strings.Fields(a[0])[0]
		return s.xrTS() + fmt.Sprintf("Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to %s timeout is 2 seconds:\n!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = 1/1/2 ms\n", h), nil
	})
	xrExecTree = t
}

func xrExit(s *session, _ []string) (string, error) { return "", errExit }

func (xrPlatform) moreMarker() string { return " --More-- " }
func (xrPlatform) login(s *session)   { s.priv = true }

func (xrPlatform) prompt(s *session) string {
	p := "RP/0/RP0/CPU0:" + s.dev.Hostname()
	if s.inConfig {
		mode := "config"
		if n := len(s.cfgStack); n > 0 {
			mode = s.cfgStack[n-1].prompt
		}
		return p + "(" + mode + ")#"
	}
	return p + "#"
}

func (xrPlatform) control(s *session, key error) error {
	if !s.inConfig {
		return nil
	}
	if errors.Is(key, errCtrlZ) {
		// Ctrl-Z is "end": it asks about uncommitted changes.
		return xrEnd(s)
	}
	return nil
}

func (p xrPlatform) exec(s *session, cmd string) int {
	s.lastPrompt = p.prompt(s)
	if err := p.handle(s, cmd); err != nil && !errors.Is(err, errExit) {
		return 1
	}
	if s.failed {
		return 1
	}
	return 0
}

// xrTS is the timestamp line IOS-XR prints before a command's output.
func (s *session) xrTS() string {
	if s.xrNoTS {
		return ""
	}
	return time.Now().UTC().Format("Mon Jan _2 15:04:05.000 MST") + "\n"
}

func xrInvalid(s *session, pos int) string {
	s.failed = true
	return strings.Repeat(" ", len(s.lastPrompt)+pos) + "^\n% Invalid input detected at '^' marker.\n"
}

func (p xrPlatform) fail(s *session, msg string) error {
	s.failed = true
	return s.emit(msg)
}

func (p xrPlatform) handle(s *session, line string) error {
	s.failed = false
	if strings.TrimSpace(line) == "" {
		return nil
	}
	if s.inConfig {
		return p.configLine(s, line)
	}
	return p.execLine(s, line, xrExecTree)
}

func (p xrPlatform) execLine(s *session, line string, tree *cmdNode) error {
	cmd, pipes := splitPipe(line)
	m := tree.match(cmd)
	switch m.kind {
	case matchInvalid:
		return p.fail(s, xrInvalid(s, m.pos))
	case matchAmbiguous:
		return p.fail(s, fmt.Sprintf("%% Ambiguous command:  %q\n", strings.TrimSpace(line)))
	case matchIncomplete:
		return p.fail(s, "% Incomplete command.\n")
	}
	out, err := m.fn(s, m.args)
	if err != nil {
		return err
	}
	if len(pipes) > 0 {
		// The timestamp stays on top, as on the device.
		ts := ""
		if t := s.xrTS(); t != "" && strings.HasPrefix(out, t) {
			ts, out = t, strings.TrimPrefix(out, t)
		}
		filtered, ok := applyPipes(out, pipes)
		if !ok {
			return p.fail(s, xrInvalid(s, len(cmd)+1))
		}
		out = ts + filtered
	}
	return s.emit(out)
}

// ---- configuration ----

// xrOp is one change in a session's target configuration.
type xrOp struct {
	path  []string // headers of the modes it is under
	line  string   // the line; "" when the op only enters path
	neg   bool
	typed string // the line as typed, for errors
}

func (o xrOp) text() string {
	parts := append(append([]string(nil), o.path...), o.line)
	return strings.TrimSpace(strings.Join(parts, " "))
}

type xrFailure struct {
	op  xrOp
	err string
}

func xrConfigure(s *session, _ []string) (string, error) {
	s.inConfig = true
	s.setCfgStack(nil)
	return s.xrTS(), nil
}

// xrConfigTree holds the commands of configuration mode itself; initXR
// builds it.
var xrConfigTree *cmdNode

func newXRConfigTree() *cmdNode {
	t := &cmdNode{}
	t.add("commit", xrCommitCmd(false))
	t.add("commit label <word>", xrCommitCmd(false))
	t.add("commit comment <...>", xrCommitCmd(false))
	t.add("commit label <word> comment <...>", xrCommitCmd(false))
	t.add("commit replace", xrCommitCmd(true))
	t.add("abort", func(s *session, _ []string) (string, error) {
		s.xrOps, s.inConfig = nil, false
		s.setCfgStack(nil)
		return "", nil
	})
	t.add("end", func(s *session, _ []string) (string, error) { return "", xrEnd(s) })
	t.add("root", func(s *session, _ []string) (string, error) { s.setCfgStack(nil); return "", nil })
	t.add("show configuration", xrShowTarget)
	t.add("show configuration merge", xrShowMerge)
	t.add("show configuration running", xrShowRun)
	t.add("show configuration failed", xrShowFailed)
	t.add("show configuration failed inheritance", xrShowFailed)
	t.add("show running-config", xrShowRun)
	t.add("show running-config <...>", xrShowRun)
	return t
}

func (p xrPlatform) configLine(s *session, line string) error {
	toks := tokenize(line)
	first := strings.ToLower(toks[0].s)
	// exit leaves one mode, and configuration mode itself like end.
	if kw, _ := resolveWord(first, []string{"exit"}); kw == "exit" && len(first) >= 3 && len(toks) == 1 {
		if n := len(s.cfgStack); n > 0 {
			s.setCfgStack(s.cfgStack[:n-1])
			return nil
		}
		return xrEnd(s)
	}
	if strings.EqualFold(toks[0].s, "do") {
		if len(toks) < 2 {
			return p.fail(s, "% Incomplete command.\n")
		}
		saved := s.inConfig
		s.inConfig = false
		err := p.execLine(s, line[toks[1].pos:], xrExecTree)
		s.inConfig = saved
		return err
	}
	// Configuration-mode commands (commit, abort, show ...).
	if kw, _ := resolveWord(first, []string{"commit", "abort", "end", "root", "show"}); kw != "" {
		if m := xrConfigTree.match(line); m.kind != matchInvalid || m.pos > toks[0].pos {
			return p.execLine(s, line, xrConfigTree)
		}
	}
	// A route-policy or a set: free text up to end-policy / end-set.
	if n := len(s.cfgStack); n > 0 && (s.cfgStack[n-1].mode == "rpl" || s.cfgStack[n-1].mode == "set") {
		t := strings.TrimSpace(line)
		if t == "end-policy" || t == "end-set" {
			s.setCfgStack(s.cfgStack[:n-1])
			return nil
		}
		s.xrAddOp(xrOp{path: xrPath(s), line: t, typed: line})
		return nil
	}
	neg := strings.EqualFold(toks[0].s, "no")
	rest := toks
	if neg {
		rest = toks[1:]
		if len(rest) == 0 {
			return p.fail(s, "% Incomplete command.\n")
		}
	}
	ac := argCtx{ifName: xrIfName, ports: iosPorts}
	level := -1
	for l := len(s.cfgStack); l >= 0; l-- {
		mode := ""
		if l > 0 {
			mode = s.cfgStack[l-1].mode
		}
		ms := xrModes[mode]
		if ms == nil || ms.gram == nil {
			// Lenient modes take anything but a global command.
			if kw, _ := resolveWord(rest[0].s, xrGlobalWordsCache); kw == "" || !strings.EqualFold(kw, rest[0].s) {
				level = l
				break
			}
			continue
		}
		if ms.gram.accepts(rest[0].s, ac) {
			level = l
			break
		}
	}
	if level < 0 {
		return p.fail(s, xrInvalid(s, rest[0].pos))
	}
	stack := append([]cfgLevel(nil), s.cfgStack[:level]...)
	path := make([]string, 0, len(stack))
	for _, l := range stack {
		path = append(path, l.header)
	}
	mode := ""
	if level > 0 {
		mode = stack[level-1].mode
	}
	ms := xrModes[mode]
	if ms == nil || ms.gram == nil {
		words := make([]string, len(rest))
		for i, t := range rest {
			words[i] = t.s
		}
		s.setCfgStack(stack)
		s.xrAddOp(xrOp{path: path, line: strings.Join(words, " "), neg: neg, typed: line})
		return nil
	}
	// Match segment by segment: "router ospf 1 area 0 interface X cost 5"
	// is four modes deep on one line.
	toksLeft := rest
	var entered []cfgLevel
	for {
		r := ms.gram.match(line, toksLeft, neg, true, ac)
		switch r.kind {
		case matchInvalid:
			return p.fail(s, xrInvalid(s, r.pos))
		case matchAmbiguous:
			return p.fail(s, fmt.Sprintf("%% Ambiguous command:  %q\n", strings.TrimSpace(line)))
		case matchIncomplete:
			return p.fail(s, "% Incomplete command.\n")
		}
		words := r.words
		switch r.action {
		case "xrip4":
			words = xrIPv4Words(words)
		case "xrif":
			if !neg && !s.xrInterfaceOK(words[1]) {
				return p.fail(s, xrInvalid(s, toksLeft[1].pos))
			}
		case "banner":
			if !neg && r.rest == nil {
				return xrBanner(s, path, words)
			}
		}
		canon := strings.Join(words, " ")
		if r.rest != nil && r.enters != "" {
			nm := xrModes[r.enters]
			prompt := r.enters
			if nm != nil && nm.prompt != nil {
				prompt = nm.prompt(canon)
			}
			entered = append(entered, cfgLevel{header: canon, mode: r.enters, prompt: prompt})
			path = append(path, canon)
			toksLeft = r.rest
			ms = nm
			if ms == nil || ms.gram == nil {
				s.xrAddOp(xrOp{path: path, line: line[toksLeft[0].pos:], neg: neg, typed: line})
				s.setCfgStack(stack)
				return nil
			}
			continue
		}
		s.setCfgStack(stack)
		if r.enters != "" {
			if neg {
				s.xrAddOp(xrOp{path: path, line: canon, neg: true, typed: line})
				return nil
			}
			nm := xrModes[r.enters]
			prompt := r.enters
			if nm != nil && nm.prompt != nil {
				prompt = nm.prompt(canon)
			}
			entered = append(entered, cfgLevel{header: canon, mode: r.enters, prompt: prompt})
			path = append(path, canon)
			s.xrAddOp(xrOp{path: path, typed: line})
			s.setCfgStack(append(stack, entered...))
			return nil
		}
		s.xrAddOp(xrOp{path: path, line: canon, neg: neg, typed: line})
		return nil
	}
}

func xrPath(s *session) []string {
	var out []string
	for _, l := range s.cfgStack {
		out = append(out, l.header)
	}
	return out
}

func (s *session) xrAddOp(o xrOp) { s.xrOps = append(s.xrOps, o) }

// xrIPv4Words writes "ipv4 address A/L" as IOS-XR stores it: A MASK.
func xrIPv4Words(w []string) []string {
	if len(w) >= 3 && strings.Contains(w[2], "/") {
		ip, l, _ := strings.Cut(w[2], "/")
		n := atoiDefault(l, 0)
		m := uint32(0)
		if n > 0 {
			m = ^uint32(0) << (32 - n)
		}
		out := append([]string{w[0], w[1], ip, fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&255, m>>8&255, m&255)}, w[3:]...)
		return out
	}
	return w
}

var xrIfTypes = [][2]string{
	{"gigabitethernet", "GigabitEthernet"}, {"tengige", "TenGigE"}, {"fortygige", "FortyGigE"},
	{"hundredgige", "HundredGigE"}, {"loopback", "Loopback"}, {"mgmteth", "MgmtEth"},
	{"bundle-ether", "Bundle-Ether"}, {"tunnel-ip", "tunnel-ip"}, {"bvi", "BVI"}, {"null", "Null"},
}

// xrIfName expands "gi0/0/0/0", "Lo0", "mg0/RP0/CPU0/0".
func xrIfName(raw string) (string, bool) {
	i := 0
	for i < len(raw) && (raw[i] < '0' || raw[i] > '9') {
		i++
	}
	typ, num := strings.ToLower(raw[:i]), raw[i:]
	if typ == "" || num == "" {
		return "", false
	}
	match := ""
	for _, t := range xrIfTypes {
		if strings.HasPrefix(t[0], typ) {
			if match != "" {
				return "", false
			}
			match = t[1]
		}
	}
	if match == "" || !regexp.MustCompile(`^\d+(/(\d+|RP\d+|CPU\d+))*(\.\d+)?$`).MatchString(num) {
		return "", false
	}
	return match + num, true
}

// xrInterfaceOK: physical interfaces must exist; virtual ones and
// sub-interfaces of existing ones may be created.
func (s *session) xrInterfaceOK(name string) bool {
	base := name
	if i := strings.IndexByte(name, '.'); i >= 0 {
		base = name[:i]
	}
	for _, v := range []string{"Loopback", "Bundle-Ether", "tunnel-ip", "BVI", "Null"} {
		if strings.HasPrefix(base, v) {
			return true
		}
	}
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	return s.dev.st.xrRunning.child("interface "+base) != nil
}

// xrBanner reads a banner (see banner.go) into the target configuration.
func xrBanner(s *session, path, words []string) error {
	text := words[2]
	delim := text[:1]
	if strings.HasPrefix(text, "^C") {
		delim = "^C"
	}
	after := text[len(delim):]
	body := ""
	if i := strings.Index(after, delim); i >= 0 {
		body = after[:i]
	} else {
		s.write("Enter TEXT message.  End with the character '" + delim + "'.\n")
		rest, ok, err := s.readBanner(func(l string) (string, bool) {
			if i := strings.Index(l, delim); i >= 0 {
				return l[:i], true
			}
			return "", false
		})
		if err != nil || !ok {
			return err
		}
		body = after + "\n" + rest
	}
	s.xrAddOp(xrOp{path: path, line: "banner " + words[1] + " ^C" + body + "^C", typed: strings.Join(words[:2], " ")})
	return nil
}

// xrEnd leaves configuration mode, asking about uncommitted changes.
// Source: IOS-XR sessions quoted in public labs and Netmiko's cisco_xr
// exit_config_mode, which answers it.
func xrEnd(s *session) error {
	if len(s.xrOps) > 0 {
		ans, err := s.ask("Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:", false)
		if err != nil {
			return err
		}
		switch a := strings.ToLower(strings.TrimSpace(ans)); {
		case a != "" && strings.HasPrefix("yes", a):
			out, ok := s.xrCommit(false, "", "")
			if err := s.emit(out); err != nil || !ok {
				return err
			}
		case a != "" && strings.HasPrefix("no", a):
			s.xrOps = nil
		default:
			return nil
		}
	}
	s.inConfig = false
	s.setCfgStack(nil)
	return nil
}

func xrCommitCmd(replace bool) cmdFunc {
	return func(s *session, args []string) (string, error) {
		label, comment := "", ""
		w := strings.Fields(s.lastLine)
		for i := 1; i < len(w); i++ {
			switch {
			case strings.HasPrefix("label", strings.ToLower(w[i])) && i+1 < len(w):
				label = w[i+1]
				i++
			case strings.HasPrefix("comment", strings.ToLower(w[i])) && i+1 < len(w):
				comment = strings.Join(w[i+1:], " ")
				i = len(w)
			}
		}
		if replace {
			ans, err := s.ask("This commit will replace or remove the entire running configuration. This\noperation can be service affecting.\nDo you wish to proceed? [no]: ", false)
			if err != nil {
				return "", err
			}
			if a := strings.ToLower(strings.TrimSpace(ans)); a == "" || !strings.HasPrefix("yes", a) {
				return "", nil
			}
		}
		out, _ := s.xrCommit(replace, label, comment)
		return out, nil
	}
}

// xrCommit applies the session's target configuration. It fails as a whole
// when any item fails (the reject_config fault makes matching items fail
// at commit, as a semantic error would), keeping the target for "show
// configuration failed".
func (s *session) xrCommit(replace bool, label, comment string) (string, bool) {
	ts := s.xrTS()
	if len(s.xrOps) == 0 && !replace {
		return ts + "% No modifications to commit.\n", true
	}
	var failed []xrFailure
	if f := s.dev.getFaults(); f.RejectConfig != "" {
		if re, err := regexp.Compile(f.RejectConfig); err == nil {
			for _, o := range s.xrOps {
				if o.line != "" && (re.MatchString(o.text()) || re.MatchString(strings.TrimSpace(o.typed))) {
					failed = append(failed, xrFailure{op: o, err: "!!% 'lab' detected the 'warning' condition 'rejected by the reject_config fault'"})
				}
			}
		}
	}
	if len(failed) > 0 {
		s.xrFailed = failed
		s.failed = true
		return ts + "\n% Failed to commit one or more configuration items during a pseudo-atomic operation. All changes made have been reverted. Please issue 'show configuration failed [inheritance]' from this session to view the errors\n", false
	}
	s.dev.mu.Lock()
	st := s.dev.st
	base := st.xrRunning
	if replace {
		base = &xnode{}
	}
	next := base.clone()
	for _, o := range s.xrOps {
		next.apply(o)
	}
	st.xrCommits = append(st.xrCommits, xrCommit{
		id: 1000000001 + len(st.xrCommits), user: s.conn.user, at: time.Now(), label: label, comment: comment,
		before: st.xrRunning,
	})
	st.xrRunning = next
	st.lastChange, st.saved = time.Now(), time.Now()
	s.dev.mu.Unlock()
	s.xrOps, s.xrFailed = nil, nil
	return ts, true
}

// xrCommit is an entry of the commit database.
type xrCommit struct {
	id             int
	user           string
	at             time.Time
	label, comment string
	before         *xnode // running-config before the commit
}

func xrShowFailed(s *session, _ []string) (string, error) {
	ts := s.xrTS()
	if len(s.xrFailed) == 0 {
		return ts, nil
	}
	var b strings.Builder
	b.WriteString(ts)
	b.WriteString("!! SEMANTIC ERRORS: This configuration was rejected by \n!! the system due to semantic errors. The individual \n!! errors with each failed configuration command can be \n!! found below.\n\n\n")
	for _, f := range s.xrFailed {
		for d, h := range f.op.path {
			b.WriteString(strings.Repeat(" ", d) + h + "\n")
		}
		d := len(f.op.path)
		line := f.op.line
		if f.op.neg {
			line = "no " + line
		}
		b.WriteString(strings.Repeat(" ", d) + line + "\n")
		b.WriteString(f.err + "\n")
		for d := len(f.op.path) - 1; d >= 0; d-- {
			b.WriteString(strings.Repeat(" ", d) + "!\n")
		}
	}
	b.WriteString("end\n\n")
	return b.String(), nil
}

func xrShowTarget(s *session, _ []string) (string, error) {
	t := &xnode{}
	for _, o := range s.xrOps {
		t.record(o)
	}
	return s.xrTS() + "Building configuration...\n!! IOS XR Configuration " + xrVersion + "\n" + t.render(0) + "end\n\n", nil
}

func xrShowMerge(s *session, _ []string) (string, error) {
	s.dev.mu.Lock()
	next := s.dev.st.xrRunning.clone()
	s.dev.mu.Unlock()
	for _, o := range s.xrOps {
		next.apply(o)
	}
	return s.xrTS() + "Building configuration...\n!! IOS XR Configuration " + xrVersion + "\n" + next.render(0) + "end\n\n", nil
}

const xrVersion = "7.3.2"

func xrShowRun(s *session, a []string) (string, error) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	if len(a) == 1 {
		// "show running-config router ospf": the sections it names.
		var b strings.Builder
		want := strings.ToLower(a[0])
		for _, c := range st.xrRunning.children {
			if l := strings.ToLower(c.line); l == want || strings.HasPrefix(l, want+" ") || strings.HasPrefix(l, want+"\n") {
				c.write(&b, 0)
			}
		}
		if b.Len() == 0 {
			return s.xrTS() + "% No such configuration item(s)\n\n", nil
		}
		return s.xrTS() + b.String(), nil
	}
	return s.xrTS() + st.xrRunningText(), nil
}

func (st *devState) xrRunningText() string {
	return "Building configuration...\n!! IOS XR Configuration " + xrVersion + "\n!! Last configuration change at " +
		st.lastChange.UTC().Format("Mon Jan _2 15:04:05 2006") + " by " + st.dev.spec.Username + "\n!\n" +
		st.xrRunning.render(0) + "end\n\n"
}

func xrShowCommitList(s *session, a []string) (string, error) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	var b strings.Builder
	b.WriteString(s.xrTS())
	b.WriteString("SNo. Label/ID              User      Line                Client      Time Stamp\n~~~~ ~~~~~~~~              ~~~~      ~~~~                ~~~~~~      ~~~~~~~~~~\n")
	c := s.dev.st.xrCommits
	n := len(c)
	if len(a) == 1 {
		n = min(n, atoiDefault(a[0], n))
	}
	for i := 0; i < n; i++ {
		e := c[len(c)-1-i]
		id := itoa(e.id)
		if e.label != "" {
			id = e.label
		}
		fmt.Fprintf(&b, "%-4d %-21s %-9s %-19s %-11s %s\n", i+1, id, e.user, "vty0:node0_RP0_CPU0", "CLI", e.at.UTC().Format("Mon Jan _2 15:04:05 2006"))
	}
	return b.String(), nil
}

// xrRollbackLast undoes the last N commits and records the result as a
// new commit. Source: an NCS 5500 (6.3.2) session in a public blog.
func xrRollbackLast(s *session, a []string) (string, error) {
	n := atoiDefault(a[0], 0)
	if n < 1 || n > 100 {
		return xrInvalid(s, strings.LastIndex(s.lastLine, a[0])), nil
	}
	ts := s.xrTS()
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	if n > len(st.xrCommits) {
		s.failed = true
		return ts + fmt.Sprintf("\n%% Rollback of %d commits is not possible: the commit database holds %d (lab)\n", n, len(st.xrCommits)), nil
	}
	target := st.xrCommits[len(st.xrCommits)-n].before.clone()
	items := xrDiffCount(st.xrRunning, target)
	st.xrCommits = append(st.xrCommits, xrCommit{
		id: 1000000001 + len(st.xrCommits), user: s.conn.user, at: time.Now(), before: st.xrRunning,
	})
	st.xrRunning = target
	st.lastChange, st.saved = time.Now(), time.Now()
	return ts + fmt.Sprintf("\nLoading Rollback Changes.\nLoaded Rollback Changes in 1 sec\nCommitting.\n%d items committed in 1 sec\nUpdating.\nUpdated Commit database in 1 sec\nConfiguration successfully rolled back %d commits.\n", items, n), nil
}

func xrShowVersion(s *session, _ []string) (string, error) {
	up := time.Since(s.dev.started)
	return s.xrTS() + fmt.Sprintf(`Cisco IOS XR Software, Version %s
Copyright (c) 2013-2021 by Cisco Systems, Inc.

Build Information:
 Built By     : ingunawa
 Built On     : Fri Oct  1 15:19:25 PDT 2021
 Built Host   : iox-ucs-025
 Workspace    : /auto/srcarchive17/prod/7.3.2/xrv9k/ws
 Version      : %s
 Location     : /opt/cisco/XR/packages/
 Label        : %s

cisco IOS-XRv 9000 () processor
System uptime is %s

`, xrVersion, xrVersion, xrVersion, uptimeString(up)), nil
}

func xrShowIPv4Brief(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString(s.xrTS())
	b.WriteString("\nInterface                      IP-Address      Status          Protocol Vrf-Name\n")
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	for _, c := range s.dev.st.xrRunning.children {
		if !strings.HasPrefix(c.line, "interface ") {
			continue
		}
		name := strings.TrimPrefix(c.line, "interface ")
		addr, status, proto, vrf := "unassigned", "Up", "Up", "default"
		for _, x := range c.children {
			f := strings.Fields(x.line)
			switch {
			case len(f) >= 3 && f[0] == "ipv4" && f[1] == "address" && (len(f) < 5 || f[4] != "secondary"):
				addr = f[2]
			case f[0] == "shutdown":
				status, proto = "Shutdown", "Down"
			case len(f) == 2 && f[0] == "vrf":
				vrf = f[1]
			}
		}
		fmt.Fprintf(&b, "%-30s %-15s %-15s %-8s %s \n", name, addr, status, proto, vrf)
	}
	return b.String(), nil
}

func xrShowNTP(s *session, _ []string) (string, error) {
	s.dev.mu.Lock()
	var servers []string
	if n := s.dev.st.xrRunning.child("ntp"); n != nil {
		for _, c := range n.children {
			f := strings.Fields(c.line)
			if len(f) >= 2 && f[0] == "server" {
				if f[1] == "vrf" && len(f) >= 4 {
					servers = append(servers, f[3])
				} else {
					servers = append(servers, f[1])
				}
			}
		}
	}
	s.dev.mu.Unlock()
	var b strings.Builder
	b.WriteString(s.xrTS())
	b.WriteString("\n      address         ref clock     st  when  poll reach  delay  offset    disp\n")
	for i, a := range servers {
		st, when, reach, delay, off, disp := ntpPeer(s.dev.spec.Name, a, i)
		mark := "+~"
		if i == 0 {
			mark = "*~"
		}
		fmt.Fprintf(&b, "%s%-15s %-15s %2d %5d %5d %5d %6.2f %7.3f %7.3f\n", mark, a, ".GPS.", st, when, 64, reach, delay, off, disp)
	}
	b.WriteString(" * sys_peer, # selected, + candidate, - outlayer, x falseticker, ~ configured\n")
	return b.String(), nil
}

// ---- the configuration tree ----

// xnode is an IOS-XR configuration item: a line and, for a mode header
// (container), the lines under it. Containers print a closing "!".
type xnode struct {
	line      string
	children  []*xnode
	container bool
}

func (n *xnode) clone() *xnode {
	c := &xnode{line: n.line, container: n.container, children: make([]*xnode, len(n.children))}
	for i, ch := range n.children {
		c.children[i] = ch.clone()
	}
	return c
}

func (n *xnode) child(line string) *xnode {
	for _, c := range n.children {
		if strings.EqualFold(c.line, line) {
			return c
		}
	}
	return nil
}

// ensure walks path, creating the containers that are missing.
func (n *xnode) ensure(path []string) *xnode {
	cur := n
	for _, h := range path {
		next := cur.child(h)
		if next == nil {
			next = &xnode{line: h, container: true}
			cur.children = append(cur.children, next)
		}
		next.container = true
		cur = next
	}
	return cur
}

// apply makes one change of a target configuration.
func (n *xnode) apply(o xrOp) {
	if o.line == "" {
		n.ensure(o.path)
		return
	}
	if o.neg {
		cur := n
		for _, h := range o.path {
			if cur = cur.child(h); cur == nil {
				return
			}
		}
		k := lineKey(o.line)
		lx := strings.ToLower(o.line)
		out := cur.children[:0]
		for _, c := range cur.children {
			lc := strings.ToLower(c.line)
			if lc == lx || strings.HasPrefix(lc, lx+" ") || (!c.container && lineKey(c.line) == k) {
				continue
			}
			out = append(out, c)
		}
		cur.children = out
		return
	}
	cur := n.ensure(o.path)
	k := lineKey(o.line)
	for _, c := range cur.children {
		if !c.container && (lineKey(c.line) == k || strings.EqualFold(c.line, o.line)) {
			c.line = o.line
			return
		}
	}
	leaf := &xnode{line: o.line}
	if firstWord(o.line) == "description" {
		cur.children = append([]*xnode{leaf}, cur.children...)
		return
	}
	cur.children = append(cur.children, leaf)
}

// record adds an op to a tree that shows the target configuration ("no"
// lines stay as typed).
func (n *xnode) record(o xrOp) {
	cur := n.ensure(o.path)
	if o.line == "" {
		return
	}
	line := o.line
	if o.neg {
		line = "no " + line
	}
	if cur.child(line) == nil {
		cur.children = append(cur.children, &xnode{line: line})
	}
}

func (n *xnode) render(depth int) string {
	var b strings.Builder
	for _, c := range n.children {
		c.write(&b, depth)
	}
	return b.String()
}

func (n *xnode) write(b *strings.Builder, depth int) {
	ind := strings.Repeat(" ", depth)
	b.WriteString(ind + n.line + "\n")
	for _, c := range n.children {
		c.write(b, depth+1)
	}
	switch {
	case strings.HasPrefix(n.line, "route-policy "):
		b.WriteString(ind + "end-policy\n" + ind + "!\n")
	case strings.HasSuffix(firstWord(n.line), "-set"):
		b.WriteString(ind + "end-set\n" + ind + "!\n")
	case n.container:
		b.WriteString(ind + "!\n")
	}
}

// parseXR reads IOS-XR configuration text: a line followed by deeper lines
// or a "!" at its own indent is a container.
func parseXR(text string) *xnode {
	root := &xnode{}
	stack := []*xnode{root}
	var last []*xnode // last node at each depth
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || t == "end" || strings.HasPrefix(t, "!!") {
			continue
		}
		d := len(l) - len(strings.TrimLeft(l, " "))
		if t == "!" || t == "end-policy" || t == "end-set" {
			if d < len(last) && last[d] != nil {
				last[d].container = true
			}
			continue
		}
		if d+1 > len(stack) {
			d = len(stack) - 1
		}
		stack = stack[:d+1]
		parent := stack[d]
		if parent != root {
			parent.container = true
		}
		n := &xnode{line: t}
		parent.children = append(parent.children, n)
		stack = append(stack, n)
		for len(last) <= d {
			last = append(last, nil)
		}
		last = last[:d+1]
		last[d] = n
	}
	return root
}

// xrDiffCount counts the lines that differ between two configurations.
func xrDiffCount(a, b *xnode) int {
	la := strings.Split(a.render(0), "\n")
	lb := strings.Split(b.render(0), "\n")
	seen := map[string]int{}
	for _, l := range la {
		seen[l]++
	}
	n := 0
	for _, l := range lb {
		if seen[l] > 0 {
			seen[l]--
		} else {
			n++
		}
	}
	for _, v := range seen {
		n += v
	}
	return max(n, 1)
}

func xrInitial(d *Device) string {
	ip0, _ := devIP(d, 0)
	ip1, _ := devIP(d, 1)
	lo, _ := devIP(d, 2)
	return fmt.Sprintf(`hostname %[1]s
domain name lab.local
username %[2]s
 group root-lr
 group cisco-support
 secret 10 $6$lab$%[6]s
!
interface Loopback0
 ipv4 address %[5]s 255.255.255.255
!
interface MgmtEth0/RP0/CPU0/0
 ipv4 address %[3]s 255.255.0.0
!
interface GigabitEthernet0/0/0/0
 description uplink to core
 ipv4 address %[4]s 255.255.255.0
!
interface GigabitEthernet0/0/0/1
 shutdown
!
interface GigabitEthernet0/0/0/2
 shutdown
!
interface GigabitEthernet0/0/0/3
 shutdown
!
router static
 address-family ipv4 unicast
  0.0.0.0/0 10.0.255.254
 !
!
router ospf 1
 router-id %[5]s
 area 0
  interface GigabitEthernet0/0/0/0
  !
 !
!
logging 10.0.255.50 vrf default severity info
snmp-server community public RO
ssh server v2
ssh server vrf default
`, d.spec.Name, d.spec.Username, ip0, ip1, lo, fmt.Sprintf("%08x", hashN(d.spec.Name, "secret")))
}
