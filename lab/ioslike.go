package lab

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// iosLike is the CLI engine shared by cisco_ios, cisco_nxos and arista_eos:
// they have the same shape (exec/privileged/config modes, "no" to negate,
// indented running-config) and differ in formats, which the fields carry.
type iosLike struct {
	name      string
	indent    string // running-config child indent
	loginPriv bool   // login lands in privileged EXEC
	promptSep string // between "#" and the cursor ("# " on NX-OS)
	more      string

	userTree, privTree *cmdNode
	globalKW           []string
	secondKW           map[string][]string // second-word keywords, strict
	submodes           []submodeDef
	ifTypes            [][2]string // lower-case prefix, canonical type
	virtualIf          []string    // interface types "interface X" may create
	nxosStyle          bool        // "no shutdown" shown; interfaces down without it

	initial       func(d *Device) string
	renderRunning func(st *devState, c *runConfig) string
	invalid       func(s *session, pos int) string
	ambiguous     func(s *session, line string, m matchResult) string
	incomplete    func(s *session, line string) string
	ifMode        func(name string) string
	enterConfig   string // message printed by "configure terminal"
	enable        func(p *iosLike, s *session) (string, error)
	// privRequired, when set, answers a privileged command typed in user
	// EXEC (EOS); otherwise it is invalid input there (IOS).
	privRequired string

	// modes are the configuration modes with a strict grammar ("" is global
	// configuration); see cfgmode.go.
	modes map[string]*modeSpec
	// ports are the named ports the ACL grammar accepts.
	ports map[string]bool
	// subifMode is the prompt of a sub-interface ("config-subif"); "" uses ifMode.
	subifMode string
	// afExit: an IOS address-family block ends with "exit-address-family".
	afExit bool
	// features: NX-OS, where "feature X" gates commands.
	features bool
	// actions run the commands that ask questions or read more lines.
	actions map[string]cfgAction

	globalWordsCache []string
	// loginText is printed after login, before the first prompt (ASA).
	loginText string
}

type submodeDef struct {
	prefix string   // canonical line prefix, e.g. "router ", "line "
	mode   string   // prompt mode, e.g. "config-router"
	kws    []string // keywords valid in the mode; nil accepts any line
}

// errExit ends a shell normally ("exit", "logout").
var errExit = errors.New("session exit")

func (p *iosLike) moreMarker() string { return p.more }

func (p *iosLike) login(s *session) {
	s.priv = p.loginPriv || s.dev.spec.StartPrivileged
	if p.loginText != "" {
		s.write(p.loginText)
	}
}

func (p *iosLike) prompt(s *session) string {
	host := s.dev.Hostname()
	switch {
	case s.inConfig && s.cfgMode != "":
		return host + "(" + s.cfgMode + ")#" + p.promptSep
	case s.inConfig:
		return host + "(config)#" + p.promptSep
	case s.priv:
		return host + "#" + p.promptSep
	}
	return host + ">" + p.promptSep
}

func (p *iosLike) control(s *session, key error) error {
	if s.inConfig {
		s.leaveConfig()
	}
	return nil
}

func (p *iosLike) exec(s *session, cmd string) int {
	s.lastPrompt = p.prompt(s)
	err := p.execLine(s, cmd)
	if err != nil && !errors.Is(err, errExit) {
		return 1
	}
	if s.failed {
		return 1
	}
	return 0
}

func (p *iosLike) handle(s *session, line string) error {
	s.failed = false
	if strings.TrimSpace(line) == "" {
		return nil
	}
	if s.inConfig {
		return p.configLine(s, line)
	}
	return p.execLine(s, line)
}

func (p *iosLike) fail(s *session, msg string) error {
	s.failed = true
	return s.emit(msg)
}

