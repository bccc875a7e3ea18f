package driver

import (
	"context"
	"net"
	"time"
)

// PendingHangUps is how many closed sessions still wait for their device
// to hang up (for tests in package driver_test).
func PendingHangUps() int {
	hangUps.mu.Lock()
	defer hangUps.mu.Unlock()
	return hangUps.n
}

// AnswersRequests reports whether the session's connection still has its
// requests answered (for tests in package driver_test): false once the
// connection is gone and the answerer has stopped polling.
func AnswersRequests(s *Session) bool {
	a := s.tr.answerer
	a.mu.Lock()
	defer a.mu.Unlock()
	return !a.gone()
}

// AnswerEvery is how often a session answers its device's requests.
const AnswerEvery = answerEvery

// WrapDial makes Open pass each TCP connection it dials through wrap
// (for tests in package driver_test), until the returned function
// restores the dialer.
func WrapDial(wrap func(net.Conn) net.Conn) (restore func()) {
	dial := dialTCP
	dialTCP = func(ctx context.Context, addr string) (net.Conn, error) {
		c, err := dial(ctx, addr)
		if err != nil {
			return nil, err
		}
		return wrap(c), nil
	}
	return func() { dialTCP = dial }
}

// SetAnswerEvery makes sessions opened from now on answer their device's
// requests every d instead of every AnswerEvery, until restore is called.
func SetAnswerEvery(d time.Duration) (restore func()) {
	answerInterval.Store(int64(d))
	return func() { answerInterval.Store(0) }
}
