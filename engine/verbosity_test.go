package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/engine"
)

// traceRecorder is a Sink and a StepTracer that keeps, in order, the
// traces and the step events.
type traceRecorder struct {
	mu  sync.Mutex
	log []string
}

func (r *traceRecorder) StepTrace(device, step string, lines []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range lines {
		r.log = append(r.log, device+" "+step+" "+l)
	}
}

func (r *traceRecorder) Event(e engine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Type {
	case engine.StepStarted:
		if e.Message != "" {
			r.log = append(r.log, e.Device+" "+e.Step+" retry: "+strings.ReplaceAll(e.Message, "\n", " | "))
		}
	case engine.StepFinished:
		r.log = append(r.log, e.Device+" "+e.Step+" finished "+string(e.Status))
	}
}

func (r *traceRecorder) Close() error { return nil }

// The lab hosts of startFleet log in with password "labpass" and enable
// secret "labsecret"; a sensitive variable is a third secret.
const tracePlaybook = `
variable "community" {
  sensitive = true
  default   = "s3cret-community-x9"
}

step "send_command" "grep" {
  command = "show running-config | include labpass"
}

step "send_config_set" "snmp" {
  commands = ["snmp-server community ${var.community} RO"]
}
`

func TestTracerGetsRedactedCommandsAndPromptsBeforeTheStep(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	rec := &traceRecorder{}
	opts := fastOpts(rec)
	opts.Tracer = rec
	rep := compile(t, tracePlaybook).Run(context.Background(), hosts, opts)
	if st := rep.Devices[0].Status; st != engine.DevicePassed {
		t.Fatalf("r1: %s %+v", st, rep.Devices[0].Steps)
	}
	want := []string{
		"r1 send_command.grep > show running-config | include (sensitive)",
		"r1 send_command.grep < r1#",
		"r1 send_command.grep finished ok",
		"r1 send_config_set.snmp > show running-config",
		"r1 send_config_set.snmp < r1#",
		"r1 send_config_set.snmp > snmp-server community (sensitive) RO",
		"r1 send_config_set.snmp < r1(config)#",
		// The configuration after the push, for the step's diff.
		"r1 send_config_set.snmp > show running-config",
		"r1 send_config_set.snmp < r1#",
		"r1 send_config_set.snmp finished changed",
	}
	if diff := cmp.Diff(want, rec.log); diff != "" {
		t.Errorf("trace and events (-want +got):\n%s", diff)
	}
}

func TestNoTracerNoTrace(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	rec := &traceRecorder{}
	compile(t, tracePlaybook).Run(context.Background(), hosts, fastOpts(rec)) // Tracer unset
	for _, l := range rec.log {
		if strings.Contains(l, "> ") {
			t.Errorf("a trace without a Tracer: %s", l)
		}
	}
}

func TestLoggerIsPassedInAndRedacted(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	var buf bytes.Buffer
	opts := fastOpts(nil)
	opts.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rep := compile(t, tracePlaybook).Run(context.Background(), hosts, opts)
	if st := rep.Devices[0].Status; st != engine.DevicePassed {
		t.Fatalf("r1: %s", st)
	}
	log := buf.String()
	for _, want := range []string{
		`msg=sent device=r1 command="show running-config | include (sensitive)"`,
		`msg="prompt matched" device=r1 prompt=r1#`,
		`msg="step finished" device=r1 step=send_config_set.snmp status=changed`,
		`msg="device finished" device=r1 status=passed`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	for _, sec := range []string{"labpass", "labsecret", "s3cret-community-x9"} {
		if strings.Contains(log, sec) {
			t.Errorf("log holds the secret %q:\n%s", sec, log)
		}
	}
}

func TestRetriesAreAnnounced(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"})
	rec := &traceRecorder{}
	var buf bytes.Buffer
	opts := fastOpts(rec)
	opts.Logger = slog.New(slog.NewTextHandler(&buf, nil)) // info
	rep := compile(t, `
step "send_command" "check" {
  command = "show clock"
  retries = 2
  assert "never" {
    expr = "output == 'no such clock'"
  }
}
`).Run(context.Background(), hosts, opts)
	s := rep.Devices[0].Steps[0]
	if s.Status != engine.StatusFailed || s.Attempts != 3 || !strings.HasSuffix(s.Message, "(after 3 attempts)") {
		t.Errorf("step %s after %d attempts: %q", s.Status, s.Attempts, s.Message)
	}
	var retries []string
	for _, l := range rec.log {
		if strings.Contains(l, " retry: ") {
			retries = append(retries, l)
		}
	}
	for i, want := range []string{
		`r1 send_command.check retry: attempt 2/3 after 10ms | attempt 1 failed: assert "never": `,
		`r1 send_command.check retry: attempt 3/3 after 20ms | attempt 2 failed: assert "never": `,
	} {
		if i >= len(retries) || !strings.HasPrefix(retries[i], want) {
			t.Errorf("retry %d: want %q, events:\n%s", i+1, want, strings.Join(rec.log, "\n"))
		}
	}
	if len(retries) != 2 {
		t.Errorf("%d retry events, want 2", len(retries))
	}
	for _, want := range []string{`msg="retrying step" device=r1 step=send_command.check attempt=2 of=3 after=10ms`, "attempt=3 of=3 after=20ms"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, buf.String())
		}
	}
}

// check runs a backup step for what it reads but writes no backup and
// prunes none.
func TestCheckModeBackupWritesNothing(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "r1", platform: "cisco_ios"}, labDevice{name: "r2", platform: "arista_eos"})
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	plan := compile(t, fmt.Sprintf(`
step "backup" "running" {
  dir  = %q
  keep = 1
}
`, backups))
	opts := fastOpts(nil)
	opts.Check = true
	opts.KeepConfigBodies = true
	rep := plan.Run(context.Background(), hosts, opts)
	for _, d := range rep.Devices {
		s := d.Steps[0]
		if d.Status != engine.DevicePassed || s.Status != engine.StatusOK || !strings.Contains(s.Message, "backup not written") {
			t.Errorf("%s: %s, step %s %q; want passed, ok, not written", d.Name, d.Status, s.Status, s.Message)
		}
		if !strings.Contains(s.Output, "hostname "+d.Name) {
			t.Errorf("%s: the check did not read the configuration: %q", d.Name, s.Output)
		}
	}
	if _, err := os.Stat(backups); !os.IsNotExist(err) {
		t.Errorf("check mode created %s (%v)", backups, err)
	}
	// apply writes them.
	if rep := plan.Run(context.Background(), hosts, fastOpts(nil)); rep.Devices[0].Status != engine.DevicePassed {
		t.Fatalf("apply: %s", rep.Devices[0].Status)
	}
	if m, _ := filepath.Glob(filepath.Join(backups, "*", "*.cfg")); len(m) != 2 {
		t.Errorf("apply wrote %v, want one backup per device", m)
	}
}
