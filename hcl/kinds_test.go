package hcl_test

import (
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/tasks"
)

// kinds adapts the real step kinds to the loader's interface; hcl and
// tasks never import each other, only their tests meet.
func kinds() map[string]hcl.StepKind {
	out := map[string]hcl.StepKind{}
	for name, k := range tasks.Kinds() {
		out[name] = k
	}
	return out
}
