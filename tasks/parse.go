package tasks

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/sirikothe/gotextfsm"
)

// ParseSpec is a step's `parse {}` block.
type ParseSpec struct {
	// TextFSM is a template path, relative to BaseDir, or "auto": look the
	// template up by the host's platform and the step's command in the
	// ntc-templates index of TemplatesDir, NTC_TEMPLATES_DIR and the
	// built-in templates, in that order.
	TextFSM string
	// Template is an inline template.
	Template   string
	AllowEmpty bool
	BaseDir    string
	// TemplatesDir is the playbook's templates_dir setting (absolute), or
	// "". Only "auto" uses it.
	TemplatesDir string
}

// The three ways a parse fails. Parse and ParseFor wrap one of them, so
// that a step's message says which case it is and callers can tell them
// apart with errors.Is.
var (
	// ErrNoTemplate: "auto" found no index row for the platform and command.
	ErrNoTemplate = errors.New("no template found")
	// ErrNoRecords: the template matched nothing and the parse block does
	// not allow that (allow_empty = false, the default).
	ErrNoRecords = errors.New("no records")
	// ErrTextFSM: the template is invalid (also: uses a regex construct Go
	// does not support) or its Error rule fired on the output.
	ErrTextFSM = errors.New("TextFSM error")
)

// TemplateError is a template that cannot be used: it says which template,
// which line and, for regexes Go's RE2 engine reads differently from
// Python, which construct. It wraps ErrTextFSM.
type TemplateError struct {
	Template  string
	Line      int    // 1-based line in the template; 0 if unknown
	Construct string // e.g. "(?=" or "{,4}"; "" for other errors
	Detail    string
}

func (e *TemplateError) Error() string {
	where := e.Template
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Construct != "" {
		return fmt.Sprintf("%v: template %s: %s uses %s", ErrTextFSM, where, e.Detail, e.Construct)
	}
	return fmt.Sprintf("%v: template %s: %s", ErrTextFSM, where, e.Detail)
}

func (e *TemplateError) Unwrap() error { return ErrTextFSM }

// template is one compiled TextFSM template. The compiled gotextfsm value
// is only ever copied, never parsed with (see parse).
type template struct {
	name   string
	proto  gotextfsm.TextFSM
	fields []string // Value names, lower-cased, in template order
	keys   []string // lower-cased names of Key values
}

// compileTemplate checks src for regex constructs Go cannot run as
// Python does, then compiles it with its rules anchored.
func compileTemplate(src, name string) (*template, error) {
	if err := checkRE2(src, name); err != nil {
		return nil, err
	}
	t := &template{name: name}
	if err := t.proto.ParseString(anchorRules(src)); err != nil {
		return nil, gotextfsmError(name, err)
	}
	// gotextfsm keeps Values in a map; the order (and Key options) comes
	// from the source, so that tables print columns as the template
	// declares them.
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			break
		}
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "Value" {
			continue
		}
		nameTok, opts := f[1], ""
		if !strings.HasPrefix(f[2], "(") {
			nameTok, opts = f[2], f[1]
		}
		lower := strings.ToLower(nameTok)
		t.fields = append(t.fields, lower)
		if strings.Contains(","+opts+",", ",Key,") {
			t.keys = append(t.keys, lower)
		}
	}
	return t, nil
}

// gotextfsmLine finds the line number in gotextfsm's messages, which say
// either "Line 5:" or "5 Line:".
var gotextfsmLine = regexp.MustCompile(`(?:Line:? (\d+)|^(\d+) Line)`)

func gotextfsmError(name string, err error) error {
	te := &TemplateError{Template: name, Detail: err.Error()}
	if m := gotextfsmLine.FindStringSubmatch(err.Error()); m != nil {
		te.Line, _ = strconv.Atoi(m[1] + m[2])
	}
	return te
}

// Parser turns command output into records with a TextFSM template that
// is compiled once, or, for textfsm = "auto", with the template the index
// gives for each host's platform and the step's command, compiled on
// first use. It is safe for concurrent use.
type Parser struct {
	tmpl       *template // explicit template; nil for "auto"
	lib        *library  // "auto"
	allowEmpty bool
}

