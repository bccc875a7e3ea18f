package hcl

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// MarkSensitive is the cty mark carried by values of variables declared
// `sensitive = true`. Consumers treat any marked value as sensitive.
const MarkSensitive = "sensitive"

// funcEnv is what the functions that touch the outside world need.
type funcEnv struct {
	baseDir  string
	lookup   func(string) (string, bool)
	readFile func(string) ([]byte, error)
	// missing, when set, makes env() of an unset variable return "" and
	// record the name instead of failing: credentials are only needed
	// when connecting, so validate must pass without them.
	missing *[]string
}

// FunctionNames lists every function a playbook may call, sorted.
func FunctionNames() []string {
	fs := functions(funcEnv{})
	names := make([]string, 0, len(fs))
	for n := range fs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// functions returns the function table: the part of the cty standard
// library that Terraform users know by name, plus env, file and
// templatefile bound to fe.
func functions(fe funcEnv) map[string]function.Function {
	fs := map[string]function.Function{
		"abs":             stdlib.AbsoluteFunc,
		"can":             tryfunc.CanFunc,
		"ceil":            stdlib.CeilFunc,
		"chomp":           stdlib.ChompFunc,
		"chunklist":       stdlib.ChunklistFunc,
		"coalesce":        stdlib.CoalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"csvdecode":       stdlib.CSVDecodeFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"endswith":        endsWithFunc,
		"flatten":         stdlib.FlattenFunc,
		"floor":           stdlib.FloorFunc,
		"format":          stdlib.FormatFunc,
		"formatdate":      stdlib.FormatDateFunc,
		"formatlist":      stdlib.FormatListFunc,
		"indent":          stdlib.IndentFunc,
		"index":           stdlib.IndexFunc,
		"join":            stdlib.JoinFunc,
		"jsondecode":      stdlib.JSONDecodeFunc,
		"jsonencode":      stdlib.JSONEncodeFunc,
		"keys":            stdlib.KeysFunc,
		"length":          stdlib.LengthFunc,
		"log":             stdlib.LogFunc,
		"lookup":          stdlib.LookupFunc,
		"lower":           stdlib.LowerFunc,
		"max":             stdlib.MaxFunc,
		"merge":           stdlib.MergeFunc,
		"min":             stdlib.MinFunc,
		"parseint":        stdlib.ParseIntFunc,
		"pow":             stdlib.PowFunc,
		"range":           stdlib.RangeFunc,
		"regex":           stdlib.RegexFunc,
		"regexall":        stdlib.RegexAllFunc,
		"replace":         replaceFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setproduct":      stdlib.SetProductFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"signum":          stdlib.SignumFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"split":           stdlib.SplitFunc,
		"startswith":      startsWithFunc,
		"strcontains":     strContainsFunc,
		"strlen":          stdlib.StrlenFunc,
		"strrev":          stdlib.ReverseFunc,
		"substr":          stdlib.SubstrFunc,
		"timeadd":         stdlib.TimeAddFunc,
		"title":           stdlib.TitleFunc,
		"tobool":          stdlib.MakeToFunc(cty.Bool),
		"tolist":          stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":           stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":        stdlib.MakeToFunc(cty.Number),
		"toset":           stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":        stdlib.MakeToFunc(cty.String),
		"trim":            stdlib.TrimFunc,
		"trimprefix":      stdlib.TrimPrefixFunc,
		"trimspace":       stdlib.TrimSpaceFunc,
		"trimsuffix":      stdlib.TrimSuffixFunc,
		"try":             tryfunc.TryFunc,
		"upper":           stdlib.UpperFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,
	}
	fs["env"] = envFunc(fe)
	fs["file"] = fileFunc(fe)
	fs["templatefile"] = templateFileFunc(fe, fs)
	return fs
}

func envFunc(fe funcEnv) function.Function {
	return function.New(&function.Spec{
		Description: "Returns an environment variable, or the default when it is unset.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam:    &function.Parameter{Name: "default", Type: cty.String},
		Type:        function.StaticReturnType(cty.String),
		RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder {
			return b.NotNull()
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, function.NewArgErrorf(2, "env takes a name and at most one default")
			}
			name := args[0].AsString()
			if fe.lookup != nil {
				if v, ok := fe.lookup(name); ok {
					return cty.StringVal(v), nil
				}
			}
			if len(args) == 2 {
				return args[1], nil
			}
			if fe.missing != nil {
				*fe.missing = append(*fe.missing, name)
				return cty.StringVal(""), nil
			}
			return cty.NilVal, fmt.Errorf("environment variable %s is not set; set it, or give a default: env(%q, \"\")", name, name)
		},
	})
}

