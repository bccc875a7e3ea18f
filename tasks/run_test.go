package tasks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/driver"
)

// fakeConn is a scripted device: commands matching reject are refused
// like IOS does, and every call is recorded.
type fakeConn struct {
	platform string
	reject   *regexp.Regexp
	outputs  map[string]string
	err      error // returned by every call when set

	mu     sync.Mutex
	calls  []string
	events []driver.InteractiveEvent
}

func (f *fakeConn) resp(cmd string) *driver.Response {
	r := &driver.Response{Command: cmd, Output: f.outputs[cmd]}
	if f.reject != nil && f.reject.MatchString(cmd) {
		r.Failed, r.FailedBy = true, "% Invalid input"
		r.ErrorText = "% Invalid input detected at '^' marker."
		r.Output = "        ^\n" + r.ErrorText
	}
	return r
}

func (f *fakeConn) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeConn) SendCommand(_ context.Context, cmd string, _ ...driver.SendOption) (*driver.Response, error) {
	f.record("cmd " + cmd)
	if f.err != nil {
		return nil, f.err
	}
	return f.resp(cmd), nil
}

func (f *fakeConn) SendConfigSet(_ context.Context, lines []string, opts ...driver.ConfigOption) (*driver.MultiResponse, error) {
	f.record(fmt.Sprintf("config %q", lines))
	if f.err != nil {
		return nil, f.err
	}
	// The options are opaque outside driver; the fake always continues,
	// which is what the tests with continue_on_error check.
	mr := &driver.MultiResponse{}
	for _, l := range lines {
		r := f.resp(l)
		mr.Responses = append(mr.Responses, r)
		mr.Failed = mr.Failed || r.Failed
	}
	return mr, nil
}

func (f *fakeConn) Save(context.Context) (*driver.Response, error) {
	f.record("save")
	if f.err != nil {
		return nil, f.err
	}
	return &driver.Response{Command: "copy running-config startup-config", Output: "[OK]"}, nil
}

func (f *fakeConn) SendInteractive(_ context.Context, ev []driver.InteractiveEvent, _ ...driver.SendOption) (*driver.Response, error) {
	f.record("interactive")
	f.mu.Lock()
	f.events = ev
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return &driver.Response{Command: ev[0].Send, Output: "Proceed with reload? [confirm]"}, nil
}

func (f *fakeConn) Platform() string { return f.platform }
func (f *fakeConn) Hostname() string { return "core1" }

func run(t *testing.T, kind, src string, conn Conn, env *Env) (*Result, error) {
	t.Helper()
	a, diags := decode(t, kind, src, hostCtx())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return a.Run(context.Background(), conn, env)
}

func TestRunSendCommand(t *testing.T) {
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show clock": "12:00:00 UTC"}, reject: regexp.MustCompile(`^show bogus`)}
	res, err := run(t, "send_command", `command = "show clock"`, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"output": "12:00:00 UTC", "result": []any{}, "changed": false, "failed": false, "status": "ok", "path": "", "lines": []any{}}
	if diff := cmp.Diff(want, res.Value()); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}
	res, err = run(t, "send_command", `command = "show bogus"`, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || res.Message != `command "show bogus": % Invalid input detected at '^' marker.` {
		t.Errorf("rejected command: Failed=%v Message=%q", res.Failed, res.Message)
	}
	conn.err = fmt.Errorf("core1: send_command: %w", driver.ErrTimeout)
	if _, err := run(t, "send_command", `command = "show clock"`, conn, &Env{}); !errors.Is(err, driver.ErrTimeout) {
		t.Errorf("err = %v, want the driver's timeout", err)
	}
}

