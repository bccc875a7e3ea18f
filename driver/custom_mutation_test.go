package driver

// Tests written against the mutants gremlins left alive in custom.go
// (docs/testing.md, "Mutation testing"): what RegisterPlatform accepts
// and refuses, and what DerivePlatform copies.

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// customBase is a small valid platform: exec, privileged and config
// modes, IOS-style.
func customBase(name string) *Platform {
	return &Platform{
		Name:    name,
		Aliases: []string{name + "-alias"},
		Modes: []Mode{
			{ModeConfiguration, regexp.MustCompile(`^(?P<host>\w+)\(config\)#$`)},
			{ModePrivileged, regexp.MustCompile(`^(?P<host>\w+)#$`)},
			{ModeExec, regexp.MustCompile(`^(?P<host>\w+)>$`)},
		},
		Transitions: []Transition{
			{From: ModeExec, To: ModePrivileged, Command: "enable"},
			{From: ModePrivileged, To: ModeConfiguration, Command: "conf t"},
			{From: ModeConfiguration, To: ModePrivileged, Command: "end"},
		},
		CommandMode: ModePrivileged,
		ConfigMode:  ModeConfiguration,
	}
}

func TestCustomPlatformChecks(t *testing.T) {
	noHost := customBase("c_nohost")
	noHost.Modes[1].Prompt = regexp.MustCompile(`^(\w+)#$`)
	nilPrompt := customBase("c_nilprompt")
	nilPrompt.Modes[2].Prompt = nil
	noModes := customBase("c_nomodes")
	noModes.Modes = nil
	noCmdPrompt := customBase("c_nocmd")
	noCmdPrompt.CommandMode = "enable-mode"
	noCfgPrompt := customBase("c_nocfg")
	noCfgPrompt.ConfigMode = "cfg"
	noWayToCmd := customBase("c_nowaycmd")
	noWayToCmd.Transitions = noWayToCmd.Transitions[1:] // nothing leaves exec
	noWayToCfg := customBase("c_nowaycfg")
	noWayToCfg.Modes = noWayToCfg.Modes[:2] // configuration, privileged
	noWayToCfg.Transitions = []Transition{noWayToCfg.Transitions[2]}
	for _, tt := range []struct {
		p    *Platform
		want string
	}{
		{nil, "platform without a name"},
		{&Platform{Name: "  "}, "platform without a name"},
		{noModes, `platform "c_nomodes": no modes (prompts)`},
		{nilPrompt, `platform "c_nilprompt": the exec prompt must capture the device name in (?P<host>...)`},
		{noHost, `platform "c_nohost": the privileged prompt must capture the device name in (?P<host>...)`},
		{noCmdPrompt, `platform "c_nocmd": the command mode "enable-mode" has no prompt`},
		{noCfgPrompt, `platform "c_nocfg": the configuration mode "cfg" has no prompt`},
		{noWayToCmd, `platform "c_nowaycmd": no command leads from exec to privileged mode`},
		{noWayToCfg, `platform "c_nowaycfg": no command leads from privileged to configuration mode`},
	} {
		err := RegisterPlatform(tt.p)
		if err == nil || err.Error() != tt.want {
			t.Errorf("RegisterPlatform: err = %v, want %q", err, tt.want)
		}
		if tt.p != nil {
			if _, ok := LookupPlatform(tt.p.Name); ok {
				t.Errorf("%s was registered although it was refused", tt.p.Name)
			}
		}
	}

	// Reaching config mode needs a way from exec too.
	noWayFromExecToCfg := customBase("c_exec_cfg")
	noWayFromExecToCfg.CommandMode = ModeExec
	noWayFromExecToCfg.Transitions = []Transition{
		{From: ModePrivileged, To: ModeExec, Command: "disable"},
		{From: ModeConfiguration, To: ModeExec, Command: "end"},
		{From: ModePrivileged, To: ModeConfiguration, Command: "conf t"},
	}
	if err := RegisterPlatform(noWayFromExecToCfg); err == nil || err.Error() != `platform "c_exec_cfg": no command leads from exec to configuration mode` {
		t.Errorf("err = %v", err)
	}

	// A platform without a configuration mode (a shell) is valid, and
	// needs no way to one.
	shell := &Platform{
		Name:        "c_shell",
		Modes:       []Mode{{ModePrivileged, regexp.MustCompile(`^(?P<host>\w+)\$ $`)}},
		CommandMode: ModePrivileged,
	}
	if err := RegisterPlatform(shell); err != nil {
		t.Errorf("a shell platform: %v", err)
	}
	if p, ok := LookupPlatform("C-Shell "); !ok || p != shell {
		t.Errorf("lookup by another spelling: %v %v", p, ok)
	}
}

