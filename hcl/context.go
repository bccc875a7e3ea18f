package hcl

import (
	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// EvalContext returns the playbook-wide context: var, local and the
// functions. host and step are not in it. Callers must not modify it.
func (p *Playbook) EvalContext() *hclv2.EvalContext {
	if p.ctx == nil {
		// A Playbook built by hand rather than by Load.
		p.ctx = &hclv2.EvalContext{
			Variables: map[string]cty.Value{rootVar: p.varObject(), rootLocal: cty.ObjectVal(p.Locals)},
			Functions: functions(funcEnv{baseDir: p.BaseDir}),
		}
	}
	return p.ctx
}

// HostContext returns the context a step body is decoded with on one host:
// var, local, the functions, host (name, address, port, platform, groups,
// tags, vars — never credentials) and step, an object of kind -> name ->
// result built from steps keyed "kind.name". Steps not in the map are
// unknown. It is safe to call from many goroutines.
func (p *Playbook) HostContext(h *Host, steps map[string]cty.Value) *hclv2.EvalContext {
	return p.hostContext(h, steps, true, true)
}

// StepContext is HostContext for decoding one step's body: host and step
// are built only when the body refers to them (and are unknown otherwise),
// since building step, an object of every step's result, for every step
// of every device was a tenth of a fleet run's allocations.
func (p *Playbook) StepContext(s *Step, h *Host, steps map[string]cty.Value) *hclv2.EvalContext {
	return p.hostContext(h, steps, !s.refsKnown || s.refsHost, s.RefersToSteps())
}

func (p *Playbook) hostContext(h *Host, steps map[string]cty.Value, withHost, withSteps bool) *hclv2.EvalContext {
	root := p.EvalContext()
	vars := make(map[string]cty.Value, len(root.Variables)+2)
	for k, v := range root.Variables {
		vars[k] = v
	}
	vars[rootHost], vars[rootStep] = cty.DynamicVal, cty.DynamicVal
	if withHost {
		vars[rootHost] = HostValue(h)
	}
	if !withSteps {
		return &hclv2.EvalContext{Variables: vars, Functions: root.Functions}
	}

	byKind := map[string]map[string]cty.Value{}
	for _, s := range p.Steps {
		v, ok := steps[s.Address()]
		if !ok {
			v = cty.DynamicVal
		}
		if byKind[s.Kind] == nil {
			byKind[s.Kind] = map[string]cty.Value{}
		}
		byKind[s.Kind][s.Name] = v
	}
	kinds := make(map[string]cty.Value, len(byKind))
	for k, m := range byKind {
		kinds[k] = cty.ObjectVal(m)
	}
	vars[rootStep] = cty.ObjectVal(kinds)
	return &hclv2.EvalContext{Variables: vars, Functions: root.Functions}
}

// HostValue is the `host` object of a host. Credentials are left out on
// purpose: a step cannot echo them into a command or a report.
func HostValue(h *Host) cty.Value {
	if h == nil {
		return cty.DynamicVal
	}
	strs := func(ss []string) cty.Value {
		if len(ss) == 0 {
			return cty.ListValEmpty(cty.String)
		}
		vs := make([]cty.Value, len(ss))
		for i, s := range ss {
			vs[i] = cty.StringVal(s)
		}
		return cty.ListVal(vs)
	}
	vars := h.Vars
	if vars == nil {
		vars = map[string]cty.Value{}
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name":     cty.StringVal(h.Name),
		"address":  cty.StringVal(h.Address),
		"port":     cty.NumberIntVal(int64(h.Port)),
		"platform": cty.StringVal(h.Platform),
		"groups":   strs(h.Groups),
		"tags":     strs(h.Tags),
		"vars":     cty.ObjectVal(vars),
	})
}

// Order returns the steps in run order (p.Steps is already in it).
func (p *Playbook) Order() []*Step { return p.Steps }

// Step returns the step with address "kind.name", or nil.
func (p *Playbook) Step(addr string) *Step {
	for _, s := range p.Steps {
		if s.Address() == addr {
			return s
		}
	}
	return nil
}

// Redact replaces every secret the playbook knows for h in s with
// "(sensitive)": the host's password, enable secret and key passphrase and
// the string values of sensitive variables, in every form a report may
// hold them (see Redactor), on token boundaries. h may be nil. Use it on
// anything rendered from a step (plans, transcripts, reports) as a last
// line of defence behind cty marks.
func (p *Playbook) Redact(h *Host, s string) string { return p.Redactor(h)(s) }

// Redactor returns Redact for one host with the secrets gathered once,
// for callers that redact many strings.
func (p *Playbook) Redactor(h *Host) func(string) string {
	return p.HostRedactor(h).Redact
}

// HostRedactor returns the Redactor of h's secrets and the playbook's
// sensitive variables; its Writer redacts a stream (a transcript). h may
// be nil.
func (p *Playbook) HostRedactor(h *Host) *Redactor {
	return NewRedactor(p.Secrets(h)...)
}

// Secrets lists the secret values the playbook knows for h: the host's
// password, enable secret and key passphrase, and the string values of
// sensitive variables. h may be nil.
func (p *Playbook) Secrets(h *Host) []string {
	var secrets []string
	if h != nil {
		for _, sec := range []Secret{h.Password, h.Secret, h.PrivateKeyPassphrase} {
			if sec.IsSet() {
				secrets = append(secrets, sec.Reveal())
			}
		}
	}
	for _, v := range p.Variables {
		if v.Sensitive {
			secrets = append(secrets, stringsIn(v.Value)...)
		}
	}
	return secrets
}

// stringsIn returns every known string inside v.
func stringsIn(v cty.Value) []string {
	v, _ = v.UnmarkDeep()
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return []string{v.AsString()}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, stringsIn(e)...)
		}
		return out
	}
	return nil
}
