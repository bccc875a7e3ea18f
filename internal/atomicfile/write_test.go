package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// filesUnder lists the files (not directories) under dir, relative.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "file.cfg")
	if err := WriteFile(path, []byte("one\n"), 0o640, 0o750); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "one\n" {
		t.Fatalf("read back %q, %v", got, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	for _, d := range []string{"a", filepath.Join("a", "b")} {
		st, err := os.Stat(filepath.Join(dir, d))
		if err != nil || !st.IsDir() || st.Mode().Perm()&^0o750 != 0 {
			t.Errorf("%s: %v %v, want a directory within 0750", d, st.Mode(), err)
		}
	}
	// Replacing a file gives the new content whole.
	if err := WriteFile(path, []byte("two\n"), 0o600, 0o750); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "two\n" {
		t.Errorf("after the second write: %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode after the second write %v, want 0600", st.Mode().Perm())
	}
	if diff := cmp.Diff([]string{filepath.Join("a", "b", "file.cfg")}, filesUnder(t, dir)); diff != "" {
		t.Errorf("files (-want +got), no temporary file may remain:\n%s", diff)
	}
	if n := RemoveAll(); n != 0 {
		t.Errorf("%d temporary files still tracked", n)
	}
}

// TestWriteFileDirectoryRemoved: a remembered directory that was removed
// meanwhile is created again.
func TestWriteFileDirectoryRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "host1")
	if err := WriteFile(filepath.Join(dir, "1.cfg"), []byte("x"), 0o600, 0o750); err != nil {
		t.Fatal(err)
	}
	if _, ok := knownDirs.Load(dir); !ok {
		t.Fatalf("%s is not remembered", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "2.cfg"), []byte("y"), 0o600, 0o750); err != nil {
		t.Fatalf("after the directory was removed: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "2.cfg")); string(got) != "y" {
		t.Errorf("content %q", got)
	}
}

// TestWriteFileUnderAFile: a file where a directory must go is an error,
// and nothing is left behind.
func TestWriteFileUnderAFile(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(blocker, "x.cfg"), filepath.Join(blocker, "sub", "x.cfg")} {
		if err := WriteFile(p, []byte("x"), 0o600, 0o750); err == nil {
			t.Errorf("%s: no error", p)
		}
	}
	if diff := cmp.Diff([]string{"file"}, filesUnder(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestMakeDirs(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "a", "b"), filepath.Join(dir, "a", "b", "c")
	if err := os.Mkdir(a, 0o700); err != nil {
		t.Fatal(err)
	}
	created, err := makeDirs(c, 0o700)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{b, c}, created); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if created, err := makeDirs(c, 0o700); err != nil || created != nil {
		t.Errorf("second call: %v %v, want nothing created", created, err)
	}
	f := filepath.Join(dir, "f")
	os.WriteFile(f, nil, 0o600)
	if _, err := makeDirs(filepath.Join(f, "x"), 0o700); err == nil {
		t.Error("a directory under a file: no error")
	}
}

// recordingSync checks the order of a write: the contents are complete
// in the temporary file (not yet at the path) when they are made durable,
// and the file is at the path, whole, when the rename is.
type recordingSync struct {
	t          *testing.T
	path, want string
	before     int
	after      int
	failBefore error
}

func (r *recordingSync) ticket() uint64 { return 0 }

func (r *recordingSync) beforeRename(f *os.File, _ uint64) error {
	r.before++
	if _, err := os.Stat(r.path); err == nil {
		r.t.Errorf("the file is at its path before its contents are durable")
	}
	got, err := os.ReadFile(f.Name())
	if err != nil || string(got) != r.want {
		r.t.Errorf("temporary file at beforeRename: %q, %v", got, err)
	}
	mu.Lock()
	_, tracked := live[f.Name()]
	mu.Unlock()
	if !tracked {
		r.t.Errorf("the temporary file is not tracked for a forced exit")
	}
	return r.failBefore
}

func (r *recordingSync) afterRename(dir string, _ []string, _ uint64) error {
	r.after++
	if dir != filepath.Dir(r.path) {
		r.t.Errorf("afterRename(%s), want %s", dir, filepath.Dir(r.path))
	}
	if got, err := os.ReadFile(r.path); err != nil || string(got) != r.want {
		r.t.Errorf("file at afterRename: %q, %v", got, err)
	}
	return nil
}

