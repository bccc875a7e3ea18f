package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// platformBlockRE finds a top-level platform block: from its header to
// the first line that is a lone "}".
var platformBlockRE = regexp.MustCompile(`(?ms)^platform "([a-z_]+)" \{\n.*?^\}\n`)

// Issue 15 item 6: the three platforms of playbooks/platforms.hcl (the
// ones docs/platforms.md shows) drive the lab's device of their kind: a
// command's output comes back, a command the device rejects fails the
// step with the device's words, and a configuration line is applied and
// saved (RouterOS: kept at once, the save has nothing to do).
func TestUserDefinedPlatforms(t *testing.T) {
	src, err := os.ReadFile(playbook(t, "platforms.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	doc := readDoc(t, "platforms.md")
	blocks := map[string]string{}
	for _, m := range platformBlockRE.FindAllStringSubmatch(string(src), -1) {
		blocks[m[1]] = m[0]
		if !strings.Contains(doc, m[0]) {
			t.Errorf("docs/platforms.md does not show the platform block %s as playbooks/platforms.hcl has it", m[1])
		}
	}
	cases := []struct {
		platform, show, want, bad, badWords, line, config, saveWords string
		saveStatus                                                   string
	}{
		{"hp_comware", "display version", "H3C Comware Software", "display bogus", "% Unrecognized command",
			"ntp-service unicast-server 10.0.1.100", "display current-configuration", "Saved the current configuration", "changed"},
		{"huawei_vrp", "display version", "Huawei Versatile Routing Platform", "display bogus", "Error: Unrecognized command",
			"ntp-service unicast-server 10.0.1.100", "display current-configuration", "Save the configuration successfully", "changed"},
		{"mikrotik_routeros", "/system identity print", "name: dev1", "show version", "bad command name show",
			"/ip dns set servers=10.0.1.53", "/export", "", "ok"},
	}
	for _, c := range cases {
		t.Run(c.platform, func(t *testing.T) {
			block, ok := blocks[c.platform]
			if !ok {
				t.Fatalf("playbooks/platforms.hcl has no platform %q", c.platform)
			}
			inv := `
inventory {
  defaults {
    username = "admin"
    password = env("RUNBOOK_PASSWORD")
  }
  host "dev1" {
    address  = "192.0.2.1"
    platform = "` + c.platform + `"
  }
}
`
			good := block + inv + `
step "send_command" "show" {
  command = "` + c.show + `"
}
step "send_config_set" "push" {
  commands = ["` + c.line + `"]
  match    = "none"
}
step "save" "config" {}
step "send_command" "config" {
  command = "` + c.config + `"
}
`
			dir := t.TempDir()
			jsonPath := filepath.Join(dir, "good.json")
			code, out, errOut := runCLI(t, "apply", "--lab", "--json", jsonPath, writePlaybook(t, good))
			if code != exitOK {
				t.Fatalf("apply exit %d\n%s\n%s", code, out, errOut)
			}
			steps := map[string]string{}
			outputs := map[string]string{}
			for _, d := range readJSONReport(t, jsonPath).Devices {
				for _, s := range d.Steps {
					steps[s.Name] = s.Status
					if s.Output != nil {
						outputs[s.Name] = *s.Output
					}
				}
			}
			if !strings.Contains(outputs["send_command.show"], c.want) {
				t.Errorf("%s: output %q lacks %q", c.show, outputs["send_command.show"], c.want)
			}
			if steps["send_config_set.push"] != "changed" {
				t.Errorf("push %s, want changed", steps["send_config_set.push"])
			}
			if steps["send_command.config"] != "ok" || !strings.Contains(outputs["send_command.config"], c.line[strings.LastIndex(c.line, " ")+1:]) {
				t.Errorf("configuration after the push (%s) lacks %q:\n%s", steps["send_command.config"], c.line, outputs["send_command.config"])
			}
			if steps["save.config"] != c.saveStatus || !strings.Contains(outputs["save.config"], c.saveWords) {
				t.Errorf("save %s %q, want %s with %q", steps["save.config"], outputs["save.config"], c.saveStatus, c.saveWords)
			}

			bad := block + inv + `
step "send_command" "bad" {
  command = "` + c.bad + `"
}
`
			jsonPath = filepath.Join(dir, "bad.json")
			code, out, errOut = runCLI(t, "apply", "--lab", "--json", jsonPath, writePlaybook(t, bad))
			if code != exitFailed {
				t.Fatalf("a rejected command: exit %d, want %d\n%s\n%s", code, exitFailed, out, errOut)
			}
			for _, d := range readJSONReport(t, jsonPath).Devices {
				for _, s := range d.Steps {
					if s.Status != "failed" || !strings.Contains(s.Message, c.badWords) {
						t.Errorf("%s: %s %q, want failed naming %q", s.Name, s.Status, s.Message, c.badWords)
					}
				}
			}
		})
	}
}
