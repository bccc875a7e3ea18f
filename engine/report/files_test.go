package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runbook-dev/runbook/engine"
)

// The report files appear only at Close, whole, with no temp file left.
func TestFileSinksAtomic(t *testing.T) {
	tests := []struct {
		name string
		new  func(path string) engine.Sink
	}{
		{"json", func(p string) engine.Sink { return NewJSON(p, JSONOptions{}) }},
		{"junit", func(p string) engine.Sink { return NewJUnit(p) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out", "report") // parent created on demand
			s := tt.new(path)
			feed(s, events(fixture()))
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("file exists before Close: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"report"}, dirNames(t, filepath.Dir(path))); diff != "" {
				t.Errorf("directory after Close (-want +got):\n%s", diff)
			}
			// A second Close neither fails nor rewrites.
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Error("second Close wrote the file again")
			}
		})
	}
}

// A write that cannot complete leaves the old file alone and no temp file.
func TestFileSinkFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := fixture()
	// Something encoding/json cannot encode fails the write midway.
	rep.Devices[0].Steps[0].Records = []map[string]any{{"bad": func() {}}}
	s := NewJSON(path, JSONOptions{})
	feed(s, events(rep))
	if err := s.Close(); err == nil {
		t.Fatal("Close succeeded, want an encoding error")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("old report replaced by %q", b)
	}
	if diff := cmp.Diff([]string{"report.json"}, dirNames(t, dir)); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}

	// An unwritable place is an error, not a panic or a silent success.
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	s = NewJUnit(filepath.Join(blocker, "junit.xml"))
	feed(s, events(fixture()))
	if err := s.Close(); err == nil {
		t.Error("Close under a regular file succeeded")
	}
}

func TestSessionLogs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	logs := NewSessionLogs(dir)
	w, err := logs.Open("core1")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "core1#show clock\n")
	io.WriteString(w, "10:00:00 UTC\n")
	if _, err := os.Stat(logs.Path("core1")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("transcript visible before Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "core1.log"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "core1#show clock\n10:00:00 UTC\n" {
		t.Errorf("transcript = %q", b)
	}
	if _, err := w.Write([]byte("late")); err == nil {
		t.Error("Write after Close succeeded")
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if diff := cmp.Diff([]string{"core1.log"}, dirNames(t, dir)); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
}

// Concurrent writers (send and receive sides of a driver) do not race.
func TestSessionLogConcurrentWrites(t *testing.T) {
	logs := NewSessionLogs(t.TempDir())
	w, err := logs.Open("sw1")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				w.Write([]byte("x"))
			}
		})
	}
	wg.Wait()
	w.Close()
	b, _ := os.ReadFile(logs.Path("sw1"))
	if len(b) != 400 {
		t.Errorf("transcript has %d bytes, want 400", len(b))
	}
}

func TestSafeName(t *testing.T) {
	tests := []struct {
		in       string
		wantSame bool
	}{
		{"core1", true},
		{"core-1.lab_a", true},
		{"a/b", false},
		{"a_b", true},
		{"..", false},
		{".hidden", false},
		{"", false},
		{`C:\x`, false},
		{"sw 1", false},
		{"ümlaut", false},
		{strings.Repeat("x", 300), false},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		got := safeName(tt.in)
		if (got == tt.in) != tt.wantSame {
			t.Errorf("safeName(%q) = %q, unchanged = %v, want %v", tt.in, got, got == tt.in, tt.wantSame)
		}
		if got == "" || got == "." || got == ".." || strings.HasPrefix(got, ".") || strings.ContainsAny(got, `/\: `) || len(got) > 120 {
			t.Errorf("safeName(%q) = %q, not a safe file name", tt.in, got)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("safeName(%q) = safeName(%q) = %q", tt.in, prev, got)
		}
		seen[got] = tt.in
	}
}

type recordSink struct {
	events []engine.EventType
	closed int
	err    error
}

func (r *recordSink) Event(ev engine.Event) { r.events = append(r.events, ev.Type) }
func (r *recordSink) Close() error          { r.closed++; return r.err }

func TestMulti(t *testing.T) {
	a, b := &recordSink{err: errors.New("a failed")}, &recordSink{}
	c := &recordSink{err: errors.New("c failed")}
	m := Multi(a, nil, Multi(b, c))
	evs := events(fixture())
	feed(m, evs)
	err := m.Close()
	for i, s := range []*recordSink{a, b, c} {
		if len(s.events) != len(evs) || s.closed != 1 {
			t.Errorf("sink %d saw %d events and %d closes, want %d and 1", i, len(s.events), s.closed, len(evs))
		}
	}
	if err == nil || !strings.Contains(err.Error(), "a failed") || !strings.Contains(err.Error(), "c failed") {
		t.Errorf("Close() = %v, want both errors", err)
	}
}
