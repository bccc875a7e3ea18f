package tasks

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/runbook-dev/runbook/driver"
)

// builtinFS holds the templates runbook ships, with their own index, so
// that `parse { textfsm = "auto" }` works against the lab and the example
// playbooks with no external files.
//
//go:embed templates
var builtinFS embed.FS

// indexRow is one line of an ntc-templates index: the templates to run
// (several, joined by ":" in the file) and the regexes that select them.
type indexRow struct {
	templates []string
	platform  *regexp.Regexp
	command   *regexp.Regexp
	line      int
}

// index is a parsed ntc-templates index file.
type index struct {
	name string // where it came from, for errors ("/x/templates/index")
	rows []indexRow
}

// completion matches the index's abbreviation syntax, "sh[[ow]]".
var completion = regexp.MustCompile(`\[\[(.+?)\]\]`)

// expandCompletion turns "sh[[ow]] ver[[sion]]" into
// "sh(o(w)?)? ver(s(i(o(n)?)?)?)?", as Python's clitable does: every
// prefix of the bracketed word is accepted. The word is not escaped
// (clitable does not either), so a regex inside [[ ]] is unsupported.
func expandCompletion(s string) string {
	return completion.ReplaceAllStringFunc(s, func(m string) string {
		word := []rune(m[2 : len(m)-2])
		var b strings.Builder
		for _, r := range word {
			b.WriteByte('(')
			b.WriteRune(r)
		}
		b.WriteString(strings.Repeat(")?", len(word)))
		return b.String()
	})
}

// matchStart compiles an index column the way clitable applies it: with
// re.match, anchored at the start of the value only. "show ip route"
// therefore also selects "show ip route vrf x", which is why the index
// lists longer commands first and why the first matching row wins.
func matchStart(expr string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + expr + `)`)
}

// parseIndex reads an index in ntc-templates' format: "#" comments and
// blank lines are skipped, the first other line is the header, which
// must name the Template, Platform and Command columns (Hostname is
// accepted and ignored, as ntc-templates and Netmiko never pass a host
// name); each row holds the template file names joined by ":" and
// regular expressions for the other columns.
func parseIndex(src, name string) (*index, error) {
	idx := &index{name: name}
	var header []string
	col := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if header == nil {
			header = fields
			for i, h := range header {
				col[h] = i
			}
			for _, need := range []string{"Template", "Platform", "Command"} {
				if _, ok := col[need]; !ok {
					return nil, fmt.Errorf("index %s:%d: the header %q has no %q column", name, n, line, need)
				}
			}
			continue
		}
		if len(fields) != len(header) {
			return nil, fmt.Errorf("index %s:%d: %d columns, the header has %d (a comma inside a regex is not supported)", name, n, len(fields), len(header))
		}
		row := indexRow{line: n}
		for t := range strings.SplitSeq(fields[col["Template"]], ":") {
			if t = strings.TrimSpace(t); t != "" {
				row.templates = append(row.templates, t)
			}
		}
		if len(row.templates) == 0 {
			return nil, fmt.Errorf("index %s:%d: no template named", name, n)
		}
		var err error
		if row.platform, err = matchStart(fields[col["Platform"]]); err != nil {
			return nil, fmt.Errorf("index %s:%d: Platform: %v", name, n, err)
		}
		if row.command, err = matchStart(expandCompletion(fields[col["Command"]])); err != nil {
			return nil, fmt.Errorf("index %s:%d: Command: %v", name, n, err)
		}
		idx.rows = append(idx.rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("index %s: %v", name, err)
	}
	if header == nil {
		return nil, fmt.Errorf("index %s: no header line (Template, Hostname, Platform, Command)", name)
	}
	return idx, nil
}

// lookup returns the first row matching platform and command.
func (idx *index) lookup(platform, command string) (indexRow, bool) {
	for _, r := range idx.rows {
		if r.platform.MatchString(platform) && r.command.MatchString(command) {
			return r, true
		}
	}
	return indexRow{}, false
}

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

// templateSource is one templates directory with its index: the user's
// (templates_dir, NTC_TEMPLATES_DIR) or the built-in one. It caches the
// templates it compiled, since compiling costs about 4 ms each.
type templateSource struct {
	label string // "templates_dir /x", "NTC_TEMPLATES_DIR /y", "built-in templates"
	fsys  fs.FS
	idx   *index

	mu       sync.Mutex
	compiled map[string]*lazyTemplate
}

