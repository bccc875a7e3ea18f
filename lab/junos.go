package lab

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// junosPlatform simulates a vMX (juniper_junos): "user@host>" operational
// mode, "configure" into a shared candidate edited with set/delete,
// "show | compare", "commit". The hostname changes at commit.
type junosPlatform struct{}

var junosOpTree, junosCfgTree *cmdNode

func initJunos() {
	junosGrammar = newJunosGrammar()
	op := &cmdNode{}
	op.add("show version", junosShowVersion)
	op.add("show configuration", junosShowConfiguration)
	op.add("show configuration <...>", junosShowConfiguration)
	op.add("show interfaces terse", junosShowIntTerse)
	op.add("show interfaces terse <if>", junosShowIntTerse)
	op.add("show ntp associations", junosShowNTPAssoc)
	op.add("show ntp status", func(s *session, _ []string) (string, error) {
		sv := junosNTP(s)
		if len(sv) == 0 {
			return "status=c011 leap_alarm, sync_unspec, 1 event, event_restart,\n", nil
		}
		return fmt.Sprintf("status=0664 leap_none, sync_ntp, 6 events, event_peer/strat_chg,\nversion=\"ntpd 4.2.0-a Fri Nov 19 2021 (1)\",\nprocessor=\"amd64\", system=\"FreeBSD/11.0\", leap=00, stratum=2,\nprecision=-23, rootdelay=1.234, rootdispersion=12.345, peer=1, refid=%s,\npoll=6, clock=0x0, state=4, offset=0.123, frequency=-1.234, jitter=0.045,\nstability=0.012\n", sv[0]), nil
	})
	op.add("show route", junosShowRoute)
	op.add("show system commit", junosShowSystemCommit)
	op.add("show system uptime", func(s *session, _ []string) (string, error) {
		now := time.Now().UTC()
		return fmt.Sprintf("Current time: %s\nTime Source:  LOCAL CLOCK \nSystem booted: %s (%s ago)\nLast configured: %s by %s\n%s  up %s, 1 user\n",
			now.Format("2006-01-02 15:04:05 MST"), s.dev.started.UTC().Format("2006-01-02 15:04:05 MST"), time.Since(s.dev.started).Truncate(time.Second),
			now.Format("2006-01-02 15:04:05 MST"), s.conn.user, now.Format("3:04PM"), uptimeString(time.Since(s.dev.started))), nil
	})
	op.add("show chassis hardware", func(s *session, _ []string) (string, error) {
		sn := fmt.Sprintf("VM%010X", uint64(hashN(s.dev.spec.Name, "serial")))
		return fmt.Sprintf("Hardware inventory:\nItem             Version  Part number  Serial number     Description\nChassis                                %-17s VMX\nMidplane\nRouting Engine 0                                         RE-VMX\nCB 0                                                     VMX SCB\nFPC 0                                                    Virtual FPC\n  CPU            Rev. 1.0 RIOT-LITE    BUILTIN\n  MIC 0                                                  Virtual\n    PIC 0                 BUILTIN      BUILTIN           Virtual\n", sn), nil
	})
	op.add("show lldp neighbors", func(s *session, _ []string) (string, error) {
		return "Local Interface    Parent Interface    Chassis Id          Port info          System Name\nge-0/0/0           -                   52:54:00:00:ff:01   ge-0/0/0           core1.lab.local\n", nil
	})
	op.add("set cli screen-length <n>", func(s *session, a []string) (string, error) {
		var n int
		if _, err := fmt.Sscanf(a[0], "%d", &n); err != nil || n < 0 {
			return junosError(s, strings.LastIndex(s.lastLine, a[0]), "syntax error, expecting <number>."), nil
		}
		s.termLength = n
		return fmt.Sprintf("Screen length set to %d\n", n), nil
	})
	op.add("set cli screen-width <n>", func(s *session, a []string) (string, error) {
		return "Screen width set to " + a[0] + "\n", nil
	})
	op.add("set cli complete-on-space <...>", func(s *session, a []string) (string, error) {
		if a[0] == "off" {
			return "Disabling complete-on-space\n", nil
		}
		return "Enabling complete-on-space\n", nil
	})
	op.add("set cli terminal <...>", func(s *session, a []string) (string, error) { return "", nil })
	op.add("configure", junosConfigure)
	op.add("configure private", junosConfigure)
	op.add("configure exclusive", junosConfigure)
	op.add("exit", func(s *session, _ []string) (string, error) { return "", errExit })
	op.add("quit", func(s *session, _ []string) (string, error) { return "", errExit })
	op.add("ping <...>", func(s *session, a []string) (string, error) {
		h := strings.Fields(a[0])[0]
		return fmt.Sprintf("PING %s (%s): 56 data bytes\n64 bytes from %s: icmp_seq=0 ttl=64 time=0.912 ms\n64 bytes from %s: icmp_seq=1 ttl=64 time=0.874 ms\n\n--- %s ping statistics ---\n2 packets transmitted, 2 packets received, 0%% packet loss\nround-trip min/avg/max/stddev = 0.874/0.893/0.912/0.019 ms\n", h, h, h, h, h), nil
	})
	op.add("request system reboot", func(s *session, _ []string) (string, error) {
		ans, err := s.ask("Reboot the system ? [yes,no] (no) ", false)
		if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ans)), "y") {
			return "", err
		}
		s.write("\nShutdown NOW!\n")
		return "", s.reload()
	})
	op.add("clear interfaces statistics all", func(s *session, _ []string) (string, error) {
		s.dev.mu.Lock()
		s.dev.st.countersCleared = time.Now()
		s.dev.mu.Unlock()
		return "", nil
	})
	junosOpTree = op

	cfg := &cmdNode{}
	cfg.add("set <...>", junosSet)
	cfg.add("delete <...>", junosDelete)
	cfg.add("delete", junosDeleteAll)
	cfg.add("show", junosShowCandidate)
	cfg.add("show <...>", junosShowCandidate)
	cfg.add("commit", junosCommitCmd)
	cfg.add("commit <...>", junosCommitCmd)
	cfg.add("rollback", junosRollback)
	cfg.add("rollback <n>", junosRollback)
	cfg.add("exit", junosExitConfig)
	cfg.add("exit configuration-mode", junosExitConfig)
	cfg.add("quit", junosExitConfig)
	cfg.add("top", func(s *session, _ []string) (string, error) { s.junosEdit = nil; return "", nil })
	cfg.add("up", func(s *session, _ []string) (string, error) {
		if len(s.junosEdit) > 0 {
			s.junosEdit = s.junosEdit[:len(s.junosEdit)-1]
		}
		return "", nil
	})
	cfg.add("edit <...>", func(s *session, a []string) (string, error) {
		if msg := junosCheck(s, a[0], true); msg != "" {
			return msg, nil
		}
		s.junosEdit = append(s.junosEdit, junosPath(s.junosWords)...)
		return "", nil
	})
	cfg.add("run <...>", func(s *session, a []string) (string, error) {
		return "", errRunOp // handled by the platform: run an operational command
	})
	junosCfgTree = cfg
}

