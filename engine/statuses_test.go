package engine_test

// Statuses users know (issue 11): auth_failed apart from unreachable and
// never retried, host key problems never retried, a panicking device that
// fails alone, and a recap whose failed= column counts only failed steps.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/report"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/lab"
)

const twoStepsWithRetries = `
step "send_command" "first" {
  command = "show clock"
  retries = 2
}

step "send_command" "second" {
  command = "show version"
  retries = 2
}
`

// A refused password is auth_failed after exactly one attempt, although
// the steps allow two retries each; the second step does not log in again.
func TestStatusAuthFailedOnceAgainstLab(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "locked", platform: "cisco_ios", faults: &lab.Faults{AuthFail: true}})
	rep := compile(t, twoStepsWithRetries).Run(context.Background(), hosts, fastOpts(nil))
	d := rep.Devices[0]
	if d.Status != engine.DeviceAuthFailed {
		t.Errorf("status %s, want auth_failed (message %q)", d.Status, d.Message)
	}
	if n := fleet.Device("locked").AuthAttempts(); n != 1 {
		t.Errorf("the lab saw %d authentication attempts, want exactly 1", n)
	}
	if a := d.Steps[0].Attempts; a != 1 {
		t.Errorf("first step ran %d attempts, want 1", a)
	}
	if d.Steps[1].Status != engine.StatusSkipped {
		t.Errorf("second step %s, want skipped", d.Steps[1].Status)
	}
}

// A wrong enable secret ("% Bad secrets") is auth_failed after one
// attempt: the secret is sent once, not once per retry or per step.
func TestStatusWrongEnableSecretOnce(t *testing.T) {
	fleet, hosts := startFleet(t, labDevice{name: "en", platform: "cisco_ios"})
	hosts[0].Secret = hcl.NewSecret("not-the-secret")
	rep := compile(t, twoStepsWithRetries).Run(context.Background(), hosts, fastOpts(nil))
	d := rep.Devices[0]
	if d.Status != engine.DeviceAuthFailed {
		t.Errorf("status %s, want auth_failed (message %q)", d.Status, d.Message)
	}
	enables := 0
	for _, l := range fleet.Device("en").Received() {
		if strings.TrimSpace(l) == "enable" {
			enables++
		}
	}
	if enables != 1 {
		t.Errorf("the device received %d \"enable\" commands, want exactly 1: %q", enables, fleet.Device("en").Received())
	}
	if a := d.Steps[0].Attempts; a != 1 {
		t.Errorf("first step ran %d attempts, want 1", a)
	}
	if d.Steps[1].Status != engine.StatusSkipped {
		t.Errorf("second step %s, want skipped", d.Steps[1].Status)
	}
	if strings.Contains(d.Message, "not-the-secret") {
		t.Errorf("message leaks the secret: %q", d.Message)
	}
}

