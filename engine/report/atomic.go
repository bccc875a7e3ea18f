package report

import (
	"bytes"
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

// writeFileAtomic writes path whole or not at all, durably, through the
// project's one atomic writer (internal/atomicfile): readers and a crash
// see the old file or the new one, never a torn one. The file gets perm.
func writeFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes(), perm, dirMode)
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
