package tasks

import (
	"context"

	"github.com/runbook-dev/runbook/driver"

	hclv2 "github.com/hashicorp/hcl/v2"
)

// save {}: the platform's save (copy run start, write memory, commit...)
// with its confirmations, which the driver knows.
type saveKind struct{}

var saveSchema = &hclv2.BodySchema{}

func (saveKind) Changes() bool { return true }

func (saveKind) Decode(body hclv2.Body, _ *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	_, diags := body.Content(saveSchema)
	return &Save{}, diags
}

// Save saves the running configuration.
type Save struct{}

// Describe implements Action.
func (*Save) Describe() []string { return []string{"(save the running configuration)"} }

// NothingToSave is the message of a save that did not run because no
// step before it changed the device.
const NothingToSave = "nothing to save: no step before it changed this device"

// NothingToSaveCommitted is the message of a save on a platform whose
// commit already saved the configuration (Junos).
const NothingToSaveCommitted = "nothing to save: the commit saved the configuration"

// Run implements Action. It saves only when a step before it changed the
// device (Env.ChangedBefore); a second run of an in-sync playbook writes
// no memory.
func (*Save) Run(ctx context.Context, conn Conn, env *Env) (*Result, error) {
	if env != nil && env.ChangedBefore != nil && !*env.ChangedBefore {
		return &Result{Message: NothingToSave}, nil
	}
	if p, ok := driver.LookupPlatform(conn.Platform()); ok && p.SaveNoop {
		// Junos: the commit that made the change saved it.
		return &Result{Message: NothingToSaveCommitted}, nil
	}
	resp, err := conn.Save(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{Output: resp.Output, Failed: resp.Failed, Changed: !resp.Failed}
	if resp.Failed {
		res.Message = failMessage("save", resp)
	}
	return res, nil
}
