package hcl

import (
	"fmt"
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// EnvVarPrefix is the prefix of environment variables that set playbook
// variables: RUNBOOK_VAR_ntp_servers sets var.ntp_servers.
const EnvVarPrefix = "RUNBOOK_VAR_"

var variableSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
}

// decodeVariables decodes the variable blocks and applies, in increasing
// precedence: default, --var-file, RUNBOOK_VAR_name, --var.
func (l *loader) decodeVariables(blocks []*hclv2.Block) {
	byName := map[string]*Variable{}
	for _, blk := range blocks {
		v := l.decodeVariableBlock(blk)
		if v == nil {
			continue
		}
		if prev, ok := byName[v.Name]; ok {
			l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Duplicate variable",
				fmt.Sprintf("A variable named %q was already declared at %s.", v.Name, rangeText(prev.DeclRange))))
			continue
		}
		byName[v.Name] = v
		l.pb.Variables = append(l.pb.Variables, v)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)

	set := map[string]bool{}
	for _, path := range l.opts.varFiles {
		l.applyVarFile(path, byName, names, set)
	}
	for _, v := range l.pb.Variables {
		raw, ok := l.opts.env(EnvVarPrefix + v.Name)
		if !ok {
			continue
		}
		src := EnvVarPrefix + v.Name
		if val, ok := l.parseRawValue(v, src, raw); ok {
			v.Value = val
			set[v.Name] = true
		}
	}
	cliNames := make([]string, 0, len(l.opts.vars))
	for n := range l.opts.vars {
		cliNames = append(cliNames, n)
	}
	sort.Strings(cliNames)
	for _, n := range cliNames {
		v, ok := byName[n]
		src := "--var " + n
		if !ok {
			l.diags = append(l.diags, errorAt(l.syntheticRange(src, l.opts.vars[n], true), "Undeclared variable",
				fmt.Sprintf("--var sets %q, but the playbook declares no such variable.%s", n, didYouMean(n, names))))
			continue
		}
		if val, ok := l.parseRawValue(v, src, l.opts.vars[n]); ok {
			v.Value = val
			set[n] = true
		}
	}

	for _, v := range l.pb.Variables {
		if !set[v.Name] && v.Value == cty.NilVal {
			l.diags = append(l.diags, errorAt(v.DeclRange, "Missing variable value",
				fmt.Sprintf("Variable %q has no default and no value was given. Set it with --var %s=VALUE, a --var-file, or the %s%s environment variable.", v.Name, v.Name, EnvVarPrefix, v.Name)))
			v.Value = cty.UnknownVal(v.Type)
		}
		if v.Sensitive {
			v.Value = v.Value.Mark(MarkSensitive)
		}
	}
}

func (l *loader) decodeVariableBlock(blk *hclv2.Block) *Variable {
	v := &Variable{Name: blk.Labels[0], Type: cty.DynamicPseudoType, DeclRange: blk.DefRange}
	if !hclsyntax.ValidIdentifier(v.Name) {
		l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Invalid variable name",
			fmt.Sprintf("%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", v.Name)))
		return nil
	}
	content, diags := blk.Body.Content(variableSchema)
	l.diags = append(l.diags, diags...)

	var defaults *typeexpr.Defaults
	if attr, ok := content.Attributes["type"]; ok {
		ty, defs, diags := typeexpr.TypeConstraintWithDefaults(attr.Expr)
		l.diags = append(l.diags, diags...)
		if !diags.HasErrors() {
			v.Type, defaults = ty, defs
		}
	}
	if attr, ok := content.Attributes["description"]; ok {
		if val, ok := l.constValue(attr, cty.String); ok && !val.IsNull() {
			v.Description = val.AsString()
		}
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		if val, ok := l.constValue(attr, cty.Bool); ok && !val.IsNull() {
			v.Sensitive = val.True()
		}
	}
	if attr, ok := content.Attributes["default"]; ok {
		// Defaults are constants, as in Terraform: no references, no
		// functions, so that a playbook's interface reads at a glance.
		val, diags := attr.Expr.Value(nil)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			v.Value = cty.DynamicVal
		} else {
			if defaults != nil {
				val = defaults.Apply(val)
			}
			cv, err := convert.Convert(val, v.Type)
			if err != nil {
				l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid default value for variable",
					fmt.Sprintf("The default of %q does not match its type %s: %s.", v.Name, typeexpr.TypeString(v.Type), err)))
				v.Value = cty.UnknownVal(v.Type) // reported; not also "missing"
			} else {
				v.Default, v.Value = cv, cv
			}
		}
	}
	return v
}

