package hcl

import (
	"fmt"
	"time"

	hclv2 "github.com/hashicorp/hcl/v2"
)

// Rollback is the top-level `rollback {}` block: when a step that runs
// after the checkpoint step To fails on a device, the device is restored
// to that checkpoint (reconnecting if the session dropped), the restore
// is verified against the configuration the checkpoint read, and the
// device is reported rolled_back, or rollback_failed.
type Rollback struct {
	// To is the address of the checkpoint step ("checkpoint.NAME").
	To string
	// ConfirmTimeout, when set, commits the changes made after the
	// checkpoint with the device's own confirm timer where the platform
	// has one (Junos `commit confirmed`); runbook confirms them once every
	// step passed, so a change that cuts the session off reverts on the
	// device itself.
	ConfirmTimeout time.Duration
	// Timeout bounds the restore and its verification on one device.
	Timeout   time.Duration
	DeclRange hclv2.Range
}

// DefaultRollbackTimeout bounds a restore when the block sets no timeout:
// a configure replace of a large configuration takes minutes.
const DefaultRollbackTimeout = 10 * time.Minute

var rollbackSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "to", Required: true},
		{Name: "confirm_timeout"},
		{Name: "timeout"},
	},
}

// decodeRollback reads the optional top-level `rollback {}` block; it
// runs after the steps are known, as `to` names one.
func (l *loader) decodeRollback(blocks []*hclv2.Block) {
	for i, blk := range blocks {
		if i > 0 {
			l.diags = append(l.diags, errorAt(blk.DefRange, "Duplicate rollback block",
				fmt.Sprintf("A rollback was already given at %s; a playbook has one rollback block.", rangeText(blocks[0].DefRange))))
			continue
		}
		rb := &Rollback{Timeout: DefaultRollbackTimeout, DeclRange: blk.DefRange}
		content, diags := blk.Body.Content(rollbackSchema)
		l.diags = append(l.diags, diags...)
		sc := scope{where: "in rollback"}
		ok := true
		if attr, found := content.Attributes["to"]; found {
			rb.To, ok = l.rollbackTarget(attr)
		} else {
			ok = false
		}
		if attr, found := content.Attributes["confirm_timeout"]; found {
			if d, good := l.durationAttr(attr, sc); good {
				if d < time.Minute {
					l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid confirm_timeout",
						fmt.Sprintf("confirm_timeout is %s; devices count confirm timers in whole minutes, so it is at least \"1m\" (it is rounded up to whole minutes).", d)))
					ok = false
				} else {
					rb.ConfirmTimeout = d
				}
			} else {
				ok = false
			}
		}
		if attr, found := content.Attributes["timeout"]; found {
			if d, good := l.durationAttr(attr, sc); good {
				rb.Timeout = d
			} else {
				ok = false
			}
		}
		if ok {
			l.pb.Rollback = rb
		}
	}
}

// rollbackTarget reads `to = step.checkpoint.NAME`.
func (l *loader) rollbackTarget(attr *hclv2.Attribute) (string, bool) {
	const want = "to names the checkpoint step to restore, as in to = step.checkpoint.before_change, written without quotes."
	t, diags := hclv2.AbsTraversalForExpr(attr.Expr)
	if diags.HasErrors() || t.RootName() != rootStep || len(t) != 3 {
		l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid rollback target", want))
		return "", false
	}
	kind, _ := attrName(t, 1)
	name, _ := attrName(t, 2)
	if kind != "checkpoint" {
		l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid rollback target",
			fmt.Sprintf("step.%s.%s is a %s step; %s", kind, name, kind, want)))
		return "", false
	}
	r := l.checkTraversals([]hclv2.Traversal{t}, scope{where: "in rollback", step: true})
	if len(r.steps) != 1 {
		return "", false
	}
	return r.steps[0], true
}
