package hcl

import (
	"fmt"
	"path/filepath"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var settingsSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "allow_plaintext_secrets"},
		{Name: "templates_dir"},
	},
}

// decodeSettings reads the optional `settings {}` block. It runs before
// the inventory because allow_plaintext_secrets changes how credentials
// are checked.
func (l *loader) decodeSettings(blocks []*hclv2.Block) {
	for i, blk := range blocks {
		if i > 0 {
			l.diags = append(l.diags, errorAt(blk.DefRange, "Duplicate settings block",
				fmt.Sprintf("Settings were already given at %s; a playbook has one settings block.", rangeText(blocks[0].DefRange))))
			continue
		}
		content, diags := blk.Body.Content(settingsSchema)
		l.diags = append(l.diags, diags...)
		if attr, ok := content.Attributes["allow_plaintext_secrets"]; ok {
			if v, ok := l.evalAttr(attr, cty.Bool, scope{where: "in settings"}); ok {
				l.pb.Settings.AllowPlaintextSecrets = v.True()
			}
		}
		if attr, ok := content.Attributes["templates_dir"]; ok {
			if v, ok := l.evalAttr(attr, cty.String, scope{where: "in settings"}); ok {
				dir := v.AsString()
				if !filepath.IsAbs(dir) {
					dir = filepath.Join(filepath.Dir(attr.Range.Filename), dir)
				}
				l.pb.Settings.TemplatesDir = dir
			}
		}
	}
}

// evalAttr checks references, evaluates an attribute in the root context
// and converts it. ok is false after any error, and also for null and
// unknown results, which callers treat as "not set".
func (l *loader) evalAttr(attr *hclv2.Attribute, ty cty.Type, sc scope) (cty.Value, bool) {
	return l.evalExpr(attr.Name, attr.Expr, ty, sc, l.pb.ctx)
}

func (l *loader) evalExpr(name string, expr hclv2.Expression, ty cty.Type, sc scope, ctx *hclv2.EvalContext) (cty.Value, bool) {
	r := l.checkTraversals(expr.Variables(), sc)
	if len(r.bad) > 0 {
		return cty.NilVal, false
	}
	v, diags := expr.Value(ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	v, _ = v.UnmarkDeep()
	cv, err := convert.Convert(v, ty)
	if err != nil {
		l.diags = append(l.diags, errorAt(expr.Range(), "Incorrect attribute value type",
			fmt.Sprintf("Inappropriate value for attribute %q: %s.", name, err)))
		return cty.NilVal, false
	}
	if cv.IsNull() || !cv.IsWhollyKnown() {
		return cv, false
	}
	return cv, true
}
