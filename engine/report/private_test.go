package report

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// Reports and transcripts are 0600, a directory made for them 0700, and
// the umask can only take away from that.
func TestFilesArePrivate(t *testing.T) {
	for _, umask := range []int{0o022, 0o077, 0o277} {
		old := syscall.Umask(umask)
		dir := t.TempDir()
		json := NewJSON(filepath.Join(dir, "r", "report.json"), JSONOptions{})
		junit := NewJUnit(filepath.Join(dir, "junit.xml"))
		feed(Multi(json, junit), events(fixture()))
		errJ, errX := json.Close(), junit.Close()
		logs := NewSessionLogs(filepath.Join(dir, "logs"))
		w, errO := logs.Open("core1")
		if errO == nil {
			io.WriteString(w, "core1#\n")
			errO = w.Close()
		}
		syscall.Umask(old)
		for _, err := range []error{errJ, errX, errO} {
			if err != nil {
				t.Fatalf("umask %03o: %v", umask, err)
			}
		}
		limit := func(m os.FileMode) os.FileMode { return m &^ os.FileMode(umask) }
		for path, want := range map[string]os.FileMode{
			filepath.Join(dir, "r", "report.json"):  limit(0o600),
			filepath.Join(dir, "junit.xml"):         limit(0o600),
			filepath.Join(dir, "logs", "core1.log"): limit(0o600),
			filepath.Join(dir, "logs"):              limit(0o700),
			filepath.Join(dir, "r"):                 limit(0o700),
		} {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != want {
				t.Errorf("umask %03o: %s is %v, want %v", umask, path, got, want)
			}
		}
	}
}

// An existing world-readable report is replaced by a private one.
func TestReportReplacesWithPrivateMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	s := NewJSON(path, JSONOptions{})
	feed(s, events(fixture()))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm()&0o077 != 0 {
		t.Errorf("report is %v", st.Mode().Perm())
	}
}

// Transcripts pass through the device's redactor: sensitive variables
// are gone even when a write splits them, and words that merely contain
// a secret stay whole.
func TestSessionLogRedacts(t *testing.T) {
	const comm = `Co"mm<un>ity&1`
	dir := t.TempDir()
	logs := NewSessionLogs(dir, WithRedactor(func(device string) *hcl.Redactor {
		if device != "r1" {
			t.Errorf("redactor asked for %q", device)
		}
		return hcl.NewRedactor(comm, "admin")
	}))
	w, err := logs.Open("r1")
	if err != nil {
		t.Fatal(err)
	}
	text := "r1(config)#snmp-server community " + comm + " RO\nGi0/2 administratively down\nuser admin\n"
	for i := 0; i < len(text); i += 3 {
		if _, err := w.Write([]byte(text[i:min(i+3, len(text))])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(logs.Path("r1"))
	want := "r1(config)#snmp-server community (sensitive) RO\nGi0/2 administratively down\nuser (sensitive)\n"
	if string(b) != want {
		t.Errorf("transcript:\n%q\nwant\n%q", b, want)
	}
	if len(logs.Failures()) != 0 {
		t.Errorf("failures: %v", logs.Failures())
	}
}

// A transcript that cannot be written (the disk filled mid-run) is not
// silently short: later writes fail, Close says it was lost and leaves
// no file, and Failures lists it for the console.
func TestSessionLogWriteFailure(t *testing.T) {
	dir := t.TempDir()
	logs := NewSessionLogs(dir)
	w, err := logs.Open("sw1")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "sw1#show clock\n")
	w.(*transcript).f.Close() // the next write fails, as on a full disk
	if _, err := io.WriteString(w, "more"); err == nil {
		t.Fatal("write to a failed transcript succeeded")
	}
	err = w.Close()
	if err == nil || !strings.Contains(err.Error(), "lost") || !strings.Contains(err.Error(), "sw1.log") {
		t.Errorf("Close() = %v, want the transcript named as lost", err)
	}
	if got := logs.Failures(); len(got) != 1 || got[0].Error() != err.Error() {
		t.Errorf("Failures() = %v", got)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("files left: %v", names)
	}

	// A directory that cannot hold transcripts fails Open, and is listed.
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o600)
	logs = NewSessionLogs(filepath.Join(blocker, "logs"))
	if _, err := logs.Open("sw1"); err == nil || len(logs.Failures()) != 1 {
		t.Errorf("Open under a file: %v, failures %v", err, logs.Failures())
	}
}

// The backup's running-config (password hashes, communities) stays out of
// the JSON report unless ConfigBodies asks for it.
func TestJSONOmitsConfigBodies(t *testing.T) {
	rep := fixture()
	backup := &engine.StepResult{Address: "backup.running", Kind: "backup", Name: "running", Status: engine.StatusOK,
		Output: "hostname core1\nusername admin secret 9 $9$hash\n"}
	rep.Devices[0].Steps = append([]*engine.StepResult{backup}, rep.Devices[0].Steps...)
	for _, tt := range []struct {
		opts        JSONOptions
		wantConfig  bool
		wantOutputs bool
	}{
		{JSONOptions{}, false, true},
		{JSONOptions{ConfigBodies: true}, true, true},
		{JSONOptions{NoOutput: true, ConfigBodies: true}, false, false},
	} {
		b, err := json.Marshal(buildJSON(rep, tt.opts))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if got := strings.Contains(s, "$9$hash"); got != tt.wantConfig {
			t.Errorf("%+v: configuration in the report = %v, want %v", tt.opts, got, tt.wantConfig)
		}
		if got := strings.Contains(s, "ntp server 10.0.1.100"); got != tt.wantOutputs {
			t.Errorf("%+v: command output in the report = %v, want %v", tt.opts, got, tt.wantOutputs)
		}
		if got := strings.Contains(s, `"output_omitted":"configuration"`); got != (!tt.wantConfig && !tt.opts.NoOutput) {
			t.Errorf("%+v: output_omitted = %v", tt.opts, got)
		}
	}
}
