package hcl

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/expr-lang/expr/file"
	exprparser "github.com/expr-lang/expr/parser"
	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

var stepCommonSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "depends_on"},
		{Name: "when"},
		{Name: "timeout"},
		{Name: "retries"},
		{Name: "tags"},
		{Name: "on_failure"},
	},
	Blocks: []hclv2.BlockHeaderSchema{
		{Type: "parse"},
		{Type: "assert", LabelNames: []string{"name"}},
	},
}

var (
	parseSchema = &hclv2.BodySchema{
		Attributes: []hclv2.AttributeSchema{
			{Name: "textfsm"},
			{Name: "template"},
			{Name: "allow_empty"},
		},
	}
	assertSchema = &hclv2.BodySchema{
		Attributes: []hclv2.AttributeSchema{
			{Name: "expr", Required: true},
			{Name: "message"},
		},
	}
)

var onFailureModes = []string{OnFailureStop, OnFailureContinue}

// stepScope is where steps' expressions live: everything is visible.
var stepScope = scope{host: true, step: true, where: "in a step"}

// decodeSteps decodes the step blocks in two passes: first every address,
// so that references may point forward, then each body.
func (l *loader) decodeSteps(blocks []*hclv2.Block) {
	l.stepIndex = map[string]int{}
	var steps []*Step
	for _, blk := range blocks {
		kind, name := blk.Labels[0], blk.Labels[1]
		s := &Step{Kind: kind, Name: name, OnFailure: OnFailureStop, DeclRange: blk.DefRange}
		if !hclsyntax.ValidIdentifier(name) {
			l.diags = append(l.diags, errorAt(blk.LabelRanges[1], "Invalid step name",
				fmt.Sprintf("%q is not a valid step name: use letters, digits, underscores and dashes, starting with a letter, so that step.%s.NAME can refer to it.", name, kind)))
			steps = append(steps, nil)
			continue
		}
		if prev, ok := l.stepIndex[s.Address()]; ok {
			l.diags = append(l.diags, errorAt(blk.LabelRanges[1], "Duplicate step",
				fmt.Sprintf("A step %q was already declared at %s. Give each step of a kind its own name.", "step."+s.Address(), rangeText(steps[prev].DeclRange))))
			steps = append(steps, nil)
			continue
		}
		l.stepIndex[s.Address()] = len(steps)
		l.stepAddrs = append(l.stepAddrs, s.Address())
		steps = append(steps, s)
	}

	ctx := l.stepContext()
	for i, blk := range blocks {
		if steps[i] == nil {
			continue
		}
		l.decodeStepBody(steps[i], blk, ctx)
	}

	deps := map[string][]string{}
	for _, s := range steps {
		if s != nil {
			deps[s.Address()] = s.DependsOn
		}
	}
	for _, c := range findCycles(l.stepAddrs, deps) {
		path := make([]string, len(c))
		for i, a := range c {
			path[i] = "step." + a
		}
		first := steps[l.stepIndex[c[0]]]
		l.diags = append(l.diags, errorAt(first.DeclRange, "Dependency cycle",
			fmt.Sprintf("Steps depend on each other in a loop: %s. Remove one of these dependencies (depends_on or a step.KIND.NAME reference).", strings.Join(path, " -> "))))
	}
	for _, a := range topoOrder(l.stepAddrs, deps) {
		l.pb.Steps = append(l.pb.Steps, steps[l.stepIndex[a]])
	}
}

// stepContext is the context kinds validate with: host and step results
// are not known until a device runs.
func (l *loader) stepContext() *hclv2.EvalContext {
	vars := map[string]cty.Value{}
	for k, v := range l.pb.ctx.Variables {
		vars[k] = v
	}
	vars[rootHost] = cty.DynamicVal
	vars[rootStep] = cty.DynamicVal
	return &hclv2.EvalContext{Variables: vars, Functions: l.pb.ctx.Functions}
}

