package tasks

import (
	"context"
	"fmt"
	"regexp"

	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/driver"
)

// expect { command, expect "regex" { send, hidden }... }: an
// ordered dialogue for commands that ask questions (reload, copy, clear).
type expectKind struct{}

var expectSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "command", Required: true},
	},
	Blocks: []hclv2.BlockHeaderSchema{
		{Type: "expect", LabelNames: []string{"pattern"}},
	},
}

var expectBlockSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "send", Required: true},
		{Name: "hidden"},
	},
}

func (expectKind) Changes() bool { return true }

func (expectKind) Decode(body hclv2.Body, ctx *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	content, diags := body.Content(expectSchema)
	a := &Expect{}
	var d hclv2.Diagnostics
	a.command, d = requiredString(content.Attributes, "command", ctx)
	diags = append(diags, d...)
	for _, b := range content.Blocks {
		pat := b.Labels[0]
		if _, err := regexp.Compile(pat); err != nil {
			diags = append(diags, &hclv2.Diagnostic{
				Severity: hclv2.DiagError,
				Summary:  "Invalid regular expression",
				Detail:   fmt.Sprintf("The expect pattern %q is not a valid regular expression: %v.", pat, err),
				Subject:  b.LabelRanges[0].Ptr(),
			})
		}
		bc, d := b.Body.Content(expectBlockSchema)
		diags = append(diags, d...)
		ex := expectPair{pattern: pat}
		ex.send, d = requiredString(bc.Attributes, "send", ctx)
		diags = append(diags, d...)
		var hiddenKnown bool
		ex.hidden, hiddenKnown, d = boolAttr(bc.Attributes, "hidden", ctx)
		diags = append(diags, d...)
		// An unknown "hidden" must not reveal the answer in a plan.
		ex.hidden = ex.hidden || !hiddenKnown
		a.pairs = append(a.pairs, ex)
	}
	if len(content.Blocks) == 0 && !diags.HasErrors() {
		diags = append(diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Missing expect block",
			Detail:   `An expect step needs at least one expect "regex" { send = "..." } block; use send_command for a command that asks nothing.`,
			Subject:  body.MissingItemRange().Ptr(),
		})
	}
	return a, diags
}

type expectPair struct {
	pattern string
	send    text
	hidden  bool
}

// Expect sends a command and answers the device's questions in order.
type Expect struct {
	command text
	pairs   []expectPair
}

// Describe implements Action.
func (a *Expect) Describe() []string {
	out := []string{a.command.show()}
	for _, p := range a.pairs {
		send := p.send.show()
		if p.hidden {
			send = Sensitive
		}
		out = append(out, fmt.Sprintf("expect /%s/ -> send %s", p.pattern, send))
	}
	return out
}

// Events is the dialogue as the driver runs it: each event sends its text
// then waits for the next pattern; the last answer waits for the prompt
// (an empty Expect).
func (a *Expect) events() ([]driver.InteractiveEvent, error) {
	if !a.command.known {
		return nil, errUnknown("expect", "command")
	}
	ev := []driver.InteractiveEvent{{Send: a.command.s, Hidden: a.command.sensitive}}
	for i, p := range a.pairs {
		if !p.send.known {
			return nil, errUnknown("expect", fmt.Sprintf("the answer to %q", p.pattern))
		}
		ev[i].Expect, ev[i].Regex = p.pattern, true
		ev = append(ev, driver.InteractiveEvent{Send: p.send.s, Hidden: p.hidden || p.send.sensitive})
	}
	return ev, nil
}

// Run implements Action.
func (a *Expect) Run(ctx context.Context, conn Conn, _ *Env) (*Result, error) {
	ev, err := a.events()
	if err != nil {
		return nil, err
	}
	var opts []driver.SendOption
	if d := callTimeout(ctx); d > 0 {
		opts = append(opts, driver.WithTimeout(d))
	}
	resp, err := conn.SendInteractive(ctx, ev, opts...)
	if err != nil {
		return nil, err
	}
	res := &Result{Output: resp.Output, Failed: resp.Failed, Changed: !resp.Failed}
	if resp.Failed {
		res.Message = failMessage("command", resp)
	}
	return res, nil
}
