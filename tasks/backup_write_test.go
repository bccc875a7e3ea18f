package tasks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWriteBackupSameSecondIsBounded: suffixes for backups in one second
// run out at maxSameSecond instead of searching forever, and the last
// free one is used.
func TestWriteBackupSameSecondIsBounded(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	stamp := now.Format(backupStamp)
	mk := func(n string) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mk("r1-" + stamp + ".cfg")
	for i := 1; i < maxSameSecond; i++ {
		mk(fmt.Sprintf("r1-%s-%d.cfg", stamp, i))
	}
	p, err := writeBackup(dir, "r1", now, []byte("config\n"))
	if want := filepath.Join(dir, fmt.Sprintf("r1-%s-%d.cfg", stamp, maxSameSecond)); err != nil || p != want {
		t.Fatalf("writeBackup = %s, %v; want %s", p, err, want)
	}
	if _, err := writeBackup(dir, "r1", now, []byte("config\n")); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("past maxSameSecond: %v, want an error", err)
	}
}
