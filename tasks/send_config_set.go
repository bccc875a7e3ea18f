package tasks

import (
	"context"
	"fmt"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/driver"
)

// send_config_set { commands | template, continue_on_error } -> lines
type sendConfigSetKind struct{}

var sendConfigSetSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "commands"},
		{Name: "template"},
		{Name: "continue_on_error"},
	},
}

func (sendConfigSetKind) Changes() bool { return true }

func (sendConfigSetKind) Decode(body hclv2.Body, ctx *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	content, diags := body.Content(sendConfigSetSchema)
	a := &SendConfigSet{}
	cmds, hasCmds := content.Attributes["commands"]
	tmpl, hasTmpl := content.Attributes["template"]
	switch {
	case hasCmds && hasTmpl:
		diags = append(diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Conflicting arguments",
			Detail:   `Only one of "commands" and "template" may be set: "commands" is a list of lines, "template" is text rendered per host and split into lines.`,
			Subject:  tmpl.NameRange.Ptr(),
		})
	case hasCmds:
		a.lines, a.linesKnown = decodeLines(cmds, ctx, &diags)
	case hasTmpl:
		t, d := requiredString(content.Attributes, "template", ctx)
		diags = append(diags, d...)
		if t.known {
			for _, l := range splitLines(t.s) {
				a.lines = append(a.lines, text{set: true, s: l, known: true, sensitive: t.sensitive})
			}
		}
		a.linesKnown = t.known
	default:
		diags = append(diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Missing required argument",
			Detail:   `A send_config_set step needs "commands" (a list of config lines) or "template" (text rendered per host).`,
			Subject:  body.MissingItemRange().Ptr(),
		})
	}
	var d hclv2.Diagnostics
	a.continueOnError, a.coeKnown, d = boolAttr(content.Attributes, "continue_on_error", ctx)
	diags = append(diags, d...)
	return a, diags
}

// decodeLines decodes a list of strings whose elements may be unknown.
func decodeLines(attr *hclv2.Attribute, ctx *hclv2.EvalContext, diags *hclv2.Diagnostics) ([]text, bool) {
	v, d := evalAttr(attr, ctx, cty.List(cty.String))
	*diags = append(*diags, d...)
	if d.HasErrors() {
		return nil, false
	}
	sensitiveList := v.IsMarked() // the list itself, not its elements
	v, _ = v.Unmark()
	if !v.IsKnown() {
		return nil, false
	}
	if v.IsNull() {
		*diags = append(*diags, missingDiag(attr))
		return nil, false
	}
	var out []text
	for _, e := range v.AsValueSlice() {
		t := text{set: true, sensitive: sensitiveList || isSensitive(e)}
		e, _ = e.UnmarkDeep()
		switch {
		case !e.IsKnown():
		case e.IsNull():
			*diags = append(*diags, attrDiag(attr, "Invalid config line", "A config line must not be null."))
		default:
			t.s, t.known = e.AsString(), true
		}
		out = append(out, t)
	}
	return out, true
}

// splitLines turns rendered template text into config lines: trailing
// white space is trimmed and blank lines dropped (they mean nothing to a
// device CLI and would only add round trips). Leading indentation is kept.
func splitLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		l = strings.TrimRight(l, " \t\r")
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// SendConfigSet enters config mode, sends the lines and leaves.
type SendConfigSet struct {
	lines           []text
	linesKnown      bool // false: the whole list (or template) is unknown
	continueOnError bool
	coeKnown        bool
}

// Describe implements Action.
func (a *SendConfigSet) Describe() []string {
	if !a.linesKnown {
		return []string{KnownAfterRun}
	}
	out := make([]string, len(a.lines))
	for i, l := range a.lines {
		out[i] = l.show()
	}
	return out
}

// knownLines returns the lines to send; an error when a value is still
// unknown at run time.
func (a *SendConfigSet) knownLines() ([]string, error) {
	if !a.linesKnown || !a.coeKnown {
		return nil, errUnknown("send_config_set", "the config")
	}
	lines := make([]string, len(a.lines))
	for i, l := range a.lines {
		if !l.known {
			return nil, errUnknown("send_config_set", fmt.Sprintf("line %d", i+1))
		}
		lines[i] = l.s
	}
	return lines, nil
}

// Run implements Action.
func (a *SendConfigSet) Run(ctx context.Context, conn Conn, _ *Env) (*Result, error) {
	lines, err := a.knownLines()
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		// Nothing to do (e.g. a template that renders empty for this
		// host): do not even enter config mode.
		return &Result{}, nil
	}
	var opts []driver.ConfigOption
	if a.continueOnError {
		opts = append(opts, driver.ContinueOnError())
	}
	if d := callTimeout(ctx); d > 0 {
		opts = append(opts, driver.WithConfigTimeout(d))
	}
	mr, err := conn.SendConfigSet(ctx, lines, opts...)
	if err != nil {
		return nil, err
	}
	res := &Result{Failed: mr.Failed}
	var outputs []string
	var rejected []*driver.Response
	for i, r := range mr.Responses {
		if i < len(a.lines) && a.lines[i].sensitive {
			r = redacted(r)
		}
		res.Lines = append(res.Lines, r)
		if r.Output != "" {
			outputs = append(outputs, r.Output)
		}
		if r.Failed {
			rejected = append(rejected, r)
		} else {
			res.Changed = true
		}
	}
	res.Output = strings.Join(outputs, "\n")
	if len(rejected) > 0 {
		res.Failed = true
		res.Message = failMessage("line", rejected[0])
		if len(rejected) > 1 {
			res.Message = fmt.Sprintf("%d lines rejected, the first: %s", len(rejected), res.Message)
		}
	} else if res.Failed {
		res.Message = "the device rejected the config set"
	}
	return res, nil
}
