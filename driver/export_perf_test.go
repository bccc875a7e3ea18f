package driver

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
