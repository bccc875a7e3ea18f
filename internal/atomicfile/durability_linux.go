package atomicfile

import (
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// groups holds one flushGroup per filesystem (device number), or
// fsyncEach where syncfs is refused.
var groups sync.Map // uint64 -> durability

// durabilityFor returns how files in dir are made durable: by the flush
// group of its filesystem.
func durabilityFor(dir string) durability {
	st, err := os.Stat(dir)
	if err != nil {
		return fsyncEach{}
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fsyncEach{}
	}
	dev := uint64(sys.Dev)
	if v, ok := groups.Load(dev); ok {
		return v.(durability)
	}
	v, _ := groups.LoadOrStore(dev, newFilesystemSync(dir))
	return v.(durability)
}

// syncfsTypes are the filesystems (statfs f_type) whose syncfs is known to
// make data and renames durable, as fsync does. FUSE, for one, did not
// pass syncfs on to its server before Linux 5.15; network and other
// filesystems keep fsyncEach.
var syncfsTypes = map[int64]bool{
	0xEF53:     true, // ext2, ext3, ext4
	0x58465342: true, // xfs
	0x9123683E: true, // btrfs
	0xF2F52010: true, // f2fs
	0x794C7630: true, // overlayfs: syncs its upper filesystem
	0x01021994: true, // tmpfs: nothing to make durable
}

// newFilesystemSync opens dir for the life of the process and syncs its
// filesystem through it. syncfs reports (since Linux 5.8) every writeback
// error on the filesystem since the previous call on the same open file,
// so no error between two flushes goes unseen. A first call checks that
// syncfs is allowed (a seccomp profile may refuse it); if not, files are
// fsynced one by one.
func newFilesystemSync(dir string) durability {
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil || !syncfsTypes[int64(fs.Type)] {
		return fsyncEach{}
	}
	fd, err := os.Open(dir)
	if err != nil {
		return fsyncEach{}
	}
	flush := func() error { return syncfs(fd) }
	if err := flush(); err != nil {
		_ = fd.Close()
		return fsyncEach{}
	}
	return newFlushGroup(flush)
}

// syncfs syncs the filesystem that holds f.
func syncfs(f *os.File) error {
	err := unix.Syncfs(int(f.Fd()))
	runtime.KeepAlive(f)
	if err != nil {
		return &os.SyscallError{Syscall: "syncfs", Err: err}
	}
	return nil
}

// renameFile renames without os.Rename's look at newpath first (a system
// call to refuse renaming over a directory, which rename(2) refuses too).
func renameFile(oldpath, newpath string) error {
	if err := syscall.Rename(oldpath, newpath); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}
