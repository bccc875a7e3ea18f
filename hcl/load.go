package hcl

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

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
var DefaultStepKinds = []string{"assert", "backup", "expect", "save", "send_command", "send_config_set"}

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
		{Type: "inventory"},
		{Type: "step", LabelNames: []string{"kind", "name"}},
	},
}

// Load reads playbook files (several files form one playbook) and returns
// the validated model. It always returns a Playbook whose Files hold every
// parsed file, so that diagnostics can be printed with snippets; the rest
// of the model is only meaningful when diags has no errors.
func Load(paths []string, opts ...Option) (*Playbook, hclv2.Diagnostics) {
	l := &loader{pb: &Playbook{Files: map[string]*hclv2.File{}, Locals: map[string]cty.Value{}, Inventory: &Inventory{}}}
	for _, o := range opts {
		o(&l.opts)
	}
	if l.opts.env == nil {
		l.opts.env = os.LookupEnv
	}
	if l.opts.readFile == nil {
		l.opts.readFile = os.ReadFile
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
		variables, locals, settings, inventories, steps []*hclv2.Block
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
	l.decodeInventories(inventories)
	l.decodeSteps(steps)
	return l.pb, l.diags
}

// inventoryFileSchema is the top level of an -i file.
var inventoryFileSchema = &hclv2.BodySchema{
	Blocks: []hclv2.BlockHeaderSchema{{Type: "inventory"}},
}

func (l *loader) parseFile(path string) *hclv2.File {
	src, err := l.opts.readFile(path)
	if err != nil {
		l.diags = append(l.diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Cannot read file",
			Detail:   fmt.Sprintf("Reading %s failed: %s.", path, errText(err)),
			Subject:  &hclv2.Range{Filename: path, Start: hclv2.InitialPos, End: hclv2.InitialPos},
		})
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