func (l *loader) decodeStepBody(s *Step, blk *hclv2.Block, ctx *hclv2.EvalContext) {
	content, remain, diags := blk.Body.PartialContent(stepCommonSchema)
	l.diags = append(l.diags, diags...)
	s.Body = remain
	s.addr = s.Kind + "." + s.Name
	if _, ok := blk.Body.(*hclsyntax.Body); ok {
		s.refsKnown = true
		for _, t := range bodyTraversals(blk.Body, "depends_on") {
			s.refsHost = s.refsHost || t.RootName() == rootHost
			s.refsStep = s.refsStep || t.RootName() == rootStep
		}
	}

	kind, kindKnown := l.opts.kinds[s.Kind]
	if l.opts.kinds == nil {
		kindKnown = contains(DefaultStepKinds, s.Kind)
	}
	if !kindKnown {
		l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Unknown step kind",
			fmt.Sprintf("%q is not a step kind; the kinds are %s.%s", s.Kind, listText(l.kindNames), didYouMean(s.Kind, l.kindNames))))
	}

	// Explicit dependencies first, then implicit ones in source order.
	var bad []hclv2.Range
	if attr, ok := content.Attributes["depends_on"]; ok {
		s.DependsOn = append(s.DependsOn, l.dependsOn(attr)...)
	}
	r := l.checkTraversals(bodyTraversals(blk.Body, "depends_on"), stepScope)
	bad = r.bad
	for _, a := range r.steps {
		if !contains(s.DependsOn, a) {
			s.DependsOn = append(s.DependsOn, a)
		}
	}

	if attr, ok := content.Attributes["when"]; ok && !overlapsAny(attr.Expr.Range(), bad) {
		s.When = l.exprLangAttr(attr, ctx)
	}
	if attr, ok := content.Attributes["timeout"]; ok && !overlapsAny(attr.Expr.Range(), bad) {
		if d, ok := l.durationAttr(attr, stepScope); ok {
			s.Timeout = d
		}
	}
	if attr, ok := content.Attributes["retries"]; ok && !overlapsAny(attr.Expr.Range(), bad) {
		if v, ok := l.evalExpr(attr.Name, attr.Expr, cty.Number, stepScope, ctx); ok {
			n, acc := v.AsBigFloat().Int64()
			if acc != big.Exact || n < 0 || n > 100 {
				l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid retries",
					"retries is how many times to retry a failed step: a whole number from 0 to 100."))
			} else {
				s.Retries = int(n)
			}
		}
	}
	if attr, ok := content.Attributes["tags"]; ok && !overlapsAny(attr.Expr.Range(), bad) {
		if v, ok := l.evalExpr(attr.Name, attr.Expr, cty.List(cty.String), stepScope, ctx); ok {
			for _, t := range v.AsValueSlice() {
				if !t.IsNull() && !contains(s.Tags, t.AsString()) {
					s.Tags = append(s.Tags, t.AsString())
				}
			}
		}
	}
	if attr, ok := content.Attributes["on_failure"]; ok && !overlapsAny(attr.Expr.Range(), bad) {
		if v, ok := l.evalExpr(attr.Name, attr.Expr, cty.String, stepScope, ctx); ok {
			if m := v.AsString(); contains(onFailureModes, m) {
				s.OnFailure = m
			} else {
				l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid on_failure",
					fmt.Sprintf("on_failure is %q; it must be \"stop\" (skip what depends on the step) or \"continue\".%s", m, didYouMean(m, onFailureModes))))
			}
		}
	}

	assertNames := map[string]*Assert{}
	for _, b := range content.Blocks {
		switch b.Type {
		case "parse":
			if s.Parse != nil {
				l.diags = append(l.diags, errorAt(b.DefRange, "Duplicate parse block",
					fmt.Sprintf("This step already has a parse block at %s; a step parses its output once.", rangeText(s.Parse.DeclRange))))
				continue
			}
			s.Parse = l.decodeParseBlock(b, ctx, bad)
		case "assert":
			a := l.decodeAssertBlock(b, ctx, bad)
			if a == nil {
				continue
			}
			if prev, ok := assertNames[a.Name]; ok {
				l.diags = append(l.diags, errorAt(b.LabelRanges[0], "Duplicate assertion",
					fmt.Sprintf("This step already has an assertion %q at %s.", a.Name, rangeText(prev.DeclRange))))
				continue
			}
			assertNames[a.Name] = a
			s.Asserts = append(s.Asserts, a)
		}
	}

	if kindKnown && kind != nil {
		_, kdiags := kind.Decode(remain, ctx)
		l.appendFiltered(kdiags, bad)
	}
}

