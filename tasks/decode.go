package tasks

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/runbook-dev/runbook/driver"
)

// Placeholders shown by Describe.
const (
	KnownAfterRun = "(known after run)"
	Sensitive     = "(sensitive)"
)

// text is a string attribute value as decoded: during validation (and in
// `runbook plan`) it may not be known yet, and it may come from a
// sensitive variable.
type text struct {
	set       bool // given and not null (possibly unknown)
	s         string
	known     bool
	sensitive bool
}

// show renders the value for Describe without ever revealing a secret.
func (t text) show() string {
	switch {
	case t.sensitive:
		return Sensitive
	case !t.known:
		return KnownAfterRun
	}
	return t.s
}

// isSensitive reports whether v carries a mark. The loader marks values
// that come from sensitive variables (and env()/file() credentials); any
// mark is treated as sensitive so that a new mark fails closed rather than
// leaking a secret into a plan.
func isSensitive(v cty.Value) bool {
	return v.ContainsMarked()
}

// evalAttr evaluates an attribute and converts it to ty. Unknown values
// pass (converted to an unknown of ty); a null is reported as missing when
// required.
func evalAttr(attr *hclv2.Attribute, ctx *hclv2.EvalContext, ty cty.Type) (cty.Value, hclv2.Diagnostics) {
	v, diags := attr.Expr.Value(ctx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.DynamicVal, append(diags, &hclv2.Diagnostic{
			Severity:    hclv2.DiagError,
			Summary:     "Incorrect attribute value type",
			Detail:      fmt.Sprintf("Inappropriate value for attribute %q: %s.", attr.Name, err.Error()),
			Subject:     attr.Expr.Range().Ptr(),
			Expression:  attr.Expr,
			EvalContext: ctx,
		})
	}
	return cv, diags
}

// attrDiag is an error about an attribute's value.
func attrDiag(attr *hclv2.Attribute, summary, detail string) *hclv2.Diagnostic {
	return &hclv2.Diagnostic{
		Severity: hclv2.DiagError,
		Summary:  summary,
		Detail:   detail,
		Subject:  attr.Expr.Range().Ptr(),
	}
}

// missingDiag reports a required attribute given as null (a missing one
// is reported by Body.Content itself).
func missingDiag(attr *hclv2.Attribute) *hclv2.Diagnostic {
	return &hclv2.Diagnostic{
		Severity: hclv2.DiagError,
		Summary:  "Missing required argument",
		Detail:   fmt.Sprintf("The argument %q is required, but it is null.", attr.Name),
		Subject:  attr.Expr.Range().Ptr(),
	}
}

// stringAttr decodes an optional string attribute. ok is false when the
// attribute is absent or null.
func stringAttr(attrs hclv2.Attributes, name string, ctx *hclv2.EvalContext) (t text, ok bool, diags hclv2.Diagnostics) {
	attr, present := attrs[name]
	if !present {
		return text{}, false, nil
	}
	v, diags := evalAttr(attr, ctx, cty.String)
	if diags.HasErrors() {
		return text{}, false, diags
	}
	t.set, t.sensitive = true, isSensitive(v)
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		return t, true, diags
	}
	if v.IsNull() {
		return text{}, false, diags
	}
	t.s, t.known = v.AsString(), true
	return t, true, diags
}

// requiredString decodes a required string attribute; Body.Content has
// already reported it when absent.
func requiredString(attrs hclv2.Attributes, name string, ctx *hclv2.EvalContext) (text, hclv2.Diagnostics) {
	t, ok, diags := stringAttr(attrs, name, ctx)
	if !ok && !diags.HasErrors() {
		if attr, present := attrs[name]; present {
			diags = append(diags, missingDiag(attr))
		}
	}
	return t, diags
}

// boolAttr decodes an optional bool; unknown reads as false, which is only
// the case during validation.
func boolAttr(attrs hclv2.Attributes, name string, ctx *hclv2.EvalContext) (val, known bool, diags hclv2.Diagnostics) {
	attr, present := attrs[name]
	if !present {
		return false, true, nil
	}
	v, diags := evalAttr(attr, ctx, cty.Bool)
	if diags.HasErrors() {
		return false, false, diags
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		return false, false, diags
	}
	if v.IsNull() {
		return false, true, diags
	}
	return v.True(), true, diags
}

// regexAttr decodes an optional string that must be a valid Go regexp.
func regexAttr(attrs hclv2.Attributes, name string, ctx *hclv2.EvalContext) (text, hclv2.Diagnostics) {
	t, ok, diags := stringAttr(attrs, name, ctx)
	if !ok || !t.known || diags.HasErrors() {
		return t, diags
	}
	if _, err := regexp.Compile(t.s); err != nil {
		diags = append(diags, attrDiag(attrs[name], "Invalid regular expression",
			fmt.Sprintf("The argument %q is not a valid regular expression: %v.", name, err)))
	}
	return t, diags
}

// errUnknown is returned by Run when a value was still unknown: the engine
// decodes with every earlier step's values, so this means a bug.
func errUnknown(kind, what string) error {
	return fmt.Errorf("%s: %s is not known at run time", kind, what)
}

// failMessage says why the device rejected a command: the command (or
// config line) and the device's error text with its ^ marker.
func failMessage(what string, resp *driver.Response) string {
	cmd := resp.Command
	if resp.Redacted {
		cmd = Sensitive
	}
	why := strings.TrimSpace(resp.ErrorText)
	if why == "" {
		why = strings.TrimSpace(resp.FailedBy)
	}
	if why == "" {
		why = "rejected by the device"
	}
	return fmt.Sprintf("%s %q: %s", what, cmd, why)
}

// redacted returns a copy of r whose command is hidden: a line built from
// a sensitive value must not reach a report through Result.Lines or a
// failure message.
func redacted(r *driver.Response) *driver.Response {
	c := *r
	c.Command, c.Redacted = Sensitive, true
	return &c
}

// callTimeout is the driver timeout for a call: what is left of the
// context's deadline, which carries the step's `timeout`. Without it the
// driver's default command timeout (30s) would cut a long command short
// even though the step allows it minutes.
func callTimeout(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if d := time.Until(dl); d > 0 {
			return d
		}
		return time.Millisecond // already expired: let the driver fail fast
	}
	return 0
}
