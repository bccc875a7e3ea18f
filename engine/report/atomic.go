package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/runbook-dev/runbook/internal/atomicfile"
)

// Modes of what this package writes. Reports and transcripts hold device
// output and configuration: they are private to the user. Files are
// created 0600 and directories 0700, less whatever the umask removes
// (never more than the umask allows).
const (
	fileMode os.FileMode = 0o600
	dirMode  os.FileMode = 0o700
)

// writeFileAtomic writes path through a temporary file in the same directory
// and renames it into place, so readers (and a crash) see the old file or the
// new one whole, never a torn one. The temp file is removed on any failure.
// The file gets at most perm: the temp file is created 0600 minus the umask,
// and perm can only narrow that.
func writeFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer atomicfile.Track(f.Name())()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := narrowMode(f, perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	closed = true
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// narrowMode takes from f's mode what perm does not allow; it never adds.
func narrowMode(f *os.File, perm os.FileMode) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	have := st.Mode().Perm()
	if want := have & perm; want != have {
		if err := f.Chmod(want); err != nil && !errors.Is(err, errors.ErrUnsupported) {
			return err
		}
	}
	return nil
}

// CheckWritable reports whether a file can be written at path, by creating
// (and removing) a temporary file beside it, the way the report will be
// written. A run checks its report paths before it connects, so that a
// change is not made with its report lost.
func CheckWritable(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer atomicfile.Track(f.Name())()
	f.Close()
	return os.Remove(f.Name())
}
