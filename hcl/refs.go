package hcl

import (
	"fmt"
	"sort"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// HostAttributes are the attributes of the `host` object in steps.
var HostAttributes = []string{"address", "groups", "name", "platform", "port", "tags", "vars"}

// scope says which roots an expression may use, and names the place for
// messages ("in a local value").
type scope struct {
	host, step bool
	where      string
}

// refs is what a reference check found.
type refs struct {
	locals []string // local names referenced
	steps  []string // step addresses referenced, "kind.name"
	bad    []hclv2.Range
}

// checkTraversals validates every reference of an expression against the
// declared variables, locals and steps, so that a typo is reported once,
// with a suggestion, before anything is evaluated.
func (l *loader) checkTraversals(travs []hclv2.Traversal, sc scope) refs {
	var r refs
	for _, t := range travs {
		rng := t.SourceRange()
		fail := func(summary, detail string) {
			l.diags = append(l.diags, errorAt(rng, summary, detail))
			r.bad = append(r.bad, rng)
		}
		root := t.RootName()
		switch root {
		case rootVar:
			name, ok := attrName(t, 1)
			if !ok {
				fail("Invalid reference", "A variable is referenced as var.NAME, for example var.ntp_servers.")
				continue
			}
			if l.variable(name) == nil {
				names := l.variableNames()
				fail("Unknown variable", fmt.Sprintf("No variable named %q is declared.%s", name, didYouMean(name, names)))
			}
		case rootLocal:
			name, ok := attrName(t, 1)
			if !ok {
				fail("Invalid reference", "A local value is referenced as local.NAME.")
				continue
			}
			if _, ok := l.localExprs[name]; !ok {
				fail("Unknown local value", fmt.Sprintf("No local value named %q is declared.%s", name, didYouMean(name, sortedKeys(l.localExprs))))
				continue
			}
			r.locals = append(r.locals, name)
		case rootStep:
			if !sc.step {
				fail("Invalid reference", fmt.Sprintf("Step results cannot be used %s: they exist only while a device runs. Use them in steps.", sc.where))
				continue
			}
			kind, ok1 := attrName(t, 1)
			name, ok2 := attrName(t, 2)
			if !ok1 || !ok2 {
				fail("Invalid reference", "A step is referenced as step.KIND.NAME, for example step.send_command.pre.")
				continue
			}
			addr := kind + "." + name
			if _, ok := l.stepIndex[addr]; !ok {
				fail("Unknown step", fmt.Sprintf("No step %q is declared.%s", "step."+addr, didYouMeanStep(addr, l.stepAddrs)))
				continue
			}
			r.steps = append(r.steps, addr)
		case rootHost:
			if !sc.host {
				fail("Invalid reference", fmt.Sprintf("host cannot be used %s: it is only known in steps, where it is the device being run.", sc.where))
				continue
			}
			name, ok := attrName(t, 1)
			if !ok {
				continue // the whole host object is fine
			}
			if !contains(HostAttributes, name) {
				fail("Unknown host attribute", fmt.Sprintf("host has no attribute %q; it has %s.%s", name, listText(HostAttributes), didYouMean(name, HostAttributes)))
			}
		default:
			roots := []string{rootVar, rootLocal}
			if sc.step {
				roots = append(roots, rootStep)
			}
			if sc.host {
				roots = append(roots, rootHost)
			}
			fail("Unknown reference", fmt.Sprintf("There is no %q here; expressions %s can refer to %s.%s", root, sc.where, listText(roots), didYouMean(root, roots)))
		}
	}
	return r
}

// attrName is the i-th step of a traversal as a name (.name or ["name"]).
func attrName(t hclv2.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	switch s := t[i].(type) {
	case hclv2.TraverseAttr:
		return s.Name, true
	case hclv2.TraverseIndex:
		if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() && !s.Key.IsMarked() {
			return s.Key.AsString(), true
		}
	}
	return "", false
}

// overlaps reports whether a diagnostic's subject lies on a reference
// already reported, so that the evaluator's own complaint is dropped.
func overlaps(d *hclv2.Diagnostic, bad []hclv2.Range) bool {
	if d.Subject == nil {
		return false
	}
	for _, b := range bad {
		if d.Subject.Filename == b.Filename && d.Subject.Start.Byte < b.End.Byte && b.Start.Byte < d.Subject.End.Byte {
			return true
		}
		if d.Subject.Filename == b.Filename && d.Subject.Start.Byte == b.Start.Byte {
			return true
		}
	}
	return false
}

func (l *loader) appendFiltered(diags hclv2.Diagnostics, bad []hclv2.Range) {
	for _, d := range diags {
		if len(bad) > 0 && overlaps(d, bad) {
			continue
		}
		l.diags = append(l.diags, d)
	}
}

func (l *loader) variable(name string) *Variable {
	for _, v := range l.pb.Variables {
		if v.Name == name {
			return v
		}
	}
	return nil
}

func (l *loader) variableNames() []string {
	var out []string
	for _, v := range l.pb.Variables {
		out = append(out, v.Name)
	}
	return out
}

func didYouMeanStep(addr string, addrs []string) string {
	if s := suggest(addr, addrs); s != "" {
		return ` Did you mean "step.` + s + `"?`
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listText renders names for a sentence: "a, b and c".
func listText(names []string) string { return joinWords(names, " and ") }

// listOr renders alternatives: "a, b or c".
func listOr(names []string) string { return joinWords(names, " or ") }

func joinWords(names []string, last string) string {
	switch len(names) {
	case 0:
		return "nothing"
	case 1:
		return names[0]
	}
	out := ""
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			out += last
		default:
			out += ", "
		}
		out += n
	}
	return out
}
