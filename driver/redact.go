package driver

import (
	"bytes"
	"io"
	"slices"
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
	return string(s.redactBytes([]byte(v)))
}

func (s *secrets) redactBytes(v []byte) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, x := range s.list {
		if bytes.Contains(v, []byte(x)) {
			v = replaceTokens(v, []byte(x))
		}
	}
	return v
}

// replaceTokens replaces the occurrences of x that are whole tokens: a
// secret that starts (ends) with a letter or digit is not replaced where
// a letter or digit comes right before (after) it, so the password "admin"
// leaves "administratively down" intact while "admin" alone is masked.
// The end of v counts as a boundary: a secret the next read may extend
// into a word is masked rather than risked.
func replaceTokens(v, x []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i+len(x) <= len(v); {
		j := bytes.Index(v[i:], x)
		if j < 0 {
			break
		}
		start, end := i+j, i+j+len(x)
		okLeft := start == 0 || !isWordByte(x[0]) || !isWordByte(v[start-1])
		okRight := end == len(v) || !isWordByte(x[len(x)-1]) || !isWordByte(v[end])
		if okLeft && okRight {
			out = append(out, v[last:start]...)
			out = append(out, redactedMark...)
			last, i = end, end
			continue
		}
		i = start + 1
	}
	if out == nil {
		return v
	}
	return append(out, v[last:]...)
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
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
