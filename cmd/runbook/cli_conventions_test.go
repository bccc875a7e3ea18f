package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// copyPlaybooks copies the repository's playbooks (without backups) into
// a temporary directory and returns that directory, which has a
// playbooks/ folder as the repository root does. Runs that write next to
// the playbook (backups) then leave the source tree alone.
func copyPlaybooks(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	src := "../../playbooks"
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel == "backups" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(root, "playbooks", rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, "playbooks", rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// planHosts lists the devices a plan shows, in order.
func planHosts(out string) []string {
	var hosts []string
	for _, line := range strings.Split(out, "\n") {
		if line == "" || line[0] == ' ' {
			continue
		}
		if name, rest, ok := strings.Cut(line, "  ("); ok && strings.Contains(rest, ":") {
			hosts = append(hosts, name)
		}
	}
	return hosts
}

func TestLimitExclusionsAndIntersections(t *testing.T) {
	ntp, audit := playbook(t, "ntp.hcl"), playbook(t, "audit.hcl")
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--limit", "all", ntp}, []string{"sw1", "sw2", "core1", "core2", "leaf1", "leaf2"}},
		{[]string{"--limit", "!sw1", ntp}, []string{"sw2", "core1", "core2", "leaf1", "leaf2"}},
		{[]string{"--limit", "!group:core", ntp}, []string{"sw1", "sw2", "leaf1", "leaf2"}},
		{[]string{"--limit", "all,!sw1,!leaf*", ntp}, []string{"sw2", "core1", "core2"}},
		{[]string{"--limit", "group:core,group:dc,&*2", ntp}, []string{"core2", "leaf2"}},
		{[]string{"--limit", "tag:campus", "--limit", "&group:access", audit}, []string{"sw1", "sw2"}},
		{[]string{"--limit", "group:core,&tag:core", audit}, []string{"core1", "core2"}},
	} {
		code, out, errOut := runCLI(t, append([]string{"plan"}, tt.args...)...)
		if code != exitOK {
			t.Errorf("plan %v: exit %d: %s", tt.args, code, errOut)
			continue
		}
		if diff := cmp.Diff(tt.want, planHosts(out)); diff != "" {
			t.Errorf("plan %v hosts (-want +got):\n%s", tt.args, diff)
		}
	}

	// Did you mean, exit 2, before anything connects.
	for _, tt := range []struct{ limit, want string }{
		{"core3", `--limit "core3" matches no host in the inventory. Did you mean "core1"?`},
		{"!group:cor", `--limit "!group:cor" matches no host in the inventory. Did you mean "!group:core"?`},
		{"access", `Did you mean "group:access"?`},
		{"group:core,&group:dc", `selects no host`},
	} {
		for _, cmd := range []string{"plan", "apply", "check"} {
			code, _, errOut := runCLI(t, cmd, "--limit", tt.limit, ntp)
			if code != exitInvalid || !strings.Contains(errOut, tt.want) {
				t.Errorf("%s --limit %q: exit %d, stderr %q; want 2 and %q", cmd, tt.limit, code, errOut, tt.want)
			}
		}
	}

	// An exclusion runs the rest.
	work := copyPlaybooks(t)
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--limit", "!group:core,!leaf2", "--json", jsonPath, "--no-output", filepath.Join(work, "playbooks/ntp.hcl"))
	if code != exitOK {
		t.Fatalf("apply --limit: exit %d\n%s%s", code, out, errOut)
	}
	var ran []string
	for _, d := range readJSONReport(t, jsonPath).Devices {
		ran = append(ran, d.Name)
	}
	if diff := cmp.Diff([]string{"sw1", "sw2", "leaf1"}, ran); diff != "" {
		t.Errorf("apply --limit '!group:core,!leaf2' ran (-want +got):\n%s", diff)
	}
}

func TestVersionPrintsBuildInfo(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != exitOK || len(lines) != 3 || !strings.HasPrefix(lines[0], "runbook ") ||
		!strings.HasPrefix(lines[1], "commit ") || !strings.HasPrefix(lines[2], runtime.Version()+" ") {
		t.Errorf("version: exit %d\n%s", code, out)
	}

	bi := &debug.BuildInfo{
		GoVersion: "go1.99.1",
		Main:      debug.Module{Path: "github.com/runbook-dev/runbook", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-11-27T00:27:46Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	want := "runbook v1.4.0\ncommit 0123456789ab (2026-11-27T00:27:46Z, modified)\ngo1.99.1 " + platform + "\n"
	if got := versionText(bi); got != want {
		t.Errorf("versionText:\n%s\nwant:\n%s", got, want)
	}
	bi = &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "(devel)"}}
	want = "runbook dev\ncommit unknown (not built from a git checkout)\ngo1.99.1 " + platform + "\n"
	if got := versionText(bi); got != want {
		t.Errorf("versionText of a devel build:\n%s\nwant:\n%s", got, want)
	}
	old := version
	version = "v9.9.9"
	defer func() { version = old }()
	if got := versionText(bi); !strings.HasPrefix(got, "runbook v9.9.9\n") {
		t.Errorf("-X main.version does not win:\n%s", got)
	}
}

const uglyHCL = "step \"send_command\" \"a\" {\ncommand=\"show clock\"\n  timeout =   \"5s\"\n}\n"
const prettyHCL = "step \"send_command\" \"a\" {\n  command = \"show clock\"\n  timeout = \"5s\"\n}\n"

// withStdin runs f with os.Stdin reading text.
func withStdin(t *testing.T, text string, f func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	old := os.Stdin
	os.Stdin = in
	defer func() { os.Stdin = old }()
	f()
}

func TestFmtStdinDiffAndCurrentDirectory(t *testing.T) {
	withStdin(t, uglyHCL, func() {
		if code, out, errOut := runCLI(t, "fmt", "-"); code != exitOK || out != prettyHCL {
			t.Errorf("fmt -: exit %d\n%q\n%s", code, out, errOut)
		}
	})
	wantDiff := "--- <stdin>\n+++ <stdin>\n@@ -1,4 +1,4 @@\n" +
		" step \"send_command\" \"a\" {\n" +
		"-command=\"show clock\"\n-  timeout =   \"5s\"\n" +
		"+  command = \"show clock\"\n+  timeout = \"5s\"\n" +
		" }\n"
	withStdin(t, uglyHCL, func() {
		if code, out, _ := runCLI(t, "fmt", "--diff", "-"); code != exitOK || out != wantDiff {
			t.Errorf("fmt --diff -: exit %d\n%s\nwant:\n%s", code, out, wantDiff)
		}
	})
	withStdin(t, uglyHCL, func() {
		if code, out, _ := runCLI(t, "fmt", "--check", "-"); code != exitFailed || out != "<stdin>: not formatted\n" {
			t.Errorf("fmt --check - on unformatted input: exit %d %q", code, out)
		}
	})
	withStdin(t, prettyHCL, func() {
		if code, out, _ := runCLI(t, "fmt", "--check", "-"); code != exitOK || out != "" {
			t.Errorf("fmt --check - on formatted input: exit %d %q", code, out)
		}
	})
	withStdin(t, "step \"a\" {\n", func() {
		if code, out, errOut := runCLI(t, "fmt", "-"); code != exitInvalid || out != "" || !strings.Contains(errOut, "<stdin>:") {
			t.Errorf("fmt - on a syntax error: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})

	// No PATH: the current directory, walked, hidden directories left alone.
	dir := t.TempDir()
	for _, p := range []string{"a.hcl", "sub/b.hcl", ".hidden/c.hcl", "notes.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(uglyHCL), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	code, out, _ := runCLI(t, "fmt", "--check", "--diff")
	if code != exitFailed || !strings.Contains(out, "--- a.hcl\n+++ a.hcl\n") || !strings.Contains(out, "--- sub/b.hcl\n") ||
		!strings.Contains(out, "a.hcl: not formatted\nsub/b.hcl: not formatted\n") || strings.Contains(out, "hidden") {
		t.Errorf("fmt --check --diff in a directory: exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile("a.hcl"); string(b) != uglyHCL {
		t.Error("fmt --check --diff wrote a file")
	}
	if code, out, _ := runCLI(t, "fmt"); code != exitOK || out != "a.hcl\nsub/b.hcl\n" {
		t.Errorf("fmt: exit %d %q", code, out)
	}
	for p, want := range map[string]string{"a.hcl": prettyHCL, "sub/b.hcl": prettyHCL, ".hidden/c.hcl": uglyHCL, "notes.txt": uglyHCL} {
		if b, _ := os.ReadFile(p); string(b) != want {
			t.Errorf("after fmt, %s:\n%s", p, b)
		}
	}
	if code, out, _ := runCLI(t, "fmt", "--check"); code != exitOK || out != "" {
		t.Errorf("fmt --check after fmt: exit %d %q", code, out)
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"
	b := "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13"
	want := "--- f\n+++ f\n" +
		"@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n" +
		"@@ -10,3 +10,4 @@\n 10\n 11\n 12\n+13\n\\ No newline at end of file\n"
	if got := unifiedDiff("f", []byte(a), []byte(b)); got != want {
		t.Errorf("unifiedDiff:\n%s\nwant:\n%s", got, want)
	}
	if got := unifiedDiff("f", []byte(a), []byte(a)); got != "--- f\n+++ f\n" {
		t.Errorf("no change: %q", got)
	}
}

// Usage errors exit 2 in every command, and start nothing.
func TestUsageErrorsExit2InEveryCommand(t *testing.T) {
	ntp := playbook(t, "ntp.hcl")
	for _, args := range [][]string{
		{"validate"},
		{"validate", "--nope", ntp},
		{"validate", "no/such/file.hcl"},
		{"plan"},
		{"plan", "--nope", ntp},
		{"plan", "--limit", "!", ntp},
		{"apply"},
		{"apply", "--limit", "sw9", "--lab", ntp},
		{"check"},
		{"check", "--limit", "!nosuch", "--lab", ntp},
		{"apply", "--connect-retries", "-1", "--lab", ntp},
		{"audit", "--connect-retries", "-1", "--lab", ntp},
		{"fmt", "no/such/dir"},
		{"fmt", "--nope"},
		{"fmt", "-", ntp},
		{"parse"},
		{"parse", "--platform", "cisco_ios"},
		{"parse", "--command", "show clock"},
		{"parse", "--platform", "cisco_ios", "--command", "show clock", "no/such/file"},
		{"parse", "--test", "x", "--platform", "cisco_ios"},
		{"parse", "a", "b"},
		{"lab", "serve", "--devices", "0"},
		{"lab", "serve", "--devices", "-3"},
		{"lab", "serve", "--platform", "cisco_iso"},
		{"lab", "serve", "extra"},
		{"lab", "nope"},
		{"version", "extra"},
		{"completion", "nosuchshell"},
	} {
		code, out, errOut := runCLI(t, args...)
		if code != exitInvalid {
			t.Errorf("%q: exit %d, want 2\nstdout: %s\nstderr: %s", args, code, out, errOut)
		}
		if strings.Contains(out, "devices up") {
			t.Errorf("%q started a lab:\n%s", args, out)
		}
	}
}

// completion lists what `runbook __complete ARGS` offers (the entry point
// of every shell's completion script), without the directive line.
func completion(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"__complete"}, args...)...)
	if code != exitOK {
		t.Fatalf("__complete %q: exit %d: %s", args, code, errOut)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, ":") {
			got = append(got, l)
		}
	}
	return got
}

func TestCompletionOffersHostsGroupsAndPlatforms(t *testing.T) {
	audit := playbook(t, "audit.hcl")
	got := completion(t, "plan", audit, "--limit", "")
	for _, want := range []string{"all", "sw1", "leaf2", "group:access", "group:core", "tag:campus"} {
		if !slices.Contains(got, want) {
			t.Errorf("--limit completion lacks %q: %v", want, got)
		}
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"apply", audit, "--limit", "gr"}, []string{"group:access", "group:core", "group:dc"}},
		{[]string{"check", audit, "--limit", "group:core,&tag:c"}, []string{"group:core,&tag:campus", "group:core,&tag:core"}},
		{[]string{"plan", audit, "--limit", "!le"}, []string{"!leaf1", "!leaf2"}},
		{[]string{"apply", audit, "--lab-fault", "co"}, []string{"core1:", "core2:"}},
		{[]string{"apply", "--inventory", playbook(t, "ntp.hcl"), audit, "--limit", "s"}, []string{"sw1", "sw2"}},
		{[]string{"lab", "serve", "--platform", ""}, []string{"cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos", "linux", "cisco_xr", "cisco_asa", "mixed"}},
		{[]string{"parse", "--platform", "cisco_"}, []string{"cisco_asa", "cisco_ios", "cisco_nxos", "cisco_xe", "cisco_xr"}},
		{[]string{"plan", "no/such.hcl", "--limit", ""}, nil},
	} {
		if diff := cmp.Diff(tt.want, completion(t, tt.args...)); diff != "" {
			t.Errorf("__complete %q (-want +got):\n%s", tt.args, diff)
		}
	}
	if code, out, _ := runCLI(t, "completion", "bash"); code != exitOK || !strings.Contains(out, "__runbook_") {
		t.Errorf("completion bash: exit %d, %d bytes", code, len(out))
	}
}

// playbooks/change-window.hcl with dry_run = true changes nothing and
// saves nothing (the checkpoint is still taken); without it every device
// changes, saves (Junos: commits with its confirm timer, then confirms)
// and passes.
func TestChangeWindowDryRunDoesNotSave(t *testing.T) {
	cw := filepath.Join(copyPlaybooks(t), "playbooks", "change-window.hcl")
	for _, dryRun := range []bool{true, false} {
		jsonPath := filepath.Join(t.TempDir(), "cw.json")
		logs := t.TempDir()
		args := []string{"apply", "--lab", "--json", jsonPath, "--session-log", logs, cw}
		if dryRun {
			args = append(args, "--var", "dry_run=true")
		}
		code, out, errOut := runCLI(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		rep := readJSONReport(t, jsonPath)
		if len(rep.Devices) != 8 {
			t.Fatalf("%d devices", len(rep.Devices))
		}
		for _, d := range rep.Devices {
			status := map[string]string{}
			for _, st := range d.Steps {
				status[st.Name] = st.Status
			}
			junos := strings.HasPrefix(d.Name, "edge")
			want := map[string]string{
				"backup.before": "ok", "send_command.pre_interfaces": "ok", "checkpoint.before_change": "ok",
				"send_config_set.logging": "changed", "save.config": "changed",
				"send_command.post_logging": "ok", "send_command.post_interfaces": "ok",
			}
			if junos {
				want["confirm"] = "ok"
				want["save.config"] = "ok" // the commit saved it
			}
			if dryRun {
				want["send_config_set.logging"] = "skipped"
				want["save.config"] = "skipped"
				want["send_command.post_logging"] = "skipped"
				delete(want, "confirm")
			}
			if diff := cmp.Diff(want, status); diff != "" {
				t.Errorf("dry_run=%v %s steps (-want +got):\n%s", dryRun, d.Name, diff)
			}
			transcript, err := os.ReadFile(filepath.Join(logs, d.Name+".log"))
			if err != nil {
				t.Fatal(err)
			}
			mark := "copy running-config startup-config"
			if junos {
				mark = "commit confirmed 5"
			}
			if saved := strings.Contains(string(transcript), mark); saved == dryRun {
				t.Errorf("dry_run=%v: %s sent %q: %v\n%s", dryRun, d.Name, mark, saved, transcript)
			}
		}
	}
}

// --quiet prints the recap, the failures and the summary line, and no
// per-step line (docs/running.md says so).
func TestQuietPrintsRecapFailuresAndSummary(t *testing.T) {
	ntp := filepath.Join(copyPlaybooks(t), "playbooks", "ntp.hcl")
	code, out, errOut := runCLI(t, "apply", "--lab", "--quiet", "--lab-fault", "sw2:reject_config=^ntp", ntp)
	if code != exitFailed {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"RECAP\n", "FAILURES\n", "sw2  send_config_set.push  failed", "6 devices: 5 passed, 1 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("--quiet output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "backup.running  ok") || strings.Contains(out, "sw1  passed  ") {
		t.Errorf("--quiet printed per-step or per-device lines:\n%s", out)
	}
	if strings.TrimSpace(errOut) != "lab: 6 simulated devices on 127.0.0.1 stand in for the inventory" {
		t.Errorf("--quiet stderr: %q", errOut)
	}
}
