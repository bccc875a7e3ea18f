package driver

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// What a server sends on the stderr stream reaches the output whole, in
// order, however it is cut, with the session's small buffer.
func TestStderrFeedsTheOutput(t *testing.T) {
	s := &Session{tx: &transcript{}, notify: make(chan struct{}, 1)}
	want := strings.Repeat("error: line from stderr\n", 100) // > stderrBufSize
	n, err := io.Copy(feeder{s}, iotest.HalfReader(strings.NewReader(want)))
	if err != nil || n != int64(len(want)) {
		t.Fatalf("copied %d bytes, err %v; want %d", n, err, len(want))
	}
	if got := string(s.cl.out); got != want {
		t.Errorf("output holds %d bytes, want %d (first difference matters)", len(got), len(want))
	}
	select {
	case <-s.notify:
	default:
		t.Error("the waiting operation was not woken")
	}
	// A read error other than EOF is returned, with what came before it.
	boom := iotest.ErrReader(io.ErrClosedPipe)
	if _, err := (feeder{s}).ReadFrom(boom); err != io.ErrClosedPipe {
		t.Errorf("err %v, want %v", err, io.ErrClosedPipe)
	}
}
