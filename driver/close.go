package driver

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// Close's hang-ups: after Close has sent the logout, the wait for the
// device to hang up (and the closing of the connections after it) happens
// on a goroutine of its own, so that the caller (a worker of a fleet run)
// is free at once. WaitClosed ends the waits that are left.

// hurryWrite is how long a hang-up that WaitClosed hurries still gives the
// logout to reach the connection when it has not yet: the write normally
// takes microseconds, and only a device that stopped reading keeps it
// longer.
const hurryWrite = 5 * time.Millisecond

var hangUps struct {
	mu    sync.Mutex
	n     int           // hang-ups in progress
	hurry chan struct{} // closed by WaitClosed: stop waiting for the devices
	idle  chan struct{} // closed when n drops to 0
}

// beginHangUp counts a hang-up in and returns the channel that WaitClosed
// closes to hurry it.
func beginHangUp() <-chan struct{} {
	hangUps.mu.Lock()
	defer hangUps.mu.Unlock()
	if hangUps.n == 0 {
		hangUps.idle = make(chan struct{})
	}
	if hangUps.hurry == nil {
		hangUps.hurry = make(chan struct{})
	}
	hangUps.n++
	return hangUps.hurry
}

func endHangUp() {
	hangUps.mu.Lock()
	defer hangUps.mu.Unlock()
	hangUps.n--
	if hangUps.n == 0 {
		close(hangUps.idle)
	}
}

// WaitClosed ends the hang-ups that closed sessions are still waiting for
// (Close gives a device up to closeGrace to hang up after the logout, off
// the caller's goroutine): their connections are closed now, and
// WaitClosed returns once every one is, or when ctx is done (with its
// error). A program that is about to exit calls it so that no session is
// left half closed; it returns at once when nothing is pending, and
// otherwise within a few milliseconds. Sessions closed while it runs get
// their usual grace.
func WaitClosed(ctx context.Context) error {
	hangUps.mu.Lock()
	if hangUps.n == 0 {
		hangUps.mu.Unlock()
		return nil
	}
	if hangUps.hurry != nil {
		close(hangUps.hurry)
		hangUps.hurry = nil
	}
	idle := hangUps.idle
	hangUps.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errTranscriptEnded stops a transcript once its session is closed: the
// caller may close the writer as soon as Close returns.
var errTranscriptEnded = errors.New("the session is closed")

// endTranscript writes what the transcript holds back and stops it: what
// the device sends after Close returns is not recorded.
func (s *Session) endTranscript() {
	t := s.tx
	if t == nil || t.w == nil {
		return
	}
	t.Flush()
	t.mu.Lock()
	if t.err == nil {
		t.err = errTranscriptEnded
	}
	t.mu.Unlock()
}

// hangUp sends bye and waits, up to closeGrace, for the device to hang up
// (the read loop ends), then releases the session. The write itself can
// block (a device that stopped reading): it shares the grace period, and
// closing the connections releases it.
func (s *Session) hangUp(bye string, hurry <-chan struct{}) {
	defer endHangUp()
	wrote := make(chan error, 1)
	go func() {
		_, err := io.WriteString(s.stdin, bye)
		wrote <- err
	}()
	grace := time.NewTimer(closeGrace)
	defer grace.Stop()
	written := false
	select {
	case err := <-wrote:
		written = true
		if err == nil {
			select {
			case <-s.readDone:
			case <-grace.C:
			case <-hurry:
			}
		}
	case <-grace.C:
	case <-hurry:
		t := time.NewTimer(hurryWrite)
		select {
		case <-wrote:
			written = true
		case <-t.C:
		}
		t.Stop()
	}
	s.release()
	if !written {
		<-wrote // returns once the connections are closed
	}
}

// release closes the channel and the connections (jump hosts included)
// and waits for the read loop.
func (s *Session) release() {
	if s.ssh != nil {
		s.ssh.Close()
	}
	s.tr.close()
	if s.ssh != nil {
		<-s.readDone
	}
	s.tx.Flush()
}