// constValue evaluates an attribute with no context and converts it.
func (l *loader) constValue(attr *hclv2.Attribute, ty cty.Type) (cty.Value, bool) {
	val, diags := attr.Expr.Value(nil)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(val, ty)
	if err != nil {
		l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Incorrect attribute value type",
			fmt.Sprintf("Inappropriate value for attribute %q: %s.", attr.Name, err)))
		return cty.NilVal, false
	}
	return cv, true
}

// applyVarFile reads `name = value` attributes. Unknown names are only a
// warning: one var file often serves several playbooks.
func (l *loader) applyVarFile(path string, byName map[string]*Variable, names []string, set map[string]bool) {
	f := l.parseFile(path)
	if f == nil {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	l.diags = append(l.diags, diags...)
	sorted := make([]*hclv2.Attribute, 0, len(attrs))
	for _, a := range attrs {
		sorted = append(sorted, a)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Range.Start.Byte < sorted[j].Range.Start.Byte })
	for _, attr := range sorted {
		v, ok := byName[attr.Name]
		if !ok {
			l.diags = append(l.diags, warningAt(attr.NameRange, "Undeclared variable",
				fmt.Sprintf("The var file sets %q, but the playbook declares no such variable; the value is ignored.%s", attr.Name, didYouMean(attr.Name, names))))
			continue
		}
		val, diags := attr.Expr.Value(nil)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		cv, err := convert.Convert(val, v.Type)
		if err != nil {
			l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid value for variable",
				fmt.Sprintf("The value of %q does not match its type %s: %s.", v.Name, typeexpr.TypeString(v.Type), err)))
			continue
		}
		v.Value = cv
		set[v.Name] = true
	}
}

// parseRawValue turns a --var or RUNBOOK_VAR_ string into a value of the
// variable's type. Strings are taken as they are (quotes not needed);
// other types are parsed as HCL expressions. A dynamic-typed variable gets
// the expression's value when it parses, else the string.
func (l *loader) parseRawValue(v *Variable, src, raw string) (cty.Value, bool) {
	if v.Type == cty.String {
		return cty.StringVal(raw), true
	}
	rng := l.syntheticRange(src, raw, v.Sensitive)
	// The same nesting limit as files: hclsyntax's recursion would
	// overflow the stack (fatal) on a deep value.
	if d := checkNesting([]byte(raw), rng.Filename, hclv2.InitialPos); d != nil {
		d.Subject = rng.Ptr()
		l.diags = append(l.diags, d)
		return cty.NilVal, false
	}
	expr, pdiags := hclsyntax.ParseExpression([]byte(raw), rng.Filename, hclv2.InitialPos)
	if !pdiags.HasErrors() {
		val, vdiags := expr.Value(nil)
		if !vdiags.HasErrors() {
			if cv, err := convert.Convert(val, v.Type); err == nil {
				return cv, true
			} else if v.Type != cty.DynamicPseudoType {
				l.diags = append(l.diags, errorAt(rng, "Invalid value for variable",
					fmt.Sprintf("The value given for %q does not match its type %s: %s.", v.Name, typeexpr.TypeString(v.Type), err)))
				return cty.NilVal, false
			}
		}
	}
	if v.Type == cty.DynamicPseudoType {
		return cty.StringVal(raw), true
	}
	if cv, err := convert.Convert(cty.StringVal(raw), v.Type); err == nil {
		return cv, true // e.g. a bare number or bool
	}
	l.diags = append(l.diags, errorAt(rng, "Invalid value for variable",
		fmt.Sprintf("The value given for %q is not a valid %s expression.", v.Name, typeexpr.TypeString(v.Type))))
	return cty.NilVal, false
}

// syntheticRange names a value that came from outside any file and keeps
// its text so that snippets can show it, unless it may be a secret.
func (l *loader) syntheticRange(name, text string, secret bool) hclv2.Range {
	fn := "<" + name + ">"
	if !secret {
		l.pb.Files[fn] = &hclv2.File{Bytes: []byte(text), Body: hclv2.EmptyBody()}
	}
	end := hclv2.Pos{Line: 1, Column: 1 + len([]rune(text)), Byte: len(text)}
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		end = hclv2.Pos{Line: 1, Column: 1 + len([]rune(text[:i])), Byte: i}
	}
	return hclv2.Range{Filename: fn, Start: hclv2.InitialPos, End: end}
}

func rangeText(r hclv2.Range) string {
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}
