package report

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// SessionLogs writes one transcript file per device, dir/<device>.log. The
// bytes come from the driver already redacted; this only files them.
type SessionLogs struct {
	dir string
}

// NewSessionLogs returns transcripts rooted at dir, which Open creates if
// needed.
func NewSessionLogs(dir string) *SessionLogs {
	return &SessionLogs{dir: dir}
}

// Path is where the device's transcript lands once its writer is closed.
func (s *SessionLogs) Path(device string) string {
	return filepath.Join(s.dir, safeName(device)+".log")
}

// Open returns the device's transcript writer. The file is written under a
// temporary name and renamed to Path(device) on Close, so a transcript
// appears whole. Opening the same device twice in one run makes the later
// Close replace the earlier file. The writer is safe for concurrent use (a
// driver may log what it sends and what it reads from different goroutines).
func (s *SessionLogs) Open(device string) (io.WriteCloser, error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("session log for %s: %w", device, err)
	}
	final := s.Path(device)
	// Transcripts hold device configuration: keep them private to the user
	// (CreateTemp's 0600 is kept).
	f, err := os.CreateTemp(s.dir, "."+filepath.Base(final)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("session log for %s: %w", device, err)
	}
	return &transcript{f: f, final: final}, nil
}

type transcript struct {
	mu     sync.Mutex
	f      *os.File
	final  string
	err    error // first write error; the transcript is then incomplete
	closed bool
}

func (t *transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return 0, os.ErrClosed
	}
	n, err := t.f.Write(p)
	if err != nil && t.err == nil {
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
	if err == nil {
		err = t.f.Sync()
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.f.Name(), t.final)
	}
	if err != nil {
		os.Remove(t.f.Name())
		return fmt.Errorf("session log %s: %w", t.final, err)
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
