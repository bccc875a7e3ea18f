package tasks

import (
	"context"

	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/driver"
)

// send_command { command, expect_string } -> output
type sendCommandKind struct{}

var sendCommandSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "command", Required: true},
		{Name: "expect_string"},
	},
}

func (sendCommandKind) Changes() bool { return false }

func (sendCommandKind) Decode(body hclv2.Body, ctx *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	content, diags := body.Content(sendCommandSchema)
	a := &SendCommand{}
	var d hclv2.Diagnostics
	a.command, d = requiredString(content.Attributes, "command", ctx)
	diags = append(diags, d...)
	a.expect, d = regexAttr(content.Attributes, "expect_string", ctx)
	diags = append(diags, d...)
	return a, diags
}

// SendCommand runs one command in privileged exec mode.
type SendCommand struct {
	command text
	expect  text // empty: the prompt ends the output
}

// Describe implements Action.
func (a *SendCommand) Describe() []string { return []string{a.command.show()} }

// Run implements Action.
func (a *SendCommand) Run(ctx context.Context, conn Conn, _ *Env) (*Result, error) {
	if !a.command.known || (a.expect.set && !a.expect.known) {
		return nil, errUnknown("send_command", "command")
	}
	var opts []driver.SendOption
	if a.expect.s != "" {
		opts = append(opts, driver.WithExpect(a.expect.s))
	}
	if d := callTimeout(ctx); d > 0 {
		opts = append(opts, driver.WithTimeout(d))
	}
	resp, err := conn.SendCommand(ctx, a.command.s, opts...)
	if err != nil {
		return nil, err
	}
	if a.command.sensitive {
		resp = redacted(resp)
	}
	res := &Result{Output: resp.Output, Failed: resp.Failed}
	if !a.command.sensitive {
		res.Command = a.command.s
	}
	if resp.Failed {
		res.Message = failMessage("command", resp)
	}
	return res, nil
}

// StaticCommand returns the command when it is known before the run and
// not sensitive, so that validate can look up its "auto" template.
func (a *SendCommand) StaticCommand() (string, bool) {
	if !a.command.known || a.command.sensitive {
		return "", false
	}
	return a.command.s, true
}
