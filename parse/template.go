// Package parse is TextFSM as Python's textfsm 1.1 defines it: the
// template language, Value options and actions, records (None included),
// the ntc-templates index as clitable reads it, and a runner for test
// trees in ntc-templates' layout. Patterns run on Go's RE2 engine where
// they mean the same there as in Python's re module, and on a bounded
// backtracking engine where they do not (lookaround, backreferences).
//
// It knows nothing of SSH, devices or playbooks.
package parse

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// TemplateError is a template Python's textfsm would reject too; the
// message is Python's, prefixed with the template name.
type TemplateError struct {
	Template string
	Line     int // 1-based line in the template; 0 if none applies
	Msg      string
}

func (e *TemplateError) Error() string { return e.Template + ": " + e.Msg }

// ParseError is an Error action firing, or a backtracking match that
// timed out, while parsing output (Python's TextFSMError).
type ParseError struct {
	Template string
	Msg      string
}

func (e *ParseError) Error() string { return e.Template + ": " + e.Msg }

// option kinds, in Python's names.
type option int

const (
	optRequired option = iota
	optFilldown
	optFillup
	optKey
	optList
)

var optionNames = map[string]option{
	"Required": optRequired, "Filldown": optFilldown, "Fillup": optFillup, "Key": optKey, "List": optList,
}

type valueDef struct {
	name    string
	regex   string // as declared, "(...)"
	options []option
	nested  *pyRegexp // List values with more than one group: matched again per item
	hasFill bool      // has Filldown (List consults it on clear)
}

func (v *valueDef) has(o option) bool {
	for _, x := range v.options {
		if x == o {
			return true
		}
	}
	return false
}

type rule struct {
	line     int
	regex    *pyRegexp
	assign   []int // per named group of regex: index into values, -1 if none
	lineOp   string
	recordOp string
	newState string
}

// Template is a compiled TextFSM template. It holds no parse state and is
// safe for concurrent use.
type Template struct {
	name      string
	values    []*valueDef
	states    map[string][]*rule
	hasEOF    bool
	backtrack bool // some rule runs on the backtracking engine
}

// Name is the name the template was compiled under (a file name).
func (t *Template) Name() string { return t.name }

// Header returns the Value names in declaration order.
func (t *Template) Header() []string {
	h := make([]string, len(t.values))
	for i, v := range t.values {
		h[i] = v.name
	}
	return h
}

// Keys returns the names of the Key values.
func (t *Template) Keys() []string {
	var k []string
	for _, v := range t.values {
		if v.has(optKey) {
			k = append(k, v.name)
		}
	}
	return k
}

// Backtracking reports whether a rule needs the backtracking engine.
func (t *Template) Backtracking() bool { return t.backtrack }

const maxNameLen = 48

var (
	commentRe   = regexp.MustCompile(`^\s*#`)
	stateNameRe = regexp.MustCompile(`^(\w+)$`)
	matchAction = regexp.MustCompile(`^(.*)(\s->(.*))$`)
	lineOps     = []string{"Continue", "Next", "Error"}
	recordOps   = []string{"Clear", "Clearall", "Record", "NoRecord"}
	opRe        = `((?P<ln_op>Continue|Next|Error)(\.(?P<rec_op>Clear|Clearall|Record|NoRecord))?)`
	newStateRe  = `(?P<new_state>\w+|".*")`
	actionRe    = regexp.MustCompile(`^\s+` + opRe + `(\s+` + newStateRe + `)?$`)
	action2Re   = regexp.MustCompile(`^\s+(?P<rec_op>Clear|Clearall|Record|NoRecord)(\s+` + newStateRe + `)?$`)
	action3Re   = regexp.MustCompile(`^(\s+` + newStateRe + `)?$`)
	valueOptRe  = regexp.MustCompile(`^\(.*\)$`)
)

