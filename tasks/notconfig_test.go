package tasks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A reply that is not a configuration (an error in words the failure
// indicators do not know) is no backup: the step fails and no file is
// written; a real configuration is backed up.
func TestBackupOfAnErrorReplyFails(t *testing.T) {
	for _, tc := range []struct {
		platform, reply string
		ok              bool
	}{
		{"cisco_ios", "Unknown command: \"show running-config\"", false},
		{"cisco_ios", "Line has invalid autocommand \"show running-config\"", false},
		{"juniper_junos", "Command not available in this mode.", false},
		{"cisco_ios", "Building configuration...\n\nCurrent configuration : 120 bytes\n!\nversion 15.9\nhostname r1\n!\nend", true},
		{"cisco_nxos", "!Command: show running-config\nversion 9.3(8) Bios:version\nhostname leaf1\n", true},
		{"juniper_junos", "## Last commit: 2026-11-27 01:00:00 UTC by admin\nversion 21.4R1;\nsystem {\n    host-name j1;\n}", true},
	} {
		dir := t.TempDir()
		conn := &fakeConn{platform: tc.platform, outputs: map[string]string{"show running-config": tc.reply, "show configuration": tc.reply}}
		res, err := run(t, "backup", `dir = "`+dir+`"`, conn, &Env{HostName: "r1", Platform: tc.platform})
		if err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
		if tc.ok {
			if res.Failed || len(files) != 1 {
				t.Errorf("%s %q: failed=%v %q, %d files", tc.platform, tc.reply, res.Failed, res.Message, len(files))
			}
			continue
		}
		if !res.Failed || !strings.Contains(res.Message, "the reply is not a configuration") {
			t.Errorf("%s %q: failed=%v %q", tc.platform, tc.reply, res.Failed, res.Message)
		}
		if len(files) != 0 {
			t.Errorf("%s: an error reply was written as a backup: %v", tc.platform, files)
		}
		if _, err := os.Stat(filepath.Join(dir, "r1")); err == nil {
			entries, _ := os.ReadDir(filepath.Join(dir, "r1"))
			if len(entries) != 0 {
				t.Errorf("%s: %d entries left in the host's directory", tc.platform, len(entries))
			}
		}
	}
}