var errRunOp = errors.New("run")

func (junosPlatform) moreMarker() string { return "---(more)---" }
func (junosPlatform) login(s *session)   { s.priv = true }

func (junosPlatform) prompt(s *session) string {
	who := s.conn.user + "@" + s.dev.Hostname()
	if s.inConfig {
		return "\n" + s.junosPendingBanner() + "[edit" + strings.TrimRight(" "+strings.Join(s.junosEdit, " "), " ") + "]\n" + who + "# "
	}
	return who + "> "
}

func (junosPlatform) control(s *session, key error) error { return nil }

func (p junosPlatform) exec(s *session, cmd string) int {
	s.lastPrompt = p.prompt(s)
	if err := p.handle(s, cmd); err != nil && !errors.Is(err, errExit) {
		return 1
	}
	if s.failed {
		return 1
	}
	return 0
}

// promptWidth is the width of the prompt's last line (JunOS prompts start
// with "[edit]" on a line of their own).
func (s *session) promptWidth() int {
	p := s.lastPrompt
	if i := strings.LastIndexByte(p, '\n'); i >= 0 {
		p = p[i+1:]
	}
	return len(p)
}

func junosError(s *session, pos int, msg string) string {
	s.failed = true
	return strings.Repeat(" ", s.promptWidth()+pos) + "^\n" + msg + "\n"
}