// known_hosts holds only an RSA key for a device that offers ed25519: a
// host key problem, reported as such and not retried, without the
// legacy_algorithms hint.
func TestStatusHostKeyTypeMismatchNotRetried(t *testing.T) {
	_, hosts := startFleet(t, labDevice{name: "rsa", platform: "cisco_ios"})
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(&priv.PublicKey)
	addr := knownhosts.Normalize(hostAddrOf(hosts[0]))
	if err := os.WriteFile(hosts[0].KnownHostsFile, []byte(knownhosts.Line([]string{addr}, pub)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep := compile(t, twoStepsWithRetries).Run(context.Background(), hosts, fastOpts(nil))
	d := rep.Devices[0]
	if d.Status != engine.DeviceUnreachable {
		t.Errorf("status %s, want unreachable", d.Status)
	}
	if a := d.Steps[0].Attempts; a != 1 {
		t.Errorf("step ran %d attempts, want 1 (a host key problem is not retried)", a)
	}
	msg := d.Steps[0].Message
	if !strings.Contains(msg, "HOST KEY TYPE MISMATCH") || !strings.Contains(msg, "ssh-ed25519") {
		t.Errorf("message does not explain the key type mismatch: %q", msg)
	}
	if strings.Contains(msg, "legacy_algorithms") {
		t.Errorf("message gives the legacy_algorithms hint: %q", msg)
	}
}

func hostAddrOf(h *hcl.Host) string {
	return "127.0.0.1:" + itoa(h.Port)
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// fakeSession answers every command, or panics for the device told to.
type fakeSession struct {
	name  string
	panic bool
}

func (f *fakeSession) SendCommand(ctx context.Context, cmd string, _ ...driver.SendOption) (*driver.Response, error) {
	if f.panic {
		var recs []string
		_ = recs[len(cmd)] // an index out of range: a real runtime panic
	}
	now := time.Now()
	return &driver.Response{Command: cmd, Output: "ok", Start: now, End: now, Prompt: f.name + "#"}, nil
}

func (f *fakeSession) SendConfigSet(ctx context.Context, lines []string, _ ...driver.ConfigOption) (*driver.MultiResponse, error) {
	return &driver.MultiResponse{}, nil
}

func (f *fakeSession) Save(ctx context.Context) (*driver.Response, error) {
	return &driver.Response{}, nil
}

func (f *fakeSession) SendInteractive(ctx context.Context, _ []driver.InteractiveEvent, _ ...driver.SendOption) (*driver.Response, error) {
	return &driver.Response{}, nil
}

func (f *fakeSession) Platform() string { return "cisco_ios" }
func (f *fakeSession) Hostname() string { return f.name }
func (f *fakeSession) Close() error     { return nil }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A panic in one device's step makes that device error; the other
// devices finish, and the JSON and JUnit reports and the recap are
// written. The stack is in the debug log.
func TestStatusPanicFailsOnlyItsDevice(t *testing.T) {
	var hosts []*hcl.Host
	for _, n := range []string{"a", "boom", "c"} {
		hosts = append(hosts, &hcl.Host{Name: n, Address: "127.0.0.1", Port: 1, Platform: "cisco_ios"})
	}
	opened := map[string]int{}
	var mu sync.Mutex
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	var console, logs lockedBuffer
	sink := report.Multi(report.NewConsole(&console, report.ConsoleOptions{}), report.NewJSON(jsonPath, report.JSONOptions{}), report.NewJUnit(junitPath))
	opts := fastOpts(sink)
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Open = func(ctx context.Context, h *hcl.Host, _ io.Writer) (engine.Session, error) {
		mu.Lock()
		opened[h.Name]++
		mu.Unlock()
		return &fakeSession{name: h.Name, panic: h.Name == "boom"}, nil
	}
	rep := compile(t, twoStepsWithRetries).Run(context.Background(), hosts, opts)
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	got := map[string]engine.Status{}
	for _, d := range rep.Devices {
		got[d.Name] = d.Status
	}
	want := map[string]engine.Status{"a": engine.DevicePassed, "boom": engine.DeviceError, "c": engine.DevicePassed}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("device %s: status %s, want %s", k, got[k], v)
		}
	}
	boom := rep.Devices[1]
	if !strings.Contains(boom.Steps[0].Message, "panic") || !strings.Contains(boom.Message, "panic") {
		t.Errorf("the device's message does not say it panicked: step %q, device %q", boom.Steps[0].Message, boom.Message)
	}
	if boom.Steps[0].Attempts != 1 || boom.Steps[1].Status != engine.StatusSkipped {
		t.Errorf("after a panic: attempts %d (want 1), second step %s (want skipped)", boom.Steps[0].Attempts, boom.Steps[1].Status)
	}
	if !strings.Contains(logs.String(), "statuses_test.go") {
		t.Errorf("the debug log has no stack pointing at the panic:\n%s", logs.String())
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatalf("JSON report not written: %v", err)
	}
	var doc struct {
		Devices []struct{ Name, Status string }
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Devices) != 3 || doc.Devices[1].Status != "error" || doc.Devices[0].Status != "passed" {
		t.Errorf("JSON devices %+v", doc.Devices)
	}
	if x, err := os.ReadFile(junitPath); err != nil || !bytes.Contains(x, []byte("panic")) {
		t.Errorf("JUnit report missing or without the panic (%v)", err)
	}
	if !strings.Contains(console.String(), "RECAP") || !strings.Contains(console.String(), "boom") {
		t.Errorf("no recap:\n%s", console.String())
	}
}

// The recap's failed= counts failed steps only; errored steps have their
// own column; an auth failure reads auth_failed in the status column, the
// summary, the JSON report and the JUnit report.
func TestStatusRecapCountsAndReportsAgree(t *testing.T) {
	_, hosts := startFleet(t,
		labDevice{name: "good", platform: "cisco_ios"},
		labDevice{name: "hangs", platform: "cisco_ios", faults: &lab.Faults{Hang: "^show clock"}},
		labDevice{name: "locked", platform: "cisco_ios", faults: &lab.Faults{AuthFail: true}},
	)
	plan := compile(t, `
step "send_command" "first" {
  command = "show clock"
  timeout = "300ms"
}

step "send_command" "second" {
  command = "show version"
}
`)
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	var console lockedBuffer
	sink := report.Multi(report.NewConsole(&console, report.ConsoleOptions{}), report.NewJSON(jsonPath, report.JSONOptions{}), report.NewJUnit(junitPath))
	plan.Run(context.Background(), hosts, fastOpts(sink))
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	out := console.String()
	recap := out[strings.Index(out, "RECAP"):]
	for _, want := range []string{
		"good    passed       ok=2  changed=0  failed=0  error=0  skipped=0  unreachable=0",
		"hangs   error        ok=1  changed=0  failed=0  error=1  skipped=0  unreachable=0",
		"locked  auth_failed  ok=0  changed=0  failed=0  error=1  skipped=1  unreachable=0",
		"3 devices: 1 passed, 1 error, 1 auth_failed",
	} {
		if !strings.Contains(recap, want) {
			t.Errorf("recap lacks %q:\n%s", want, recap)
		}
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary map[string]any
		Devices []struct{ Name, Status string }
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary["auth_failed"] != 1.0 || doc.Summary["error"] != 1.0 || doc.Summary["passed"] != 1.0 {
		t.Errorf("JSON summary %v", doc.Summary)
	}
	if len(doc.Devices) != 3 || doc.Devices[2].Status != "auth_failed" {
		t.Errorf("JSON devices %+v", doc.Devices)
	}
	x, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(x, []byte(`type="auth_failed"`)) {
		t.Errorf("JUnit has no auth_failed error:\n%s", x)
	}
}

var _ = errors.New
