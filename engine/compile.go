// Package engine plans one step graph per device from a Playbook and its
// inventory, runs the devices on a bounded pool with each device's steps in
// dependency order on one session, and emits events to reporters.
package engine

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/tasks"
)

// Plan is a playbook whose expressions and templates are compiled: it is
// compiled once and then run on every device.
type Plan struct {
	Playbook *hcl.Playbook
	steps    []*planStep
	vars     map[string]any
	// shared holds step names used by more than one kind: expressions must
	// reach those steps as steps["kind.name"].
	shared map[string]bool
	// checkpointAt is the index in steps of the checkpoint step the
	// rollback block restores; -1 without a rollback block.
	checkpointAt int
}

type planStep struct {
	step    *hcl.Step
	kind    tasks.Kind
	deps    []int // indexes into Plan.steps
	when    *tasks.Condition
	parser  *tasks.Parser
	asserts []*tasks.Assertion
	baseDir string
}

// Compile checks and compiles every step's when, parse and assert once.
// p.Steps must already be in a valid order (hcl.Load guarantees it).
func Compile(p *hcl.Playbook, kinds map[string]tasks.Kind) (*Plan, hclv2.Diagnostics) {
	var diags hclv2.Diagnostics
	// Expression errors wait for the type check, whose messages name the
	// playbook's variables, steps and fields; an expression it passes
	// keeps the compiler's own error (a syntax error, say).
	var exprErrs hclv2.Diagnostics
	plan := &Plan{Playbook: p, vars: map[string]any{}, shared: map[string]bool{}, checkpointAt: -1}
	seen := map[string]bool{}
	for _, s := range p.Steps {
		plan.shared[s.Name] = seen[s.Name]
		seen[s.Name] = true
	}
	for _, v := range p.Variables {
		plan.vars[v.Name] = ctyToAny(v.Value)
	}
	index := map[string]int{}
	for i, s := range p.Steps {
		index[s.Address()] = i
	}
	for _, s := range p.Steps {
		ps := &planStep{step: s, kind: kinds[s.Kind], baseDir: filepath.Dir(s.DeclRange.Filename)}
		if ps.kind == nil {
			diags = append(diags, &hclv2.Diagnostic{
				Severity: hclv2.DiagError,
				Summary:  "Unknown step kind",
				Detail:   fmt.Sprintf("Step kind %q has no implementation.", s.Kind),
				Subject:  s.DeclRange.Ptr(),
			})
			continue
		}
		for _, d := range s.DependsOn {
			if i, ok := index[d]; ok {
				ps.deps = append(ps.deps, i)
			}
		}
		if s.When != nil {
			c, err := tasks.CompileCondition(s.When.Source)
			if err != nil {
				exprErrs = append(exprErrs, exprDiag("Invalid when expression", err, s.When.Range))
			}
			ps.when = c
		}
		if s.Parse != nil {
			pr, err := tasks.CompileParse(tasks.ParseSpec{
				TextFSM:      s.Parse.TextFSM,
				Template:     s.Parse.Template,
				AllowEmpty:   s.Parse.AllowEmpty,
				BaseDir:      ps.baseDir,
				TemplatesDir: p.Settings.TemplatesDir,
			})
			if err != nil {
				diags = append(diags, exprDiag("Invalid parse block", err, s.Parse.DeclRange))
			}
			ps.parser = pr
		}
		for _, a := range s.Asserts {
			c, err := tasks.CompileAssert(a.Name, a.Expr.Source, a.Message)
			if err != nil {
				exprErrs = append(exprErrs, exprDiag("Invalid assertion", err, a.Expr.Range))
			}
			ps.asserts = append(ps.asserts, c)
		}
		if p.Rollback != nil && s.Address() == p.Rollback.To {
			plan.checkpointAt = len(plan.steps)
		}
		plan.steps = append(plan.steps, ps)
	}
	if !diags.HasErrors() {
		typed := plan.typeCheck()
		diags = append(diags, typed...)
		for _, e := range exprErrs {
			if !sameExpr(typed, e) {
				diags = append(diags, e)
			}
		}
	} else {
		diags = append(diags, exprErrs...)
	}
	return plan, diags
}

