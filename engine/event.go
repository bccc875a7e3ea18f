package engine

import "time"

// Status of a step or a device.
type Status string

// Step statuses.
const (
	StatusOK      Status = "ok"      // step passed, device unchanged
	StatusChanged Status = "changed" // step passed and changed the device
	StatusFailed  Status = "failed"  // device answered but the step failed (rejected line, assertion)
	StatusError   Status = "error"   // transport, timeout, or internal error during the step
	StatusSkipped Status = "skipped" // a dependency failed, `when` was false, or the run was cancelled
	// StatusRolledBack: the step changed the device, and the rollback
	// undid it; the rollback step itself is rolled_back when it restored
	// and verified the checkpoint.
	StatusRolledBack Status = "rolled_back"
)

// Device statuses (Report.Devices[].Status).
const (
	DevicePassed      Status = "passed"
	DeviceFailed      Status = "failed"      // the device said no: a rejected command or a failed check
	DeviceError       Status = "error"       // a timeout, a dropped session, a local or internal error
	DeviceUnreachable Status = "unreachable" // no TCP connection, or no SSH session (refused, timeout, host key)
	DeviceAuthFailed  Status = "auth_failed" // password, key or enable secret refused; never retried
	DeviceSkipped     Status = "skipped"
	// DeviceRolledBack: a step after the checkpoint failed, and the device
	// is back at the checkpoint, verified.
	DeviceRolledBack Status = "rolled_back"
	// DeviceRollbackFailed: a step after the checkpoint failed, and the
	// restore failed or could not be verified: the device needs a person.
	DeviceRollbackFailed Status = "rollback_failed"
)

// EventType says what happened.
type EventType int

// Event types, in the order they occur for one device.
const (
	RunStarted EventType = iota
	DeviceStarted
	StepStarted
	StepFinished
	DeviceFinished
	RunFinished
	// BatchStarted comes before the devices of a rollout batch start
	// (Batch, Total batches, Message: how many devices); only with a
	// rollout block.
	BatchStarted
)

// Event is what reporters receive. Events for one device arrive in order;
// events of different devices interleave. Sinks are called from one
// goroutine at a time (the engine serialises them).
type Event struct {
	Type   EventType
	Time   time.Time
	Device string // empty for run events
	// Address is the device's "host:port" (DeviceStarted, DeviceFinished).
	Address string

	// Step events.
	Step     string // "kind.name"
	Kind     string
	Name     string
	Status   Status
	Duration time.Duration
	Message  string // why it failed or was skipped
	Output   string // raw device output of the step (redacted)
	Records  []map[string]any
	Asserts  []AssertResult
	// Diff is the step's change to the running configuration (redacted),
	// as StepResult.Diff.
	Diff string

	// BatchStarted: the batch's number (1-based) and, in Total, how many
	// batches the rollout has; Message reads e.g. "1 device: r1".
	Batch int

	// DeviceFinished: the device's whole result. RunFinished: nil.
	Result *DeviceResult
	// RunStarted: device count. RunFinished: the whole report.
	Total  int
	Report *Report
}

// AssertResult is one assertion's outcome within a step.
type AssertResult struct {
	Name    string
	Passed  bool
	Message string // the assertion's message plus the values involved when it failed
}

// StepResult is one step's outcome on one device.
type StepResult struct {
	Address  string // "kind.name"
	Kind     string
	Name     string
	Status   Status
	Start    time.Time
	Duration time.Duration
	Message  string
	Output   string
	// OutputOmitted says why Output is empty although the step had output:
	// OmittedConfiguration for a configuration body (Options.KeepConfigBodies).
	OutputOmitted string
	Records       []map[string]any
	Asserts       []AssertResult
	Attempts      int
	// WouldChange, in check mode, holds for a changing step the lines
	// apply would send that change the device (empty: in sync).
	WouldChange []string
	// Diff is a configuration-changing step's diff of the running
	// configuration in unified style ("-"/"+" lines under unmarked
	// section lines), redacted: in apply, before the push against after
	// it; in check mode, the predicted one. Empty: no change, or no diff.
	Diff string
}

// DeviceResult is one device's outcome.
type DeviceResult struct {
	Name     string
	Address  string
	Platform string
	Status   Status
	Message  string // for error/unreachable/auth_failed: why
	// Batch is the rollout batch the device belongs to (1-based); every
	// device is in batch 1 when the playbook has no rollout block.
	Batch    int
	Start    time.Time
	Duration time.Duration
	Steps    []*StepResult
}

// Report is the outcome of a whole run.
type Report struct {
	Playbook    string
	Mode        string // "apply" or "check"
	Start       time.Time
	Duration    time.Duration
	Devices     []*DeviceResult // inventory order
	Interrupted bool
	// Batches are the rollout's batches in order; nil without a rollout
	// block.
	Batches []*BatchResult
}

// BatchResult is one rollout batch's outcome.
type BatchResult struct {
	Number  int
	Devices []string // names, in run order
	Failed  int      // devices of the batch that did not pass (skipped aside)
	// Started is false for a batch the rollout (or --fail-fast, or an
	// interrupt) kept from starting; Message then says why.
	Started bool
	Message string
}

// Sink receives events. Close is called once after RunFinished so that file
// reporters can write their files whole.
type Sink interface {
	Event(Event)
	Close() error
}

// OmittedConfiguration: the step's output was the device's configuration,
// left out of the Report.
const OmittedConfiguration = "configuration"

// configKinds are the step kinds whose output is a configuration body.
var configKinds = map[string]bool{"backup": true, "checkpoint": true}

// IsConfigBody reports whether a step of this kind returns a device's
// whole configuration as its output (which holds password hashes, SNMP
// communities and keys, and can be large).
func IsConfigBody(kind string) bool { return configKinds[kind] }
