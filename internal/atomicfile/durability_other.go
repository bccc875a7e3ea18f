//go:build !linux

package atomicfile

import "os"

// durabilityFor: without syncfs, each file and its directory are fsynced.
func durabilityFor(string) durability { return fsyncEach{} }

func renameFile(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }
