package tasks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/parse"
)

// platformAliases maps names used by Ansible, scrapli and Netmiko to the
// ntc-templates platform, for those driver.LookupPlatform does not know
// (driver's aliases cover cisco_xe -> cisco_ios and the like).
var platformAliases = map[string]string{
	"iosxr":       "cisco_xr",
	"ios_xr":      "cisco_xr",
	"cisco_iosxr": "cisco_xr",
	"asa":         "cisco_asa",
	"vyos":        "vyos",
	"fortios":     "fortinet",
	"panos":       "paloalto_panos",
	"routeros":    "mikrotik_routeros",
}

// platformCandidates lists the platform names to look up, most specific
// first: the name as given (so a user index may have its own cisco_xe
// rows), then the ntc-templates name it is an alias of. Ansible's
// "cisco.ios.ios" and Netmiko's "_ssh"/"_telnet" suffixes are reduced
// first.
func platformCandidates(platform string) []string {
	p := strings.ToLower(strings.TrimSpace(platform))
	out := []string{p}
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 { // ansible_network_os
		p = p[i+1:]
		add(p)
	}
	for _, suf := range []string{"_ssh", "_telnet", "_serial"} {
		p = strings.TrimSuffix(p, suf)
	}
	add(p)
	if dp, ok := driver.LookupPlatform(p); ok {
		add(dp.Name)
	}
	if a, ok := platformAliases[p]; ok {
		add(a)
	}
	return out
}

// library resolves platform + command to templates across the user's
// directories and the built-in one, in that order: the first directory
// whose index has a matching row wins, so user templates take precedence.
type library struct {
	dirs []*parse.Dir

	mu       sync.Mutex
	resolved map[[2]string]*resolution
}

// resolution is the cached outcome of one platform + command lookup.
type resolution struct {
	once sync.Once
	ts   []*parse.Template
	name string // template file names joined by ":", for messages
	err  error
}

// newLibrary opens templatesDir (the playbook's templates_dir), ntcDir
// (NTC_TEMPLATES_DIR) and the built-in templates. A missing directory or
// index is reported now, at validate time; each index is read once per
// process, and templates are compiled on first use.
func newLibrary(templatesDir, ntcDir string) (*library, error) {
	lib := &library{resolved: map[[2]string]*resolution{}}
	var errs []error
	add := func(d *parse.Dir, err error) {
		errs = append(errs, err)
		if err == nil {
			lib.dirs = append(lib.dirs, d)
		}
	}
	if templatesDir != "" {
		add(parse.OpenDir("templates_dir "+templatesDir, templatesDir))
	}
	if ntcDir != "" && filepath.Clean(ntcDir) != filepath.Clean(templatesDir) {
		add(parse.OpenDir("NTC_TEMPLATES_DIR "+ntcDir, ntcDir))
	}
	add(parse.Builtin())
	return lib, errors.Join(errs...)
}

// resolve finds and compiles the templates for platform and command,
// caching the outcome (also a failure: the same host platform and command
// give the same answer for the whole run).
func (l *library) resolve(platform, command string) ([]*parse.Template, string, error) {
	key := [2]string{platform, command}
	l.mu.Lock()
	r, ok := l.resolved[key]
	if !ok {
		r = &resolution{}
		l.resolved[key] = r
	}
	l.mu.Unlock()
	r.once.Do(func() { r.ts, r.name, r.err = l.lookup(platform, command) })
	return r.ts, r.name, r.err
}

func (l *library) lookup(platform, command string) ([]*parse.Template, string, error) {
	cmd := strings.Join(strings.Fields(command), " ")
	cands := platformCandidates(platform)
	for _, d := range l.dirs {
		for _, p := range cands {
			row, ts, ok, err := d.Lookup(p, cmd)
			if !ok {
				continue
			}
			name := strings.Join(row.Templates, ":")
			if err != nil {
				return nil, name, textfsmError(err)
			}
			return ts, name, nil
		}
	}
	labels := make([]string, len(l.dirs))
	for i, d := range l.dirs {
		labels[i] = d.Label
	}
	alias := ""
	if len(cands) > 1 {
		alias = " (also tried " + strings.Join(cands[1:], ", ") + ")"
	}
	return nil, "", fmt.Errorf("%w for platform %q%s and command %q in %s", ErrNoTemplate, platform, alias, command, strings.Join(labels, ", "))
}

// IndexWarnings lists the index rows of the user's template directories
// (templatesDir, NTC_TEMPLATES_DIR) and the built-in one that no regex
// engine can read (skipped, "index:LINE: reason"). Rows are compiled when
// a lookup first reaches them; with all, every row is compiled now.
func IndexWarnings(templatesDir string, all bool) []string {
	lib, _ := newLibrary(templatesDir, os.Getenv("NTC_TEMPLATES_DIR"))
	var out []string
	for _, d := range lib.dirs {
		if all {
			d.Index().CompileAll()
		}
		out = append(out, d.Index().Warnings()...)
	}
	return out
}
