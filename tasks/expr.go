package tasks

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// ExprEnv is what `assert` and `when` expressions see. It is typed so
// that a name that cannot exist (`outptu`, `host.nmae`) is a
// validate-time error. Values whose shape depends on the run (vars,
// records, earlier steps) are `any` and checked at run time.
type ExprEnv struct {
	Output string `expr:"output"`
	// Result holds the parsed records of this step.
	Result []any `expr:"result"`
	// Steps holds earlier steps' Result.Value() by name and by "kind.name".
	Steps map[string]any `expr:"steps"`
	Vars  map[string]any `expr:"vars"`
	Host  ExprHost       `expr:"host"`
}

// ExprHost is the `host` of an expression: the inventory facts, never
// credentials.
type ExprHost struct {
	Name     string         `expr:"name"`
	Address  string         `expr:"address"`
	Port     int            `expr:"port"`
	Platform string         `expr:"platform"`
	Groups   []string       `expr:"groups"`
	Tags     []string       `expr:"tags"`
	Vars     map[string]any `expr:"vars"`
}

func compileOpts(asBool bool) []expr.Option {
	opts := append([]expr.Option{expr.Env(ExprEnv{})}, exprFunctions()...)
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	return opts
}

// Condition is a compiled `when` expression.
type Condition struct {
	source  string
	program *vm.Program
	values  *Assertion // its names, shown when it cannot be evaluated
}

// CompileCondition compiles a `when` expression; it must be a bool.
func CompileCondition(source string) (*Condition, error) {
	p, err := expr.Compile(source, compileOpts(true)...)
	if err != nil {
		return nil, cleanExprError(err)
	}
	values := &Assertion{source: source}
	values.compileExplainers()
	return &Condition{source: source, program: p, values: values}, nil
}

// Eval evaluates the condition. An expression that cannot be evaluated
// (nil where a number is needed, say) is an error naming the expression
// and the values of its names: the step must not silently not run.
func (c *Condition) Eval(env ExprEnv) (bool, error) {
	ok, err := runBool(c.program, env)
	if err != nil {
		return false, fmt.Errorf("%q cannot be evaluated: %w%s", c.source, err, c.values.valuesOf(env))
	}
	return ok, nil
}

func runBool(p *vm.Program, e ExprEnv) (bool, error) {
	out, err := expr.Run(p, e)
	if err != nil {
		return false, cleanExprError(err)
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("expression returned %s, not a bool", describeType(out))
	}
	return b, nil
}

func describeType(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// cleanExprError keeps expr's message (it already points at the column)
// but drops Go type names of the environment, which mean nothing to the
// playbook author.
func cleanExprError(err error) error {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "tasks.ExprHost", "host")
	msg = strings.ReplaceAll(msg, "tasks.ExprEnv", "the environment")
	return errors.New(msg)
}

// Assertion is a compiled `assert "name" { expr, message }` block.
type Assertion struct {
	name    string
	source  string
	message string
	program *vm.Program
	// explainers evaluate the parts of the expression that say why it
	// failed; compiled once here, run only on failure.
	quantifiers []quantifier
	chains      []chain
}

// quantifier explains an all/any/none/one over a list.
type quantifier struct {
	kind    string // all, any, none, one
	text    string // the call as written (normalised by expr's printer)
	total   *vm.Program
	matched *vm.Program // for all: the elements failing the predicate
}

// chain is an identifier or member chain whose value is shown on failure.
type chain struct {
	text    string
	program *vm.Program
}

// AssertOutcome is the result of one assertion.
type AssertOutcome struct {
	Passed  bool
	Message string
}

// CompileAssert compiles an assertion's expression; it must be a bool and
// may only use the names of the expression environment.
func CompileAssert(name, source, message string) (*Assertion, error) {
	p, err := expr.Compile(source, compileOpts(true)...)
	if err != nil {
		return nil, cleanExprError(err)
	}
	a := &Assertion{name: name, source: source, message: message, program: p}
	a.compileExplainers()
	return a, nil
}

// Name of the assertion.
func (a *Assertion) Name() string { return a.name }

// Source of the expression.
func (a *Assertion) Source() string { return a.source }

// Eval evaluates the assertion. A runtime error in the expression (e.g.
// indexing an empty result) is returned as an error, which fails the step
// like a failed assertion.
func (a *Assertion) Eval(e ExprEnv) (AssertOutcome, error) {
	ok, err := runBool(a.program, e)
	if err != nil {
		return AssertOutcome{}, fmt.Errorf("%w%s", err, a.valuesOf(e))
	}
	if ok {
		return AssertOutcome{Passed: true}, nil
	}
	return AssertOutcome{Message: a.explain(e)}, nil
}

// collector gathers nodes with ast.Walk.
type collector struct{ nodes []ast.Node }

func (c *collector) Visit(n *ast.Node) { c.nodes = append(c.nodes, *n) }

func walk(n ast.Node) []ast.Node {
	c := &collector{}
	ast.Walk(&n, c)
	return c.nodes
}

