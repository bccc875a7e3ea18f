package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// verboseRun is one device, one step retried once, then ok, with its
// trace handed over before StepFinished as the engine does.
func verboseRun(c *console) {
	c.Event(engine.Event{Type: engine.RunStarted, Total: 1})
	c.Event(engine.Event{Type: engine.DeviceStarted, Device: "sw1"})
	c.Event(engine.Event{Type: engine.StepStarted, Device: "sw1", Step: "send_command.ver"})
	c.Event(engine.Event{Type: engine.StepStarted, Device: "sw1", Step: "send_command.ver",
		Message: "attempt 2/3 after 1s\nattempt 1 error: timed out (step timeout 2s): no prompt within 2s (privileged mode)"})
	c.StepTrace("sw1", "send_command.ver", []string{"> show version | include (sensitive)", "< sw1#"})
	c.Event(engine.Event{Type: engine.StepFinished, Device: "sw1", Step: "send_command.ver", Status: engine.StatusOK,
		Duration: ms(3), Output: "Cisco IOS Software\r\n\r\nuptime is 1 day\n"})
	c.Event(engine.Event{Type: engine.DeviceFinished, Device: "sw1", Status: engine.DevicePassed, Duration: ms(4)})
}

func TestConsoleVerbosity(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	const (
		retry = "sw1  send_command.ver  retry  attempt 2/3 after 1s\n" +
			"    attempt 1 error: timed out (step timeout 2s): no prompt within 2s (privileged mode)\n"
		step   = "sw1  send_command.ver  ok  3ms\n"
		trace  = "    > show version | include (sensitive)\n    < sw1#\n"
		output = "    | Cisco IOS Software\n    |\n    | uptime is 1 day\n"
		device = "sw1  passed  4ms\n"
	)
	tests := []struct {
		name string
		opts ConsoleOptions
		want string // the output before the recap
	}{
		{"default", ConsoleOptions{}, retry + step + device},
		{"-v", ConsoleOptions{Verbose: 1}, retry + step + output + device},
		{"-vv", ConsoleOptions{Verbose: 2}, retry + step + trace + output + device},
		{"quiet", ConsoleOptions{Quiet: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := newTestConsole(&buf, tt.opts)
			verboseRun(c)
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			got, _, _ := strings.Cut(buf.String(), "\nRECAP\n")
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// On a terminal the progress line normally hides passing steps; -v
// prints them, and retries always, above it.
func TestConsoleVerboseOnTTY(t *testing.T) {
	for _, verbose := range []int{0, 1} {
		var buf bytes.Buffer
		c := newTestConsole(&buf, ConsoleOptions{TTY: true, NoColor: true, Verbose: verbose})
		verboseRun(c)
		c.Close()
		out := buf.String()
		if !strings.Contains(out, "retry  attempt 2/3 after 1s") {
			t.Errorf("verbose %d: the retry is not shown on a terminal:\n%q", verbose, out)
		}
		if got := strings.Contains(out, "| uptime is 1 day"); got != (verbose > 0) {
			t.Errorf("verbose %d: output shown = %v:\n%q", verbose, got, out)
		}
	}
}

// A passing step's message (check mode: a backup not written) shows with -v.
func TestConsoleVerboseShowsPassingStepMessage(t *testing.T) {
	var buf bytes.Buffer
	c := newTestConsole(&buf, ConsoleOptions{Verbose: 1})
	c.Event(engine.Event{Type: engine.StepFinished, Device: "sw1", Step: "backup.running", Status: engine.StatusOK,
		Message: "check mode: backup not written; apply would write backups/sw1/sw1-20250301T120000Z.cfg"})
	if want := "sw1  backup.running  ok  0ms\n    check mode: backup not written; apply would write backups/sw1/sw1-20250301T120000Z.cfg\n"; buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}
