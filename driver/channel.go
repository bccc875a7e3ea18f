package driver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// This file is the channel layer: bytes in, bytes out, and waiting for
// patterns. It knows prompts only as regexes handed to it by the session.

// readBufSize is the read loop's buffer. SSH packets carry at most 32 KiB;
// a smaller buffer only means more reads and keeps idle sessions small.
const readBufSize = 2 << 10

// releaseAbove: a clean buffer that grew beyond this (a large show
// running-config) is dropped instead of reused, so an idle session does
// not keep the largest output it ever saw.
const releaseAbove = 64 << 10

// readLoop is the session's one reader. It copies every byte to the
// transcript, cleans it into s.cl and wakes the waiting operation.
func (s *Session) readLoop(r io.Reader) {
	defer close(s.readDone)
	buf := make([]byte, readBufSize)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			s.feed(buf[:n])
		}
		if err != nil {
			s.mu.Lock()
			s.cl.flushCR()
			if err == io.EOF {
				s.readErr = io.EOF
			} else {
				s.readErr = err
			}
			s.mu.Unlock()
			s.wake()
			return
		}
	}
}

// feed takes received bytes (stdout, and stderr for servers that send it
// separately despite the PTY).
func (s *Session) feed(p []byte) {
	s.tx.Write(p)
	s.mu.Lock()
	s.cl.write(p)
	s.mu.Unlock()
	s.wake()
}

type feeder struct{ s *Session }

func (f feeder) Write(p []byte) (int, error) { f.s.feed(p); return len(p), nil }

// stderrBufSize: with a PTY, stderr is merged into stdout and the separate
// stream stays empty, so its reader needs little. x/crypto copies a
// session's Stderr with io.Copy, whose default 32 KiB buffer was a third
// of an open session's memory.
const stderrBufSize = 512

// ReadFrom makes io.Copy use this small buffer instead of its own; the
// assertion keeps a refactoring from losing it silently.
var _ io.ReaderFrom = feeder{}

