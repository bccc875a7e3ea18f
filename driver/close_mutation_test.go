package driver_test

// Tests written against the mutants gremlins left alive in close.go
// (docs/testing.md, "Mutation testing").

import (
	"testing"
	"time"

	"github.com/runbook-dev/runbook/lab"
)

// TestCloseTranscriptIgnoresLateAnswers: a device that answers the
// logout late (its prompt again, after a while: it does not hang up)
// writes nothing to the transcript once Close has returned, neither while
// the session waits for the hang-up nor when it finally lets go.
func TestCloseTranscriptIgnoresLateAnswers(t *testing.T) {
	drainHangUps(t)
	f := startFleet(t, lab.DeviceSpec{Name: "late1", Platform: "cisco_ios"})
	d := f.Device("late1")
	w := &closingWriter{}
	cfg := labConfig(t, d)
	cfg.Transcript = w
	s := open(t, cfg)
	if _, err := s.SendCommand(hangGuard(t), "show clock"); err != nil {
		t.Fatal(err)
	}
	d.SetFaults(lab.Faults{NoHangupOnExit: true, Latency: 50 * time.Millisecond})
	s.Close()
	w.close()
	// No WaitClosed: the session waits out its grace for the hang-up, long
	// enough for the device's late prompt to arrive, then lets go.
	waitSessions(t, d, 0)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.late) > 0 {
		t.Errorf("written after Close returned: %q", w.late)
	}
}
