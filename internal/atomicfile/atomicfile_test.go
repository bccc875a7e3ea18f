package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRemoveAllRemovesOnlyTrackedFiles(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b, c := mk(".a.tmp-1"), mk(".b.tmp-2"), mk("kept.json")
	Track(a)
	doneB := Track(b)
	doneB() // renamed into place: no longer ours to remove
	doneB()
	if n := RemoveAll(); n != 1 {
		t.Errorf("RemoveAll removed %d files, want 1", n)
	}
	if _, err := os.Stat(a); !os.IsNotExist(err) {
		t.Errorf("%s survives", a)
	}
	for _, p := range []string{b, c} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if n := RemoveAll(); n != 0 {
		t.Errorf("a second RemoveAll removed %d", n)
	}
}