func (p junosPlatform) handle(s *session, line string) error {
	s.failed = false
	if strings.TrimSpace(line) == "" {
		return nil
	}
	tree := junosOpTree
	if s.inConfig {
		tree = junosCfgTree
	}
	cmd, pipes := splitPipe(line)
	m := tree.match(cmd)
	switch m.kind {
	case matchInvalid:
		msg := "syntax error, expecting <command>."
		if m.pos == tokenize(cmd)[0].pos && !s.inConfig {
			msg = "unknown command."
		}
		return s.emit(junosError(s, m.pos, msg))
	case matchAmbiguous:
		var b strings.Builder
		fmt.Fprintf(&b, "'%s' is ambiguous.\nPossible completions:\n", m.word)
		for _, c := range m.cands {
			fmt.Fprintf(&b, "  %-20s\n", c)
		}
		return s.emit(junosError(s, m.pos, strings.TrimSuffix(b.String(), "\n")))
	case matchIncomplete:
		return s.emit(junosError(s, len(cmd), "syntax error, expecting <command>."))
	}
	out, err := m.fn(s, m.args)
	if errors.Is(err, errRunOp) {
		toks := tokenize(cmd)
		saved := s.inConfig
		s.inConfig = false
		err = p.handle(s, line[toks[1].pos:]+strings.Join(prefixAll("|", pipes), ""))
		s.inConfig = saved
		return err
	}
	if err != nil {
		return err
	}
	noMore := false
	for _, f := range pipes {
		w := strings.Fields(f)
		if len(w) == 0 {
			return s.emit(junosError(s, len(line), "syntax error, expecting <command>."))
		}
		kw, _ := resolveWord(w[0], []string{"match", "except", "count", "no-more", "display", "compare", "last", "find", "trim"})
		arg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(f), w[0]))
		switch kw {
		case "no-more":
			noMore = true
		case "match", "except":
			re, err := regexp.Compile(strings.Trim(arg, `"`))
			if err != nil {
				return s.emit(junosError(s, strings.Index(line, arg), "syntax error."))
			}
			var b strings.Builder
			for _, l := range splitLines(out) {
				if re.MatchString(l) == (kw == "match") {
					b.WriteString(l + "\n")
				}
			}
			out = b.String()
		case "find":
			out, _ = applyPipes(out, []string{"begin " + strings.Trim(arg, `"`)})
		case "count":
			out = fmt.Sprintf("Count: %d lines\n", len(splitLines(out)))
		case "last":
			ls := splitLines(out)
			var n int
			fmt.Sscanf(arg, "%d", &n)
			if n > 0 && n < len(ls) {
				ls = ls[len(ls)-n:]
			}
			out = strings.Join(ls, "\n") + "\n"
		case "display", "compare", "trim":
			// handled by the show commands (display set, compare); trim is a no-op
		default:
			return s.emit(junosError(s, strings.Index(line, f), "syntax error, expecting <command>."))
		}
	}
	if noMore {
		saved := s.termLength
		s.termLength = 0
		err := s.emit(out)
		s.termLength = saved
		return err
	}
	return s.emit(out)
}

func prefixAll(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}

func hasPipe(s *session, what string) bool {
	_, pipes := splitPipe(s.lastLine)
	for _, p := range pipes {
		w := strings.Fields(p)
		if len(w) > 0 && strings.HasPrefix(what, w[0]) && len(w[0]) >= 2 {
			if len(w) > 1 && what == "display" && !strings.HasPrefix("set", w[1]) {
				continue
			}
			return true
		}
	}
	return false
}

func junosConfigure(s *session, _ []string) (string, error) {
	s.inConfig, s.junosEdit = true, nil
	s.dev.mu.Lock()
	changed := s.dev.st.junosCandidate.render(0) != s.dev.st.junosActive.render(0)
	s.dev.mu.Unlock()
	if changed {
		return "Entering configuration mode\nThe configuration has been changed but not committed\n", nil
	}
	return "Entering configuration mode\n", nil
}

