package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkInventory is two lab-backed cisco_ios hosts.
const checkInventory = `inventory {
  defaults {
    platform = "cisco_ios"
    username = "lab"
    password = env("RUNBOOK_PASSWORD", "")
  }
  host "r1" { address = "192.0.2.1" }
  host "r2" { address = "192.0.2.2" }
}
`

// backupPlaybook backs up with keep = 5 before a change.
const backupPlaybook = checkInventory + `
step "backup" "running" {
  dir  = "backups"
  keep = 5
}

step "send_config_set" "push" {
  depends_on = [step.backup.running]
  commands   = ["ntp server 10.0.1.100"]
}

step "save" "config" {
  depends_on = [step.send_config_set.push]
}
`

// dirSnapshot is every file and directory under dir with its mode and,
// for files, its content.
func dirSnapshot(t *testing.T, dir string) map[string]string {
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
		out[rel] = info.Mode().String() + "\n" + string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The bug of issue 10: six checks of a playbook with keep = 5 rotated
// away the backup apply took before the change. check writes nothing.
func TestCheckLeavesBackupDirectoryByteForByte(t *testing.T) {
	play := writePlaybook(t, backupPlaybook)
	base := filepath.Dir(play)
	if code, out, errOut := runCLI(t, "apply", "--lab", play); code != exitOK {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	before := dirSnapshot(t, base)
	n := 0
	for k := range before {
		if strings.HasSuffix(k, ".cfg") {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("apply wrote %d backups, want 2 (one per host): %v", n, before)
	}
	for i := range 6 {
		args := []string{"check", "--lab", play}
		if i == 0 {
			args = []string{"check", "--lab", "-v", play}
		}
		code, out, errOut := runCLI(t, args...)
		if code != exitOK {
			t.Fatalf("check %d: exit %d\n%s%s", i+1, code, out, errOut)
		}
		if i == 0 && !strings.Contains(out, "backup not written") {
			t.Errorf("check -v does not say the backup was not written:\n%s", out)
		}
	}
	if diff := cmp.Diff(before, dirSnapshot(t, base)); diff != "" {
		t.Errorf("check changed the playbook directory (-after apply +after 6 checks):\n%s", diff)
	}
}

// Reports the user asks for are the one thing check writes.
func TestCheckWritesOnlyTheReportsAskedFor(t *testing.T) {
	play := writePlaybook(t, backupPlaybook)
	base := filepath.Dir(play)
	before := dirSnapshot(t, base)
	jsonPath := filepath.Join(base, "report.json")
	if code, out, errOut := runCLI(t, "check", "--lab", "--json", jsonPath, play); code != exitOK {
		t.Fatalf("check: exit %d\n%s%s", code, out, errOut)
	}
	after := dirSnapshot(t, base)
	if _, ok := after["report.json"]; !ok {
		t.Errorf("check did not write the --json report")
	}
	delete(after, "report.json")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("check wrote more than its report (-before +after):\n%s", diff)
	}
}

func TestCheckDetailedExitcode(t *testing.T) {
	pending := checkInventory + `
step "send_config_set" "push" {
  commands = ["ntp server 10.0.1.100"]
}
`
	// The lab's cisco_ios configuration already has these lines.
	inSync := checkInventory + `
step "send_config_set" "push" {
  commands = ["logging host 10.0.255.50", "ip ssh version 2"]
}
`
	readOnly := checkInventory + `
step "send_command" "clock" {
  command = "show clock"
}
`
	tests := []struct {
		name     string
		src      string
		extra    []string
		want     int
		wantOut  []string
		wantNone []string
	}{
		{"pending", pending, nil, 2,
			[]string{"Apply would change:", "+ ntp server 10.0.1.100", "2 devices to change, 0 in sync"}, []string{"No changes"}},
		{"in sync", inSync, nil, 0,
			[]string{"No changes: 2 devices are in sync with the playbook."}, []string{"Apply would change"}},
		{"read-only", readOnly, nil, 0,
			[]string{"Read-only playbook: it changes no device"}, []string{"Apply would change", "need no change"}},
		{"error wins over pending", pending, []string{"--lab-fault", "r1:auth_fail"}, 1,
			[]string{"Apply would change:", "1 could not be checked"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			play := writePlaybook(t, tt.src)
			args := append([]string{"check", "--lab", "--detailed-exitcode"}, tt.extra...)
			code, out, errOut := runCLI(t, append(args, play)...)
			if code != tt.want {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.want, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}

	// Without the flag, pending changes are not a failure.
	if code, out, errOut := runCLI(t, "check", "--lab", writePlaybook(t, pending)); code != exitOK {
		t.Errorf("check without --detailed-exitcode: exit %d, want 0\n%s%s", code, out, errOut)
	}
	// apply has no such flag.
	if code, _, _ := runCLI(t, "apply", "--lab", "--detailed-exitcode", writePlaybook(t, pending)); code != exitInvalid {
		t.Errorf("apply --detailed-exitcode: exit %d, want 2 (usage)", code)
	}
}
