package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/tasks"
)

// The change window on one device: the checkpoint step takes a restore
// point; a step after it that fails stops the device's run and restores
// the point (reconnecting when the session dropped), verified against the
// configuration read when it was taken. Changes committed with the
// device's confirm timer are confirmed only when every step passed.

// Names of the steps the engine adds after a device's own steps.
const (
	rollbackStep = "rollback"
	confirmStep  = "confirm"
)

// changeWindowBlock keeps a changing step after the checkpoint from
// running when the device has no restore point: a change must not go
// ahead without the safety net the playbook asked for. After a failure
// it skips whatever is left, as the device is rolled back.
func (d *deviceRun) changeWindowBlock(i int, ps *planStep) string {
	at := d.r.plan.checkpointAt
	if at < 0 || i <= at || d.r.opts.Check {
		return ""
	}
	if d.rollbackWhy != "" {
		return "not run: " + d.rollbackWhy
	}
	if d.checkpoint == nil && ps.kind.Changes() {
		return fmt.Sprintf("not run: no restore point (step %s did not take one)", d.r.plan.steps[at].step.Address())
	}
	return ""
}

// noteCheckpoint keeps the restore point the rollback block names.
func (d *deviceRun) noteCheckpoint(ps *planStep, res *tasks.Result) {
	at := d.r.plan.checkpointAt
	if at >= 0 && d.r.plan.steps[at] == ps && res.Checkpoint != nil && !d.r.opts.Check {
		d.checkpoint = res.Checkpoint
	}
}

// noteConfirmTimer remembers that a change went out with the device's
// confirm timer (the step's env.CommitConfirm) on a platform that has one.
func (d *deviceRun) noteConfirmTimer(env *tasks.Env) {
	if env.CommitConfirm <= 0 {
		return
	}
	if p, ok := driver.LookupPlatform(d.host.Platform); ok && p.CommitConfirmed != "" {
		d.confirmPending = true
	}
}

// afterStep decides, once a step has its final status, whether the
// device must be rolled back: a step after the checkpoint failed for any
// reason (a rejected line, an assertion, a timeout, a dropped session),
// unless it may fail (on_failure = "continue") or the run was
// interrupted (Ctrl+C stops; it does not start a restore).
func (d *deviceRun) afterStep(ctx context.Context, i int, ps *planStep, sr *StepResult) {
	at := d.r.plan.checkpointAt
	if at < 0 || d.r.opts.Check {
		return
	}
	if i == at && sr.Status != StatusOK && sr.Status != StatusChanged {
		d.checkpoint = nil // failed an assertion, say: not a restore point to trust
	}
	if i <= at || d.checkpoint == nil || d.rollbackWhy != "" || !failedOrError(sr.Status) {
		return
	}
	if ps.step.OnFailure == hcl.OnFailureContinue || ctx.Err() != nil || sr.Message == msgInterrupted {
		return
	}
	d.rollbackWhy = fmt.Sprintf("rolling back to %s after %s %s", d.r.plan.steps[at].step.Address(), sr.Address, sr.Status)
}

// finishChange rolls the device back, or confirms its confirmed commits.
func (d *deviceRun) finishChange(ctx context.Context) {
	switch {
	case d.rollbackWhy != "":
		d.extraStep(ctx, rollbackStep, d.rollBack)
	case d.confirmPending && ctx.Err() == nil:
		d.extraStep(ctx, confirmStep, d.confirm)
	case d.confirmPending:
		d.res.Message = "run interrupted: the change was not confirmed; the device reverts it when its confirm timer fires"
	}
}

// extraStep runs one step the engine adds (rollback, confirm) and reports
// it as the device's other steps are reported.
func (d *deviceRun) extraStep(ctx context.Context, name string, run func(context.Context, *StepResult)) {
	sr := &StepResult{Address: name, Kind: name, Start: d.r.opts.Now(), Attempts: 1}
	d.res.Steps = append(d.res.Steps, sr)
	d.r.emit(Event{Type: StepStarted, Device: d.host.Name, Step: sr.Address, Kind: sr.Kind})
	d.trace = nil
	if err := d.protect(name, func() { run(ctx, sr) }); err != nil {
		sr.Status, sr.Message = StatusError, err.Error()
		if name == rollbackStep {
			d.rollbackFailed = true
		}
	}
	sr.Duration = d.r.opts.Now().Sub(sr.Start)
	d.redact(sr)
	d.emitTrace(sr)
	d.logStep(sr)
	d.emitStep(sr)
}

// rollBack restores the checkpoint. It runs even when the run is being
// interrupted (a half-restored device is the worst outcome), bounded by
// the rollback block's timeout; a session that dropped is reopened once,
// and a restore whose session drops is tried once more.
func (d *deviceRun) rollBack(ctx context.Context, sr *StepResult) {
	rb := d.r.plan.Playbook.Rollback
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rb.Timeout)
	defer cancel()
	cp := d.r.plan.steps[d.r.plan.checkpointAt]
	fail := func(st Status, msg string) {
		sr.Status, sr.Message = st, "rollback failed: "+msg
		d.rollbackFailed = true
		d.res.Message = fmt.Sprintf("%s; rollback failed: %s", d.rollbackWhy, msg)
	}
	var res *tasks.Result
	var err error
	for try := 0; try < 2; try++ {
		if d.sess == nil {
			if d.authErr != nil {
				fail(StatusError, "cannot reconnect: authentication failed (not retried)")
				return
			}
			if err = d.connect(rctx); err != nil {
				fail(StatusError, "reconnect to restore: "+err.Error())
				return
			}
		}
		res, err = tasks.Restore(rctx, d.conn(), d.env(cp), d.checkpoint)
		if err == nil {
			break
		}
		d.dropSession()
		if errors.Is(err, driver.ErrAuth) || errors.Is(err, driver.ErrUnsupported) || rctx.Err() != nil {
			break
		}
	}
	if err != nil {
		fail(StatusError, err.Error())
		return
	}
	sr.Output, sr.Diff = res.Output, res.Diff
	if res.Failed {
		fail(StatusFailed, strings.TrimPrefix(res.Message, "restore: "))
		return
	}
	sr.Status, sr.Message = StatusRolledBack, res.Message
	d.rolledBack = true
	d.res.Message = d.rollbackWhy + ": " + res.Message
	// The changes made after the checkpoint are undone.
	for i := d.r.plan.checkpointAt + 1; i < len(d.r.plan.steps); i++ {
		if st := d.res.Steps[i]; st.Status == StatusChanged {
			st.Status = StatusRolledBack
		}
	}
}

// confirm confirms the changes committed with the device's confirm timer.
func (d *deviceRun) confirm(ctx context.Context, sr *StepResult) {
	rb := d.r.plan.Playbook.Rollback
	cctx, cancel := context.WithTimeout(ctx, rb.Timeout)
	defer cancel()
	if d.sess == nil {
		if err := d.connect(cctx); err != nil {
			sr.Status, sr.Message = StatusError, "reconnect to confirm: "+err.Error()+"; the device reverts the change when its confirm timer fires"
			return
		}
	}
	res, err := tasks.Confirm(cctx, d.conn())
	if err != nil {
		d.dropSession()
		sr.Status, sr.Message = StatusError, err.Error()+"; the device reverts the change when its confirm timer fires"
		return
	}
	sr.Output, sr.Message = res.Output, res.Message
	sr.Status = StatusOK
	if res.Failed {
		sr.Status = StatusFailed
	}
}
