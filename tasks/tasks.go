// Package tasks holds the step kinds (one file each), the parse directive
// (TextFSM) and assertions (expr-lang). Each kind decodes its own HCL body
// and compiles its templates and expressions once; actions then run against
// the small Conn interface that a driver.Session satisfies.
package tasks

import (
	"context"

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