func (p *iosLike) execLine(s *session, line string) error {
	cmd, pipes := splitPipe(line)
	tree := p.userTree
	if s.priv {
		tree = p.privTree
	}
	m := tree.match(cmd)
	switch m.kind {
	case matchInvalid:
		if !s.priv && p.privRequired != "" && p.privTree.match(cmd).kind == matchOK {
			return p.fail(s, p.privRequired)
		}
		return p.fail(s, p.invalid(s, m.pos))
	case matchAmbiguous:
		return p.fail(s, p.ambiguous(s, line, m))
	case matchIncomplete:
		return p.fail(s, p.incomplete(s, line))
	}
	out, err := m.fn(s, m.args)
	if err != nil {
		return err
	}
	if len(pipes) > 0 {
		filtered, ok := applyPipes(out, pipes)
		if !ok {
			return p.fail(s, p.invalid(s, len(cmd)+1))
		}
		out = filtered
	}
	return s.emit(out)
}

func isSpecial(w string) bool {
	kw, _ := resolveWord(w, []string{"end", "exit", "do"})
	return kw != "" && len(w) >= 2 || strings.EqualFold(w, "end") || strings.EqualFold(w, "exit")
}

// validate rejects the config lines a real device would: malformed
// addresses and the like. It returns the error text.
func (p *iosLike) validate(s *session, words []string, toks []token) (string, bool) {
	// Interface addresses are checked by the interface grammars.
	if len(words) >= 3 && (words[0] == "ntp" && words[1] == "server" || words[0] == "logging" && words[1] == "host") {
		if strings.ContainsAny(words[2], "!@#$%^&*()") {
			return p.invalid(s, toks[2].pos), true
		}
	}
	if words[0] == "hostname" {
		if len(words) < 2 {
			return p.incomplete(s, ""), true
		}
		if len(words) > 2 || !regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`).MatchString(words[1]) {
			return p.invalid(s, toks[1].pos), true
		}
	}
	return "", false
}

// ifName expands "gi0/1", "Gi 0/1", "lo0" to the canonical interface name.
// oneInterface narrows its to the interface arg names (abbreviations
// allowed); ok is false when arg names none of them.
func (p *iosLike) oneInterface(its []iface, arg string) (sel []iface, ok bool) {
	name, ok := p.ifName(arg)
	if !ok {
		return nil, false
	}
	for _, it := range its {
		if it.name == name {
			return []iface{it}, true
		}
	}
	return nil, false
}

func (p *iosLike) ifName(raw string) (string, bool) {
	i := 0
	for i < len(raw) && (raw[i] < '0' || raw[i] > '9') {
		i++
	}
	typ, num := strings.ToLower(raw[:i]), raw[i:]
	if typ == "" || num == "" {
		return "", false
	}
	var match string
	for _, t := range p.ifTypes {
		if strings.HasPrefix(t[0], typ) || typ == strings.ToLower(t[1]) {
			if match != "" && match != t[1] {
				return "", false
			}
			match = t[1]
		}
	}
	if match == "" {
		return "", false
	}
	return match + num, true
}

func (p *iosLike) isVirtual(name string) bool {
	if strings.Contains(name, ".") {
		return true
	}
	for _, v := range p.virtualIf {
		if strings.HasPrefix(name, v) {
			return true
		}
	}
	return false
}

// ---- commands shared by the three engines ----

func (p *iosLike) cmdTermLength(s *session, args []string) (string, error) {
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 || n > 512 {
		return p.invalid(s, strings.LastIndex(s.lastLine, args[0])), nil
	}
	s.termLength = n
	return "", nil
}

func (p *iosLike) cmdTermWidth(s *session, args []string) (string, error) {
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 || n > 512 {
		return p.invalid(s, strings.LastIndex(s.lastLine, args[0])), nil
	}
	s.width.Store(int64(n))
	return "", nil
}

func (p *iosLike) cmdNothing(s *session, args []string) (string, error) { return "", nil }

func (p *iosLike) cmdConfigure(s *session, args []string) (string, error) {
	s.inConfig = true
	s.setCfgStack(nil)
	return p.enterConfig, nil
}

func (p *iosLike) cmdExit(s *session, args []string) (string, error) { return "", errExit }

func (p *iosLike) cmdDisable(s *session, args []string) (string, error) {
	s.priv = false
	return "", nil
}

func (p *iosLike) cmdEnable(s *session, args []string) (string, error) {
	if s.priv {
		return "", nil
	}
	return p.enable(p, s)
}

// save copies running to startup.
func (s *session) saveConfig() {
	s.dev.mu.Lock()
	st := s.dev.st
	st.startup = st.running.clone()
	st.saved = time.Now()
	s.dev.mu.Unlock()
}

func (s *session) modifiedSinceSave() bool {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	return s.dev.st.lastChange.After(s.dev.st.saved)
}

// reload drops the session as the device goes down; the configuration
// comes back from startup-config.
func (s *session) reload() error {
	s.dev.mu.Lock()
	st := s.dev.st
	if st.startup != nil {
		st.running = st.startup.clone()
	}
	if st.junosPending != nil {
		// A commit confirmed not confirmed before the reboot is rolled back.
		st.junosAutoRollbackLocked()
	}
	if st.junosActive != nil {
		st.junosCandidate = st.junosActive.clone()
	}
	st.checkpoints = nil // NX-OS clears its checkpoints on reload
	st.lastChange, st.saved = time.Now(), time.Now()
	s.dev.mu.Unlock()
	s.flush()
	s.conn.netConn.Close()
	return errDropped
}

func (p *iosLike) cmdClearCounters(s *session, args []string) (string, error) {
	ok, err := s.confirm(`Clear "show interface" counters on all interfaces [confirm]`)
	if err != nil || !ok {
		return "", err
	}
	s.dev.mu.Lock()
	s.dev.st.countersCleared = time.Now()
	s.dev.mu.Unlock()
	return "", nil
}

func (p *iosLike) cmdPing(s *session, args []string) (string, error) {
	target := strings.Fields(args[0])[0]
	return fmt.Sprintf("Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to %s, timeout is 2 seconds:\n!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = 1/1/2 ms\n", target), nil
}

// interfaces returns the device's interfaces (under lock).
func (s *session) interfaces(nxos bool) []iface {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	return s.dev.st.running.interfaces(nxos)
}

func (s *session) ntpServers() []string {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	var out []string
	for _, l := range s.dev.st.running.global("ntp server ") {
		f := strings.Fields(l)
		if len(f) > 0 && f[0] == "vrf" && len(f) > 2 {
			f = f[2:]
		}
		if len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

func (s *session) staticRoutes() [][3]string {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	var out [][3]string
	for _, l := range s.dev.st.running.global("ip route ") {
		f := strings.Fields(l)
		if len(f) >= 3 {
			out = append(out, [3]string{f[0], f[1], f[2]})
		} else if len(f) == 2 && strings.Contains(f[0], "/") {
			out = append(out, [3]string{f[0], "", f[1]})
		}
	}
	return out
}

func (s *session) countersCleared() time.Time {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	return s.dev.st.countersCleared
}

func (s *session) configText(startup bool) string {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	if startup {
		return s.dev.st.startupText()
	}
	return s.dev.st.runningText()
}

// counters gives an interface stable traffic counters that grow with
// uptime, and zero after "clear counters".
func (s *session) counters(it iface) (inPk, outPk, inB, outB uint64) {
	if !it.up() {
		return 0, 0, 0, 0
	}
	since := s.dev.started
	if c := s.countersCleared(); !c.IsZero() {
		since = c
	}
	secs := uint64(time.Since(since).Seconds())
	h := uint64(hashN(s.dev.spec.Name, it.name)%900 + 100)
	if s.countersCleared().IsZero() {
		secs += h * 100
	}
	inPk, outPk = secs*h/100, secs*h/120
	return inPk, outPk, inPk * 120, outPk * 110
}