// compileExplainers finds, in the unoptimised AST, the quantifiers and the
// identifier/member chains, and compiles a program for each. Parts that do
// not compile on their own (they use # or a variable of an enclosing
// predicate) are simply not explained.
func (a *Assertion) compileExplainers() {
	tree, err := parser.Parse(a.source)
	if err != nil {
		return
	}
	nodes := walk(tree.Node)
	covered := map[ast.Node]bool{}
	for _, n := range nodes {
		b, ok := n.(*ast.BuiltinNode)
		if !ok || len(b.Arguments) != 2 {
			continue
		}
		pred, ok := b.Arguments[1].(*ast.PredicateNode)
		if !ok {
			continue
		}
		var body string
		switch b.Name {
		case "all":
			body = "!(" + pred.Node.String() + ")"
		case "any", "none", "one":
			body = pred.Node.String()
		default:
			continue
		}
		list := b.Arguments[0].String()
		total, err1 := expr.Compile("len("+list+")", compileOpts(false)...)
		matched, err2 := expr.Compile("filter("+list+", {"+body+"})", compileOpts(false)...)
		if err1 != nil || err2 != nil {
			continue
		}
		// expr's printer drops the predicate's braces; put them back so the
		// message reads like what the author wrote.
		text := fmt.Sprintf("%s(%s, {%s})", b.Name, list, pred.Node.String())
		a.quantifiers = append(a.quantifiers, quantifier{kind: b.Name, text: text, total: total, matched: matched})
		for _, sub := range walk(b) {
			covered[sub] = true
		}
	}
	// A chain is shown at its longest: skip nodes that are the object of
	// a member access.
	inner := map[ast.Node]bool{}
	for _, n := range nodes {
		if m, ok := n.(*ast.MemberNode); ok {
			inner[m.Node] = true
		}
	}
	seen := map[string]bool{}
	for _, n := range nodes {
		if covered[n] || inner[n] || !isEnvChain(n) {
			continue
		}
		text := n.String()
		if seen[text] {
			continue
		}
		seen[text] = true
		if p, err := expr.Compile(text, compileOpts(false)...); err == nil {
			a.chains = append(a.chains, chain{text: text, program: p})
		}
	}
}

// envNames are the top-level names of ExprEnv.
var envNames = map[string]bool{"output": true, "result": true, "steps": true, "vars": true, "host": true}

// isEnvChain reports whether n is output, vars.x, steps.pre.output, ...:
// an identifier or member chain rooted at an environment name.
func isEnvChain(n ast.Node) bool {
	for {
		switch v := n.(type) {
		case *ast.IdentifierNode:
			return envNames[v.Value]
		case *ast.MemberNode:
			n = v.Node
		case *ast.ChainNode:
			n = v.Node
		default:
			return false
		}
	}
}

// Limits of failure messages: enough to act on, short enough for a recap.
const (
	maxElements   = 5
	maxValueChars = 300
	maxMessage    = 2000
)

func (a *Assertion) explain(e ExprEnv) string {
	var parts []string
	for _, q := range a.quantifiers {
		if s := q.explain(e); s != "" {
			parts = append(parts, s)
		}
	}
	for _, c := range a.chains {
		v, err := expr.Run(c.program, e)
		if err != nil {
			continue
		}
		parts = append(parts, c.text+" = "+truncate(formatValue(v), maxValueChars))
	}
	msg := a.message
	if msg == "" {
		msg = "assertion " + a.source + " is false"
	}
	if len(parts) > 0 {
		msg += ": " + strings.Join(parts, "; ")
	}
	return truncate(msg, maxMessage)
}

// valuesOf lists the values of the expression's names ("; values:
// host.vars.rack = null"), or "" when it has none that evaluate.
func (a *Assertion) valuesOf(e ExprEnv) string {
	var parts []string
	for _, c := range a.chains {
		v, err := expr.Run(c.program, e)
		if err != nil {
			continue
		}
		parts = append(parts, c.text+" = "+truncate(formatValue(v), maxValueChars))
	}
	if len(parts) == 0 {
		return ""
	}
	return truncate("; values: "+strings.Join(parts, ", "), maxMessage)
}

func (q quantifier) explain(e ExprEnv) string {
	tv, err := expr.Run(q.total, e)
	if err != nil {
		return ""
	}
	total, _ := tv.(int)
	mv, err := expr.Run(q.matched, e)
	if err != nil {
		return ""
	}
	matched, _ := mv.([]any)
	k := len(matched)
	switch q.kind {
	case "all":
		if k == 0 {
			return "" // this quantifier held; another part failed
		}
		return fmt.Sprintf("expected %s but %d of %d elements failed: %s", q.text, k, total, formatElements(matched))
	case "none":
		if k == 0 {
			return ""
		}
		return fmt.Sprintf("expected %s but %d of %d elements matched: %s", q.text, k, total, formatElements(matched))
	case "one":
		if k == 1 {
			return ""
		}
		if k == 0 {
			return fmt.Sprintf("expected %s but none of %d elements matched", q.text, total)
		}
		return fmt.Sprintf("expected %s but %d of %d elements matched: %s", q.text, k, total, formatElements(matched))
	case "any":
		if k > 0 {
			return ""
		}
		return fmt.Sprintf("expected %s but none of %d elements matched", q.text, total)
	}
	return ""
}

func formatElements(xs []any) string {
	shown := xs
	if len(shown) > maxElements {
		shown = shown[:maxElements]
	}
	parts := make([]string, len(shown))
	for i, x := range shown {
		parts[i] = truncate(formatValue(x), maxValueChars)
	}
	s := "[" + strings.Join(parts, ", ")
	if len(xs) > maxElements {
		s += fmt.Sprintf(", ... and %d more", len(xs)-maxElements)
	}
	return s + "]"
}

// formatValue renders a value as JSON (readable for records and lists,
// and strings come out quoted with their escapes).
func formatValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && cut < len(s) && !isRuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d more bytes)", s[:cut], len(s)-cut)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
