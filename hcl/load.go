package hcl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"unicode"
	"unicode/utf8"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Option configures Load.
type Option func(*options)

type options struct {
	kinds          map[string]StepKind
	vars           map[string]string
	varFiles       []string
	env            func(string) (string, bool)
	inventoryFiles []string
	baseDir        string
	readFile       func(string) ([]byte, error)
}

// WithStepKinds gives the step kinds a playbook may use; each validates its
// own attributes. Without it, the kinds in DefaultStepKinds are accepted
// and their bodies are not checked.
func WithStepKinds(kinds map[string]StepKind) Option {
	return func(o *options) { o.kinds = kinds }
}

// WithVars sets variables as --var name=value does. A value is read as an
// HCL expression when the variable's type is not string and it parses as
// one; otherwise it is the string itself.
func WithVars(vars map[string]string) Option {
	return func(o *options) { o.vars = vars }
}

// WithVarFiles reads variable values from HCL files of `name = value`
// lines, in order, later files winning (--var-file).
func WithVarFiles(paths []string) Option {
	return func(o *options) { o.varFiles = paths }
}

// WithEnv replaces os.LookupEnv for env() and RUNBOOK_VAR_name.
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(o *options) { o.env = lookup }
}

// WithInventoryFiles takes the inventory from these files (-i) instead of
// the playbook's own inventory blocks. The files hold inventory blocks and
// may use the playbook's variables and locals.
func WithInventoryFiles(paths []string) Option {
	return func(o *options) { o.inventoryFiles = paths }
}

// WithBaseDir sets the directory that file(), templatefile() and
// settings.templates_dir are relative to; by default it is the directory
// of the first playbook file.
func WithBaseDir(dir string) Option {
	return func(o *options) { o.baseDir = dir }
}

// WithReadFile replaces os.ReadFile for every file the loader reads, so
// that tests and fuzzing can load from memory.
func WithReadFile(read func(path string) ([]byte, error)) Option {
	return func(o *options) { o.readFile = read }
}

// DefaultStepKinds are the step kinds accepted when Load has no
// WithStepKinds option.
var DefaultStepKinds = []string{"assert", "backup", "checkpoint", "expect", "save", "send_command", "send_config_set"}

// The names an expression may start with.
const (
	rootVar   = "var"
	rootLocal = "local"
	rootStep  = "step"
	rootHost  = "host"
)

// loader carries state between the decoders of one Load call.
type loader struct {
	opts  options
	pb    *Playbook
	diags hclv2.Diagnostics
	fe    funcEnv

	kindNames []string
	// localExprs are the declared locals, for reference checks.
	localExprs map[string]*hclv2.Attribute
	// stepIndex maps step addresses to declaration index; stepAddrs
	// lists them in declaration order.
	stepIndex map[string]int
	stepAddrs []string
	// bodies of every playbook file in path order.
	bodies []hclv2.Body
}

// topSchema is the top level of a playbook file.
var topSchema = &hclv2.BodySchema{
	Blocks: []hclv2.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "settings"},
		{Type: "rollout"},
		{Type: "rollback"},
		{Type: "inventory"},
		{Type: "step", LabelNames: []string{"kind", "name"}},
		{Type: "compliance", LabelNames: []string{"name"}},
		{Type: "platform", LabelNames: []string{"name"}},
	},
}

// Load reads playbook files (several files form one playbook) and returns
// the validated model. It always returns a Playbook whose Files hold every
// parsed file, so that diagnostics can be printed with snippets; the rest
// of the model is only meaningful when diags has no errors.
func Load(paths []string, opts ...Option) (*Playbook, hclv2.Diagnostics) {
	pb, diags := load(paths, opts...)
	return pb, capDiagnostics(diags, maxDiagnostics)
}

