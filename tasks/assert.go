package tasks

import (
	"context"

	hclv2 "github.com/hashicorp/hcl/v2"
)

// assert {}: a step holding only assert blocks (checked by the engine with
// CompileAssert); it does no device I/O, so Run accepts a nil Conn.
type assertKind struct{}

var assertSchema = &hclv2.BodySchema{}

func (assertKind) Changes() bool { return false }

func (assertKind) Decode(body hclv2.Body, _ *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	_, diags := body.Content(assertSchema)
	return &AssertOnly{}, diags
}

// AssertOnly is the action of an assert-only step.
type AssertOnly struct{}

// Describe implements Action.
func (*AssertOnly) Describe() []string { return nil }

// Run implements Action: nothing to send; the assertions run afterwards
// against earlier steps' results.
func (*AssertOnly) Run(context.Context, Conn, *Env) (*Result, error) { return &Result{}, nil }
