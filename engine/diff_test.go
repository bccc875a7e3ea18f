package engine_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// diffRecorder keeps the Diff of every StepFinished event.
type diffRecorder struct {
	mu    sync.Mutex
	diffs map[string]string
}

func (r *diffRecorder) Event(e engine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Type == engine.StepFinished && e.Diff != "" {
		if r.diffs == nil {
			r.diffs = map[string]string{}
		}
		r.diffs[e.Device+" "+e.Step] = e.Diff
	}
}

func (r *diffRecorder) Close() error { return nil }

// A config step's diff reaches events and the report redacted: the
// running-config after the push shows the sensitive community in clear.
func TestConfigDiffIsRecordedAndRedacted(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	checkOpts := fastOpts(&diffRecorder{})
	checkOpts.Check = true
	// check mode first: the predicted diff, where a line built from a
	// sensitive value reads (sensitive) whole, as in would_change.
	rep := compile(t, tracePlaybook).Run(context.Background(), hosts, checkOpts)
	for _, s := range rep.Devices[0].Steps {
		if s.Address == "send_config_set.snmp" && s.Diff != "+ (sensitive)\n" {
			t.Errorf("check: predicted diff %q, want the pending line, redacted", s.Diff)
		}
	}
	rec := &diffRecorder{}
	rep = compile(t, tracePlaybook).Run(context.Background(), hosts, fastOpts(rec))
	if st := rep.Devices[0].Status; st != engine.DevicePassed {
		t.Fatalf("r1: %s %+v", st, rep.Devices[0].Steps)
	}
	var step *engine.StepResult
	for _, s := range rep.Devices[0].Steps {
		if s.Address == "send_config_set.snmp" {
			step = s
		}
	}
	if step == nil {
		t.Fatal("no send_config_set.snmp step")
	}
	want := "+ snmp-server community (sensitive) RO\n"
	if !strings.Contains(step.Diff, want) {
		t.Errorf("report diff %q, want it to contain %q", step.Diff, want)
	}
	if got := rec.diffs["r1 send_config_set.snmp"]; got != step.Diff {
		t.Errorf("event diff %q, report diff %q", got, step.Diff)
	}
	for _, s := range rep.Devices[0].Steps {
		if strings.Contains(s.Diff, "s3cret-community-x9") {
			t.Errorf("%s: the secret leaked into the diff: %q", s.Address, s.Diff)
		}
		if s.Kind != "send_config_set" && s.Diff != "" {
			t.Errorf("%s: a diff on a step that changes no configuration: %q", s.Address, s.Diff)
		}
	}

	// check mode again: in sync, no diff.
	rep = compile(t, tracePlaybook).Run(context.Background(), hosts, checkOpts)
	for _, s := range rep.Devices[0].Steps {
		if s.Address == "send_config_set.snmp" && (s.Status != engine.StatusSkipped || s.Diff != "") {
			// The community is configured by the run above: in sync.
			t.Errorf("check after apply: %s %q diff %q, want in sync and no diff", s.Status, s.Message, s.Diff)
		}
	}
}