func TestCustomPlatformNames(t *testing.T) {
	for _, tt := range []struct {
		name    string
		aliases []string
		want    string
	}{
		{"Cisco-IOS", nil, `platform "Cisco-IOS": "Cisco-IOS" is the name of the built-in platform cisco_ios`},
		{"c_mine", []string{"other", "nxos"}, `platform "c_mine": "nxos" is the name of the built-in platform cisco_nxos`},
	} {
		p := customBase(tt.name)
		p.Aliases = tt.aliases
		if err := RegisterPlatform(p); err == nil || err.Error() != tt.want {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
	if p, _ := LookupPlatform("cisco_ios"); p.Name != "cisco_ios" || p.Modes[0].Prompt == nil {
		t.Errorf("the built-in platform was replaced")
	}
	if _, ok := LookupPlatform("other"); ok {
		t.Errorf("an alias of a refused platform was registered")
	}

	// Registering a name again replaces the definition, aliases included.
	first, second := customBase("c_again"), customBase("c_again")
	second.Aliases = []string{"c_again_2"}
	for _, p := range []*Platform{first, second} {
		if err := RegisterPlatform(p); err != nil {
			t.Fatal(err)
		}
	}
	if p, ok := LookupPlatform("c_again"); !ok || p != second {
		t.Errorf("c_again: %p, want the second definition %p", p, second)
	}
	if p, ok := LookupPlatform("C_AGAIN_2"); !ok || p != second {
		t.Errorf("alias: %v %v", p, ok)
	}
}

func TestCustomPlatformDerive(t *testing.T) {
	if _, err := DerivePlatform("no_such_base", "x"); err == nil || err.Error() != `unknown base platform "no_such_base"` {
		t.Errorf("err = %v", err)
	}
	base, _ := LookupPlatform("cisco_ios")
	p, err := DerivePlatform("IOS", " My-IOS ")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "my_ios" || p.Aliases != nil {
		t.Errorf("name %q aliases %q", p.Name, p.Aliases)
	}
	if p.CommandMode != base.CommandMode || p.SaveCommand != base.SaveCommand || len(p.Modes) != len(base.Modes) {
		t.Errorf("not a copy of the base: %+v", p)
	}
	// Changing the copy leaves the base as it was.
	p.Modes[0].Name = "changed"
	p.Transitions[0].Command = "changed"
	p.OnOpen[0] = "changed"
	p.FailureIndicators[0].Text = "changed"
	p.SaveConfirm[0].Answer = "changed"
	for _, s := range []string{base.Modes[0].Name, base.Transitions[0].Command, base.OnOpen[0], base.FailureIndicators[0].Text, base.SaveConfirm[0].Answer} {
		if s == "changed" {
			t.Errorf("changing the derived platform changed the base")
		}
	}
	if !slices.Contains(Platforms(), "cisco_ios") || slices.Contains(Platforms(), "my_ios") {
		t.Errorf("Platforms() = %v", Platforms())
	}
	if b := builtinNamed("iosxe"); b == nil || b.Name != "cisco_ios" {
		t.Errorf("builtinNamed(alias) = %v", b)
	}
	if b := builtinNamed("my_ios"); b != nil {
		t.Errorf("builtinNamed(derived) = %v", b)
	}
	if !strings.Contains(FallbackSecretPrompt.String(), "password") {
		t.Errorf("FallbackSecretPrompt %q", FallbackSecretPrompt)
	}
}
