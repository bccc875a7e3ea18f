package engine_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// platformSummary renders what a platform block decides, one line per
// setting, regular expressions as their source.
func platformSummary(p *driver.Platform) []string {
	re := func(r *regexp.Regexp) string {
		if r == nil {
			return "-"
		}
		return r.String()
	}
	out := []string{
		"name " + p.Name,
		fmt.Sprintf("command_mode %q config_mode %q", p.CommandMode, p.ConfigMode),
		fmt.Sprintf("question_help %v quote_next %q", p.QuestionHelp, p.QuoteNext),
		fmt.Sprintf("on_open %q", p.OnOpen),
		"show_config " + p.ShowConfig,
		fmt.Sprintf("save %q noop %v success %s", p.SaveCommand, p.SaveNoop, re(p.SaveSuccess)),
		fmt.Sprintf("commit %q abort %q", p.Commit, p.Abort),
		"hostname_change " + re(p.HostnameChange),
	}
	for _, m := range p.Modes {
		out = append(out, "mode "+m.Name+" "+re(m.Prompt))
	}
	for _, t := range p.Transitions {
		out = append(out, fmt.Sprintf("edge %s>%s %q secret %s", t.From, t.To, t.Command, re(t.SecretPrompt)))
	}
	for _, i := range p.FailureIndicators {
		out = append(out, fmt.Sprintf("error %q linestart %v", i.Text, i.LineStart))
	}
	for _, c := range p.SaveConfirm {
		out = append(out, fmt.Sprintf("save_confirm %s -> %q", re(c.Question), c.Answer))
	}
	return out
}

// A platform block without a base is exactly what it says: its prompts,
// the transitions its commands make, its errors, its save and commit.
func TestPlatformFromDefWithoutBase(t *testing.T) {
	for _, tc := range []struct {
		name string
		def  hcl.PlatformDef
		want []string
	}{
		{
			name: "privileged prompt only",
			def:  hcl.PlatformDef{Name: "p1", PromptPrivileged: `\S+#\s*$`},
			want: []string{
				"name p1",
				`command_mode "privileged" config_mode ""`,
				`question_help true quote_next ""`,
				`on_open []`,
				"show_config ",
				`save "" noop false success -`,
				`commit "" abort ""`,
				"hostname_change -",
				`mode privileged \S+#\s*$`,
			},
		},
		{
			name: "three modes, errors, save with a question, commit, literal ?",
			def: hcl.PlatformDef{
				Name: "p2", PromptExec: `\S+>\s*$`, PromptPrivileged: `\S+#\s*$`, PromptConfig: `\S+\(config\)#\s*$`,
				EnableCommand: "enable", ConfigCommand: "conf t", ConfigExit: "end",
				DisablePaging: []string{"terminal length 0"}, DisablePagingSet: true,
				Errors:      []string{"% Error", "Invalid"},
				ShowConfig:  "show run",
				SaveCommand: "write memory", SaveSuccess: `\[OK\]`,
				SaveConfirm: []hcl.PlatformConfirm{{Question: `\[confirm\]`, Answer: "y"}},
				Commit:      "commit", Abort: "abort",
				HostnameChange: `^hostname\s`,
				QuestionMark:   "literal",
			},
			want: []string{
				"name p2",
				`command_mode "privileged" config_mode "configuration"`,
				`question_help false quote_next ""`,
				`on_open ["terminal length 0"]`,
				"show_config show run",
				`save "write memory" noop false success \[OK\]`,
				`commit "commit" abort "abort"`,
				`hostname_change ^hostname\s`,
				`mode configuration \S+\(config\)#\s*$`,
				`mode privileged \S+#\s*$`,
				`mode exec \S+>\s*$`,
				`edge exec>privileged "enable" secret ` + driver.FallbackSecretPrompt.String(),
				`edge privileged>configuration "conf t" secret -`,
				`edge configuration>privileged "end" secret -`,
				`error "% Error" linestart true`,
				`error "Invalid" linestart true`,
				`save_confirm \[confirm\] -> "y"`,
			},
		},
		{
			name: "commit without save: the commit keeps the change",
			def:  hcl.PlatformDef{Name: "p3", PromptPrivileged: `#$`, Commit: "commit", QuestionMark: "ctrl_v"},
			want: []string{
				"name p3",
				`command_mode "privileged" config_mode ""`,
				`question_help true quote_next "\x16"`,
				`on_open []`,
				"show_config ",
				`save "" noop true success -`,
				`commit "commit" abort ""`,
				"hostname_change -",
				`mode privileged #$`,
			},
		},
		{
			name: "save_command = \"\": nothing to save",
			def:  hcl.PlatformDef{Name: "p4", PromptPrivileged: `#$`, SaveNoop: true, QuestionMark: "refuse", DisablePagingSet: true},
			want: []string{
				"name p4",
				`command_mode "privileged" config_mode ""`,
				`question_help true quote_next ""`,
				`on_open []`,
				"show_config ",
				`save "" noop true success -`,
				`commit "" abort ""`,
				"hostname_change -",
				`mode privileged #$`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := engine.PlatformFromDef(&tc.def)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, platformSummary(p)); diff != "" {
				t.Errorf("platform (-want +got):\n%s", diff)
			}
		})
	}
}

