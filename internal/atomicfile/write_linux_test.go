package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestLinuxSharesFlushesPerFilesystem: directories on one filesystem
// share one flush group, and syncfs works on it.
func TestLinuxSharesFlushesPerFilesystem(t *testing.T) {
	base := t.TempDir()
	a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	da, db := durabilityFor(a), durabilityFor(b)
	var st syscall.Statfs_t
	if err := syscall.Statfs(a, &st); err != nil {
		t.Fatal(err)
	}
	if !syncfsTypes[int64(st.Type)] {
		if _, ok := da.(fsyncEach); !ok {
			t.Errorf("filesystem type %#x is not known to sync with syncfs, yet got %T", st.Type, da)
		}
		t.Skipf("the temporary directory's filesystem (%#x) fsyncs each file", st.Type)
	}
	g, ok := da.(*flushGroup)
	if !ok {
		t.Fatalf("durabilityFor(%s) = %T, want a *flushGroup (is syncfs refused here?)", a, da)
	}
	if da != db {
		t.Errorf("two directories of one filesystem got different flush groups")
	}
	if err := g.wait(g.ticket()); err != nil {
		t.Errorf("syncfs: %v", err)
	}
	f, err := os.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := syncfs(f); err != nil {
		t.Errorf("syncfs: %v", err)
	}
	f.Close()
	if err := syncfs(f); err == nil {
		t.Error("syncfs on a closed file: no error")
	}
}

// The file gets perm less the umask, as os.WriteFile's would, whatever
// the umask was when the process started.
func TestWriteFileHonoursUmask(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ umask, perm, want os.FileMode }{
		{0o022, 0o666, 0o644},
		{0o077, 0o640, 0o600},
		{0o277, 0o600, 0o400},
	} {
		old := syscall.Umask(int(c.umask))
		path := filepath.Join(dir, fmt.Sprintf("f-%o", c.umask))
		err := WriteFile(path, []byte("x"), c.perm, 0o750)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != c.want {
			t.Errorf("umask %03o, perm %03o: mode %v (%v), want %v", c.umask, c.perm, st.Mode().Perm(), err, c.want)
		}
	}
}
