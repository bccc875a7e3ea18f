package driver

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzPromptMatch feeds arbitrary device output through what the channel
// does with it while it waits: the cleaner, the search for the echo of the
// line sent, the prompt of every platform, its pager and its failure
// indicators. None of it may panic, and none of it may take long: wait
// holds the session lock while it matches, so slow matching would also
// hold off the read loop and every timeout.
func FuzzPromptMatch(f *testing.F) {
	seeds := []struct{ out, echo string }{
		{"show version\r\nCisco IOS XE\r\nr1#", "show version"},
		{"conf t\r\nEnter configuration commands\r\nr1(config)#", "conf t"},
		{"show run\r\n line 1\r\n --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b line 2\r\nr1#", "show run"},
		{"\x1b[?2004hadmin@lin1:~$ echo hi\r\nhi\r\n\x1b]0;title\x07admin@lin1:~$ ", "echo hi"},
		{"interface GigabitEthernet0/1 descr\r\niption uplink\r\nr1(config-if)#", "interface GigabitEthernet0/1 description uplink"},
		{"r1(config)#$ 0/1 description a very long line\r\nr1(config)#", "interface GigabitEthernet0/1 description a very long line"},
		{"show foo\r\n% Invalid input detected at '^' marker.\r\nr1#", "show foo"},
		{"admin@mx1> show configuration\r\n[edit]\r\nadmin@mx1# ", "show configuration"},
		{"copy run start\r\nDestination filename [startup-config]? ", "copy run start"},
		{strings.Repeat("aa\n", 6) + "b\n", "c" + strings.Repeat("a", 12) + "b"},
	}
	for _, s := range seeds {
		f.Add([]byte(s.out), s.echo)
	}
	var plats []*Platform
	for _, name := range Platforms() {
		p, ok := LookupPlatform(name)
		if !ok {
			f.Fatalf("no platform %q", name)
		}
		plats = append(plats, p)
	}
	f.Fuzz(func(t *testing.T, out []byte, echo string) {
		// A read is at most 8 KiB, a command line rarely more than a few
		// hundred bytes.
		if len(out) > 4*readBufSize || len(echo) > 1024 {
			return
		}
		// Matching runs aside so that runaway (exponential) matching is
		// reported with its input instead of stalling the fuzzer, which
		// does not notice a hung input.
		failed := make(chan string, 1)
		go func() { failed <- matchAll(out, echo, plats) }()
		select {
		case msg := <-failed:
			if msg != "" {
				t.Fatal(msg)
			}
		case <-time.After(2 * time.Second):
			// Each step is linear or close to it on inputs this small.
			t.Fatalf("matching %d bytes of output against an echo of %d bytes takes more than 2s: out %q, echo %q", len(out), len(echo), out, echo)
		}
	})
}

// matchAll does what wait does with out; it returns what went wrong, or "".
func matchAll(out []byte, echo string, plats []*Platform) string {
	var c cleaner
	// Two reads, so that sequences split between reads are covered.
	c.write(out[:len(out)/2])
	c.write(out[len(out)/2:])
	c.flushCR()
	buf := c.out
	if len(buf) > len(out)+1 {
		return fmt.Sprintf("cleaning %d bytes gave %d", len(out), len(buf))
	}
	end := findEcho(buf, squeeze(echo))
	if end < -1 || end > len(buf) {
		return fmt.Sprintf("findEcho = %d for %d bytes", end, len(buf))
	}
	tail := buf[max(end, 0):]
	last := string(tail[bytes.LastIndexByte(tail, '\n')+1:])
	for _, p := range plats {
		if mode, _, ok := p.modeOf(last); ok != (mode != "") {
			return fmt.Sprintf("%s: modeOf(%q) = %q, %v", p.Name, last, mode, ok)
		}
		if p.Pager != nil {
			p.Pager.MatchString(last)
		}
		p.failure(string(tail))
	}
	return ""
}

// The echo matcher once took exponential time when many short lines could
// each be a terminal's wrap of the echo: n lines of "aa" then "b" against
// an echo of 2n "a"s. It must answer at once.
func TestFindEchoManyWrapCandidates(t *testing.T) {
	n := 60
	buf := strings.Repeat("aa\n", n) + "b\n"
	want := "c" + strings.Repeat("a", 2*n) + "b"
	if got := findEcho([]byte(buf), want); got != -1 {
		t.Errorf("findEcho = %d, want -1 (the echo starts with c)", got)
	}
	if got := findEcho([]byte("c"+buf), want); got != len(buf)+1 {
		t.Errorf("findEcho = %d, want %d", got, len(buf)+1)
	}
}