func (f feeder) ReadFrom(r io.Reader) (int64, error) {
	buf := make([]byte, stderrBufSize)
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			f.s.feed(buf[:n])
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

func (s *Session) wake() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// send writes to the device and to the transcript. A write that fails
// means the channel is gone. A write blocks while the device does not read
// (its SSH window is full): it gets the idle timeout as its deadline, and
// the session is torn down when that passes, since the channel cannot be
// used once a write is stuck halfway.
func (s *Session) send(op, text string) error {
	s.tx.Write([]byte(text))
	limit := s.cfg.IdleTimeout
	// One timer per session, not per line sent: one operation runs at a
	// time, and a fleet sends a great many lines.
	s.writeStuck.Store(false)
	if s.writeT == nil {
		s.writeT = time.AfterFunc(limit, func() {
			s.writeStuck.Store(true)
			s.abort()
		})
	} else {
		s.writeT.Reset(limit)
	}
	_, err := io.WriteString(s.stdin, text)
	s.writeT.Stop()
	if s.writeStuck.Load() {
		return s.errf(op, ErrTimeout, nil, "writing to the device: it took nothing for %s (write deadline); the session was closed", roughly(limit))
	}
	if err != nil {
		return s.errf(op, ErrClosed, err, "writing to the device: %v", err)
	}
	return nil
}

// abort closes the channel and the connections without a goodbye, which
// makes a blocked write or read return. Close still runs its course later.
func (s *Session) abort() {
	if s.ssh != nil {
		s.ssh.Close()
	}
	s.tr.close()
}

// reset starts a new exchange: what arrived before belongs to the
// previous one (trailing bytes, asynchronous log lines) and was already
// written to the transcript.
func (s *Session) reset() {
	s.mu.Lock()
	if cap(s.cl.out) > releaseAbove {
		s.cl.out = nil
	} else {
		s.cl.out = s.cl.out[:0]
	}
	s.cl.erase = eraseOff
	s.mu.Unlock()
	select { // a stale wake-up would only cost one extra evaluation
	case <-s.notify:
	default:
	}
}

// expectation says what ends an exchange.
type expectation struct {
	// echo is the line sent. Matching starts after its echo, which keeps a
	// late prompt from an earlier exchange from ending this one. "" when
	// nothing is echoed (an empty line, a hidden answer).
	echo string
	// prompt ends the exchange on a prompt of the platform showing the
	// known device name (any name when newHost).
	prompt  bool
	newHost bool
	// expect ends the exchange when it matches anywhere after the echo.
	expect     *regexp.Regexp
	expectText string // how expect is shown in a timeout error
	// answers are questions answered on the way (matched on the last line).
	answers []answer
	// timeout is the overall deadline of the exchange.
	timeout time.Duration
	// nudge: when set and nothing arrives for this long, send an empty
	// line (at most maxNudges times) before the idle timeout applies.
	// Only used while waiting for the first prompt of a session, for
	// devices that print nothing until Enter is pressed.
	nudge time.Duration
}

const maxNudges = 3

type answer struct {
	question *regexp.Regexp
	// reply returns what to send the n-th time (from 0) the question is
	// asked; the newline is added.
	reply func(n int) string
}

// exchange is the result of one send-and-wait.
type exchange struct {
	text     string // cleaned text after the echo, up to and including the end
	outEnd   int    // len(text) minus the prompt line: where output ends
	prompt   string // the prompt line, right-trimmed ("" when expect ended it)
	mode     string
	hostname string
	expected bool // expect matched (rather than a prompt)
	answered int  // questions answered
}

// echoSlack: past this many bytes without finding the echo, the device is
// taken not to echo at all, and matching starts at the beginning.
const echoSlack = 4096

// converse sends line (plus a newline) and waits for x.
func (s *Session) converse(ctx context.Context, op, line string, x expectation) (*exchange, error) {
	s.reset()
	if err := s.send(op, line+"\n"); err != nil {
		return nil, err
	}
	return s.wait(ctx, op, x)
}

// restart starts *t (made on first use) to fire after d. The session's
// timers are reused, one operation at a time, rather than made for every
// wait; since Go 1.23 a Reset timer never delivers its earlier time.
func restart(t **time.Timer, d time.Duration) *time.Timer {
	if *t == nil {
		*t = time.NewTimer(d)
	} else {
		(*t).Reset(d)
	}
	return *t
}

// wait reads until x is met. It never sleeps: it evaluates the buffer
// each time bytes arrive and otherwise blocks on the read loop, the two
// timers, the context and Close.
func (s *Session) wait(ctx context.Context, op string, x expectation) (*exchange, error) {
	started := time.Now() // for the timeout message only
	timeout := x.timeout
	if timeout <= 0 {
		timeout = s.cfg.CommandTimeout
	}
	idle := s.cfg.IdleTimeout
	deadline := restart(&s.deadlineT, timeout)
	defer deadline.Stop()
	idleT := restart(&s.idleT, idle)
	defer idleT.Stop()
	var nudgeT *time.Timer
	var nudgeC <-chan time.Time
	nudges := 0
	if x.nudge > 0 {
		nudgeT = time.NewTimer(x.nudge)
		defer nudgeT.Stop()
		nudgeC = nudgeT.C
	}

	echoStr := squeeze(x.echo)
	echoEnd := -1
	if echoStr == "" {
		echoEnd = 0
	}
	searchFrom := 0  // expect: where the next search starts
	answeredAt := -1 // line start of the last question answered
	counts := make([]int, len(x.answers))
	answeredTotal := 0

	for {
		var toSend []string
		s.mu.Lock()
		buf := s.cl.out
		if echoEnd < 0 {
			echoEnd = findEcho(buf, echoStr)
			if echoEnd < 0 && len(buf) > 2*len(x.echo)+echoSlack {
				echoEnd = 0
			}
		}
		if echoEnd >= 0 {
			tail := buf[echoEnd:]
			ls := bytes.LastIndexByte(tail, '\n') + 1
			last := string(tail[ls:])

			if x.expect != nil {
				from := min(searchFrom, len(tail))
				if loc := x.expect.FindIndex(tail[from:]); loc != nil {
					ex := &exchange{text: string(tail), outEnd: len(tail), expected: true, answered: answeredTotal}
					s.mu.Unlock()
					return ex, nil
				}
				// Next time search from the start of the current last
				// line: a match can only involve new bytes, and the last
				// line may still grow.
				searchFrom = ls
			}
			if x.prompt {
				if mode, host, ok := s.plat.modeOf(last); ok && (x.newHost || host == s.hostnameRaw()) {
					ex := &exchange{
						text: string(tail), outEnd: ls, prompt: strings.TrimRight(last, " \t"),
						mode: mode, hostname: host, answered: answeredTotal,
					}
					s.mu.Unlock()
					return ex, nil
				}
			}
			if p := s.plat.Pager; p != nil && last != "" && p.MatchString(last) {
				// Drop the pager prompt from the text and the blanks and
				// backspaces the device sends to erase it, then ask for
				// the next page.
				s.cl.out = buf[:echoEnd+ls]
				s.cl.startErase()
				toSend = append(toSend, s.plat.PagerContinue)
			} else if echoEnd+ls != answeredAt {
				for i, a := range x.answers {
					if last != "" && a.question.MatchString(last) {
						toSend = append(toSend, a.reply(counts[i])+"\n")
						counts[i]++
						answeredTotal++
						answeredAt = echoEnd + ls
						break
					}
				}
			}
		}
		readErr := s.readErr
		s.mu.Unlock()

		for _, t := range toSend {
			if err := s.send(op, t); err != nil {
				return nil, err
			}
		}
		if len(toSend) > 0 {
			idleT.Reset(idle)
			continue
		}
		if readErr != nil {
			return nil, s.errf(op, ErrClosed, nil, "the device closed the connection (%v) while %s; last received: %q",
				readErr, x.describe(s), s.lastBytes())
		}

		select {
		case <-s.notify:
			idleT.Reset(idle)
			if nudgeC != nil {
				nudgeT.Reset(x.nudge)
			}
		case <-nudgeC:
			if nudges == maxNudges {
				nudgeC = nil
				continue
			}
			nudges++
			if err := s.send(op, "\n"); err != nil {
				return nil, err
			}
			nudgeT.Reset(x.nudge)
		case <-ctx.Done():
			if ctxSentinel(ctx.Err()) == ErrTimeout {
				return nil, s.errf(op, ErrTimeout, ctx.Err(), "no %s within %s%s; last received: %q",
					x.awaited(), roughly(time.Since(started)), x.inMode(s), s.lastBytes())
			}
			return nil, s.errf(op, ctxSentinel(ctx.Err()), ctx.Err(), "cancelled while %s; last received: %q",
				x.describe(s), s.lastBytes())
		case <-deadline.C:
			return nil, s.errf(op, ErrTimeout, nil, "no %s within %s%s; last received: %q",
				x.awaited(), roughly(timeout), x.inMode(s), s.lastBytes())
		case <-idleT.C:
			return nil, s.errf(op, ErrTimeout, nil, "no output for %s (idle timeout) and no %s%s; last received: %q",
				roughly(idle), x.awaited(), x.inMode(s), s.lastBytes())
		case <-s.closed:
			return nil, s.errf(op, ErrClosed, nil, "the session was closed while %s", x.describe(s))
		}
	}
}

// describe says what an exchange waits for, for errors: short and
// human, e.g. `waiting for a prompt (privileged mode)`. The prompt
// regexes are the platform's business, not the reader's.
func (x *expectation) describe(s *Session) string {
	return "waiting for a " + x.awaited() + x.inMode(s)
}

// awaited names what ends the exchange: "prompt", or the pattern of an
// expect, e.g. `match for "Destination filename"`.
func (x *expectation) awaited() string {
	switch {
	case x.expect != nil && x.prompt:
		return fmt.Sprintf("prompt or match for %q", x.expectText)
	case x.expect != nil:
		return fmt.Sprintf("match for %q", x.expectText)
	}
	return "prompt"
}

// inMode is " (privileged mode)", or "" when the mode is not known yet.
func (x *expectation) inMode(s *Session) string {
	if m := s.Mode(); m != "" {
		return " (" + m + " mode)"
	}
	return ""
}

// roughly rounds a duration to two significant digits for people:
// 496.54ms reads 500ms, 1.998s reads 2s.
func roughly(d time.Duration) time.Duration {
	unit := time.Duration(1)
	for d/unit >= 100 {
		unit *= 10
	}
	return d.Round(unit)
}

// lastBytes returns the last 200 bytes received in this exchange.
func (s *Session) lastBytes() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.cl.out
	if len(b) > 200 {
		b = b[len(b)-200:]
	}
	return string(b)
}

