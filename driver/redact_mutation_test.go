package driver

import (
	"bytes"
	"errors"
	"testing"
)

// Tests written against the mutants gremlins left alive in redact.go
// (docs/testing.md, "Mutation testing"): each case names what a user
// would see go wrong.

// TestRedactWordBoundaries pins which neighbouring bytes make a secret
// part of a longer word (kept) and which end it (masked), at both ends of
// each range of word characters: a secret next to "0" or "Z" is part of
// a word, next to "/" or "[" it is not.
func TestRedactWordBoundaries(t *testing.T) {
	s := &secrets{}
	s.add("pw")
	word := []string{"_", "0", "9", "a", "z", "A", "Z", "\u0400" /* D0 80 */, "\u00ff" /* C3 BF */}
	for _, w := range word {
		for _, in := range []string{w + "pw", "pw" + w} {
			if got := s.redact(in); got != in {
				t.Errorf("redact(%q) = %q: %q is a word character, the secret is part of a longer word", in, got, w)
			}
		}
	}
	// The bytes just outside each range.
	nonWord := []string{"/", ":", "`", "{", "@", "[", "^", "\x7f", " ", "-"}
	for _, n := range nonWord {
		for in, want := range map[string]string{n + "pw": n + "********", "pw" + n: "********" + n} {
			if got := s.redact(in); got != want {
				t.Errorf("redact(%q) = %q, want %q", in, got, want)
			}
		}
	}
	// A byte 0x80 right before the secret (the tail of U+0400) is part
	// of a word.
	if in := "x\u0400pw y"; s.redact(in) != in {
		t.Errorf("redact(%q) = %q", in, s.redact(in))
	}
}

