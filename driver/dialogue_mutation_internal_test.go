package driver

// Internal tests written against the mutants gremlins left alive in
// channel.go and driver.go (docs/testing.md, "Mutation testing").

import (
	"strings"
	"testing"
	"time"
)

// roughly rounds to two significant digits: what a timeout message shows
// for the time waited on a caller's deadline.
func TestDialogueRoughly(t *testing.T) {
	for _, tc := range []struct{ in, want time.Duration }{
		{496540 * time.Microsecond, 500 * time.Millisecond},
		{1998 * time.Millisecond, 2 * time.Second},
		{1006 * time.Millisecond, time.Second},
		{994 * time.Millisecond, 990 * time.Millisecond},
		{99 * time.Nanosecond, 99 * time.Nanosecond},
		{300 * time.Millisecond, 300 * time.Millisecond},
	} {
		if got := roughly(tc.in); got != tc.want {
			t.Errorf("roughly(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// A scrolled echo ('$' marker) is recognised from 8 visible characters
// (or the whole command when it is shorter), and not from fewer.
func TestDialogueScrolledEchoMinimum(t *testing.T) {
	const cmd = "interface Gi0/1 description uplink-to-core"
	for _, tc := range []struct {
		buf  string
		want int
	}{
		{"$-to-core\nout", len("$-to-core\n")},
		{"$to-core\nout", -1},
		{"$ab\nout", -1},
	} {
		if got := findEcho([]byte(tc.buf), squeeze(cmd)); got != tc.want {
			t.Errorf("findEcho(%q) = %d, want %d", tc.buf, got, tc.want)
		}
	}
	if got := findEcho([]byte("$ab\nout"), squeeze("ab")); got != len("$ab\n") {
		t.Errorf("short command: findEcho = %d", got)
	}
}

// The echo is found after a late prompt's line, scrolled ('$'), wrapped
// twice with the character at each margin redrawn (readline), with two
// characters redrawn, or wrapped
// after its first character.
func TestDialogueEchoAfterOtherLines(t *testing.T) {
	for _, tc := range []struct{ buf, cmd string }{
		{"r1#\n$ning-config | include ntp\n", "show running-config | include ntp"},
		{"echo aaaab\nbcccd\ndee\n", "echo aaaabcccdee"},
		{"s\nhow ver\n", "show ver"},               // a one-character first line
		{"echo aaaabc\nbcddd\n", "echo aaaabcddd"}, // two characters redrawn
	} {
		if got := findEcho([]byte(tc.buf+"out"), squeeze(tc.cmd)); got != len(tc.buf) {
			t.Errorf("findEcho(%q, %q) = %d, want %d", tc.buf+"out", tc.cmd, got, len(tc.buf))
		}
	}
}

// confirmMinutes rounds the confirm timer up to whole minutes, at least 1.
func TestDialogueConfirmMinutes(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want int
	}{{0, 1}, {time.Second, 1}, {time.Minute, 1}, {time.Minute + time.Nanosecond, 2}, {90 * time.Second, 2}, {10 * time.Minute, 10}} {
		if got := confirmMinutes(tc.in); got != tc.want {
			t.Errorf("confirmMinutes(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// An empty line after a line exactly as long as the buffer findEcho starts
// with (the command plus 64 characters) is no echo, and no panic.
func TestDialogueEchoEmptyLineAtCapacity(t *testing.T) {
	buf := strings.Repeat("x", len("ab")+64) + "\n\nout"
	if got := findEcho([]byte(buf), "ab"); got != -1 {
		t.Errorf("findEcho = %d, want -1", got)
	}
}