func load(paths []string, opts ...Option) (*Playbook, hclv2.Diagnostics) {
	l := &loader{pb: &Playbook{Files: map[string]*hclv2.File{}, Locals: map[string]cty.Value{}, Inventory: &Inventory{}}}
	for _, o := range opts {
		o(&l.opts)
	}
	if l.opts.env == nil {
		l.opts.env = os.LookupEnv
	}
	if l.opts.readFile == nil {
		l.opts.readFile = readFileLimited
	}
	if l.opts.kinds != nil {
		for k := range l.opts.kinds {
			l.kindNames = append(l.kindNames, k)
		}
		sort.Strings(l.kindNames)
	} else {
		l.kindNames = DefaultStepKinds
	}
	base := l.opts.baseDir
	if base == "" && len(paths) > 0 {
		base = filepath.Dir(paths[0])
	}
	l.pb.BaseDir = base
	l.fe = funcEnv{baseDir: base, lookup: l.opts.env, readFile: l.opts.readFile}

	if len(paths) == 0 {
		l.diags = append(l.diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "No playbook files",
			Detail:   "Give at least one playbook file.",
			Subject:  &hclv2.Range{Filename: "<command line>", Start: hclv2.InitialPos, End: hclv2.InitialPos},
		})
		return l.pb, l.diags
	}

	// Syntax errors stop the load: decoding a half-parsed file only adds
	// confusing follow-on errors. All files are parsed so that every
	// syntax error is reported at once.
	for _, p := range paths {
		if f := l.parseFile(p); f != nil {
			l.bodies = append(l.bodies, f.Body)
		}
	}
	var invBodies []hclv2.Body
	for _, p := range l.opts.inventoryFiles {
		if f := l.parseFile(p); f != nil {
			invBodies = append(invBodies, f.Body)
		}
	}
	if l.diags.HasErrors() {
		return l.pb, l.diags
	}

	var (
		variables, locals, settings, rollouts, rollbacks, inventories, steps []*hclv2.Block
	)
	for _, b := range l.bodies {
		content, diags := b.Content(topSchema)
		l.diags = append(l.diags, diags...)
		for _, blk := range content.Blocks {
			switch blk.Type {
			case "variable":
				variables = append(variables, blk)
			case "locals":
				locals = append(locals, blk)
			case "settings":
				settings = append(settings, blk)
			case "rollout":
				rollouts = append(rollouts, blk)
			case "rollback":
				rollbacks = append(rollbacks, blk)
			case "inventory":
				inventories = append(inventories, blk)
			case "step":
				steps = append(steps, blk)
			}
		}
	}
	if len(invBodies) > 0 {
		// -i replaces the playbook's inventory.
		inventories = nil
		for _, b := range invBodies {
			content, diags := b.Content(inventoryFileSchema)
			l.diags = append(l.diags, diags...)
			inventories = append(inventories, content.Blocks...)
		}
	}

	l.decodeVariables(variables)
	l.decodeLocals(locals)
	l.pb.ctx = l.rootContext()
	l.decodeSettings(settings)
	l.decodeRollout(rollouts)
	l.decodePlatforms()
	l.decodeInventories(inventories)
	l.decodeSteps(steps)
	l.decodeRollback(rollbacks)
	l.decodeCompliance()
	l.dropSyntaxTrees()
	return l.pb, l.diags
}

// dropSyntaxTrees keeps only the source of each file once the model is
// built: diagnostics need no more than that for their snippets, and the
// syntax tree of a 10,000-host inventory is about 20 MiB that would
// otherwise stay in memory for the whole run. The expressions steps
// evaluate at run time are held by the steps themselves.
func (l *loader) dropSyntaxTrees() {
	for path, f := range l.pb.Files {
		l.pb.Files[path] = &hclv2.File{Bytes: f.Bytes, Body: hclv2.EmptyBody()}
	}
}

// inventoryFileSchema is the top level of an -i file.
var inventoryFileSchema = &hclv2.BodySchema{
	Blocks: []hclv2.BlockHeaderSchema{{Type: "inventory"}},
}

func (l *loader) parseFile(path string) *hclv2.File {
	src, d := l.readSource(path, hclv2.Range{Filename: path, Start: hclv2.InitialPos, End: hclv2.InitialPos})
	if d != nil {
		l.diags = append(l.diags, d)
		return nil
	}
	// Check what hclsyntax cannot survive or cannot report usefully
	// before handing it the source: a stack overflow is fatal in Go.
	if d := checkSource(src, path); d != nil {
		l.pb.Files[path] = &hclv2.File{Bytes: src, Body: hclv2.EmptyBody()}
		l.diags = append(l.diags, d)
		return nil
	}
	f, diags := hclsyntax.ParseConfig(src, path, hclv2.InitialPos)
	l.pb.Files[path] = f
	if f == nil {
		// hclsyntax always returns a file, but keep snippets working if not.
		l.pb.Files[path] = &hclv2.File{Bytes: src}
	}
	l.diags = append(l.diags, diags...)
	return f
}