// sameExpr reports whether diags already hold an error for e's expression.
func sameExpr(diags hclv2.Diagnostics, e *hclv2.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == hclv2.DiagError && d.Subject != nil && e.Subject != nil &&
			d.Subject.Filename == e.Subject.Filename && d.Subject.Start.Line == e.Subject.Start.Line && d.Summary == e.Summary {
			return true
		}
	}
	return false
}

// typeCheck compiles every when and assert against the playbook's own
// types: its variables, the inventory's host vars, the steps and the
// record fields of their templates ("auto" templates are looked up for
// every host's platform and the step's command, as the run will). A typo
// that would only show on the device, after the change, is an error now.
func (plan *Plan) typeCheck() hclv2.Diagnostics {
	var diags hclv2.Diagnostics
	p := plan.Playbook
	vars, varTypes := map[string]cty.Value{}, map[string]cty.Type{}
	for _, v := range p.Variables {
		vars[v.Name], varTypes[v.Name] = v.Value, v.Type
	}
	var hosts []*hcl.Host
	if p.Inventory != nil {
		hosts = p.Inventory.Hosts
	}
	hostVars := make([]map[string]cty.Value, len(hosts))
	for i, h := range hosts {
		hostVars[i] = h.Vars
	}
	fields := make([][]tasks.RecordField, len(plan.steps))
	shapes := make([]tasks.StepShape, len(plan.steps))
	for i, ps := range plan.steps {
		if ps.parser != nil {
			var d hclv2.Diagnostics
			fields[i], d = plan.recordFields(ps, hosts)
			diags = append(diags, d...)
		}
		names := []string{ps.step.Address()}
		if !plan.shared[ps.step.Name] {
			names = append(names, ps.step.Name)
		}
		shapes[i] = tasks.StepShape{Names: names, Fields: fields[i]}
	}
	et := tasks.NewExprTypes(vars, varTypes, hostVars, shapes)
	for i, ps := range plan.steps {
		if w := ps.step.When; w != nil {
			if err := et.Check(w.Source, nil); err != nil {
				diags = append(diags, exprDiag("Invalid when expression", err, w.Range))
			} else {
				diags = append(diags, partialHostVars(w.Source, w.Range, hosts)...)
			}
		}
		for _, a := range ps.step.Asserts {
			if err := et.Check(a.Expr.Source, fields[i]); err != nil {
				diags = append(diags, exprDiag("Invalid assertion", err, a.Expr.Range))
			} else {
				diags = append(diags, partialHostVars(a.Expr.Source, a.Expr.Range, hosts)...)
			}
		}
	}
	return diags
}

// recordFields returns the fields of a step's records: the template's
// for a template file or inline template; for "auto", the union over the
// hosts of the templates their platform and the step's command select
// (nil when a command is known only at run time). A host whose platform
// and command have no template is an error now, not after the change.
func (plan *Plan) recordFields(ps *planStep, hosts []*hcl.Host) ([]tasks.RecordField, hclv2.Diagnostics) {
	if !ps.parser.Auto() {
		return ps.parser.Fields(), nil
	}
	var diags hclv2.Diagnostics
	var out []tasks.RecordField
	seen := map[string]bool{}
	tried := map[[2]string]bool{}
	unknown := false
	var failures []string // one per platform and command
	for _, h := range hosts {
		act, d := ps.kind.Decode(ps.step.Body, plan.Playbook.HostContext(h, map[string]cty.Value{}))
		sc, ok := act.(interface{ StaticCommand() (string, bool) })
		if d.HasErrors() || !ok {
			unknown = true
			continue
		}
		cmd, known := sc.StaticCommand()
		if !known {
			unknown = true
			continue
		}
		key := [2]string{h.Platform, cmd}
		if tried[key] {
			continue
		}
		tried[key] = true
		fs, err := ps.parser.FieldsFor(h.Platform, cmd)
		if err != nil {
			failures = append(failures, fmt.Sprintf("host %s: %v", h.Name, err))
			continue
		}
		for _, f := range fs {
			if !seen[f.Name] {
				seen[f.Name] = true
				out = append(out, f)
			}
		}
	}
	if len(failures) > 0 {
		detail := strings.Join(failures[:min(len(failures), 3)], "; ")
		if len(failures) > 3 {
			detail += fmt.Sprintf("; and %d more platforms", len(failures)-3)
		}
		diags = append(diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "No template for this step",
			Detail:   detail + ".",
			Subject:  ps.step.Parse.DeclRange.Ptr(),
		})
	}
	if unknown || len(tried) == 0 {
		return nil, diags
	}
	return out, diags
}

