package tasks

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// snapshot is every file under dir: path -> mode and content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if e.IsDir() {
			out[rel+"/"] = info.Mode().String()
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = info.Mode().String() + " " + string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Check of a backup step reads the configuration as Run does but writes
// no file and prunes none: check changes nothing, on disk either.
func TestBackupCheckWritesAndPrunesNothing(t *testing.T) {
	dir := t.TempDir()
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{
		"show running-config": "Building configuration...\n\nhostname sw1\nntp server 10.0.1.100\nend\n",
	}}
	clock := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	env := &Env{HostName: "sw1", BaseDir: dir, Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	a, diags := decode(t, "backup", "dir = \"backups\"\nkeep = 2\n", hostCtx())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	// Two backups taken by apply: keep = 2 is full.
	for range 2 {
		if res, err := a.Run(context.Background(), conn, env); err != nil || res.Failed || res.Path == "" {
			t.Fatalf("Run: %v %+v", err, res)
		}
	}
	before := snapshot(t, dir)
	checker, ok := a.(Checker)
	if !ok {
		t.Fatal("a backup action does not implement Checker: check would write and rotate backups")
	}
	for range 3 {
		res, err := checker.Check(context.Background(), conn, env)
		if err != nil || res.Failed {
			t.Fatalf("Check: %v %+v", err, res)
		}
		if res.Path != "" || res.Changed {
			t.Errorf("Check: path %q changed %v; want no file and no change", res.Path, res.Changed)
		}
		for _, want := range []string{"not written", filepath.Join(dir, "backups", "sw1"), "remove the 1 oldest of 2 backups (keep = 2)"} {
			if !strings.Contains(res.Message, want) {
				t.Errorf("Check message lacks %q: %s", want, res.Message)
			}
		}
		if !strings.Contains(res.Output, "ntp server 10.0.1.100") {
			t.Errorf("Check output %q: want the configuration it read", res.Output)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("check changed the backup directory (-before +after):\n%s", diff)
	}
	if got := strings.Count(strings.Join(conn.calls, "\n"), "cmd show running-config"); got != 5 {
		t.Errorf("the device was asked for its configuration %d times, want 5 (2 runs, 3 checks)", got)
	}

	// No configuration fails the check as it would fail the backup.
	bad := &fakeConn{platform: "cisco_ios"}
	res, err := checker.Check(context.Background(), bad, env)
	if err != nil || !res.Failed {
		t.Errorf("empty configuration: %v %+v, want a failed result", err, res)
	}
}
