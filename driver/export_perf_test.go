package driver

// PendingHangUps is how many closed sessions still wait for their device
// to hang up (for tests in package driver_test).
func PendingHangUps() int {
	hangUps.mu.Lock()
	defer hangUps.mu.Unlock()
	return hangUps.n
}