// hostVarRef finds host.vars.NAME in an expression.
var hostVarRef = regexp.MustCompile(`\bhost\.vars\.([A-Za-z_][A-Za-z0-9_]*)`)

// partialHostVars warns about host vars that only some hosts have: on
// the others the expression sees nil.
func partialHostVars(source string, rng hclv2.Range, hosts []*hcl.Host) hclv2.Diagnostics {
	var diags hclv2.Diagnostics
	done := map[string]bool{}
	for _, m := range hostVarRef.FindAllStringSubmatch(source, -1) {
		name := m[1]
		if done[name] {
			continue
		}
		done[name] = true
		var lacking []string
		for _, h := range hosts {
			if _, ok := h.Vars[name]; !ok {
				lacking = append(lacking, h.Name)
			}
		}
		if len(lacking) == 0 {
			continue
		}
		list := strings.Join(lacking[:min(len(lacking), 5)], ", ")
		if len(lacking) > 5 {
			list += fmt.Sprintf(" and %d more", len(lacking)-5)
		}
		diags = append(diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagWarning,
			Summary:  "Host variable not set on every host",
			Detail:   fmt.Sprintf("host.vars.%s is not set on %s; there the expression sees nil.", name, list),
			Subject:  rng.Ptr(),
		})
	}
	return diags
}

func exprDiag(summary string, err error, rng hclv2.Range) *hclv2.Diagnostic {
	return &hclv2.Diagnostic{
		Severity: hclv2.DiagError,
		Summary:  summary,
		Detail:   err.Error(),
		Subject:  exprPos(err, rng).Ptr(),
	}
}

// exprErrPos is expr-lang's "(line:col)" in its messages.
var exprErrPos = regexp.MustCompile(`\((\d+):(\d+)\)`)

// exprPos narrows an expression attribute's range to the column expr-lang
// reports, when the expression is a one-line quoted string, so that the
// diagnostic's file:line:col points at the name itself.
func exprPos(err error, rng hclv2.Range) hclv2.Range {
	m := exprErrPos.FindStringSubmatch(err.Error())
	if m == nil || m[1] != "1" || rng.Start.Line != rng.End.Line {
		return rng
	}
	col, _ := strconv.Atoi(m[2])
	if col < 1 || rng.Start.Column+col > rng.End.Column {
		return rng
	}
	at := hclv2.Pos{Line: rng.Start.Line, Column: rng.Start.Column + col, Byte: rng.Start.Byte + col}
	return hclv2.Range{Filename: rng.Filename, Start: at, End: hclv2.Pos{Line: at.Line, Column: at.Column + 1, Byte: at.Byte + 1}}
}

// StepPlan is one step as `runbook plan` shows it for a host.
type StepPlan struct {
	Address   string
	Kind      string
	DependsOn []string
	When      string
	Changes   bool
	Lines     []string // rendered commands; "(known after run)" where unknown
	Problem   string   // a decode error for this host, if any
}

// Describe renders the steps for one host without connecting: values
// that only a run can know stay "(known after run)".
func (p *Plan) Describe(h *hcl.Host) []StepPlan {
	var out []StepPlan
	ctx := p.Playbook.HostContext(h, map[string]cty.Value{})
	for _, ps := range p.steps {
		sp := StepPlan{
			Address:   ps.step.Address(),
			Kind:      ps.step.Kind,
			DependsOn: ps.step.DependsOn,
			Changes:   ps.kind.Changes(),
		}
		if ps.step.When != nil {
			sp.When = ps.step.When.Source
		}
		act, diags := ps.kind.Decode(ps.step.Body, ctx)
		if diags.HasErrors() {
			sp.Problem = diags.Error()
		} else if hd, ok := act.(tasks.HostDescriber); ok {
			sp.Lines = hd.DescribeFor(&tasks.Env{HostName: h.Name, Platform: h.Platform, Step: ps.step.Name})
		} else if a, ok := act.(tasks.Action); ok {
			sp.Lines = a.Describe()
		}
		out = append(out, sp)
	}
	return out
}
