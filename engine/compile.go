// Package engine plans one step graph per device from a Playbook and its
// inventory, runs the devices on a bounded pool with each device's steps in
// dependency order on one session, and emits events to reporters.
package engine

import (
	"fmt"
	"path/filepath"

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
	plan := &Plan{Playbook: p, vars: map[string]any{}, shared: map[string]bool{}}
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
				diags = append(diags, exprDiag("Invalid when expression", err, s.When.Range))
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
				diags = append(diags, exprDiag("Invalid assertion", err, a.Expr.Range))
			}
			ps.asserts = append(ps.asserts, c)
		}
		plan.steps = append(plan.steps, ps)
	}
	return plan, diags
}

func exprDiag(summary string, err error, rng hclv2.Range) *hclv2.Diagnostic {
	return &hclv2.Diagnostic{
		Severity: hclv2.DiagError,
		Summary:  summary,
		Detail:   err.Error(),
		Subject:  rng.Ptr(),
	}
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
		} else if a, ok := act.(tasks.Action); ok {
			sp.Lines = a.Describe()
		}
		out = append(out, sp)
	}
	return out
}
