package atomicfile

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// WriteFile writes data to path so that the file appears whole or not at
// all, even across a crash, and is on disk when WriteFile returns: data
// goes to a temporary file beside path (tracked, see Track), which is made
// durable, renamed over path, and the rename made durable. Missing
// directories are created with dirPerm; the file gets perm less the
// process's umask, as os.WriteFile's would.
//
// Making things durable is what costs: a cache flush of the disk each
// time. On Linux, writers that are saving files at the same moment (the
// devices of a fleet run reach their backup step together) share the
// flushes: one syncfs(2) of the filesystem covers every temporary file
// written before it started, then one more every rename. Elsewhere, or
// where syncfs is refused, each file and its directory are fsynced, which
// is the same guarantee at a flush each.
//
// Directories known to exist are remembered for the life of the process,
// so a run creates (and checks for) each directory once.
func WriteFile(path string, data []byte, perm, dirPerm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	d, created, err := openDir(dir, dirPerm)
	if err != nil {
		return err
	}
	ticket := d.sync.ticket()
	f, err := createTemp(dir, filepath.Base(path), perm)
	if errors.Is(err, fs.ErrNotExist) {
		// The directory went away since it was remembered.
		knownDirs.Delete(dir)
		if d, created, err = openDir(dir, dirPerm); err != nil {
			return err
		}
		ticket = d.sync.ticket()
		f, err = createTemp(dir, filepath.Base(path), perm)
	}
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer Track(tmp)()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = f.Close()
			}
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = d.sync.beforeRename(f, ticket); err != nil {
		return err
	}
	closed = true
	if err = f.Close(); err != nil {
		return err
	}
	if err = renameFile(tmp, path); err != nil {
		return err
	}
	return d.sync.afterRename(dir, created, ticket)
}

// durability makes a file and its rename survive a crash.
type durability interface {
	// ticket is taken before the file is written; the syncs compare it
	// with later flushes to tell whether a write error may have hit it.
	ticket() uint64
	// beforeRename makes f's contents durable.
	beforeRename(f *os.File, ticket uint64) error
	// afterRename makes the rename in dir, and the directories created
	// for it, durable.
	afterRename(dir string, created []string, ticket uint64) error
}

// knownDir is a directory that exists, and how its filesystem is synced.
type knownDir struct{ sync durability }

var knownDirs sync.Map // directory -> *knownDir

// openDir returns dir, creating it and its missing parents. It returns the
// directories it created, outermost first.
func openDir(dir string, perm os.FileMode) (*knownDir, []string, error) {
	if v, ok := knownDirs.Load(dir); ok {
		return v.(*knownDir), nil, nil
	}
	created, err := makeDirs(dir, perm)
	if err != nil {
		return nil, nil, err
	}
	var dur durability
	if len(created) > 0 {
		// A directory made here is on its parent's filesystem (it cannot
		// be a mount point yet): no need to look it up.
		dur = parentDurability(filepath.Dir(created[0]))
	} else {
		dur = durabilityFor(dir)
	}
	v, _ := knownDirs.LoadOrStore(dir, &knownDir{sync: dur})
	return v.(*knownDir), created, nil
}

// parents remembers the durability of the directories that new directories
// are made in (a backup directory's host directories).
var parents sync.Map // directory -> durability

func parentDurability(dir string) durability {
	if v, ok := parents.Load(dir); ok {
		return v.(durability)
	}
	v, _ := parents.LoadOrStore(dir, durabilityFor(dir))
	return v.(durability)
}

// makeDirs is os.MkdirAll that says which directories it created,
// outermost first. It asks for the directory first and walks up only when
// its parent is missing: a fleet's first backups make one directory per
// host in a directory that exists, a system call each. A file where the
// directory should be is left for the caller's open to report.
func makeDirs(dir string, perm os.FileMode) ([]string, error) {
	err := os.Mkdir(dir, perm)
	switch {
	case err == nil:
		return []string{dir}, nil
	case errors.Is(err, fs.ErrExist):
		return nil, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		return nil, err
	}
	created, err := makeDirs(parent, perm)
	if err != nil {
		return created, err
	}
	if err := os.Mkdir(dir, perm); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Made meanwhile by someone else.
			return created, nil
		}
		return created, err
	}
	return append(created, dir), nil
}

// createTemp creates a new file beside the one named base in dir, with
// perm less the umask as os.WriteFile's would get (the kernel applies it).
func createTemp(dir, base string, perm os.FileMode) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "create", Path: filepath.Join(dir, "."+base+".tmp-*"), Err: fs.ErrExist}
}

// fsyncEach is the portable durability: an fsync of the file, then of its
// directory (and of the parent of each directory created for it).
type fsyncEach struct{}

func (fsyncEach) ticket() uint64 { return 0 }

func (fsyncEach) beforeRename(f *os.File, _ uint64) error { return f.Sync() }

func (fsyncEach) afterRename(dir string, created []string, _ uint64) error {
	for _, c := range created {
		syncDir(filepath.Dir(c))
	}
	syncDir(dir)
	return nil
}

// syncDir makes a directory's entries durable. Best effort: some
// platforms cannot fsync a directory, and the file itself is already
// whole.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// flushGroup shares flushes of one filesystem between the writers that
// need one at the same time. A flush covers what was written before it
// started; a writer that arrives while one is running waits for the next,
// which the first writer to find none running starts for everyone
// waiting.
type flushGroup struct {
	flush func() error // syncs the whole filesystem

	mu       sync.Mutex
	cond     sync.Cond
	started  uint64 // flushes started
	finished uint64 // flushes finished (one runs at a time)
	running  bool
	waiting  int    // writers waiting for a flush to start or finish
	failed   uint64 // flushes that reported an error
	lastErr  error
}

func newFlushGroup(flush func() error) *flushGroup {
	g := &flushGroup{flush: flush}
	g.cond.L = &g.mu
	return g
}

// ticket is the count of failed flushes: a flush that fails after the
// ticket was taken may have failed to write the file.
func (g *flushGroup) ticket() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failed
}

// wait returns once a flush that started after the call has finished. It
// fails when any flush failed since ticket was taken: a write error is
// reported to whichever flush comes next, not to the writer whose data it
// was.
func (g *flushGroup) wait(ticket uint64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	target := g.started + 1
	for g.finished < target {
		if g.running {
			g.waiting++
			g.cond.Wait()
			g.waiting--
			continue
		}
		g.running = true
		g.started++
		g.mu.Unlock()
		err := g.flush()
		g.mu.Lock()
		g.running = false
		g.finished = g.started
		if err != nil {
			g.failed++
			g.lastErr = err
		}
		g.cond.Broadcast()
	}
	if g.failed != ticket {
		return g.lastErr
	}
	return nil
}

func (g *flushGroup) beforeRename(_ *os.File, ticket uint64) error { return g.wait(ticket) }

func (g *flushGroup) afterRename(_ string, _ []string, ticket uint64) error { return g.wait(ticket) }
