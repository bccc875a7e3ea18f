package driver

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"
)

const redactedMark = "********"

// secrets is the set of strings a session must never reveal. It grows when
// SendInteractive sends a hidden answer.
type secrets struct {
	mu   sync.RWMutex
	list []string // longest first, so a secret containing another is replaced whole
}

func (s *secrets) add(v ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range v {
		if x == "" || slices.Contains(s.list, x) {
			continue
		}
		s.list = append(s.list, x)
	}
	slices.SortFunc(s.list, func(a, b string) int { return len(b) - len(a) })
}

// maxLen is the length of the longest secret.
func (s *secrets) maxLen() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.list) == 0 {
		return 0
	}
	return len(s.list[0])
}

func (s *secrets) redact(v string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, x := range s.list {
		if strings.Contains(v, x) {
			v = strings.ReplaceAll(v, x, redactedMark)
		}
	}
	return v
}

func (s *secrets) redactBytes(v []byte) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, x := range s.list {
		if bytes.Contains(v, []byte(x)) {
			v = bytes.ReplaceAll(v, []byte(x), []byte(redactedMark))
		}
	}
	return v
}

// transcript writes everything sent and received to the user's writer with
// secrets replaced. A secret can arrive split across two reads, so the last
// len(longest secret)-1 bytes are held back until the next write (or
// Close) shows whether they begin a secret. Holding back exactly that much
// is enough: any complete occurrence has been replaced already, and an
// incomplete one is shorter than the longest secret.
type transcript struct {
	mu      sync.Mutex
	w       io.Writer
	secrets *secrets
	pending []byte
	err     error // first write error; the transcript stops, the session goes on
}

func (t *transcript) Write(p []byte) {
	if t == nil || t.w == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return
	}
	t.pending = append(t.pending, p...)
	t.pending = t.secrets.redactBytes(t.pending)
	hold := t.secrets.maxLen() - 1
	if hold < 0 {
		hold = 0
	}
	if len(t.pending) <= hold {
		return
	}
	n := len(t.pending) - hold
	_, t.err = t.w.Write(t.pending[:n])
	t.pending = append(t.pending[:0], t.pending[n:]...)
}

// Flush writes the held-back tail; called when the session closes.
func (t *transcript) Flush() {
	if t == nil || t.w == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil && len(t.pending) > 0 {
		_, t.err = t.w.Write(t.secrets.redactBytes(t.pending))
	}
	t.pending = nil
}