func junosExitConfig(s *session, a []string) (string, error) {
	if len(s.junosEdit) > 0 && !strings.HasSuffix(strings.TrimSpace(s.lastLine), "configuration-mode") {
		s.junosEdit = s.junosEdit[:len(s.junosEdit)-1]
		return "", nil
	}
	s.dev.mu.Lock()
	changed := s.dev.st.junosCandidate.render(0) != s.dev.st.junosActive.render(0)
	s.dev.mu.Unlock()
	if changed {
		s.write("The configuration has been changed but not committed\n")
		ans, err := s.ask("Exit with uncommitted changes? [yes,no] (yes) ", false)
		if err != nil {
			return "", err
		}
		if a := strings.ToLower(strings.TrimSpace(ans)); a != "" && !strings.HasPrefix("yes", a) {
			return "", nil
		}
	}
	s.inConfig, s.junosEdit = false, nil
	return "Exiting configuration mode\n", nil
}

func junosSet(s *session, a []string) (string, error) {
	if f := s.dev.getFaults(); f.RejectConfig != "" {
		if re, err := regexp.Compile(f.RejectConfig); err == nil && re.MatchString(strings.TrimSpace(s.lastLine)) {
			return junosError(s, strings.Index(s.lastLine, a[0]), "syntax error."), nil
		}
	}
	if msg := junosCheck(s, a[0], false); msg != "" {
		return msg, nil
	}
	toks := s.junosWords
	if n := len(toks); n > 0 && toks[n-1] == "plain-text-password" {
		// Junos asks for the password and keeps its hash.
		enc, err := junosSecret(s)
		if errors.Is(err, errPasswordsDiffer) {
			s.failed = true
			return "error: Passwords did not match\n", nil
		}
		if err != nil {
			return "", err
		}
		toks = append(toks[:n-1], junosTokens(enc)...)
	}
	path := append(append([]string(nil), s.junosEdit...), junosPath(toks)...)
	s.dev.mu.Lock()
	s.dev.st.junosCandidate.set(path)
	s.dev.mu.Unlock()
	return "", nil
}

// junosDeleteAll is "delete" alone: everything under the current level,
// after a question.
func junosDeleteAll(s *session, _ []string) (string, error) {
	ans, err := s.ask("Delete everything under this level? [yes,no] (no) ", false)
	if err != nil {
		return "", err
	}
	if a := strings.ToLower(strings.TrimSpace(ans)); a == "" || !strings.HasPrefix("yes", a) {
		return "", nil
	}
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	c := s.dev.st.junosCandidate
	if len(s.junosEdit) == 0 {
		c.children = nil
		return "", nil
	}
	if n := c.find(s.junosEdit); n != nil {
		n.children = nil
	}
	return "", nil
}

func junosDelete(s *session, a []string) (string, error) {
	path := append(append([]string(nil), s.junosEdit...), junosPath(junosTokens(a[0]))...)
	s.dev.mu.Lock()
	ok := s.dev.st.junosCandidate.del(path)
	s.dev.mu.Unlock()
	if !ok {
		return "warning: statement not found\n", nil
	}
	return "", nil
}

func junosRollback(s *session, a []string) (string, error) {
	n := 0
	if len(a) == 1 {
		if _, err := fmt.Sscanf(a[0], "%d", &n); err != nil || n < 0 || n > 49 {
			return junosError(s, strings.LastIndex(s.lastLine, a[0]), "syntax error, expecting <number>."), nil
		}
	}
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	switch {
	case n == 0:
		st.junosCandidate = st.junosActive.clone()
	case n <= len(st.junosRollback):
		st.junosCandidate = st.junosRollback[n-1].clone()
	default:
		return "error: Cannot find rollback file " + a[0] + "\n", nil
	}
	return "load complete\n", nil
}

func junosShowCandidate(s *session, a []string) (string, error) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	if hasPipe(s, "compare") {
		return junosCompare(st.junosActive, st.junosCandidate), nil
	}
	node := st.junosCandidate
	path := append([]string(nil), s.junosEdit...)
	if len(a) == 1 {
		path = append(path, junosPath(junosTokens(a[0]))...)
	}
	if len(path) > 0 {
		node = node.find(path)
		if node == nil {
			return "", nil
		}
	}
	if hasPipe(s, "display") {
		var b strings.Builder
		node.setCommands(strings.Join(path, " "), &b)
		return b.String(), nil
	}
	return node.render(0), nil
}