func TestRunSendConfigSet(t *testing.T) {
	conn := &fakeConn{reject: regexp.MustCompile(`serv x`)}
	res, err := run(t, "send_config_set", `commands = ["ntp server 10.0.1.100", "ntp serv x", "ntp serv xx"]
continue_on_error = true`, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || !res.Changed {
		t.Errorf("Failed=%v Changed=%v, want both (one line was accepted)", res.Failed, res.Changed)
	}
	if want := `2 lines rejected, the first: line "ntp serv x": % Invalid input detected at '^' marker. (1 line accepted and in effect)`; res.Message != want {
		t.Errorf("Message = %q, want %q", res.Message, want)
	}
	lines := res.Value()["lines"].([]any)
	if len(lines) != 3 || lines[1].(map[string]any)["failed"] != true {
		t.Errorf("lines = %v", lines)
	}

	// A line built from a secret stays hidden in lines and messages.
	conn.reject = regexp.MustCompile(`secret`)
	res, err = run(t, "send_config_set", `commands = ["username admin secret ${var.password}"]`, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Value(), res.Message); strings.Contains(got, "hunter2") {
		t.Errorf("secret leaked: %s", got)
	}
	if res.Message != `line "(sensitive)": % Invalid input detected at '^' marker.` {
		t.Errorf("Message = %q", res.Message)
	}

	res, err = run(t, "send_config_set", "template = <<EOT\nvlan ${host.vars.vlan}\n\n name users\nEOT\n", conn, &Env{})
	if err != nil || res.Failed || !res.Changed {
		t.Fatalf("template: %v %+v", err, res)
	}
	// The push is followed by the read of the configuration for its diff.
	if sent := configCalls(conn); len(sent) == 0 || sent[len(sent)-1] != `config ["vlan 42" " name users"]` {
		t.Errorf("sent %q, want last config [\"vlan 42\" \" name users\"]", sent)
	}

	// A template that renders empty for this host sends nothing.
	n := len(conn.calls)
	res, err = run(t, "send_config_set", `template = ""`, conn, &Env{})
	if err != nil || res.Changed || res.Failed || len(conn.calls) != n {
		t.Errorf("empty template: %v %+v, calls %v", err, res, conn.calls[n:])
	}
}

func TestRunSaveExpectAssert(t *testing.T) {
	conn := &fakeConn{}
	res, err := run(t, "save", ``, conn, &Env{})
	if err != nil || !res.Changed || res.Failed {
		t.Errorf("save: %v %+v", err, res)
	}
	res, err = run(t, "expect", "command = \"reload\"\nexpect \"confirm\" {\n send = \"\"\n}\nexpect \"Password\" {\n send = var.password\n}\n", conn, &Env{})
	if err != nil || res.Failed {
		t.Fatalf("expect: %v %+v", err, res)
	}
	want := []driver.InteractiveEvent{
		{Send: "reload", Expect: "confirm", Regex: true},
		{Send: "", Expect: "Password", Regex: true},
		{Send: "hunter2", Hidden: true}, // a sensitive answer is hidden
	}
	if diff := cmp.Diff(want, conn.events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// Assert-only steps never touch the connection.
	res, err = run(t, "assert", ``, nil, &Env{})
	if err != nil || res.Failed {
		t.Errorf("assert: %v %+v", err, res)
	}
}

func TestRunUnknownAtRunTime(t *testing.T) {
	a, diags := decode(t, "send_command", `command = "show ${host.vars.x}"`, validateCtx())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, err := a.Run(context.Background(), &fakeConn{}, &Env{}); err == nil {
		t.Error("running with an unknown command must fail")
	}
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	cfg := "Building configuration...\n\nCurrent configuration : 42 bytes\n!\nhostname core1\nend"
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": cfg}}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	env := &Env{HostName: "core1", BaseDir: dir, Now: func() time.Time { return now }}
	var paths []string
	for i := range 5 {
		now = now.Add(time.Duration(i%2) * time.Minute) // two backups share a second
		res, err := run(t, "backup", "dir = \"backups\"\nkeep = 3\n", conn, env)
		if err != nil {
			t.Fatal(err)
		}
		if res.Changed || res.Failed || res.Value()["path"] != res.Path {
			t.Errorf("result %+v", res)
		}
		paths = append(paths, res.Path)
	}
	if want := filepath.Join(dir, "backups", "core1", "core1-20250301T110000Z.cfg"); paths[0] != want {
		t.Errorf("first path %s, want %s (UTC timestamp)", paths[0], want)
	}
	if paths[0] == paths[1] {
		t.Error("two backups in the same second overwrote each other")
	}
	b, err := os.ReadFile(paths[4])
	if err != nil {
		t.Fatal(err)
	}
	if want := "Current configuration : 42 bytes\n!\nhostname core1\nend\n"; string(b) != want {
		t.Errorf("backup content %q, want %q", b, want)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "backups", "core1"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	var want []string
	for _, p := range paths[2:] {
		want = append(want, filepath.Base(p))
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("kept backups (-want +got), no temp files may remain:\n%s", diff)
	}
}

func TestBackupFailuresLeaveNoFile(t *testing.T) {
	dir := t.TempDir()
	env := &Env{HostName: "core1", BaseDir: dir}
	// The device rejects the command: a failed step, no file.
	conn := &fakeConn{platform: "cisco_ios", reject: regexp.MustCompile(`running`)}
	res, err := run(t, "backup", `dir = "b"`, conn, env)
	if err != nil || !res.Failed {
		t.Errorf("rejected: %v %+v", err, res)
	}
	// Empty output: failed, not an empty backup that keep would rotate in.
	conn = &fakeConn{platform: "cisco_ios"}
	res, err = run(t, "backup", `dir = "b"`, conn, env)
	if err != nil || !res.Failed {
		t.Errorf("empty: %v %+v", err, res)
	}
	// Transport error: a Go error, no file.
	conn = &fakeConn{platform: "cisco_ios", err: driver.ErrClosed}
	if _, err := run(t, "backup", `dir = "b"`, conn, env); !errors.Is(err, driver.ErrClosed) {
		t.Errorf("err = %v", err)
	}
	// Linux has no running-config.
	if _, err := run(t, "backup", `dir = "b"`, &fakeConn{platform: "linux"}, env); !errors.Is(err, driver.ErrUnsupported) {
		t.Errorf("linux: err = %v", err)
	}
	// The directory cannot be created: a local I/O error.
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	conn = &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": "hostname x\n"}}
	if _, err := run(t, "backup", `dir = "file"`, conn, env); err == nil {
		t.Error("want an error writing under a file")
	}
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != blocker {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Errorf("files left behind: %v", files)
	}
	// Junos backs up `show configuration`.
	conn = &fakeConn{platform: "juniper_junos", outputs: map[string]string{"show configuration": "system { host-name r1; }"}}
	res, err = run(t, "backup", `dir = "j"`, conn, env)
	if err != nil || res.Failed || !strings.Contains(conn.calls[0], "show configuration") {
		t.Errorf("junos: %v %+v %v", err, res, conn.calls)
	}
}

func TestPruneIgnoresOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"core1-20250101T000000Z.cfg", "core1-20250102T000000Z.cfg", "core1-20250102T000000Z-10.cfg", "core1-20250102T000000Z-9.cfg", "core1-notes.cfg", "core10-20240101T000000Z.cfg", "README"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := pruneBackups(dir, "core1", 2); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{"README", "core1-20250102T000000Z-10.cfg", "core1-20250102T000000Z-9.cfg", "core1-notes.cfg", "core10-20240101T000000Z.cfg"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
