// Package tasks holds the step kinds (one file each), the parse directive
// (TextFSM) and assertions (expr-lang). Each kind decodes its own HCL body
// and compiles its templates and expressions once; actions then run against
// the small Conn interface that a driver.Session satisfies.
package tasks

import (
	"context"
	"time"

	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/driver"
)

// Conn is what a step needs from a device session. *driver.Session
// satisfies it.
type Conn interface {
	SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error)
	SendConfigSet(ctx context.Context, lines []string, opts ...driver.ConfigOption) (*driver.MultiResponse, error)
	Save(ctx context.Context) (*driver.Response, error)
	SendInteractive(ctx context.Context, events []driver.InteractiveEvent, opts ...driver.SendOption) (*driver.Response, error)
	Platform() string
	Hostname() string
}

// Kind is one step kind. Decode validates the kind-specific body of a step
// and returns an Action; Load calls it once with host and step values
// unknown (validation), the engine once per host (execution).
type Kind interface {
	Decode(body hclv2.Body, ctx *hclv2.EvalContext) (any, hclv2.Diagnostics)
	// Changes reports whether the kind changes the device; `runbook check`
	// runs only kinds that do not.
	Changes() bool
}

// Action is a decoded step, ready to run on one host.
type Action interface {
	// Run executes the step. It returns a Go error only for transport
	// problems (timeouts, a closed session: the driver's errors) and local
	// I/O errors; a device rejecting a command is a Result with Failed set.
	Run(ctx context.Context, conn Conn, env *Env) (*Result, error)
	// Describe renders what the step would send, for `runbook plan`.
	// Values only known at run time read "(known after run)", sensitive
	// values "(sensitive)".
	Describe() []string
}

// HostDescriber is implemented by actions whose plan depends on the
// host's platform and the step's name (a checkpoint): `runbook plan`
// calls DescribeFor instead of Describe.
type HostDescriber interface {
	DescribeFor(env *Env) []string
}

// Env is what an action knows about the host and the run besides its
// own attributes.
type Env struct {
	HostName string
	Platform string
	// Now is the clock (backup timestamps); nil means time.Now.
	Now func() time.Time
	// BaseDir is the playbook's directory: relative backup dirs and
	// template paths are resolved against it.
	BaseDir string
	// ChangedBefore says whether a step that ran before this one on the
	// host changed it (Result.Changed, a partial push included): save
	// saves only then, else it is ok with "nothing to save". nil means the
	// caller does not track changes, and save always saves.
	ChangedBefore *bool
	// Step is the step's name (a checkpoint's default device-side name).
	Step string
	// CommitConfirm, when set, makes configuration pushes commit with the
	// device's confirm timer where the platform has one
	// (driver.WithCommitConfirmed): the playbook's rollback block asked for
	// it and a checkpoint was taken.
	CommitConfirm time.Duration
}

func (e *Env) now() time.Time {
	if e == nil || e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// Result is what one step run produced.
type Result struct {
	Output  string
	Records []map[string]any
	// Lines holds the per-line responses of a config set.
	Lines []*driver.Response
	// Path of the file a backup wrote.
	Path    string
	Changed bool
	Failed  bool
	// Message says why the step failed, e.g.
	// `line "ntp serv x": % Invalid input detected at '^' marker.`
	Message string
	// Command is the command a send_command step sent, for
	// parse { textfsm = "auto" } (Parser.ParseFor); "" for other kinds and
	// for sensitive commands, so that a lookup error cannot reveal one.
	Command string
	// Pending, from Checker.Check, lists the lines apply would send that
	// the device lacks.
	Pending []string
	// Diff is the change to the running configuration in unified style
	// (config.FormatDiff: section lines for context, "-"/"+" lines): in
	// apply, the configuration read before the push against the one read
	// after it (read only when a line was sent); from Checker.Check, the
	// predicted one (the pending lines as "+" lines under their sections).
	// Raw: the engine redacts it with the step's other output.
	Diff string
	// Checkpoint is the restore point a checkpoint step took.
	Checkpoint *Checkpoint
}

// Value is the step's result as later steps and expressions see it:
// output, result (records), changed, failed, status ("ok", "changed" or
// "failed" from this result; the engine replaces status and failed with
// the step's final outcome, assertions, parse and errors included), path
// and lines (a list of {command, output, failed}). It holds only plain values (string, bool,
// []any, map[string]any) so that it converts to JSON and cty losslessly.
func (r *Result) Value() map[string]any {
	records := make([]any, len(r.Records))
	for i, rec := range r.Records {
		records[i] = rec
	}
	lines := make([]any, len(r.Lines))
	for i, l := range r.Lines {
		lines[i] = map[string]any{"command": l.Command, "output": l.Output, "failed": l.Failed}
	}
	status := "ok"
	switch {
	case r.Failed:
		status = "failed"
	case r.Changed:
		status = "changed"
	}
	return map[string]any{
		"status":  status,
		"output":  r.Output,
		"result":  records,
		"changed": r.Changed,
		"failed":  r.Failed,
		"path":    r.Path,
		"lines":   lines,
	}
}

// Kinds returns every step kind by name. The map is new on every call.
func Kinds() map[string]Kind {
	return map[string]Kind{
		"send_command":    sendCommandKind{},
		"send_config_set": sendConfigSetKind{},
		"save":            saveKind{},
		"backup":          backupKind{},
		"expect":          expectKind{},
		"assert":          assertKind{},
		"checkpoint":      checkpointKind{},
	}
}

// StepChanges reports whether steps of the kind change the device; an
// unknown kind is assumed to change it, so `runbook check` skips it.
func StepChanges(kind string) bool {
	k, ok := Kinds()[kind]
	return !ok || k.Changes()
}