// CompileParse reads and compiles the template of a parse block. For
// "auto" it loads the index files (their errors are reported here, at
// validate time); templates are compiled when first needed.
func CompileParse(spec ParseSpec) (*Parser, error) {
	var src, name string
	switch {
	case spec.TextFSM != "" && spec.Template != "":
		return nil, errors.New(`only one of "textfsm" (a template file) and "template" (an inline template) may be set`)
	case spec.TextFSM == "auto":
		lib, err := newLibrary(spec.TemplatesDir, os.Getenv("NTC_TEMPLATES_DIR"))
		if err != nil {
			return nil, fmt.Errorf(`textfsm = "auto": %w`, err)
		}
		return &Parser{lib: lib, allowEmpty: spec.AllowEmpty}, nil
	case spec.TextFSM != "":
		name = spec.TextFSM
		path := spec.TextFSM
		if !filepath.IsAbs(path) {
			path = filepath.Join(spec.BaseDir, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading TextFSM template: %w", err)
		}
		src = string(b)
	case spec.Template != "":
		name, src = "inline template", spec.Template
	default:
		return nil, errors.New(`a parse block needs "textfsm" (a template file) or "template" (an inline template)`)
	}
	t, err := compileTemplate(src, name)
	if err != nil {
		return nil, err
	}
	return &Parser{tmpl: t, allowEmpty: spec.AllowEmpty}, nil
}

// Auto reports whether the parser looks templates up by platform and
// command (textfsm = "auto").
func (p *Parser) Auto() bool { return p.lib != nil }

// Parse runs the parse block's template over output. A parser for "auto"
// needs the platform and command: use ParseFor.
func (p *Parser) Parse(output string) ([]map[string]any, error) {
	recs, _, err := p.parse("", "", output)
	return recs, err
}

// ParseFor runs the template for this host's platform and the step's
// command over output; with an explicit template, platform and command
// are ignored. The error wraps ErrNoTemplate, ErrNoRecords or ErrTextFSM.
func (p *Parser) ParseFor(platform, command, output string) ([]map[string]any, error) {
	recs, _, err := p.parse(platform, command, output)
	return recs, err
}

// Resolve finds and compiles the template(s) for platform and command
// without parsing anything, so a caller that knows them before the run
// (e.g. `runbook validate`) can report a missing or RE2-incompatible
// template early. It returns the template names joined by ":".
func (p *Parser) Resolve(platform, command string) (string, error) {
	if p.lib == nil {
		return p.tmpl.name, nil
	}
	if command == "" {
		return "", errors.New(`textfsm = "auto" needs the step's command to find a template (only send_command steps have one, and it must not be sensitive)`)
	}
	_, name, err := p.lib.resolve(platform, command)
	return name, err
}

// parse returns the records and the field order.
func (p *Parser) parse(platform, command, output string) ([]map[string]any, []string, error) {
	ts := []*template{p.tmpl}
	name := ""
	if p.lib != nil {
		if command == "" {
			_, err := p.Resolve(platform, command)
			return nil, nil, err
		}
		var err error
		ts, name, err = p.lib.resolve(platform, command)
		if err != nil {
			return nil, nil, err
		}
	} else {
		name = p.tmpl.name
	}
	records, fields, err := parseWith(ts, output)
	if err != nil {
		return nil, nil, err
	}
	if len(records) == 0 && !p.allowEmpty {
		return nil, fields, fmt.Errorf("%w: template %s matched nothing in the output (%d bytes); set allow_empty = true if an empty result is expected", ErrNoRecords, name, len(output))
	}
	return records, fields, nil
}

// parseWith runs one or more templates over output. Several templates
// (an index row "a.textfsm:b.textfsm") are combined as Python's clitable
// does: the first template's records are extended with the columns the
// others add, matched on the first template's Key values, or by position
// when it has none.
func parseWith(ts []*template, output string) ([]map[string]any, []string, error) {
	records, err := ts[0].parse(output)
	if err != nil {
		return nil, nil, err
	}
	fields := append([]string(nil), ts[0].fields...)
	keys := ts[0].keys
	for _, t := range ts[1:] {
		more, err := t.parse(output)
		if err != nil {
			return nil, nil, err
		}
		var added []string
		for _, f := range t.fields {
			if !contains(fields, f) {
				added = append(added, f)
			}
		}
		if len(added) == 0 {
			continue
		}
		fields = append(fields, added...)
		for i, r := range records {
			for _, f := range added {
				r[f] = ""
			}
			var match map[string]any
			if len(keys) == 0 {
				if i < len(more) {
					match = more[i]
				}
			} else {
				for _, m := range more {
					if keysEqual(r, m, keys) {
						match = m
						break
					}
				}
			}
			for _, f := range added {
				if v, ok := match[f]; ok {
					r[f] = v
				}
			}
		}
	}
	return records, fields, nil
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

func keysEqual(a, b map[string]any, keys []string) bool {
	for _, k := range keys {
		if fmt.Sprint(a[k]) != fmt.Sprint(b[k]) {
			return false
		}
	}
	return true
}

// matchAction splits a rule into its regex and its action, exactly as
// TextFSM (Python and gotextfsm) does: the action follows the last " ->".
var matchAction = regexp.MustCompile(`^(.*)(\s->.*)$`)

// anchorRules makes every rule regex match at the start of the line only.
// Python TextFSM applies rules with re.match (anchored at the start) while
// gotextfsm uses a search; rules begin with "^" by syntax, so the only
// difference is a top-level alternation such as "^a|b", where the search
// would also find "b" mid-line. Wrapping the rule as "^(?:a|b)" gives the
// Python behaviour that ntc-templates are written for.
func anchorRules(src string) string {
	lines := strings.Split(src, "\n")
	inStates := false
	for i, line := range lines {
		trimmed := strings.TrimRight(line, " \t\r")
		if !inStates {
			// The Value block ends at the first blank line.
			inStates = trimmed == ""
			continue
		}
		rest := strings.TrimLeft(trimmed, " \t")
		indent := trimmed[:len(trimmed)-len(rest)]
		if indent == "" || !strings.HasPrefix(rest, "^") {
			continue // a state name, a comment or a blank line
		}
		match, action := rest, ""
		if m := matchAction.FindStringSubmatch(rest); m != nil {
			match, action = m[1], m[2]
		}
		lines[i] = indent + "^(?:" + match[1:] + ")" + action
	}
	return strings.Join(lines, "\n")
}

// maxLine is the longest output line a parse accepts. bufio.Scanner's
// default (64 KiB, what gotextfsm uses) aborts on one long line such as a
// certificate or a long ACL remark; 16 MiB covers any real output.
const maxLine = 16 << 20

// parse runs the template over output. Each call uses its own copy of the
// template's value state: gotextfsm keeps the current and Filldown values
// inside TextFSM.Values (a map shared by struct copies), so parsing with
// the compiled template itself would race between devices and leak
// Filldown values from one device's output into the next.
func (t *template) parse(output string) ([]map[string]any, error) {
	fsm := t.proto
	fsm.Values = maps.Clone(t.proto.Values) // never parsed with: values are clear
	var out gotextfsm.ParserOutput
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(output, "\r", "")))
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	if err := out.ParseTextScanner(sc, fsm, true); err != nil {
		return nil, &TemplateError{Template: t.name, Detail: err.Error()}
	}
	records := make([]map[string]any, 0, len(out.Dict))
	for _, rec := range out.Dict {
		m := make(map[string]any, len(rec))
		for k, v := range rec {
			m[strings.ToLower(k)] = plainValue(v)
		}
		records = append(records, m)
	}
	return records, nil
}

// plainValue converts gotextfsm's values ([]string, map[string]string,
// []map[string]string) to []any and map[string]any, copying them so that
// records share no backing arrays, and so that they convert to JSON, cty
// and expr values like any other step value.
func plainValue(v any) any {
	switch v := v.(type) {
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, s := range v {
			out[k] = s
		}
		return out
	case []map[string]string:
		out := make([]any, len(v))
		for i, m := range v {
			out[i] = plainValue(m)
		}
		return out
	case nil:
		return ""
	}
	return v
}