// Compile parses a TextFSM template. name labels errors.
func Compile(name, src string) (*Template, error) {
	t := &Template{name: name, states: map[string][]*rule{}}
	lines := strings.Split(src, "\n")
	if strings.HasSuffix(src, "\n") {
		lines = lines[:len(lines)-1]
	}
	fail := func(n int, format string, args ...any) error {
		return &TemplateError{Template: name, Line: n, Msg: fmt.Sprintf(format, args...)}
	}
	if src == "" {
		return nil, fail(0, "Null template.")
	}
	n := 0
	valueMap := map[string]string{}
	// The Value block ends at the first blank line.
	for n < len(lines) {
		line := strings.TrimRight(lines[n], pyWhitespace)
		n++
		if line == "" {
			break
		}
		if commentRe.MatchString(line) {
			continue
		}
		if strings.HasPrefix(line, "Value ") {
			v, err := parseValue(line)
			if err != nil {
				return nil, fail(n, "%s Line %d.", err.Error(), n)
			}
			for _, o := range t.values {
				if o.name == v.name {
					return nil, fail(n, "Duplicate declarations for Value '%s'. Line: %d.", v.name, n)
				}
			}
			t.values = append(t.values, v)
			valueMap[v.name] = "(?P<" + v.name + ">" + v.regex[1:]
			continue
		}
		if len(t.values) == 0 {
			return nil, fail(n, "No Value definitions found.")
		}
		return nil, fail(n, "Expected blank line after last Value entry. Line: %d.", n)
	}
	var order []string
	for n < len(lines) {
		// A state name, after blank and comment lines.
		state := ""
		for n < len(lines) {
			line := strings.TrimRight(lines[n], pyWhitespace)
			n++
			if line == "" || commentRe.MatchString(line) {
				continue
			}
			if !stateNameRe.MatchString(line) || len(line) > maxNameLen || contains(lineOps, line) || contains(recordOps, line) {
				return nil, fail(n, "Invalid state name: '%s'. Line: %d", line, n)
			}
			if _, dup := t.states[line]; dup {
				return nil, fail(n, "Duplicate state name: '%s'. Line: %d", line, n)
			}
			state = line
			t.states[state] = nil
			order = append(order, state)
			break
		}
		if state == "" {
			break
		}
		for n < len(lines) {
			line := strings.TrimRight(lines[n], pyWhitespace)
			n++
			if line == "" {
				break
			}
			if commentRe.MatchString(line) {
				continue
			}
			if !strings.HasPrefix(line, " ^") && !strings.HasPrefix(line, "  ^") && !strings.HasPrefix(line, "\t^") {
				return nil, fail(n, "Missing white space or carat ('^') before rule. Line: %d", n)
			}
			r, err := t.parseRule(line, n, valueMap)
			if err != nil {
				return nil, fail(n, "%s", err.Error())
			}
			t.states[state] = append(t.states[state], r)
		}
	}
	if _, ok := t.states["Start"]; !ok {
		return nil, fail(0, "Missing state 'Start'.")
	}
	if len(t.states["End"]) > 0 {
		return nil, fail(0, "Non-Empty 'End' state.")
	}
	if len(t.states["EOF"]) > 0 {
		return nil, fail(0, "Non-Empty 'EOF' state.")
	}
	_, t.hasEOF = t.states["EOF"]
	delete(t.states, "End")
	for _, state := range order {
		for _, r := range t.states[state] {
			if r.lineOp == "Error" || r.newState == "" || r.newState == "End" || r.newState == "EOF" {
				continue
			}
			if _, ok := t.states[r.newState]; !ok {
				return nil, fail(r.line, "State '%s' not found, referenced in state '%s'", r.newState, state)
			}
		}
	}
	return t, nil
}

// pyWhitespace is what Python's str.rstrip() removes (ASCII part; the
// Unicode spaces do not occur at the end of template lines).
const pyWhitespace = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\u0085\u00a0"

func parseValue(line string) (*valueDef, error) {
	f := strings.Split(line, " ")
	if len(f) < 3 {
		return nil, pyErr("Expect at least 3 tokens on line.")
	}
	v := &valueDef{}
	if !strings.HasPrefix(f[2], "(") {
		for _, o := range strings.Split(f[1], ",") {
			opt, ok := optionNames[o]
			if !ok {
				return nil, pyErr("Unknown option \"%s\"", o)
			}
			if v.has(opt) {
				return nil, pyErr("Duplicate option \"%s\"", o)
			}
			v.options = append(v.options, opt)
		}
		v.name, v.regex = f[2], strings.Join(f[3:], " ")
	} else {
		v.name, v.regex = f[1], strings.Join(f[2:], " ")
	}
	v.hasFill = v.has(optFilldown)
	if len(v.name) > maxNameLen {
		return nil, pyErr("Invalid Value name '%s' or name too long.", v.name)
	}
	if !valueOptRe.MatchString(v.regex) || strings.Count(v.regex, "(") != strings.Count(v.regex, ")") {
		return nil, pyErr("Value '%s' must be contained within a '()' pair.", v.regex)
	}
	if v.has(optList) {
		re, err := compilePy(v.regex)
		if err != nil {
			return nil, err
		}
		if re.groups > 1 {
			v.nested = re
		}
	}
	return v, nil
}

