package driver

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// registered holds the platforms added at run time with RegisterPlatform
// (a playbook's platform blocks), by canonical name. Built-in platforms
// are looked up first and cannot be replaced.
var registered = struct {
	sync.RWMutex
	byName map[string]*Platform
}{byName: map[string]*Platform{}}

// RegisterPlatform adds a user-defined platform, which LookupPlatform then
// finds by its name (and aliases). Registering a name again replaces the
// earlier definition, so one process can load a playbook several times;
// a name or alias of a built-in platform is an error. p must not be
// modified after registration: sessions share it. Safe for concurrent use.
func RegisterPlatform(p *Platform) error {
	if err := checkPlatform(p); err != nil {
		return err
	}
	names := append([]string{p.Name}, p.Aliases...)
	for _, n := range names {
		if b := builtinNamed(normalizeName(n)); b != nil {
			return fmt.Errorf("platform %q: %q is the name of the built-in platform %s", p.Name, n, b.Name)
		}
	}
	registered.Lock()
	defer registered.Unlock()
	for _, n := range names {
		registered.byName[normalizeName(n)] = p
	}
	return nil
}

// checkPlatform checks what the session logic relies on: a name, prompts
// that capture the device name, a command mode that has a prompt and a
// way from every mode to the command and configuration modes.
func checkPlatform(p *Platform) error {
	if p == nil || strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("platform without a name")
	}
	if len(p.Modes) == 0 {
		return fmt.Errorf("platform %q: no modes (prompts)", p.Name)
	}
	has := map[string]bool{}
	for _, m := range p.Modes {
		if m.Prompt == nil || m.Prompt.SubexpIndex("host") < 0 {
			return fmt.Errorf("platform %q: the %s prompt must capture the device name in (?P<host>...)", p.Name, m.Name)
		}
		has[m.Name] = true
	}
	if !has[p.CommandMode] {
		return fmt.Errorf("platform %q: the command mode %q has no prompt", p.Name, p.CommandMode)
	}
	if p.ConfigMode != "" && !has[p.ConfigMode] {
		return fmt.Errorf("platform %q: the configuration mode %q has no prompt", p.Name, p.ConfigMode)
	}
	for m := range has {
		if p.path(m, p.CommandMode) == nil {
			return fmt.Errorf("platform %q: no command leads from %s to %s mode", p.Name, m, p.CommandMode)
		}
		if p.ConfigMode != "" && p.path(m, p.ConfigMode) == nil {
			return fmt.Errorf("platform %q: no command leads from %s to %s mode", p.Name, m, p.ConfigMode)
		}
	}
	return nil
}

// DerivePlatform returns a copy of the built-in or registered platform
// base, renamed: the starting point of a user-defined platform. Slices
// are copied, so changing the copy leaves base as it was.
func DerivePlatform(base, name string) (*Platform, error) {
	b, ok := LookupPlatform(base)
	if !ok {
		return nil, fmt.Errorf("unknown base platform %q", base)
	}
	p := *b
	p.Name = normalizeName(name)
	p.Aliases = nil
	p.Modes = slices.Clone(b.Modes)
	p.Transitions = slices.Clone(b.Transitions)
	p.OnOpen = slices.Clone(b.OnOpen)
	p.FailureIndicators = slices.Clone(b.FailureIndicators)
	p.SaveConfirm = slices.Clone(b.SaveConfirm)
	return &p, nil
}

// FallbackSecretPrompt is the enable password question of a derived
// platform whose base has none.
var FallbackSecretPrompt = regexp.MustCompile(`(?i)password:\s*$`)

func normalizeName(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
}

func lookupRegistered(n string) (*Platform, bool) {
	registered.RLock()
	defer registered.RUnlock()
	p, ok := registered.byName[n]
	return p, ok
}
