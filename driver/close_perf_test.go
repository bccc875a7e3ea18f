package driver_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// drainHangUps ends the hang-ups earlier tests left, so that a test can
// count its own.
func drainHangUps(t *testing.T) {
	t.Helper()
	if err := driver.WaitClosed(hangGuard(t)); err != nil {
		t.Fatalf("WaitClosed: %v", err)
	}
	if n := driver.PendingHangUps(); n != 0 {
		t.Fatalf("%d hang-ups pending after WaitClosed", n)
	}
}

// TestCloseDoesNotWaitForTheDevice: a device that never answers "exit"
// (and so never hangs up) does not hold Close. Close returns with the
// logout sent and the hang-up pending; WaitClosed ends it, and the device
// sees the session end.
func TestCloseDoesNotWaitForTheDevice(t *testing.T) {
	drainHangUps(t)
	f := startFleet(t, lab.DeviceSpec{Name: "stay1", Platform: "cisco_ios"})
	d := f.Device("stay1")
	d.SetFaults(lab.Faults{Hang: `^exit$`})
	s := open(t, labConfig(t, d))
	if _, err := s.SendCommand(hangGuard(t), "show clock"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Close returned while the device still holds the session: the wait
	// for the hang-up (closeGrace) is someone else's.
	if n := driver.PendingHangUps(); n != 1 {
		t.Errorf("%d hang-ups pending after Close, want 1 (Close waited for the device)", n)
	}
	if n := d.Sessions(); n != 1 {
		t.Errorf("the device has %d sessions right after Close, want 1", n)
	}
	if err := driver.WaitClosed(hangGuard(t)); err != nil {
		t.Fatalf("WaitClosed: %v", err)
	}
	if n := driver.PendingHangUps(); n != 0 {
		t.Errorf("%d hang-ups pending after WaitClosed", n)
	}
	waitSessions(t, d, 0)
	rec := d.Received()
	if len(rec) == 0 || rec[len(rec)-1] != "exit" {
		t.Errorf("the device did not get the logout: received %q", rec)
	}
	// A second WaitClosed has nothing to do.
	if err := driver.WaitClosed(hangGuard(t)); err != nil {
		t.Errorf("second WaitClosed: %v", err)
	}
}

// TestCloseLeavesConfigModeThenLogsOut: a session closed in configuration
// mode sends "end" then "exit", and the device hangs up by itself.
func TestCloseLeavesConfigModeThenLogsOut(t *testing.T) {
	drainHangUps(t)
	f := startFleet(t, lab.DeviceSpec{Name: "cfg1", Platform: "cisco_ios"})
	d := f.Device("cfg1")
	s := open(t, labConfig(t, d))
	if _, err := s.SendCommand(hangGuard(t), "configure terminal", driver.WithMode(driver.ModePrivileged)); err != nil {
		t.Fatal(err)
	}
	before := len(d.Received())
	s.Close()
	waitSessions(t, d, 0)
	if got := d.Received()[before:]; strings.Join(got, ",") != "end,exit" {
		t.Errorf("Close sent %q, want end then exit", got)
	}
	if err := driver.WaitClosed(hangGuard(t)); err != nil {
		t.Fatalf("WaitClosed: %v", err)
	}
}

// closingWriter is a transcript writer that records writes made after the
// test marked it closed (as the engine closes a transcript file once
// Close returns).
type closingWriter struct {
	mu     sync.Mutex
	b      strings.Builder
	closed bool
	late   []string
}

func (w *closingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		w.late = append(w.late, string(p))
		return 0, nil
	}
	return w.b.Write(p)
}

func (w *closingWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
}