// TestRedactWholeValue: a value that is exactly the secret, or ends with
// it, is masked (the loop must try the last possible position).
func TestRedactWholeValue(t *testing.T) {
	s := &secrets{}
	s.add("hunter2", "admin")
	for in, want := range map[string]string{
		"hunter2":         "********",
		"admin":           "********",
		"x hunter2":       "x ********",
		"ahunter2 admin":  "ahunter2 ********",
		"admin hunter2":   "******** ********",
		"adminadmin":      "adminadmin",
		"admin-admin":     "********-********",
		"hunter2hunter2 ": "hunter2hunter2 ",
	} {
		if got := s.redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
	// Secrets that are not words at their edges are masked anywhere.
	p := &secrets{}
	p.add("#pw#")
	if got := p.redact("a#pw#b"); got != "a********b" {
		t.Errorf("got %q", got)
	}
}

// TestSecretsOrderAndMaxLen: secrets are kept longest first whatever the
// order they are added in (a secret containing another is masked whole,
// not as "********" plus the rest), duplicates and empty strings are
// ignored.
func TestSecretsOrderAndMaxLen(t *testing.T) {
	var empty secrets
	if empty.maxLen() != 0 || empty.redact("anything") != "anything" {
		t.Errorf("empty set: maxLen %d", empty.maxLen())
	}
	for _, order := range [][]string{
		{"ab", "abcd", "abcdef"},
		{"abcdef", "ab", "abcd"},
		{"abcd", "abcdef", "ab"},
	} {
		s := &secrets{}
		for _, x := range order {
			s.add(x)
		}
		s.add("", "ab")
		if len(s.list) != 3 {
			t.Errorf("%v: list %q, want 3 entries", order, s.list)
		}
		if s.maxLen() != 6 {
			t.Errorf("%v: maxLen %d, want 6", order, s.maxLen())
		}
		if got := s.redact("[abcdef] [abcd] [ab]"); got != "[********] [********] [********]" {
			t.Errorf("%v: got %q", order, got)
		}
	}
}

// recWriter records each write; it can fail them.
type recWriter struct {
	writes []string
	fail   error
}

func (w *recWriter) Write(p []byte) (int, error) {
	if w.fail != nil {
		return 0, w.fail
	}
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func (w *recWriter) String() string {
	var b bytes.Buffer
	for _, s := range w.writes {
		b.WriteString(s)
	}
	return b.String()
}

// TestTranscriptHoldsBackOnlyWhatItMust: someone watching a transcript
// live sees everything but the last len(longest secret)-1 bytes, which
// might begin a secret; without secrets nothing is held back.
func TestTranscriptHoldsBackOnlyWhatItMust(t *testing.T) {
	s := &secrets{}
	s.add("hunter2")
	w := &recWriter{}
	tr := &transcript{w: w, secrets: s}
	tr.Write([]byte("show version\n"))
	if got, want := w.String(), "show ve"; got != want {
		t.Errorf("after one write the writer has %q, want %q (6 bytes held back)", got, want)
	}
	tr.Write([]byte("abc"))
	if got, want := w.String(), "show versi"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	tr.Flush()
	if got, want := w.String(), "show version\nabc"; got != want {
		t.Errorf("after Flush %q, want %q", got, want)
	}

	none := &recWriter{}
	tr = &transcript{w: none, secrets: &secrets{}}
	tr.Write([]byte("a"))
	if none.String() != "a" {
		t.Errorf("no secrets: writer has %q, want everything at once", none.String())
	}
	// A one-byte secret needs no hold-back either.
	one := &secrets{}
	one.add("q")
	w1 := &recWriter{}
	tr = &transcript{w: w1, secrets: one}
	tr.Write([]byte("x q"))
	if w1.String() != "x ********" {
		t.Errorf("one-byte secret: writer has %q", w1.String())
	}
	// Less than the hold-back: nothing yet, all of it at Flush.
	w2 := &recWriter{}
	tr = &transcript{w: w2, secrets: s}
	tr.Write([]byte("hunt"))
	if len(w2.writes) != 0 {
		t.Errorf("4 bytes of a possible secret written early: %q", w2.writes)
	}
	tr.Write([]byte("er2"))
	tr.Flush()
	if w2.String() != "********" {
		t.Errorf("got %q", w2.String())
	}
}

// TestTranscriptStopsAtFirstWriteError: after the writer fails once the
// transcript writes nothing more (the session goes on), Flush included.
func TestTranscriptStopsAtFirstWriteError(t *testing.T) {
	s := &secrets{}
	s.add("pw")
	w := &recWriter{fail: errors.New("disk full")}
	tr := &transcript{w: w, secrets: s}
	tr.Write([]byte("first line\n"))
	if tr.err == nil {
		t.Fatal("write error not kept")
	}
	w.fail = nil
	tr.Write([]byte("second line\n"))
	tr.Flush()
	if len(w.writes) != 0 {
		t.Errorf("writes after the writer failed: %q", w.writes)
	}

	// Flush after an error in Write does not write the tail either.
	w = &recWriter{}
	tr = &transcript{w: w, secrets: s}
	tr.Write([]byte("abc"))
	tr.err = errors.New("earlier failure")
	tr.Flush()
	if w.String() != "ab" {
		t.Errorf("got %q, want only what was written before the failure", w.String())
	}
}

// TestTranscriptNilIsSilent: a session without a transcript writer (nil
// writer, or no transcript at all) records nothing and does not panic.
func TestTranscriptNilIsSilent(t *testing.T) {
	var none *transcript
	none.Write([]byte("x"))
	none.Flush()
	tr := &transcript{secrets: &secrets{}}
	tr.Write([]byte("x"))
	tr.Flush()
	if tr.pending != nil {
		t.Errorf("a transcript without a writer keeps %q", tr.pending)
	}
}

// TestErrorText pins the "device: op: sentinel: detail" layout with each
// part absent, and what Unwrap exposes.
func TestErrorText(t *testing.T) {
	cause := errors.New("cause")
	for _, tt := range []struct {
		e    *Error
		want string
	}{
		{&Error{Device: "r1", Op: "connect", Err: ErrTimeout, Detail: "slow"}, "r1: connect: timeout: slow"},
		{&Error{Op: "connect", Err: ErrTimeout, Detail: "slow"}, "connect: timeout: slow"},
		{&Error{Device: "r1", Err: ErrTimeout, Detail: "slow"}, "r1: timeout: slow"},
		{&Error{Device: "r1", Op: "connect", Err: ErrTimeout}, "r1: connect: timeout"},
		{&Error{Err: ErrClosed}, "session closed"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	with := &Error{Err: ErrConnect, Cause: cause}
	if !errors.Is(with, ErrConnect) || !errors.Is(with, cause) || len(with.Unwrap()) != 2 {
		t.Errorf("with a cause: Unwrap = %v", with.Unwrap())
	}
	without := &Error{Err: ErrConnect}
	if u := without.Unwrap(); len(u) != 1 || u[0] != ErrConnect {
		t.Errorf("without a cause: Unwrap = %v, want only the sentinel", u)
	}
}

// TestNewErrorRedacts: the operation and the detail of an error never
// show a secret the session knows; without secrets they are kept as is.
func TestNewErrorRedacts(t *testing.T) {
	s := &secrets{}
	s.add("hunter2")
	e := newError("r1", "send_command \"show hunter2\"", ErrTimeout, s, nil, "last received: %q", "pw hunter2")
	if want := "r1: send_command \"show ********\": timeout: last received: \"pw ********\""; e.Error() != want {
		t.Errorf("got %q, want %q", e.Error(), want)
	}
	e = newError("r1", "open hunter2", ErrPlatform, nil, nil, "%s", "hunter2")
	if want := "r1: open hunter2: unknown platform: hunter2"; e.Error() != want {
		t.Errorf("nil secrets: got %q, want %q", e.Error(), want)
	}
}
