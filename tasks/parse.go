package tasks

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sirikothe/gotextfsm"
)

// ParseSpec is a step's `parse {}` block.
type ParseSpec struct {
	// TextFSM is a template path, relative to BaseDir; "auto" asks for the
	// ntc-templates index (not supported yet).
	TextFSM string
	// Template is an inline template.
	Template   string
	AllowEmpty bool
	BaseDir    string
}

// ErrNoRecords is returned by Parse when the template matched nothing and
// the parse block does not allow that.
var ErrNoRecords = errors.New("parse produced no records")

// Parser turns command output into records with a TextFSM template that
// is compiled once. It is safe for concurrent use.
type Parser struct {
	name       string // template path, or "inline template", for errors
	proto      gotextfsm.TextFSM
	allowEmpty bool
}

// CompileParse reads and compiles the template of a parse block.
func CompileParse(spec ParseSpec) (*Parser, error) {
	var src, name string
	switch {
	case spec.TextFSM != "" && spec.Template != "":
		return nil, errors.New(`only one of "textfsm" (a template file) and "template" (an inline template) may be set`)
	case spec.TextFSM == "auto":
		return nil, errors.New(`textfsm = "auto" (the ntc-templates index lookup) is not supported yet; give a template file path or an inline template`)
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
	p := &Parser{name: name, allowEmpty: spec.AllowEmpty}
	if err := p.proto.ParseString(anchorRules(src)); err != nil {
		return nil, fmt.Errorf("TextFSM template %s: %v", name, err)
	}
	return p, nil
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

// Parse runs the template over output. Each call uses its own copy of the
// template's value state: gotextfsm keeps the current and Filldown values
// inside TextFSM.Values (a map shared by struct copies), so parsing with
// the compiled template itself would race between devices and leak
// Filldown values from one device's output into the next.
func (p *Parser) Parse(output string) ([]map[string]any, error) {
	fsm := p.proto
	fsm.Values = maps.Clone(p.proto.Values) // never parsed with: values are clear
	var out gotextfsm.ParserOutput
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(output, "\r", "")))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024) // long config lines
	if err := out.ParseTextScanner(sc, fsm, true); err != nil {
		return nil, fmt.Errorf("TextFSM template %s: %v", p.name, err)
	}
	records := make([]map[string]any, 0, len(out.Dict))
	for _, rec := range out.Dict {
		m := make(map[string]any, len(rec))
		for k, v := range rec {
			m[strings.ToLower(k)] = plainValue(v)
		}
		records = append(records, m)
	}
	if len(records) == 0 && !p.allowEmpty {
		return nil, ErrNoRecords
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