// TestCloseEndsTheTranscript: the transcript ends with the logout when
// Close returns; what the device sends afterwards (the echo of "exit",
// its goodbye) is not written to a writer the caller has closed.
func TestCloseEndsTheTranscript(t *testing.T) {
	drainHangUps(t)
	f := startFleet(t, lab.DeviceSpec{Name: "tr1", Platform: "cisco_ios"}, lab.DeviceSpec{Name: "tr2", Platform: "cisco_ios"})
	for _, d := range f.Devices() {
		if d.Name() == "tr2" {
			d.SetFaults(lab.Faults{Latency: 50 * time.Millisecond}) // the echo of exit comes late
		}
		w := &closingWriter{}
		cfg := labConfig(t, d)
		cfg.Transcript = w
		s := open(t, cfg)
		if _, err := s.SendCommand(hangGuard(t), "show clock"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		w.close()
		if err := driver.WaitClosed(hangGuard(t)); err != nil {
			t.Fatalf("WaitClosed: %v", err)
		}
		waitSessions(t, d, 0)
		w.mu.Lock()
		if len(w.late) > 0 {
			t.Errorf("%s: written after Close returned: %q", d.Name(), w.late)
		}
		if tr := w.b.String(); !strings.HasSuffix(tr, "exit\n") || !strings.Contains(tr, "show clock") {
			t.Errorf("%s: transcript does not end with the logout:\n%s", d.Name(), tr)
		}
		w.mu.Unlock()
	}
}

// TestCloseDuringAnOperation: Close from another goroutine while a
// command waits for a device that never answers ends the command with
// ErrClosed and leaves no hang-up behind (nothing is sent: the dialogue
// is not Close's to interrupt).
func TestCloseDuringAnOperation(t *testing.T) {
	drainHangUps(t)
	f := startFleet(t, lab.DeviceSpec{Name: "busy1", Platform: "cisco_ios"})
	d := f.Device("busy1")
	s := open(t, labConfig(t, d))
	d.SetFaults(lab.Faults{Hang: `^show version$`})
	errc := make(chan error, 1)
	go func() {
		_, err := s.SendCommand(hangGuard(t), "show version")
		errc <- err
	}()
	// Wait until the device has the command: the operation is running.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(strings.Join(d.Received(), "\n"), "show version") {
		if time.Now().After(deadline) {
			t.Fatal("the command never reached the device")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// No hang-up is begun: the connection is closed at once (the device
	// sees the session end) and no "exit" is sent. (The count of pending
	// hang-ups is the process's, which a session of an earlier test that
	// is still closing can raise meanwhile, so it is not compared here.)
	s.Close()
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("the running command: %v, want ErrClosed", err)
	}
	waitSessions(t, d, 0)
	if rec := d.Received(); rec[len(rec)-1] == "exit" {
		t.Errorf("exit was sent into a running dialogue: %q", rec)
	}
}

// TestWaitClosedNothingPending: with nothing pending, WaitClosed returns
// nil at once, even with a context that is done.
func TestWaitClosedNothingPending(t *testing.T) {
	drainHangUps(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := driver.WaitClosed(ctx); err != nil {
		t.Errorf("WaitClosed with nothing pending: %v, want nil even with a done context", err)
	}
}

// BenchmarkDeviceSession is one device's whole session as a worker of a
// fleet run spends it: Open, one command, Close. A device that does not
// hang up after "exit" (some devices and simulators; the lab fault
// no_hangup_on_exit) must cost the worker no more than one that does. The
// lab runs in this process.
func BenchmarkDeviceSession(b *testing.B) {
	for _, tc := range []struct{ name, faults string }{
		{"hangs_up", ""},
		{"no_hangup_on_exit", "no_hangup_on_exit"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			faults, err := lab.ParseFaults(tc.faults)
			if err != nil {
				b.Skipf("this lab lacks the fault: %v", err)
			}
			f := startFleet(b, lab.DeviceSpec{Name: "life1", Platform: "cisco_ios", Faults: &faults})
			cfg := labConfig(b, f.Device("life1"))
			ctx := hangGuard(b)
			for b.Loop() {
				s, err := driver.Open(ctx, cfg)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.SendCommand(ctx, "show version"); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
			b.StopTimer()
			if err := driver.WaitClosed(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
}