// squeeze removes what a device may insert into or drop from the echo of
// a line: blanks (wrapping) and '$' (scroll markers).
func squeeze(s string) string {
	if !strings.ContainsAny(s, " \t\n$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '$':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// findEcho returns the offset just after the line that completes the echo
// of want (squeezed), or -1. The echo may be spread over several lines (a
// device wrapping a long command with "\r" or "\n"), preceded by a late
// prompt on the same line, or scrolled so that only its end is visible
// after a '$' marker.
func findEcho(buf []byte, want string) int {
	if want == "" {
		return 0
	}
	acc := make([]byte, 0, len(want)+64)
	var bounds []int // offsets in acc where a new line begins
	lineStart := 0
	scrolled := false
	for i, c := range buf {
		switch c {
		case '\n':
			if echoMatches(acc, bounds, want) {
				return i + 1
			}
			line := squeeze(string(buf[lineStart:i]))
			if scrolled && len(line) >= min(len(want), 8) && strings.HasSuffix(want, line) {
				return i + 1
			}
			lineStart = i + 1
			scrolled = false
			if len(bounds) == 0 || bounds[len(bounds)-1] != len(acc) {
				bounds = append(bounds, len(acc))
			}
		case ' ', '\t':
		case '$':
			scrolled = true
		default:
			acc = append(acc, c)
		}
	}
	return -1
}

// echoMatches reports whether acc ends with want. At a line boundary the
// last one or two characters before it may repeat the first ones after
// it: a terminal wrapping at the right margin redraws the character in the
// last column on the next line (readline does, after a '\r').
func echoMatches(acc []byte, bounds []int, want string) bool {
	if len(acc) < len(want) && len(bounds) == 0 {
		return false
	}
	var visited map[int]bool
	return matchBack(acc, len(acc), bounds, len(bounds)-1, want, len(want), &visited)
}

// visited holds the line boundaries (i, j) already tried: the outcome from
// a position does not depend on the path to it, and a position tried
// before failed (else the match would be over), so the search is linear
// in len(acc) x len(want) instead of exponential in the line boundaries.
// Only boundaries, where the search branches, need remembering: between
// two of them the walk is the same every time. The map is made at the
// first boundary, which most echoes (one line) never reach.
func matchBack(acc []byte, i int, bounds []int, bi int, want string, j int, visited *map[int]bool) bool {
	for j > 0 {
		for bi >= 0 && bounds[bi] > i {
			bi--
		}
		if bi >= 0 && bounds[bi] == i {
			key := i*(len(want)+1) + j
			if (*visited)[key] {
				return false
			}
			if *visited == nil {
				*visited = map[int]bool{}
			}
			(*visited)[key] = true
			for d := 1; d <= 2 && i-d >= 0 && i+d <= len(acc); d++ {
				if bytes.Equal(acc[i-d:i], acc[i:i+d]) && matchBack(acc, i-d, bounds, bi-1, want, j, visited) {
					return true
				}
			}
			bi--
		}
		if i == 0 || acc[i-1] != want[j-1] {
			return false
		}
		i--
		j--
	}
	return true
}