// Loader limits. No real playbook, var file or inventory comes near
// them; they keep a corrupt or hostile file from exhausting the memory or
// the stack of `runbook validate`.
const (
	// maxFileSize is the largest file the loader reads, in bytes.
	maxFileSize = 10 << 20
	// maxNesting bounds how deep brackets, braces, parentheses, strings,
	// template interpolations and directives, conditionals and operators
	// nest in HCL source. The parser and the evaluator recurse once per
	// level, and a Go stack overflow cannot be recovered from.
	maxNesting = 100
	// maxDiagnostics is how many diagnostics Load returns; the rest are
	// summed up in one more.
	maxDiagnostics = 50
)

// errTooLarge is the error the loader's file reader returns for a file
// over maxFileSize.
var errTooLarge = fmt.Errorf("the file is larger than %d MB, the most runbook reads", maxFileSize>>20)

// readFileLimited is os.ReadFile that stops after maxFileSize bytes, so
// that a huge file (or /dev/zero) costs no more than the limit.
func readFileLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > maxFileSize {
		return nil, &os.PathError{Op: "read", Path: path, Err: errTooLarge}
	}
	src, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	if len(src) > maxFileSize {
		return nil, &os.PathError{Op: "read", Path: path, Err: errTooLarge}
	}
	return src, nil
}

// readSource reads a file the loader parses (playbook, var file, YAML
// inventory); from is where an error about it points.
func (l *loader) readSource(path string, from hclv2.Range) ([]byte, *hclv2.Diagnostic) {
	src, err := l.opts.readFile(path)
	if errors.Is(err, errTooLarge) || (err == nil && len(src) > maxFileSize) {
		return nil, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "File too large",
			Detail:   fmt.Sprintf("%s is larger than %d MB, the most runbook reads in one file; split it, or check that it is the file you meant.", path, maxFileSize>>20),
			Subject:  from.Ptr(),
		}
	}
	if err != nil {
		return nil, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Cannot read file",
			Detail:   fmt.Sprintf("Reading %s failed: %s.", path, errText(err)),
			Subject:  from.Ptr(),
		}
	}
	return src, nil
}

// checkSource rejects HCL source that is not UTF-8 text or that nests
// deeper than maxNesting, before any parser sees it. It returns nil for
// source that may be parsed.
func checkSource(src []byte, path string) *hclv2.Diagnostic {
	if !utf8.Valid(src) {
		at := posAt(src, invalidUTF8(src))
		return &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Invalid character encoding",
			Detail:   fmt.Sprintf("%s is not UTF-8 text: the byte at line %d, column %d is not valid UTF-8. Playbooks are UTF-8 text files.", path, at.Line, at.Column),
			Subject:  &hclv2.Range{Filename: path, Start: at, End: at},
		}
	}
	return checkNesting(src, path, hclv2.InitialPos)
}

// invalidUTF8 is the offset of the first byte that is not valid UTF-8.
func invalidUTF8(src []byte) int {
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(src)
}

// posAt is the position of byte offset off in src.
func posAt(src []byte, off int) hclv2.Pos {
	pos := hclv2.Pos{Line: 1, Column: 1, Byte: off}
	for i := 0; i < off && i < len(src); {
		if src[i] == '\n' {
			pos.Line++
			pos.Column = 1
			i++
			continue
		}
		_, n := utf8.DecodeRune(src[i:])
		pos.Column++
		i += n
	}
	return pos
}

// checkNesting reports the first place where src nests deeper than
// maxNesting, or nil. See scanNesting.
func checkNesting(src []byte, filename string, start hclv2.Pos) *hclv2.Diagnostic {
	_, at := scanNesting(src, maxNesting)
	if at < 0 {
		return nil
	}
	pos := posAt(src, at)
	if start.Line > 1 || start.Column > 1 {
		// Source that starts inside another file (a value on the command
		// line starts at 1:1 and needs nothing).
		if pos.Line == 1 {
			pos.Column += start.Column - 1
		}
		pos.Line += start.Line - 1
	}
	pos.Byte += start.Byte
	end := pos
	end.Column++
	end.Byte++
	return &hclv2.Diagnostic{
		Severity: hclv2.DiagError,
		Summary:  "Nesting too deep",
		Detail: fmt.Sprintf("Brackets, braces, parentheses, strings, templates, conditionals and operators nest more than %d deep here. "+
			"runbook does not read such source: no playbook needs it, and parsing it could exhaust the stack.", maxNesting),
		Subject: &hclv2.Range{Filename: filename, Start: pos, End: end},
	}
}

