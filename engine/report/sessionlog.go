package report

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/runbook-dev/runbook/hcl"

	"github.com/runbook-dev/runbook/internal/atomicfile"
)

// SessionLogs writes one transcript file per device, dir/<device>.log.
// The driver masks what it knows to be secret (passwords it sends); the
// redactor given with WithRedactor removes the rest (sensitive variables
// echoed in commands and output) before a byte reaches the disk. Files
// are 0600 and a directory Open creates is 0700 (less the umask).
type SessionLogs struct {
	dir    string
	redact func(device string) *hcl.Redactor

	mu       sync.Mutex
	failures []error
}

// SessionLogOption tunes NewSessionLogs.
type SessionLogOption func(*SessionLogs)

// WithRedactor makes each device's transcript pass through the device's
// redactor (hcl.Playbook.HostRedactor).
func WithRedactor(r func(device string) *hcl.Redactor) SessionLogOption {
	return func(s *SessionLogs) { s.redact = r }
}

// NewSessionLogs returns transcripts rooted at dir, which Open creates if
// needed.
func NewSessionLogs(dir string, opts ...SessionLogOption) *SessionLogs {
	s := &SessionLogs{dir: dir}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Path is where the device's transcript lands once its writer is closed.
func (s *SessionLogs) Path(device string) string {
	return filepath.Join(s.dir, safeName(device)+".log")
}

// Failures lists the transcripts that could not be written, or were
// written only in part, so far: one error per device, naming the file.
// A run reports them and does not exit 0.
func (s *SessionLogs) Failures() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.failures...)
}

func (s *SessionLogs) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, err)
	return err
}

// Open returns the device's transcript writer. The file is written under a
// temporary name and renamed to Path(device) on Close, so a transcript
// appears whole. Opening the same device twice in one run makes the later
// Close replace the earlier file. The writer is safe for concurrent use (a
// driver may log what it sends and what it reads from different goroutines).
// A write error is kept: later writes fail, and Close returns it and
// leaves no file.
func (s *SessionLogs) Open(device string) (io.WriteCloser, error) {
	if err := os.MkdirAll(s.dir, dirMode); err != nil {
		return nil, s.fail(fmt.Errorf("session log for %s: %w", device, err))
	}
	final := s.Path(device)
	// Transcripts hold device configuration: keep them private to the user
	// (CreateTemp's 0600 less the umask is kept).
	f, err := os.CreateTemp(s.dir, "."+filepath.Base(final)+".tmp-*")
	if err != nil {
		return nil, s.fail(fmt.Errorf("session log for %s: %w", device, err))
	}
	t := &transcript{f: f, final: final, logs: s, untrack: atomicfile.Track(f.Name())}
	t.out = f
	if s.redact != nil {
		if r := s.redact(device); !r.Empty() {
			t.red = r.Writer(f)
			t.out = t.red
		}
	}
	return t, nil
}

type transcript struct {
	mu      sync.Mutex
	f       *os.File
	out     io.Writer      // f, or red in front of it
	red     io.WriteCloser // the redactor, flushed by Close
	final   string
	logs    *SessionLogs
	untrack func() // the temp file is in place or removed
	err     error  // first write error; the transcript is then incomplete
	closed  bool
}

func (t *transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return 0, os.ErrClosed
	}
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.out.Write(p)
	if err != nil {
		t.err = err
	}
	return n, err
}

func (t *transcript) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	err := t.err
	if err == nil && t.red != nil {
		err = t.red.Close()
	}
	if err == nil {
		err = t.f.Sync()
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.f.Name(), t.final)
	}
	defer t.untrack()
	if err != nil {
		os.Remove(t.f.Name())
		return t.logs.fail(fmt.Errorf("session log %s lost: %w", t.final, err))
	}
	return nil
}

// safeName makes a device name usable as a file name on any OS. Names that
// had to change get a short hash of the original, so that "a/b" and "a_b"
// do not overwrite each other.
func safeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	safe := b.String()
	if safe == name && name != "" && !strings.HasPrefix(name, ".") && len(name) <= 100 {
		return name
	}
	safe = strings.TrimLeft(safe, ".")
	if len(safe) > 100 {
		safe = safe[:100]
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	if safe == "" {
		return fmt.Sprintf("device-%08x", h.Sum32())
	}
	return fmt.Sprintf("%s-%08x", safe, h.Sum32())
}