// resolve makes a function's path argument relative to the playbook.
func (fe funcEnv) resolve(p string) string {
	if filepath.IsAbs(p) || fe.baseDir == "" {
		return p
	}
	return filepath.Join(fe.baseDir, p)
}

func (fe funcEnv) read(p string) ([]byte, error) {
	read := fe.readFile
	if read == nil {
		read = os.ReadFile
	}
	b, err := read(fe.resolve(p))
	if err != nil {
		// The OS error names the resolved path, which is what users need.
		return nil, err
	}
	return b, nil
}

func fileFunc(fe funcEnv) function.Function {
	return function.New(&function.Spec{
		Description: "Reads a file relative to the playbook's directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, err := fe.read(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

// templateFileFunc renders a file as an HCL template with the given vars,
// as Terraform's templatefile does. The template may call every function
// but templatefile itself, so rendering cannot recurse.
func templateFileFunc(fe funcEnv, fs map[string]function.Function) function.Function {
	render := func(args []cty.Value) (cty.Value, error) {
		path := args[0].AsString()
		src, err := fe.read(path)
		if err != nil {
			return cty.NilVal, err
		}
		if d := checkNesting(src, fe.resolve(path), hclv2.Pos{Line: 1, Column: 1, Byte: 0}); d != nil {
			return cty.NilVal, fmt.Errorf("%s: %s", d.Summary, d.Detail)
		}
		expr, diags := hclsyntax.ParseTemplate(src, fe.resolve(path), hclv2.Pos{Line: 1, Column: 1, Byte: 0})
		if diags.HasErrors() {
			return cty.NilVal, diagsError(diags)
		}
		vars := args[1]
		if !vars.IsWhollyKnown() {
			return cty.UnknownVal(cty.String), nil
		}
		if vars.IsNull() || !(vars.Type().IsObjectType() || vars.Type().IsMapType()) {
			return cty.NilVal, function.NewArgErrorf(1, "template variables must be an object or a map")
		}
		inner := map[string]function.Function{}
		for n, f := range fs {
			if n != "templatefile" {
				inner[n] = f
			}
		}
		ctx := &hclv2.EvalContext{Variables: vars.AsValueMap(), Functions: inner}
		v, diags := expr.Value(ctx)
		if diags.HasErrors() {
			return cty.NilVal, diagsError(diags)
		}
		return v, nil
	}
	return function.New(&function.Spec{
		Description: "Renders a template file with the given variables.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: func(args []cty.Value) (cty.Type, error) {
			if !args[0].IsKnown() || !args[1].IsWhollyKnown() {
				return cty.DynamicPseudoType, nil
			}
			v, err := render(args)
			if err != nil {
				return cty.NilType, err
			}
			return v.Type(), nil
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return render(args)
		},
	})
}

// diagsError flattens diagnostics of a nested evaluation into one error.
func diagsError(diags hclv2.Diagnostics) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity != hclv2.DiagError {
			continue
		}
		m := d.Summary
		if d.Detail != "" {
			m += ": " + d.Detail
		}
		if d.Subject != nil {
			m = fmt.Sprintf("%s:%d,%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, m)
		}
		msgs = append(msgs, m)
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

func stringPredicate(desc string, f func(s, sub string) bool) function.Function {
	return function.New(&function.Spec{
		Description: desc,
		Params: []function.Parameter{
			{Name: "str", Type: cty.String},
			{Name: "substr", Type: cty.String},
		},
		Type: function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var (
	startsWithFunc  = stringPredicate("Reports whether str starts with substr.", strings.HasPrefix)
	endsWithFunc    = stringPredicate("Reports whether str ends with substr.", strings.HasSuffix)
	strContainsFunc = stringPredicate("Reports whether str contains substr.", strings.Contains)
)

// replaceFunc is Terraform's replace: a substring wrapped in slashes is a
// regular expression, anything else is replaced literally.
var replaceFunc = function.New(&function.Spec{
	Description: "Replaces substr (or /regexp/) in str with replace.",
	Params: []function.Parameter{
		{Name: "str", Type: cty.String},
		{Name: "substr", Type: cty.String},
		{Name: "replace", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		str, sub, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
		if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
			re, err := regexp.Compile(sub[1 : len(sub)-1])
			if err != nil {
				return cty.NilVal, function.NewArgError(1, err)
			}
			return cty.StringVal(re.ReplaceAllString(str, repl)), nil
		}
		return cty.StringVal(strings.ReplaceAll(str, sub, repl)), nil
	},
})
