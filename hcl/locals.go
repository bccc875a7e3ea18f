package hcl

import (
	"fmt"
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// decodeLocals evaluates every `locals {}` attribute in dependency order.
// Locals may use variables, functions and other locals, but not host or
// step: they are computed once for the whole playbook.
func (l *loader) decodeLocals(blocks []*hclv2.Block) {
	l.localExprs = map[string]*hclv2.Attribute{}
	var names []string
	for _, blk := range blocks {
		attrs, diags := blk.Body.JustAttributes()
		l.diags = append(l.diags, diags...)
		sorted := make([]*hclv2.Attribute, 0, len(attrs))
		for _, a := range attrs {
			sorted = append(sorted, a)
		}
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Range.Start.Byte < sorted[j].Range.Start.Byte })
		for _, a := range sorted {
			if prev, ok := l.localExprs[a.Name]; ok {
				l.diags = append(l.diags, errorAt(a.NameRange, "Duplicate local value",
					fmt.Sprintf("A local value named %q was already declared at %s.", a.Name, rangeText(prev.Range))))
				continue
			}
			l.localExprs[a.Name] = a
			names = append(names, a.Name)
		}
	}

	deps := map[string][]string{}
	broken := map[string]bool{} // bad references: evaluate to unknown
	bad := map[string][]hclv2.Range{}
	for _, n := range names {
		r := l.checkTraversals(l.localExprs[n].Expr.Variables(), scope{where: "in a local value"})
		deps[n] = r.locals
		bad[n] = r.bad
		if len(r.bad) > 0 {
			broken[n] = true
		}
	}
	for _, c := range findCycles(names, deps) {
		path := make([]string, len(c))
		for i, n := range c {
			path[i] = "local." + n
			broken[n] = true
		}
		first := l.localExprs[c[0]]
		l.diags = append(l.diags, errorAt(first.NameRange, "Local value cycle",
			fmt.Sprintf("Local values refer to each other in a loop: %s. Break the loop by computing one of them without the others.", strings.Join(path, " -> "))))
	}

	for _, n := range topoOrder(names, deps) {
		attr := l.localExprs[n]
		dependsOnBroken := false
		for _, d := range deps[n] {
			if broken[d] {
				dependsOnBroken = true
			}
		}
		if broken[n] || dependsOnBroken {
			broken[n] = true
			l.pb.Locals[n] = cty.DynamicVal
			continue
		}
		ctx := l.rootContext()
		v, diags := attr.Expr.Value(ctx)
		l.appendFiltered(diags, bad[n])
		if diags.HasErrors() {
			broken[n] = true
			v = cty.DynamicVal
		}
		l.pb.Locals[n] = v
	}
}