func junosShowConfiguration(s *session, a []string) (string, error) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	node := st.junosActive
	var path []string
	if len(a) == 1 {
		path = junosPath(junosTokens(a[0]))
		node = node.find(path)
		if node == nil {
			return "", nil
		}
	}
	if hasPipe(s, "display") {
		var b strings.Builder
		node.setCommands(strings.Join(path, " "), &b)
		return b.String(), nil
	}
	head := ""
	if len(path) == 0 && len(st.junosHistory) > 0 {
		last := st.junosHistory[0]
		head = "## Last commit: " + last.at.UTC().Format("2006-01-02 15:04:05 MST") + " by " + last.user + "\n"
	}
	return head + node.render(0), nil
}

func junosInitial(d *Device) string {
	ip0, _ := devIP(d, 0)
	ip1, _ := devIP(d, 1)
	lo, _ := devIP(d, 2)
	return fmt.Sprintf(`set version 21.4R1.12
set system host-name %[1]s
set system root-authentication encrypted-password "$6$lab$%[6]s"
set system login user %[2]s uid 2000
set system login user %[2]s class super-user
set system login user %[2]s authentication encrypted-password "$6$lab$%[6]s"
set system services ssh
set system services netconf ssh
set system syslog host 10.0.255.50 any notice
set system syslog file messages any notice
set interfaces ge-0/0/0 description "uplink to core"
set interfaces ge-0/0/0 unit 0 family inet address %[4]s/24
set interfaces ge-0/0/1 unit 0 family inet
set interfaces ge-0/0/2 disable
set interfaces fxp0 unit 0 family inet address %[3]s/16
set interfaces lo0 unit 0 family inet address %[5]s/32
set snmp community public authorization read-only
set routing-options static route 0.0.0.0/0 next-hop 10.0.255.254
set routing-options router-id %[5]s
set protocols ospf area 0.0.0.0 interface ge-0/0/0.0
set protocols lldp interface all
`, d.spec.Name, d.spec.Username, ip0, ip1, lo, fmt.Sprintf("%08x", hashN(d.spec.Name, "secret")))
}

func junosShowVersion(s *session, _ []string) (string, error) {
	return fmt.Sprintf(`Hostname: %s
Model: vmx
Junos: 21.4R1.12
JUNOS OS Kernel 64-bit  [20211119.6d5bfdf_builder_stable_12]
JUNOS OS libs [20211119.6d5bfdf_builder_stable_12]
JUNOS OS runtime [20211119.6d5bfdf_builder_stable_12]
JUNOS OS time zone information [20211119.6d5bfdf_builder_stable_12]
JUNOS network stack and utilities [20211202.191112_builder_junos_214_r1]
JUNOS libs [20211202.191112_builder_junos_214_r1]
JUNOS OS libs compat32 [20211119.6d5bfdf_builder_stable_12]
JUNOS OS 32-bit compatibility [20211119.6d5bfdf_builder_stable_12]
JUNOS py extensions [20211202.191112_builder_junos_214_r1]
JUNOS py base [20211202.191112_builder_junos_214_r1]
JUNOS Packet Forwarding Engine Simulation Package [20211202.191112_builder_junos_214_r1]
JUNOS Routing Engine Software Suite [20211202.191112_builder_junos_214_r1]
JUNOS Crypto Software Suite [20211202.191112_builder_junos_214_r1]
JUNOS Online Documentation [20211202.191112_builder_junos_214_r1]
JUNOS Kernel Software Suite [20211202.191112_builder_junos_214_r1]
JUNOS Routing Engine Software Suite [20211202.191112_builder_junos_214_r1]

`, s.dev.Hostname()), nil
}

type junosIf struct {
	name     string
	disabled bool
	units    []string
	unitAddr map[string]string
	desc     string
}

func junosInterfaces(s *session) []junosIf {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	ifs := s.dev.st.junosActive.child("interfaces")
	if ifs == nil {
		return nil
	}
	var out []junosIf
	for _, n := range ifs.children {
		ji := junosIf{name: n.name, unitAddr: map[string]string{}}
		for _, c := range n.children {
			switch {
			case c.name == "disable":
				ji.disabled = true
			case strings.HasPrefix(c.name, "description "):
				ji.desc = strings.Trim(strings.TrimPrefix(c.name, "description "), `"`)
			case strings.HasPrefix(c.name, "unit "):
				u := strings.TrimPrefix(c.name, "unit ")
				ji.units = append(ji.units, u)
				if inet := c.find([]string{"family inet"}); inet != nil {
					ji.unitAddr[u] = ""
					for _, a := range inet.children {
						if strings.HasPrefix(a.name, "address ") {
							ji.unitAddr[u] = strings.TrimPrefix(a.name, "address ")
							break
						}
					}
				}
			}
		}
		out = append(out, ji)
	}
	return out
}