// A platform block on a base keeps the base's modes and replaces only the
// commands and settings it names.
func TestPlatformFromDefOnABase(t *testing.T) {
	base, ok := driver.LookupPlatform("cisco_ios")
	if !ok {
		t.Fatal("no cisco_ios")
	}
	p, err := engine.PlatformFromDef(&hcl.PlatformDef{Name: "ios_custom", Base: "cisco_ios", EnableCommand: "enable 15", ConfigExit: "exit", ShowConfig: "show startup-config"})
	if err != nil {
		t.Fatal(err)
	}
	got := platformSummary(p)
	want := platformSummary(base)
	want[0] = "name ios_custom"
	want[4] = "show_config show startup-config"
	for i, l := range want {
		switch {
		case strings.HasPrefix(l, "edge exec>privileged "):
			want[i] = strings.Replace(l, `"enable"`, `"enable 15"`, 1)
		case strings.HasPrefix(l, "edge configuration>privileged "):
			want[i] = strings.Replace(l, `"end"`, `"exit"`, 1)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("derived platform (-base with the changes +got):\n%s", diff)
	}
	// The base is not changed by deriving from it.
	if b, _ := driver.LookupPlatform("cisco_ios"); b.ShowConfig == "show startup-config" {
		t.Error("the base platform was changed")
	}
	// A block whose settings equal the base's derives the base.
	same, err := engine.PlatformFromDef(&hcl.PlatformDef{Name: "ios_same", Base: "cisco_ios"})
	if err != nil {
		t.Fatal(err)
	}
	want = platformSummary(base)
	want[0] = "name ios_same"
	if diff := cmp.Diff(want, platformSummary(same)); diff != "" {
		t.Errorf("plain derived platform (-want +got):\n%s", diff)
	}
}

func TestPlatformFromDefErrors(t *testing.T) {
	for _, tc := range []struct {
		def  hcl.PlatformDef
		want string
	}{
		{hcl.PlatformDef{Name: "x", Base: "no_such_os"}, `platform "x": unknown base platform "no_such_os"`},
		{hcl.PlatformDef{Name: "x", PromptPrivileged: `(`}, `platform "x": prompt: error parsing regexp`},
		{hcl.PlatformDef{Name: "x", PromptConfig: `#`, PromptPrivileged: `(`}, `platform "x": prompt: error parsing regexp`},
		{hcl.PlatformDef{Name: "x", PromptExec: `>`, PromptPrivileged: `#`}, `platform "x": prompt_exec needs enable_command`},
		{hcl.PlatformDef{Name: "x", PromptPrivileged: `#`, PromptConfig: `\(config\)#`, ConfigCommand: "conf t"}, `platform "x": prompt_config needs config_command and config_exit`},
		{hcl.PlatformDef{Name: "x", PromptPrivileged: `#`, PromptConfig: `\(config\)#`, ConfigExit: "end"}, `platform "x": prompt_config needs config_command and config_exit`},
		{hcl.PlatformDef{Name: "x", PromptPrivileged: `#`, SaveCommand: "wr", SaveConfirm: []hcl.PlatformConfirm{{Question: `(`}}}, `platform "x": save_confirm: error parsing regexp`},
		{hcl.PlatformDef{Name: "x", PromptPrivileged: `#`, SaveCommand: "wr", SaveSuccess: `(`}, `platform "x": save_success: error parsing regexp`},
		{hcl.PlatformDef{Name: "x", PromptPrivileged: `#`, HostnameChange: `(`}, `platform "x": hostname_change: error parsing regexp`},
	} {
		_, err := engine.PlatformFromDef(&tc.def)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.def, err, tc.want)
		}
	}
}

// RegisterPlatforms registers every block, and stops at the first that
// cannot be built.
func TestRegisterPlatforms(t *testing.T) {
	name := "engine_test_" + strings.ReplaceAll(t.Name(), "/", "_")
	if err := engine.RegisterPlatforms(&hcl.Playbook{Platforms: []*hcl.PlatformDef{{Name: name, Base: "cisco_ios"}, {Name: name + "_2", Base: "arista_eos"}}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{name, name + "_2"} {
		if _, ok := driver.LookupPlatform(n); !ok {
			t.Errorf("%s not registered", n)
		}
	}
	// The driver refuses a name it has: the error stops the registration.
	err0 := engine.RegisterPlatforms(&hcl.Playbook{Platforms: []*hcl.PlatformDef{{Name: "cisco_ios", Base: "arista_eos"}, {Name: name + "_3", Base: "cisco_ios"}}})
	if err0 == nil {
		t.Error("a block named like a built-in platform was registered")
	}
	if _, ok := driver.LookupPlatform(name + "_3"); ok {
		t.Error("a block after a refused one was registered")
	}
	err := engine.RegisterPlatforms(&hcl.Playbook{Platforms: []*hcl.PlatformDef{{Name: name + "_bad", Base: "no_such_os"}, {Name: name + "_after", Base: "cisco_ios"}}})
	if err == nil || !strings.Contains(err.Error(), "no_such_os") {
		t.Errorf("bad block: %v", err)
	}
	if _, ok := driver.LookupPlatform(name + "_after"); ok {
		t.Error("a block after a bad one was registered")
	}
}