// nestLevel is one open level of HCL source.
type nestLevel struct {
	kind   byte   // '{', '[', '(' (code), '"', '<' (heredoc), '$' (${), '%' (%{), 0 (the file)
	marker []byte // a heredoc's closing marker
	ops    int    // operators, and open %{if}/%{for} in a template
}

// scanNesting measures how deep HCL source nests, without allocating per
// byte: the parser and the evaluator recurse once per level, and a Go
// stack overflow is fatal. Every open bracket, brace, parenthesis,
// string, heredoc, ${ and %{ is a level; so is every %{if} and %{for}
// not yet ended in a template, and every operator since the last comma
// or (where newlines end an expression) newline, since a chain
// a+b+c+... is a tree as deep as it is long. It follows hclsyntax's
// scanner for strings, heredocs and comments, so that nothing it parses
// as code is skipped as text. It returns the deepest level seen and the
// offset where the depth first went over limit, or -1.
func scanNesting(src []byte, limit int) (deepest, at int) {
	stack := make([]nestLevel, 1, 16)
	depth := 0 // len(stack)-1 plus every ops
	push := func(l nestLevel) { stack = append(stack, l); depth++ }
	// pop ends the innermost level of one of the kinds given; in broken
	// source that ends the unclosed levels inside it too.
	pop := func(kinds string) {
		for j := len(stack) - 1; j > 0; j-- {
			if bytes.IndexByte([]byte(kinds), stack[j].kind) >= 0 {
				for _, l := range stack[j:] {
					depth -= 1 + l.ops
				}
				stack = stack[:j]
				return
			}
		}
	}
	// A /* without a */ after it is not a comment.
	lastClose := bytes.LastIndex(src, []byte("*/"))
	i := 0
	for i < len(src) {
		before, tok := depth, i
		top := &stack[len(stack)-1]
		c := src[i]
		switch top.kind {
		case '"', '<':
			if top.kind == '<' && (i == 0 || src[i-1] == '\n') {
				// A heredoc ends at a line that holds only its marker.
				eol := bytes.IndexByte(src[i:], '\n')
				if eol >= 0 && bytes.Equal(bytes.TrimSpace(src[i:i+eol]), top.marker) {
					pop("<")
					i += eol // the newline ends the expression
					continue
				}
			}
			switch {
			case c == '"' && top.kind == '"':
				pop(`"`)
				i++
			case c == '\\' && top.kind == '"':
				if i+1 < len(src) && src[i+1] != '\n' && src[i+1] != '\r' {
					i++
				}
				i++
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 3 // $${ and %%{ are text
			case c == '$' && i+1 < len(src) && src[i+1] == '{':
				push(nestLevel{kind: '$'})
				i += 2
			case c == '%' && i+1 < len(src) && src[i+1] == '{':
				push(nestLevel{kind: '%'})
				i += 2
				// %{if} and %{for} open a level of the template they are
				// in until %{endif} and %{endfor}.
				j := i
				for j < len(src) && (src[j] == '~' || src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
					j++
				}
				k := j
				for k < len(src) && (src[k] >= 0x80 || src[k] == '_' || src[k] == '-' ||
					'a' <= src[k] && src[k] <= 'z' || 'A' <= src[k] && src[k] <= 'Z' || '0' <= src[k] && src[k] <= '9') {
					k++
				}
				tmpl := &stack[len(stack)-2]
				switch string(src[j:k]) {
				case "if", "for":
					tmpl.ops++
					depth++
				case "endif", "endfor":
					if tmpl.ops > 0 {
						tmpl.ops--
						depth--
					}
				}
			default:
				i++
			}
		default: // code
			switch c {
			case '\n':
				if top.kind == '{' || top.kind == 0 {
					depth -= top.ops
					top.ops = 0
				}
				i++
			case ',':
				depth -= top.ops
				top.ops = 0
				i++
			case '#':
				i = lineEnd(src, i)
			case '"':
				push(nestLevel{kind: '"'})
				i++
			case '{', '[', '(':
				push(nestLevel{kind: c})
				i++
			case '}':
				pop("{$%")
				i++
			case ']':
				pop("[")
				i++
			case ')':
				pop("(")
				i++
			case '/':
				switch {
				case i+1 < len(src) && src[i+1] == '/':
					i = lineEnd(src, i)
				case i+1 < len(src) && src[i+1] == '*' && lastClose >= i+2:
					i += 2 + bytes.Index(src[i+2:], []byte("*/")) + 2
				default: // an unclosed /* is two operators
					top.ops++
					depth++
					i++
				}
			case '<':
				if marker, n := heredocOpener(src[i:]); n > 0 {
					push(nestLevel{kind: '<', marker: marker})
					i += n
				} else {
					top.ops++
					depth++
					i++
					if i < len(src) && src[i] == '=' {
						i++ // <=
					}
				}
			case '=':
				if i+1 < len(src) && (src[i+1] == '>' || src[i+1] == '=') {
					if src[i+1] == '=' {
						top.ops++
						depth++
					}
					i++
				}
				i++
			case '!', '-', '+', '*', '%', '?', '>', '&', '|':
				top.ops++
				depth++
				i++
				if i < len(src) && (src[i] == '=' && (c == '!' || c == '>') || src[i] == c && (c == '&' || c == '|')) {
					i++ // != >= && ||
				}
			default:
				i++
			}
		}
		if depth > deepest {
			deepest = depth
		}
		if depth > limit && depth > before {
			return deepest, tok
		}
	}
	return deepest, -1
}

