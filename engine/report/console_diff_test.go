package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

func TestConsoleDiff(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	const diff = "  interface GigabitEthernet0/1\n-  description old\n+  description new\n"
	const shown = "sw1  send_config_set.push  changed  3ms\n" +
		"      interface GigabitEthernet0/1\n" +
		"    -  description old\n" +
		"    +  description new\n"
	tests := []struct {
		name  string
		opts  ConsoleOptions
		shown bool
	}{
		{"no --diff", ConsoleOptions{}, false},
		{"--diff", ConsoleOptions{Diff: true}, true},
		{"--diff on a terminal", ConsoleOptions{Diff: true, TTY: true}, true},
		{"--diff --quiet", ConsoleOptions{Diff: true, Quiet: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := NewConsole(&buf, tt.opts).(*console)
			c.tick = 0
			c.Event(engine.Event{Type: engine.RunStarted, Total: 1})
			c.Event(engine.Event{Type: engine.DeviceStarted, Device: "sw1"})
			c.Event(engine.Event{Type: engine.StepFinished, Device: "sw1", Step: "send_config_set.push",
				Status: engine.StatusChanged, Duration: ms(3), Diff: diff})
			c.Event(engine.Event{Type: engine.DeviceFinished, Device: "sw1", Status: engine.DevicePassed, Duration: ms(4)})
			out := buf.String()
			if got := strings.Contains(out, shown); got != tt.shown {
				t.Errorf("diff shown = %v, want %v:\n%s", got, tt.shown, out)
			}
			if !tt.shown && strings.Contains(out, "description new") {
				t.Errorf("a diff without --diff:\n%s", out)
			}
		})
	}
}
