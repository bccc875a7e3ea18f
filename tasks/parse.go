package tasks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/runbook-dev/runbook/parse"
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

// TemplateError is a template that cannot be used: it says which
// template and which line. It wraps ErrTextFSM.
type TemplateError = parse.TemplateError

// textfsmError wraps an error of the parse package as ErrTextFSM.
func textfsmError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrTextFSM, err)
}

// Parser turns command output into records with a TextFSM template that
// is compiled once, or, for textfsm = "auto", with the template the index
// gives for each host's platform and the step's command, compiled on
// first use. It is safe for concurrent use.
type Parser struct {
	tmpl       *parse.Template // explicit template; nil for "auto"
	lib        *library        // "auto"
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
	t, err := parse.Compile(name, src)
	if err != nil {
		return nil, textfsmError(err)
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
		return p.tmpl.Name(), nil
	}
	if command == "" {
		return "", errors.New(`textfsm = "auto" needs the step's command to find a template (only send_command steps have one, and it must not be sensitive)`)
	}
	_, name, err := p.lib.resolve(platform, command)
	return name, err
}

// parse returns the records and the field order. Records from the index
// ("auto") are what ntc-templates' parse_output returns (clitable: List
// items through str()); records from an explicit template are what
// TextFSM.ParseText returns (None stays null). Keys are lower-cased.
func (p *Parser) parse(platform, command, output string) ([]map[string]any, []string, error) {
	var header []string
	var rows [][]any
	var name string
	if p.lib != nil {
		if command == "" {
			_, err := p.Resolve(platform, command)
			return nil, nil, err
		}
		ts, n, err := p.lib.resolve(platform, command)
		if err != nil {
			return nil, nil, err
		}
		name = n
		if header, rows, err = parse.ParseCmd(ts, output); err != nil {
			return nil, nil, textfsmError(err)
		}
	} else {
		name = p.tmpl.Name()
		var err error
		if rows, err = p.tmpl.ParseText(output); err != nil {
			return nil, nil, textfsmError(err)
		}
		header = p.tmpl.Header()
	}
	records := parse.Lower(header, rows)
	fields := make([]string, len(header))
	for i, h := range header {
		fields[i] = strings.ToLower(h)
	}
	if len(records) == 0 && !p.allowEmpty {
		return nil, fields, fmt.Errorf("%w: template %s matched nothing in the output (%d bytes); set allow_empty = true if an empty result is expected", ErrNoRecords, name, len(output))
	}
	return records, fields, nil
}

// Fields returns the record fields an explicit template gives (nil for
// "auto", whose template depends on the host: see FieldsFor).
func (p *Parser) Fields() []RecordField {
	if p.lib != nil {
		return nil
	}
	return recordFields([]*parse.Template{p.tmpl})
}

// FieldsFor resolves the "auto" template for platform and command, as a
// run would, and returns its record fields. The error is the run's error
// (no template, an unreadable template), found before anything connects.
func (p *Parser) FieldsFor(platform, command string) ([]RecordField, error) {
	if p.lib == nil {
		return p.Fields(), nil
	}
	ts, _, err := p.lib.resolve(platform, command)
	if err != nil {
		return nil, err
	}
	return recordFields(ts), nil
}

// recordFields lists the lower-cased Value names of one index row's
// templates, as the records carry them (later templates add columns).
func recordFields(ts []*parse.Template) []RecordField {
	var out []RecordField
	seen := map[string]bool{}
	for _, t := range ts {
		lists := t.ListValues()
		for _, h := range t.Header() {
			name := strings.ToLower(h)
			if seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, RecordField{Name: name, List: lists[h]})
		}
	}
	return out
}