// lazyTemplate compiles on first use; concurrent first uses wait for the
// one compile.
type lazyTemplate struct {
	once sync.Once
	t    *template
	err  error
}

func (s *templateSource) template(file string) (*template, error) {
	s.mu.Lock()
	lt, ok := s.compiled[file]
	if !ok {
		lt = &lazyTemplate{}
		s.compiled[file] = lt
	}
	s.mu.Unlock()
	lt.once.Do(func() {
		b, err := fs.ReadFile(s.fsys, file)
		if err != nil {
			lt.err = fmt.Errorf("%w: %s lists %s, which cannot be read: %v", ErrTextFSM, s.idx.name, file, err)
			return
		}
		lt.t, lt.err = compileTemplate(string(b), file)
	})
	return lt.t, lt.err
}

func newSource(label string, fsys fs.FS, indexName string) (*templateSource, error) {
	b, err := fs.ReadFile(fsys, "index")
	if err != nil {
		return nil, fmt.Errorf("%s: reading the index: %w", label, err)
	}
	idx, err := parseIndex(string(b), indexName)
	if err != nil {
		return nil, err
	}
	return &templateSource{label: label, fsys: fsys, idx: idx, compiled: map[string]*lazyTemplate{}}, nil
}

func dirSource(label, dir string) (*templateSource, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", label)
	}
	return newSource(label, os.DirFS(dir), filepath.Join(dir, "index"))
}

// builtinSource is shared by every parse block of the process, so each
// shipped template is compiled at most once.
var builtinSource = sync.OnceValues(func() (*templateSource, error) {
	sub, err := fs.Sub(builtinFS, "templates")
	if err != nil {
		return nil, err
	}
	return newSource("built-in templates", sub, "built-in templates/index")
})

// library resolves platform + command to templates across the user's
// sources and the built-in one, in that order: the first source whose
// index has a matching row wins, so user templates take precedence.
type library struct {
	sources []*templateSource

	mu       sync.Mutex
	resolved map[[2]string]*resolution
}

// resolution is the cached outcome of one platform + command lookup.
type resolution struct {
	once sync.Once
	ts   []*template
	name string // template file names joined by ":", for messages
	err  error
}

// newLibrary loads the indexes of templatesDir (the playbook's
// templates_dir), ntcDir (NTC_TEMPLATES_DIR) and the built-in templates.
// Index errors are reported now, at validate time; templates are compiled
// on first use.
func newLibrary(templatesDir, ntcDir string) (*library, error) {
	lib := &library{resolved: map[[2]string]*resolution{}}
	var errs []error
	if templatesDir != "" {
		s, err := dirSource("templates_dir "+templatesDir, templatesDir)
		errs = append(errs, err)
		if err == nil {
			lib.sources = append(lib.sources, s)
		}
	}
	if ntcDir != "" && filepath.Clean(ntcDir) != filepath.Clean(templatesDir) {
		s, err := dirSource("NTC_TEMPLATES_DIR "+ntcDir, ntcDir)
		errs = append(errs, err)
		if err == nil {
			lib.sources = append(lib.sources, s)
		}
	}
	b, err := builtinSource()
	errs = append(errs, err)
	if err == nil {
		lib.sources = append(lib.sources, b)
	}
	return lib, errors.Join(errs...)
}

// resolve finds and compiles the templates for platform and command,
// caching the outcome (also a failure: the same host platform and command
// give the same answer for the whole run).
func (l *library) resolve(platform, command string) ([]*template, string, error) {
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

func (l *library) lookup(platform, command string) ([]*template, string, error) {
	cmd := strings.Join(strings.Fields(command), " ")
	cands := platformCandidates(platform)
	for _, s := range l.sources {
		for _, p := range cands {
			row, ok := s.idx.lookup(p, cmd)
			if !ok {
				continue
			}
			ts := make([]*template, 0, len(row.templates))
			for _, f := range row.templates {
				t, err := s.template(f)
				if err != nil {
					return nil, "", err
				}
				ts = append(ts, t)
			}
			return ts, strings.Join(row.templates, ":"), nil
		}
	}
	labels := make([]string, len(l.sources))
	for i, s := range l.sources {
		labels[i] = s.label
	}
	alias := ""
	if len(cands) > 1 {
		alias = " (also tried " + strings.Join(cands[1:], ", ") + ")"
	}
	return nil, "", fmt.Errorf("%w for platform %q%s and command %q in %s", ErrNoTemplate, platform, alias, command, strings.Join(labels, ", "))
}
