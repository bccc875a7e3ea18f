// Package atomicfile writes files that must appear whole or not at all
// (reports, transcripts, backups), and keeps track of the temporary files
// behind them: each is written to a temporary file beside its final path
// and renamed into place (WriteFile does all of it). A forced exit (a
// second Ctrl+C) cannot wait for those writes to finish, so it removes,
// with RemoveAll, every temporary file still tracked: no half-written file
// survives.
package atomicfile

import (
	"os"
	"sync"
)

var (
	mu   sync.Mutex
	live = map[string]struct{}{}
)

// Track records a temporary file (or a temporary directory, removed with
// its contents) that is not in place yet. Call the returned function once
// it has been renamed into place or removed; it may be called more than
// once.
func Track(path string) (done func()) {
	mu.Lock()
	live[path] = struct{}{}
	mu.Unlock()
	return func() {
		mu.Lock()
		delete(live, path)
		mu.Unlock()
	}
}

// RemoveAll removes every tracked temporary file and directory and
// forgets them. It returns how many it removed.
func RemoveAll() int {
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for p := range live {
		if os.RemoveAll(p) == nil {
			n++
		}
		delete(live, p)
	}
	return n
}
