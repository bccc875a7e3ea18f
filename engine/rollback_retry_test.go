package engine_test

// The restore's own retry (rollback.go): a restore whose session drops is
// tried once more on a new session, and only once; a restore that fails
// for a reason a new session cannot fix (credentials refused, a platform
// without restore points, the rollback's time used up) is not tried again.
//
// The sessions are real lab sessions wrapped by flakyRestore, which breaks
// the restore command on the attempts a test names: the lab's own faults
// apply to every connection alike, so they cannot drop only the first
// restore.

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// flakyRestore opens real sessions and counts them and the restore
// commands sent over them. breakRestore says, for the nth restore command
// (1-based), how it fails: "" sends it; "drop" closes the session first,
// so the command fails as on a session that dropped; "auth", "unsupported"
// return those driver errors; "hang" waits for the restore's deadline.
type flakyRestore struct {
	breakRestore func(n int) string

	mu       sync.Mutex
	opens    int
	restores int
}

func (f *flakyRestore) opener() engine.Opener {
	open := engine.DriverOpener(nil)
	return func(ctx context.Context, h *hcl.Host, tw io.Writer) (engine.Session, error) {
		s, err := open(ctx, h, tw)
		if err != nil {
			return nil, err
		}
		f.mu.Lock()
		f.opens++
		f.mu.Unlock()
		return &flakySession{Session: s, f: f}, nil
	}
}

func (f *flakyRestore) counts() (opens, restores int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.opens, f.restores
}

type flakySession struct {
	engine.Session
	f *flakyRestore
}

func isRestore(cmd string) bool {
	return strings.HasPrefix(cmd, "configure replace ") || strings.HasPrefix(cmd, "rollback running-config ")
}

func (s *flakySession) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	if !isRestore(cmd) {
		return s.Session.SendCommand(ctx, cmd, opts...)
	}
	s.f.mu.Lock()
	s.f.restores++
	n := s.f.restores
	s.f.mu.Unlock()
	how := s.f.breakRestore(n)
	if n > 5 {
		// A restore tried again and again (a broken retry loop): stop it
		// here, with an error that ends the loop, so that the test fails
		// on the count instead of running until the rollback's timeout.
		how = "unsupported"
	}
	switch how {
	case "drop":
		_ = s.Session.Close()
		return s.Session.SendCommand(ctx, cmd, opts...) // the driver's own error for a closed session
	case "auth":
		return nil, fmt.Errorf("r1: enable: %w", driver.ErrAuth)
	case "unsupported":
		return nil, fmt.Errorf("r1: %w", driver.ErrUnsupported)
	case "hang":
		<-ctx.Done()
		return nil, fmt.Errorf("r1: %s: %w", cmd, ctx.Err())
	}
	return s.Session.SendCommand(ctx, cmd, opts...)
}

// The session drops as the restore starts, once: the restore is tried
// again on a new session, and the device is rolled back.
func TestRollbackRetriesARestoreWhoseSessionDropped(t *testing.T) {
	for _, platform := range []string{"cisco_ios", "cisco_nxos"} {
		t.Run(platform, func(t *testing.T) {
			fleet, hosts := startFleet(t, labDevice{name: "bad1", platform: platform})
			before := fleet.Device("bad1").RunningConfig()
			f := &flakyRestore{breakRestore: func(n int) string {
				if n == 1 {
					return "drop"
				}
				return ""
			}}
			opts := fastOpts(&recorder{})
			opts.Open = f.opener()
			rep := compile(t, changeWindow+rollbackBlock).Run(context.Background(), hosts, opts)
			d := rep.Devices[0]
			if d.Status != engine.DeviceRolledBack {
				for _, s := range d.Steps {
					t.Logf("  %s %s %q", s.Address, s.Status, s.Message)
				}
				t.Fatalf("status %s %q, want rolled_back", d.Status, d.Message)
			}
			rb := d.Steps[len(d.Steps)-1]
			if rb.Address != "rollback" || rb.Status != engine.StatusRolledBack || !strings.Contains(rb.Message, "equals the checkpoint") {
				t.Errorf("rollback step %s %s %q", rb.Address, rb.Status, rb.Message)
			}
			if got := stepStatus(d, "send_config_set.push"); got != engine.StatusRolledBack {
				t.Errorf("push %s, want rolled_back", got)
			}
			if opens, restores := f.counts(); opens != 2 || restores != 2 {
				t.Errorf("%d sessions and %d restores, want 2 and 2: the restore is tried again once, on a new session", opens, restores)
			}
			if got := fleet.Device("bad1").RunningConfig(); stable(got) != stable(before) {
				t.Errorf("not restored:\n%s", got)
			}
		})
	}
}