func TestWriteFileOrder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.cfg")
	rec := &recordingSync{t: t, path: path, want: "contents"}
	knownDirs.Store(dir, &knownDir{sync: rec})
	t.Cleanup(func() { knownDirs.Delete(dir) })
	if err := WriteFile(path, []byte("contents"), 0o600, 0o700); err != nil {
		t.Fatal(err)
	}
	if rec.before != 1 || rec.after != 1 {
		t.Errorf("beforeRename %d times, afterRename %d times, want once each", rec.before, rec.after)
	}
	// A failed sync before the rename: an error, no file, no temporary.
	rec.failBefore = errors.New("disk on fire")
	path2 := filepath.Join(dir, "y.cfg")
	rec.path = path2
	if err := WriteFile(path2, []byte("contents"), 0o600, 0o700); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("err = %v, want the sync's error", err)
	}
	if diff := cmp.Diff([]string{"x.cfg"}, filesUnder(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if rec.after != 1 {
		t.Errorf("renamed after a failed sync")
	}
}

// TestWriteFileConcurrent: many writers at once, each in a directory of
// its own (a fleet's backups), all land whole.
func TestWriteFileConcurrent(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			p := filepath.Join(dir, fmt.Sprintf("h%d", i), "b.cfg")
			if err := WriteFile(p, bytes.Repeat([]byte{byte('a' + i%26)}, 5000+i), 0o600, 0o750); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range 40 {
		got, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("h%d", i), "b.cfg"))
		if err != nil || !bytes.Equal(got, bytes.Repeat([]byte{byte('a' + i%26)}, 5000+i)) {
			t.Errorf("h%d: %d bytes, %v", i, len(got), err)
		}
	}
	if n := len(filesUnder(t, dir)); n != 40 {
		t.Errorf("%d files, want 40 (no temporary files)", n)
	}
}

// waitUntil polls cond; it fails the test after a long while. It bounds
// a broken implementation, it measures nothing.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFlushGroupShares: writers that arrive while a flush runs wait for
// the next one, and one flush serves them all. A failed flush fails the
// writers it covered and those holding older tickets, not later ones.
func TestFlushGroupShares(t *testing.T) {
	entered := make(chan int)
	release := make(chan error)
	n := 0
	g := newFlushGroup(func() error {
		n++
		entered <- n
		return <-release
	})
	waiting := func() int {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.waiting
	}

	first := make(chan error, 1)
	go func() { first <- g.wait(g.ticket()) }()
	if got := <-entered; got != 1 {
		t.Fatalf("flush %d started, want 1", got)
	}
	// Ten writers arrive while flush 1 runs: it may not cover them.
	const writers = 10
	ticket := g.ticket()
	results := make(chan error, writers)
	for range writers {
		go func() { results <- g.wait(ticket) }()
	}
	waitUntil(t, "the writers to wait", func() bool { return waiting() == writers })
	release <- nil
	if err := <-first; err != nil {
		t.Errorf("first writer: %v", err)
	}
	// One of them starts flush 2 for all; it fails.
	if got := <-entered; got != 2 {
		t.Fatalf("flush %d started, want 2", got)
	}
	waitUntil(t, "the others to wait for flush 2", func() bool { return waiting() == writers-1 })
	release <- errors.New("EIO")
	for range writers {
		if err := <-results; err == nil || err.Error() != "EIO" {
			t.Errorf("writer covered by the failed flush: %v, want EIO", err)
		}
	}
	if n != 2 {
		t.Errorf("%d flushes for 11 writers, want 2", n)
	}
	// A writer whose ticket predates the failure fails even when its own
	// flush succeeds; one with a new ticket does not.
	done := make(chan error, 2)
	go func() { done <- g.wait(ticket) }()
	<-entered
	release <- nil
	if err := <-done; err == nil {
		t.Error("a ticket from before the failed flush: no error")
	}
	go func() { done <- g.wait(g.ticket()) }()
	<-entered
	release <- nil
	if err := <-done; err != nil {
		t.Errorf("a ticket from after the failed flush: %v", err)
	}
}