// dependsOn reads `depends_on = [step.KIND.NAME, ...]`.
func (l *loader) dependsOn(attr *hclv2.Attribute) []string {
	exprs, diags := hclv2.ExprList(attr.Expr)
	if diags.HasErrors() {
		l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid depends_on",
			"depends_on is a list of step references, as in depends_on = [step.send_command.pre]."))
		return nil
	}
	var out []string
	for _, e := range exprs {
		t, diags := hclv2.AbsTraversalForExpr(e)
		if diags.HasErrors() || t.RootName() != rootStep || len(t) != 3 {
			l.diags = append(l.diags, errorAt(e.Range(), "Invalid depends_on",
				"Each depends_on entry is a step reference such as step.send_command.pre, written without quotes and without an attribute after the name."))
			continue
		}
		r := l.checkTraversals([]hclv2.Traversal{t}, stepScope)
		for _, a := range r.steps {
			if !contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

func (l *loader) decodeParseBlock(b *hclv2.Block, ctx *hclv2.EvalContext, bad []hclv2.Range) *Parse {
	p := &Parse{DeclRange: b.DefRange}
	c, diags := b.Body.Content(parseSchema)
	l.diags = append(l.diags, diags...)
	str := func(name string) (string, bool) {
		attr, ok := c.Attributes[name]
		if !ok || overlapsAny(attr.Expr.Range(), bad) {
			return "", false
		}
		v, ok := l.evalExpr(name, attr.Expr, cty.String, stepScope, ctx)
		if !ok {
			return "", false
		}
		return v.AsString(), true
	}
	textfsm, hasFSM := str("textfsm")
	tmpl, hasTmpl := str("template")
	p.TextFSM, p.Template = textfsm, tmpl
	_, fsmGiven := c.Attributes["textfsm"]
	_, tmplGiven := c.Attributes["template"]
	switch {
	case fsmGiven && tmplGiven:
		l.diags = append(l.diags, errorAt(c.Attributes["template"].NameRange, "Conflicting parse options",
			"Give either textfsm (a template file, or \"auto\" for the ntc-templates index) or template (inline text), not both."))
	case !fsmGiven && !tmplGiven:
		l.diags = append(l.diags, errorAt(b.DefRange, "Missing parse template",
			"A parse block needs textfsm = \"auto\", textfsm = \"path/to/template.textfsm\" or an inline template = <<EOT ... EOT."))
	case hasFSM && strings.TrimSpace(textfsm) == "":
		l.diags = append(l.diags, errorAt(c.Attributes["textfsm"].Expr.Range(), "Missing parse template", "textfsm is empty; give a template path or \"auto\"."))
	case hasTmpl && strings.TrimSpace(tmpl) == "":
		l.diags = append(l.diags, errorAt(c.Attributes["template"].Expr.Range(), "Missing parse template", "The inline template is empty."))
	}
	if attr, ok := c.Attributes["allow_empty"]; ok && !overlapsAny(attr.Expr.Range(), bad) {
		if v, ok := l.evalExpr(attr.Name, attr.Expr, cty.Bool, stepScope, ctx); ok {
			p.AllowEmpty = v.True()
		}
	}
	return p
}

func (l *loader) decodeAssertBlock(b *hclv2.Block, ctx *hclv2.EvalContext, bad []hclv2.Range) *Assert {
	a := &Assert{Name: b.Labels[0], DeclRange: b.DefRange}
	c, diags := b.Body.Content(assertSchema)
	l.diags = append(l.diags, diags...)
	if !hclsyntax.ValidIdentifier(a.Name) {
		l.diags = append(l.diags, errorAt(b.LabelRanges[0], "Invalid assertion name",
			fmt.Sprintf("%q is not a valid assertion name: use letters, digits, underscores and dashes, starting with a letter.", a.Name)))
	}
	if attr, ok := c.Attributes["expr"]; ok && !overlapsAny(attr.Expr.Range(), bad) {
		if e := l.exprLangAttr(attr, ctx); e != nil {
			a.Expr = *e
		}
	}
	if attr, ok := c.Attributes["message"]; ok && !overlapsAny(attr.Expr.Range(), bad) {
		if v, ok := l.evalExpr(attr.Name, attr.Expr, cty.String, stepScope, ctx); ok {
			a.Message = v.AsString()
		}
	}
	return a
}

// exprLangAttr reads an attribute holding an expr-lang program (when,
// assert expr) and checks its syntax now, so that a typo fails validate
// rather than the run. Type checks need the step's result shape and
// happen when the engine compiles the playbook.
func (l *loader) exprLangAttr(attr *hclv2.Attribute, ctx *hclv2.EvalContext) *Expr {
	v, ok := l.evalExpr(attr.Name, attr.Expr, cty.String, stepScope, ctx)
	if !ok {
		if v != cty.NilVal && !v.IsKnown() {
			l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid expression",
				fmt.Sprintf("%s must be known before the run: write host facts and step results inside the expression (they are in its environment), not as ${...} interpolations.", attr.Name)))
		}
		return nil
	}
	src := v.AsString()
	rng := attr.Expr.Range()
	if strings.TrimSpace(src) == "" {
		l.diags = append(l.diags, errorAt(rng, "Invalid expression", fmt.Sprintf("%s is empty.", attr.Name)))
		return nil
	}
	if _, err := exprparser.Parse(src); err != nil {
		msg := err.Error()
		var fe *file.Error
		if errors.As(err, &fe) {
			msg = fmt.Sprintf("%s (at column %d of the expression)", fe.Message, fe.Column+1)
		}
		l.diags = append(l.diags, errorAt(rng, "Invalid expression syntax",
			fmt.Sprintf("The %s expression does not parse: %s.", attr.Name, strings.TrimSuffix(oneLine(msg), "."))))
		return nil
	}
	return &Expr{Source: src, Range: rng}
}

func overlapsAny(r hclv2.Range, bad []hclv2.Range) bool {
	return overlaps(&hclv2.Diagnostic{Subject: &r}, bad)
}

// bodyTraversals collects the references of every expression in a body,
// nested blocks included, except the top-level attribute skip. Iterator
// names of for expressions are not references; Variables() leaves them out.
func bodyTraversals(body hclv2.Body, skip string) []hclv2.Traversal {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var out []hclv2.Traversal
	var walk func(b *hclsyntax.Body, top bool)
	walk = func(b *hclsyntax.Body, top bool) {
		attrs := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
		for _, a := range b.Attributes {
			if top && a.Name == skip {
				continue
			}
			attrs = append(attrs, a)
		}
		sort.Slice(attrs, func(i, j int) bool { return attrs[i].SrcRange.Start.Byte < attrs[j].SrcRange.Start.Byte })
		for _, a := range attrs {
			out = append(out, a.Expr.Variables()...)
		}
		for _, blk := range b.Blocks {
			walk(blk.Body, false)
		}
	}
	walk(sb, true)
	return out
}