func junosShowIntTerse(s *session, a []string) (string, error) {
	var b strings.Builder
	b.WriteString("Interface               Admin Link Proto    Local                 Remote\n")
	for _, ji := range junosInterfaces(s) {
		if len(a) == 1 && !strings.HasPrefix(ji.name, a[0]) {
			continue
		}
		admin, link := "up", "up"
		if ji.disabled {
			admin, link = "down", "down"
		}
		fmt.Fprintf(&b, "%-23s %-5s %-4s\n", ji.name, admin, link)
		for _, u := range ji.units {
			addr, inet := ji.unitAddr[u]
			proto := ""
			if inet {
				proto = "inet"
			}
			remote := ""
			if strings.HasPrefix(ji.name, "lo") && addr != "" {
				addr = strings.TrimSuffix(addr, "/32")
				remote = "--> 0/0"
			}
			fmt.Fprintf(&b, "%-23s %-5s %-4s %-8s %-21s %s\n", ji.name+"."+u, admin, link, proto, addr, remote)
		}
	}
	return b.String(), nil
}

func junosNTP(s *session) []string {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	n := s.dev.st.junosActive.find([]string{"system", "ntp"})
	if n == nil {
		return nil
	}
	var out []string
	for _, c := range n.children {
		if strings.HasPrefix(c.name, "server ") {
			out = append(out, strings.TrimPrefix(c.name, "server "))
		}
	}
	return out
}

func junosShowNTPAssoc(s *session, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("     remote           refid      st t when poll reach   delay   offset  jitter\n===============================================================================\n")
	for i, a := range junosNTP(s) {
		st, when, reach, delay, off, disp := ntpPeer(s.dev.spec.Name, a, i)
		mark := "+"
		if i == 0 {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s%-15s .GPS.            %d -  %3d   64  %3d %8.3f %8.3f %7.3f\n", mark, a, st, when, reach, delay, off, disp)
	}
	return b.String(), nil
}

func junosShowRoute(s *session, _ []string) (string, error) {
	type rt struct{ dst, text string }
	var rts []rt
	s.dev.mu.Lock()
	if st := s.dev.st.junosActive.find([]string{"routing-options", "static"}); st != nil {
		for _, r := range st.children {
			if !strings.HasPrefix(r.name, "route ") {
				continue
			}
			nh := ""
			for _, c := range r.children {
				if strings.HasPrefix(c.name, "next-hop ") {
					nh = strings.TrimPrefix(c.name, "next-hop ")
				}
			}
			dst := strings.TrimPrefix(r.name, "route ")
			rts = append(rts, rt{dst, fmt.Sprintf("%-18s *[Static/5] 00:10:00\n                    >  to %s via fxp0.0\n", dst, nh)})
		}
	}
	s.dev.mu.Unlock()
	for _, ji := range junosInterfaces(s) {
		if ji.disabled {
			continue
		}
		for _, u := range ji.units {
			a := ji.unitAddr[u]
			if a == "" {
				continue
			}
			ip, l, _ := strings.Cut(a, "/")
			it := iface{addr: ip}
			fmt.Sscanf(l, "%d", &it.prefix)
			name := ji.name + "." + u
			if it.prefix < 32 {
				rts = append(rts, rt{it.network(), fmt.Sprintf("%-18s *[Direct/0] 00:10:00\n                    >  via %s\n", it.network()+"/"+l, name)})
			}
			rts = append(rts, rt{ip, fmt.Sprintf("%-18s *[Local/0] 00:10:00\n                       Local via %s\n", ip+"/32", name)})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\ninet.0: %d destinations, %d routes (%d active, 0 holddown, 0 hidden)\n+ = Active Route, - = Last Active, * = Both\n\n", len(rts), len(rts), len(rts))
	for _, r := range rts {
		b.WriteString(r.text)
	}
	b.WriteString("\n")
	return b.String(), nil
}
