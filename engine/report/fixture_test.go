package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runbook-dev/runbook/engine"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// fixture is a run over six devices covering every device status: passed
// (with a changed step and a `when` skip), failed on an assertion, error
// mid-config, unreachable, and never started.
func fixture() *engine.Report {
	step := func(kind, name string, st engine.Status, d time.Duration, msg string) *engine.StepResult {
		return &engine.StepResult{Address: kind + "." + name, Kind: kind, Name: name, Status: st, Duration: d, Message: msg, Attempts: 1}
	}
	pre := func() *engine.StepResult {
		s := step("send_command", "pre", engine.StatusOK, ms(120), "")
		s.Output = "  address  ref clock\n*~10.0.1.100  .GPS."
		s.Records = []map[string]any{{"address": "10.0.1.100", "ref_clock": ".GPS."}}
		return s
	}
	verify := func(ok bool) *engine.StepResult {
		if ok {
			s := step("send_command", "verify", engine.StatusOK, ms(80), "")
			s.Output = "ntp server 10.0.1.100\nntp server 10.0.1.101"
			s.Asserts = []engine.AssertResult{{Name: "all_servers_present", Passed: true}}
			return s
		}
		msg := "an NTP server is missing after the push: expected all(vars.ntp_servers, {output contains #}) but 1 of 2 failed: [\"10.0.1.101\"]"
		s := step("send_command", "verify", engine.StatusFailed, ms(90), `assert "all_servers_present": `+msg)
		s.Output = "ntp server 10.0.1.100"
		s.Asserts = []engine.AssertResult{
			{Name: "all_servers_present", Passed: false, Message: msg},
			{Name: "no_garbage", Passed: true},
		}
		return s
	}
	dev := func(name, addr, platform string, st engine.Status, msg string, d time.Duration, steps ...*engine.StepResult) *engine.DeviceResult {
		return &engine.DeviceResult{Name: name, Address: addr, Platform: platform, Status: st, Message: msg, Start: t0, Duration: d, Steps: steps}
	}
	refused := "connect 127.0.0.1:2203: dial tcp 127.0.0.1:2203: connect: connection refused"
	return &engine.Report{
		Playbook: "playbooks/ntp.hcl",
		Mode:     "apply",
		Start:    t0,
		Duration: ms(2345),
		Devices: []*engine.DeviceResult{
			dev("core1", "127.0.0.1:2201", "cisco_ios", engine.DevicePassed, "", ms(1200),
				pre(),
				step("send_config_set", "push", engine.StatusChanged, ms(300), ""),
				step("save", "config", engine.StatusChanged, ms(450), ""),
				verify(true)),
			dev("core2", "127.0.0.1:2202", "cisco_ios", engine.DeviceFailed, "", ms(1300),
				pre(),
				step("send_config_set", "push", engine.StatusChanged, ms(310), ""),
				step("save", "config", engine.StatusChanged, ms(460), ""),
				verify(false)),
			dev("core3", "127.0.0.1:2203", "cisco_ios", engine.DeviceUnreachable, refused, ms(15),
				step("send_command", "pre", engine.StatusError, ms(15), refused),
				step("send_config_set", "push", engine.StatusSkipped, 0, "dependency send_command.pre did not succeed"),
				step("save", "config", engine.StatusSkipped, 0, "dependency send_config_set.push did not succeed"),
				step("send_command", "verify", engine.StatusSkipped, 0, "dependency save.config did not succeed")),
			dev("dist1", "127.0.0.1:2204", "arista_eos", engine.DeviceError, "", ms(5000),
				pre(),
				step("send_config_set", "push", engine.StatusError, ms(5000), "step timed out after 5s: waiting for prompt\nlast output: \"(config)#\""),
				step("save", "config", engine.StatusSkipped, 0, "dependency send_config_set.push did not succeed"),
				step("send_command", "verify", engine.StatusSkipped, 0, "dependency save.config did not succeed")),
			dev("edge1", "127.0.0.1:2205", "arista_eos", engine.DevicePassed, "", ms(700),
				pre(),
				step("send_config_set", "push", engine.StatusSkipped, 0, "when is false: host.tags contains \"frozen\""),
				step("save", "config", engine.StatusOK, ms(200), ""),
				verify(true)),
			dev("edge2", "127.0.0.1:2206", "arista_eos", engine.DeviceSkipped, "not started: --fail-fast after core2 failed", 0),
		},
	}
}

// events replays a report the way the engine emits it: devices one after
// another (interleaving does not matter to sinks), a never-started device
// only finishing.
func events(rep *engine.Report) []engine.Event {
	evs := []engine.Event{{Type: engine.RunStarted, Time: rep.Start, Total: len(rep.Devices)}}
	now := rep.Start
	for _, d := range rep.Devices {
		if d.Status != engine.DeviceSkipped {
			evs = append(evs, engine.Event{Type: engine.DeviceStarted, Time: now, Device: d.Name, Address: d.Address})
		}
		for _, s := range d.Steps {
			if s.Status == engine.StatusSkipped && d.Status == engine.DeviceSkipped {
				continue
			}
			evs = append(evs, engine.Event{Type: engine.StepStarted, Time: now, Device: d.Name, Step: s.Address, Kind: s.Kind, Name: s.Name})
			now = now.Add(s.Duration)
			evs = append(evs, engine.Event{
				Type: engine.StepFinished, Time: now, Device: d.Name, Step: s.Address, Kind: s.Kind, Name: s.Name,
				Status: s.Status, Duration: s.Duration, Message: s.Message, Output: s.Output, Records: s.Records, Asserts: s.Asserts,
			})
		}
		evs = append(evs, engine.Event{Type: engine.DeviceFinished, Time: now, Device: d.Name, Address: d.Address,
			Status: d.Status, Message: d.Message, Duration: d.Duration, Result: d})
	}
	evs = append(evs, engine.Event{Type: engine.RunFinished, Time: now, Total: len(rep.Devices), Report: rep})
	return evs
}

func feed(s engine.Sink, evs []engine.Event) {
	for _, ev := range evs {
		s.Event(ev)
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// dirNames lists a directory, to catch leftover temp files.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// syncBuffer is a bytes.Buffer safe to read while the console's ticker
// writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
