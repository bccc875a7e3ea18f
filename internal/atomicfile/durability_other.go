//go:build !linux

package atomicfile

// durabilityFor: without syncfs, each file and its directory are fsynced.
func durabilityFor(string) durability { return fsyncEach{} }