// lineEnd is the offset of the newline that ends the line at i, or the
// end of src.
func lineEnd(src []byte, i int) int {
	if e := bytes.IndexByte(src[i:], '\n'); e >= 0 {
		return i + e
	}
	return len(src)
}

// heredocOpener matches hclsyntax's '<<' '-'? Ident Newline at the start
// of b and returns the marker and the opener's length, or 0.
func heredocOpener(b []byte) ([]byte, int) {
	if len(b) < 3 || b[0] != '<' || b[1] != '<' {
		return nil, 0
	}
	i := 2
	if b[i] == '-' {
		i++
	}
	start := i
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		ok := r == '_' || unicode.IsLetter(r)
		if i > start {
			ok = ok || r == '-' || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Nl)
		}
		if !ok {
			break
		}
		i += n
	}
	if i == start {
		return nil, 0
	}
	marker := b[start:i]
	if i < len(b) && b[i] == '\r' {
		i++
	}
	if i >= len(b) || b[i] != '\n' {
		return nil, 0
	}
	return marker, i + 1
}

// capDiagnostics keeps the first max diagnostics and sums up the rest
// in one more, an error when any of them is. Millions of diagnostics
// (a binary file) help nobody and cost memory and time to print.
func capDiagnostics(diags hclv2.Diagnostics, max int) hclv2.Diagnostics {
	if len(diags) <= max {
		return diags
	}
	rest := diags[max:]
	sev := hclv2.DiagWarning
	errs := 0
	for _, d := range rest {
		if d.Severity == hclv2.DiagError {
			sev = hclv2.DiagError
			errs++
		}
	}
	first := rest[0]
	subject := first.Subject
	if subject == nil {
		subject = &hclv2.Range{Filename: "<playbook>", Start: hclv2.InitialPos, End: hclv2.InitialPos}
	}
	out := append(diags[:max:max], &hclv2.Diagnostic{
		Severity: sev,
		Summary:  fmt.Sprintf("And %d more", len(rest)),
		Detail: fmt.Sprintf("%d more diagnostics (%d errors) are not shown; the next one is %q. Fix the ones above first.",
			len(rest), errs, first.Summary),
		Subject: subject,
		// The subject is only a place to start; its line may be a secret.
		Extra: RedactSubject{},
	})
	return out
}

// errText is an OS error without the path it repeats.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// rootContext is var, local and the functions: everything but host and step.
func (l *loader) rootContext() *hclv2.EvalContext {
	return &hclv2.EvalContext{
		Variables: map[string]cty.Value{
			rootVar:   l.pb.varObject(),
			rootLocal: cty.ObjectVal(l.pb.Locals),
		},
		Functions: functions(l.fe),
	}
}

func (p *Playbook) varObject() cty.Value {
	vals := map[string]cty.Value{}
	for _, v := range p.Variables {
		vals[v.Name] = v.Value
	}
	return cty.ObjectVal(vals)
}
