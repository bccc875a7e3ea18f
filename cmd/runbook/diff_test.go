package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Per host the lines it is given: IOS an NTP server and a line under an
// interface, Junos a set line.
const diffPlaybook = `
inventory {
  host "sw1" {
    address  = "192.0.2.11"
    platform = "cisco_ios"
    vars     = { lines = ["ntp server 10.0.1.100", "interface GigabitEthernet0/1", " description diff-test"] }
  }
  host "vmx1" {
    address  = "192.0.2.41"
    platform = "juniper_junos"
    vars     = { lines = ["set system ntp server 10.0.1.100"] }
  }
}

step "send_config_set" "push" {
  commands = host.vars.lines
}

step "save" "config" {
  depends_on = [step.send_config_set.push]
}
`

const (
	// In the order of the device's configuration, where the NTP lines
	// follow the interfaces.
	iosDiff = "  interface GigabitEthernet0/1\n" +
		"-  description access\n" +
		"+  description diff-test\n" +
		"+ ntp server 10.0.1.100\n"
	junosDiff = "+ set system ntp server 10.0.1.100\n"
)

type diffReport struct {
	Devices []struct {
		Name  string `json:"name"`
		Steps []struct {
			Name        string   `json:"name"`
			Status      string   `json:"status"`
			Diff        *string  `json:"diff"`
			WouldChange []string `json:"would_change"`
		} `json:"steps"`
	} `json:"devices"`
}

func readDiffReport(t *testing.T, path string) map[string]map[string]*string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r diffReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]*string{}
	for _, d := range r.Devices {
		out[d.Name] = map[string]*string{}
		for _, s := range d.Steps {
			out[d.Name][s.Name] = s.Diff
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}

func writeDiffPlaybook(t *testing.T) (dir, play string) {
	t.Helper()
	dir = t.TempDir()
	play = filepath.Join(dir, "diff.hcl")
	if err := os.WriteFile(play, []byte(diffPlaybook), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, play
}

// indented is a diff as the console prints it under the step line.
func indented(diff string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

func TestApplyDiff(t *testing.T) {
	dir, play := writeDiffPlaybook(t)
	jsonPath := filepath.Join(dir, "report.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--forks", "1", "--diff", "--json", jsonPath, play)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"sw1  send_config_set.push  changed",
		indented(iosDiff),
		"vmx1  send_config_set.push  changed",
		indented(junosDiff),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the console lacks\n%s\nin:\n%s", want, out)
		}
	}
	// The diff follows its step's line directly.
	if !strings.Contains(out, "sw1  send_config_set.push  changed") || !strings.Contains(out[strings.Index(out, "sw1  send_config_set.push  changed"):], "\n"+indented(iosDiff)) {
		t.Errorf("the IOS diff is not under its step line:\n%s", out)
	}
	diffs := readDiffReport(t, jsonPath)
	for dev, want := range map[string]string{"sw1": iosDiff, "vmx1": junosDiff} {
		if got := diffs[dev]["send_config_set.push"]; got == nil || *got != want {
			t.Errorf("%s: JSON diff %q, want %q", dev, deref(got), want)
		}
		if got := diffs[dev]["save.config"]; got != nil {
			t.Errorf("%s: save has a diff in the JSON: %q", dev, *got)
		}
	}

	// Without --diff the console shows no diff; the JSON still has it.
	code, out, errOut = runCLI(t, "apply", "--lab", "--json", jsonPath, play)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "ntp server 10.0.1.100") {
		t.Errorf("a diff on the console without --diff:\n%s", out)
	}
	if got := readDiffReport(t, jsonPath)["sw1"]["send_config_set.push"]; got == nil || *got != iosDiff {
		t.Errorf("JSON without --diff: diff %q, want %q", deref(got), iosDiff)
	}
}

func TestCheckDiff(t *testing.T) {
	dir, play := writeDiffPlaybook(t)
	jsonPath, logs := filepath.Join(dir, "report.json"), filepath.Join(dir, "logs")
	code, out, errOut := runCLI(t, "check", "--lab", "--forks", "1", "--diff", "--json", jsonPath, "--session-log", logs, play)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// Predicted: the pending lines under their sections, "+" only.
	wantIOS := "+ ntp server 10.0.1.100\n" +
		"  interface GigabitEthernet0/1\n" +
		"+  description diff-test\n"
	for _, want := range []string{indented(wantIOS), indented(junosDiff)} {
		if !strings.Contains(out, want) {
			t.Errorf("the console lacks\n%s\nin:\n%s", want, out)
		}
	}
	diffs := readDiffReport(t, jsonPath)
	for dev, want := range map[string]string{"sw1": wantIOS, "vmx1": junosDiff} {
		if got := diffs[dev]["send_config_set.push"]; got == nil || *got != want {
			t.Errorf("%s: JSON diff %q, want %q", dev, deref(got), want)
		}
	}
	// check changes nothing: no device entered configuration mode.
	for _, dev := range []string{"sw1", "vmx1"} {
		b, err := os.ReadFile(filepath.Join(logs, dev+".log"))
		if err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"configure", "description diff-test", "set system ntp", "write memory", "copy running-config", "commit"} {
			if strings.Contains(string(b), cmd) {
				t.Errorf("%s: check sent %q:\n%s", dev, cmd, b)
			}
		}
	}
}
