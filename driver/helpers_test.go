package driver_test

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv(labChildEnv) != "" {
		runLabChild()
	}
	code := m.Run()
	if sshdStop != nil {
		sshdStop()
	}
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer safe for the session's read loop and the
// test to use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
