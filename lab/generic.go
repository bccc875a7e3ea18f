package lab

import (
	"errors"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// genericPlatform is a small configurable CLI for device families runbook
// knows only through a playbook's platform block (HP Comware, Huawei VRP,
// MikroTik RouterOS): a command prompt, an optional configuration view,
// a flat configuration of accepted lines, a save with a question, and
// the family's own error text. Each family is a value in its own file.
type genericPlatform struct {
	name     string
	banner   string                         // printed after login
	cmdView  func(user, host string) string // the command prompt
	cfgView  func(user, host string) string // the configuration prompt; nil: no configuration view
	enter    string                         // enters the configuration view
	enterMsg string                         // printed on entering it
	leave    []string                       // leave it ("quit", "return")
	more     string

	// commands answer exact command lines (words lower-cased, single
	// spaces); a "show the configuration" command is in showConfig.
	commands   map[string]func(s *session, g *genericState) string
	showConfig []string
	// config are the configuration lines accepted (in the configuration
	// view, or at the command prompt when cfgView is nil); undo removes a
	// line when a line starts with it.
	config []*regexp.Regexp
	undo   string
	// hostname extracts a new device name from an accepted line.
	hostname *regexp.Regexp
	// merge, when set, keys a line for replacement: a new line with the
	// same key replaces the old one (RouterOS "set" of one menu).
	merge func(line string) string

	render func(g *genericState, lines []string) string
	// errorText is what the device prints for a line it rejects.
	errorText func(prompt, line string) string

	save         string // the save command
	saveQuestion string // asked before saving; "" asks nothing
	saveDone     string // printed after a save
}

// genericState is the configuration of one generic device (under
// Device.mu).
type genericState struct {
	host    string
	running []string
	saved   []string
}

func genericFor(platform string) *genericPlatform {
	g, _ := platformFor(platform).(*genericPlatform)
	return g
}

func (g *genericPlatform) newState(d *Device) *genericState {
	return &genericState{host: d.spec.Name}
}

func (g *genericPlatform) moreMarker() string { return g.more }

func (g *genericPlatform) login(s *session) {
	if g.banner != "" {
		s.write(g.banner)
	}
}

func (g *genericPlatform) prompt(s *session) string {
	if s.inConfig && g.cfgView != nil {
		return g.cfgView(s.conn.user, s.dev.Hostname())
	}
	return g.cmdView(s.conn.user, s.dev.Hostname())
}

func (g *genericPlatform) control(s *session, key error) error {
	s.inConfig = false
	return nil
}

func (g *genericPlatform) exec(s *session, cmd string) int {
	s.lastPrompt = g.prompt(s)
	if err := g.handle(s, cmd); err != nil && !errors.Is(err, errExit) {
		return 1
	}
	if s.failed {
		return 1
	}
	return 0
}

func (g *genericPlatform) handle(s *session, line string) error {
	s.failed = false
	norm := strings.ToLower(strings.Join(strings.Fields(line), " "))
	if norm == "" {
		return nil
	}
	if s.inConfig {
		if slices.Contains(g.leave, norm) {
			s.inConfig = false
			return nil
		}
		return g.configLine(s, line)
	}
	switch {
	case norm == "quit" || norm == "exit":
		return errExit
	case g.cfgView != nil && norm == g.enter:
		s.inConfig = true
		return s.emit(g.enterMsg)
	case norm == g.save:
		return g.doSave(s)
	case slices.Contains(g.showConfig, norm):
		s.dev.mu.Lock()
		out := g.render(s.dev.st.generic, s.dev.st.generic.running)
		s.dev.mu.Unlock()
		return s.emit(out)
	}
	if fn, ok := g.commands[norm]; ok {
		s.dev.mu.Lock()
		out := fn(s, s.dev.st.generic)
		s.dev.mu.Unlock()
		return s.emit(out)
	}
	if g.cfgView == nil {
		return g.configLine(s, line)
	}
	return g.reject(s, line)
}

func (g *genericPlatform) reject(s *session, line string) error {
	s.failed = true
	return s.emit(g.errorText(s.lastPrompt, line))
}

func (g *genericPlatform) configLine(s *session, line string) error {
	line = strings.Join(strings.Fields(line), " ")
	if f := s.dev.getFaults(); f.RejectConfig != "" {
		if re, err := regexp.Compile(f.RejectConfig); err == nil && re.MatchString(line) {
			return g.reject(s, line)
		}
	}
	if g.undo != "" && strings.HasPrefix(line, g.undo+" ") {
		what := strings.TrimPrefix(line, g.undo+" ")
		s.dev.mu.Lock()
		st := s.dev.st.generic
		kept := st.running[:0:0]
		for _, l := range st.running {
			if !strings.HasPrefix(l, what) {
				kept = append(kept, l)
			}
		}
		st.running = kept
		s.dev.mu.Unlock()
		return nil
	}
	ok := false
	for _, re := range g.config {
		ok = ok || re.MatchString(line)
	}
	if !ok {
		return g.reject(s, line)
	}
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st.generic
	if g.hostname != nil {
		if m := g.hostname.FindStringSubmatch(line); m != nil {
			st.host = m[1]
		}
	}
	for i, l := range st.running {
		if l == line || g.merge != nil && g.merge(l) == g.merge(line) {
			st.running[i] = line
			return nil
		}
	}
	st.running = append(st.running, line)
	if g.merge != nil {
		sort.Strings(st.running)
	}
	return nil
}

func (g *genericPlatform) doSave(s *session) error {
	if g.saveQuestion != "" {
		yes, err := s.confirm(g.saveQuestion)
		if err != nil {
			return err
		}
		if !yes {
			return nil
		}
	}
	s.dev.mu.Lock()
	st := s.dev.st.generic
	st.saved = append([]string(nil), st.running...)
	s.dev.mu.Unlock()
	return s.emit(g.saveDone)
}

// genericText renders a generic device's running or saved configuration.
func (st *devState) genericText(g *genericPlatform, saved bool) string {
	if saved {
		return g.render(st.generic, st.generic.saved)
	}
	return g.render(st.generic, st.generic.running)
}