func (t *Template) parseRule(line string, n int, valueMap map[string]string) (*rule, error) {
	line = strings.Trim(line, pyWhitespace)
	if line == "" {
		return nil, pyErr("Null data in FSMRule. Line: %d", n)
	}
	r := &rule{line: n}
	match, action, hasAction := line, "", false
	if m := matchAction.FindStringSubmatch(line); m != nil {
		match, action, hasAction = m[1], m[3], true
	}
	re := match
	if len(valueMap) > 0 {
		var err error
		if re, err = substitute(match, valueMap); err != nil {
			return nil, pyErr("Duplicate or invalid variable substitution: '%s'. Line: %d.", match, n)
		}
	}
	compiled, err := compilePy(re)
	if err != nil {
		return nil, pyErr("Invalid regular expression: '%s'. Line: %d. (%v)", re, n, err)
	}
	r.regex = compiled
	if compiled.engine != "re2" {
		t.backtrack = true
	}
	r.assign = make([]int, len(compiled.names))
	for i, name := range compiled.names {
		r.assign[i] = -1
		for j, v := range t.values {
			if v.name == name {
				r.assign[i] = j
				break
			}
		}
	}
	if !hasAction {
		return r, nil
	}
	var m []string
	var re2 *regexp.Regexp
	for _, candidate := range []*regexp.Regexp{actionRe, action2Re, action3Re} {
		if m = candidate.FindStringSubmatch(action); m != nil {
			re2 = candidate
			break
		}
	}
	if m == nil {
		return nil, pyErr("Badly formatted rule '%s'. Line: %d.", line, n)
	}
	get := func(name string) string {
		if i := re2.SubexpIndex(name); i > 0 {
			return m[i]
		}
		return ""
	}
	r.lineOp, r.recordOp, r.newState = get("ln_op"), get("rec_op"), get("new_state")
	if r.lineOp == "Continue" && r.newState != "" {
		return nil, pyErr("Action '%s' with new state %s specified. Line: %d.", r.lineOp, r.newState, n)
	}
	if r.lineOp != "Error" && r.newState != "" && !wordStart(r.newState) {
		return nil, pyErr("Alphanumeric characters only in state names. Line: %d.", n)
	}
	return r, nil
}

// pyErr is an error whose text is Python textfsm's own message
// (capitalised, with a full stop), so that users see what Python says.
type pyError string

func (e pyError) Error() string { return string(e) }

func pyErr(format string, args ...any) error {
	return pyError(fmt.Sprintf(format, args...))
}

func wordStart(s string) bool {
	c := s[0]
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// substitute is Python's string.Template(s).substitute(m): "$$" is "$",
// "$name" and "${name}" are replaced (names are ASCII identifiers, case
// insensitive in the pattern), and any other "$" is an error.
func substitute(s string, m map[string]string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		rest := s[i+1:]
		switch {
		case strings.HasPrefix(rest, "$"):
			b.WriteByte('$')
			i++
		case len(rest) > 0 && rest[0] == '{':
			end := identEnd(rest[1:])
			if end == 0 || end+1 >= len(rest) || rest[end+1] != '}' {
				return "", errors.New("invalid placeholder")
			}
			v, ok := m[rest[1:end+1]]
			if !ok {
				return "", errors.New("unknown name")
			}
			b.WriteString(v)
			i += end + 2
		default:
			end := identEnd(rest)
			if end == 0 {
				return "", errors.New("invalid placeholder")
			}
			v, ok := m[rest[:end]]
			if !ok {
				return "", errors.New("unknown name")
			}
			b.WriteString(v)
			i += end
		}
	}
	return b.String(), nil
}

// identEnd is the length of the ASCII identifier at the start of s.
func identEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return i
	}
	return len(s)
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// ListValues reports which Values have the List option.
func (t *Template) ListValues() map[string]bool {
	out := map[string]bool{}
	for _, v := range t.values {
		if v.has(optList) {
			out[v.name] = true
		}
	}
	return out
}
