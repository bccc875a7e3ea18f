package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// fakeClock advances 100ms per reading, so elapsed times are deterministic.
func fakeClock() func() time.Time {
	n := 0
	return func() time.Time {
		n++
		return t0.Add(time.Duration(n) * 100 * time.Millisecond)
	}
}

func newTestConsole(w *bytes.Buffer, opts ConsoleOptions) *console {
	c := NewConsole(w, opts).(*console)
	c.now = fakeClock()
	c.tick = 0
	return c
}

func TestConsoleGolden(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	tests := []struct {
		golden string
		opts   ConsoleOptions
	}{
		{"console_plain.golden", ConsoleOptions{}},
		{"console_quiet.golden", ConsoleOptions{Quiet: true}},
		{"console_tty.golden", ConsoleOptions{TTY: true, NoColor: true}},
		{"console_tty_quiet.golden", ConsoleOptions{TTY: true, Quiet: true, NoColor: true}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			c := newTestConsole(&buf, tt.opts)
			feed(c, events(fixture()))
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			// Make the redraws visible in the golden file.
			golden(t, tt.golden, strings.ReplaceAll(buf.String(), clearLine, "<CLEAR>"))
		})
	}
}

func TestConsoleQuietIsOnlyTheRecap(t *testing.T) {
	var quiet, plain bytes.Buffer
	feed(newTestConsole(&quiet, ConsoleOptions{Quiet: true}), events(fixture()))
	feed(newTestConsole(&plain, ConsoleOptions{}), events(fixture()))
	if !strings.HasSuffix(plain.String(), quiet.String()) {
		t.Errorf("quiet output is not the tail of the plain output:\n%s", quiet.String())
	}
	if !strings.HasPrefix(quiet.String(), "\nRECAP\n") {
		t.Errorf("quiet output does not start with the recap:\n%s", quiet.String())
	}
}

func TestConsoleColor(t *testing.T) {
	tests := []struct {
		name     string
		noColor  string // NO_COLOR value
		opts     ConsoleOptions
		wantANSI bool
	}{
		{"tty", "", ConsoleOptions{TTY: true}, true},
		{"tty NO_COLOR", "1", ConsoleOptions{TTY: true}, false},
		{"tty --no-color", "", ConsoleOptions{TTY: true, NoColor: true}, false},
		{"not a tty", "", ConsoleOptions{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.noColor)
			var buf bytes.Buffer
			c := newTestConsole(&buf, tt.opts)
			feed(c, events(fixture()))
			c.Close()
			if got := strings.Contains(buf.String(), "\x1b[3"); got != tt.wantANSI {
				t.Errorf("colors present = %v, want %v:\n%q", got, tt.wantANSI, buf.String())
			}
		})
	}
}

// Close without RunFinished (the engine was cut short) still prints a
// recap of what was seen, marked interrupted.
func TestConsoleInterrupted(t *testing.T) {
	evs := events(fixture())
	var cut []engine.Event
	for _, ev := range evs {
		cut = append(cut, ev)
		if ev.Type == engine.StepFinished && ev.Device == "dist1" {
			break // dist1 is mid-run
		}
	}
	var buf bytes.Buffer
	c := newTestConsole(&buf, ConsoleOptions{Quiet: true})
	feed(c, cut)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	golden(t, "console_interrupted.golden", buf.String())
}

// redrawWriter is a syncBuffer that signals every progress redraw
// (clearLine followed by the progress line) on redraws, without blocking.
type redrawWriter struct {
	syncBuffer
	redraws chan struct{}
}

func (w *redrawWriter) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if strings.Contains(string(p), clearLine) && strings.Contains(string(p), "devices done") {
		select {
		case w.redraws <- struct{}{}:
		default:
		}
	}
	return n, err
}

func TestConsoleTickerStops(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	buf := &redrawWriter{redraws: make(chan struct{}, 64)}
	c := NewConsole(buf, ConsoleOptions{TTY: true}).(*console)
	c.tick = time.Millisecond
	evs := events(fixture())
	c.Event(evs[0]) // RunStarted: draws the line once and starts the ticker
	// The first redraw is RunStarted's own; two more can only come from the
	// ticker, as no other event is fed until then. The timer is a guard
	// against a hang, not a bound the ticker must meet.
	guard := time.NewTimer(30 * time.Second)
	defer guard.Stop()
	for i := 0; i < 3; i++ {
		select {
		case <-buf.redraws:
		case <-guard.C:
			t.Fatalf("%d progress redraws, want 3 (the ticker never redrew):\n%q", i, buf.String())
		}
	}
	c.mu.Lock()
	tickDone := c.tickDone
	c.mu.Unlock()
	if tickDone == nil {
		t.Fatal("no ticker running after RunStarted")
	}
	feed(c, evs[1:])
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if c.stopTick != nil {
		t.Error("ticker still running after Close")
	}
	// The ticker goroutine closes tickDone when it returns: once it has,
	// nothing can write any more. Close must not return before that.
	select {
	case <-tickDone:
	default:
		t.Error("Close returned while the ticker goroutine still runs: it could keep writing")
	}
	if !strings.Contains(buf.String(), "6/6 devices done, 0 running, 3 failed") {
		t.Errorf("no final progress line in:\n%q", buf.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestConsoleWriteErrorReportedAtClose(t *testing.T) {
	c := NewConsole(failWriter{}, ConsoleOptions{})
	feed(c, events(fixture()))
	if err := c.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Close() = %v, want the write error", err)
	}
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "0ms",
		400 * time.Microsecond:   "<1ms",
		ms(120):                  "120ms",
		ms(2345):                 "2.3s",
		4*time.Minute + ms(4600): "4m05s",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