// A restore whose session drops every time is tried twice, no more; the
// device is rollback_failed and says why.
func TestRollbackTriesADroppingRestoreTwiceOnly(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "bad1", platform: "cisco_ios"})
	f := &flakyRestore{breakRestore: func(int) string { return "drop" }}
	opts := fastOpts(&recorder{})
	opts.Open = f.opener()
	rep := compile(t, changeWindow+rollbackBlock).Run(context.Background(), hosts, opts)
	d := rep.Devices[0]
	if d.Status != engine.DeviceRollbackFailed {
		t.Fatalf("status %s %q, want rollback_failed", d.Status, d.Message)
	}
	rb := d.Steps[len(d.Steps)-1]
	if rb.Status != engine.StatusError || !strings.Contains(rb.Message, "rollback failed: restore: ") ||
		!strings.Contains(rb.Message, "session is closed") {
		t.Errorf("rollback step %s %q, want error naming the closed session", rb.Status, rb.Message)
	}
	if !strings.Contains(d.Message, "rolling back to checkpoint.before after send_command.post failed; rollback failed: restore: ") {
		t.Errorf("device message %q", d.Message)
	}
	if got := stepStatus(d, "send_config_set.push"); got != engine.StatusChanged {
		t.Errorf("push %s: a change not undone stays changed", got)
	}
	if opens, restores := f.counts(); opens != 2 || restores != 2 {
		t.Errorf("%d sessions and %d restores, want 2 and 2", opens, restores)
	}
	if !strings.Contains(fleet.Device("bad1").RunningConfig(), "ntp server 10.9.9.9") {
		t.Error("the change is still there: no restore reached the device")
	}
}

// Errors a new session cannot fix end the restore at once: refused
// credentials (never retried: account lockout), a platform without
// restore points, the rollback's own deadline.
func TestRollbackDoesNotRetryWhatANewSessionCannotFix(t *testing.T) {
	for _, tc := range []struct {
		how, timeout, want string
	}{
		{how: "auth", want: "authentication failed"},
		{how: "unsupported", want: "unsupported"},
		{how: "hang", timeout: "1s", want: "deadline exceeded"},
	} {
		t.Run(tc.how, func(t *testing.T) {
			_, hosts := startFleet(t, labDevice{name: "bad1", platform: "cisco_ios"})
			f := &flakyRestore{breakRestore: func(int) string { return tc.how }}
			opts := fastOpts(&recorder{})
			opts.Open = f.opener()
			block := rollbackBlock
			if tc.timeout != "" {
				block = strings.Replace(block, "to = step.checkpoint.before", "to      = step.checkpoint.before\n  timeout = \""+tc.timeout+"\"", 1)
			}
			rep := compile(t, changeWindow+block).Run(context.Background(), hosts, opts)
			d := rep.Devices[0]
			if d.Status != engine.DeviceRollbackFailed {
				t.Fatalf("status %s %q, want rollback_failed", d.Status, d.Message)
			}
			rb := d.Steps[len(d.Steps)-1]
			if rb.Status != engine.StatusError || !strings.Contains(rb.Message, "rollback failed: restore: ") ||
				!strings.Contains(rb.Message, tc.want) || strings.Contains(rb.Message, "reconnect") {
				t.Errorf("rollback step %s %q, want the restore's own error", rb.Status, rb.Message)
			}
			if opens, restores := f.counts(); opens != 1 || restores != 1 {
				t.Errorf("%d sessions and %d restores, want 1 and 1: a new session does not help", opens, restores)
			}
		})
	}
}
