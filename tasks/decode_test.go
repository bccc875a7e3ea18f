package tasks

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// validateCtx is what the loader gives kinds during validation: host and
// step unknown, variables known (one of them sensitive).
func validateCtx() *hclv2.EvalContext {
	return &hclv2.EvalContext{
		Variables: map[string]cty.Value{
			"host": cty.DynamicVal,
			"step": cty.DynamicVal,
			"var": cty.ObjectVal(map[string]cty.Value{
				"servers":  cty.ListVal([]cty.Value{cty.StringVal("10.0.1.100"), cty.StringVal("10.0.1.101")}),
				"password": cty.StringVal("hunter2").Mark("sensitive"),
			}),
		},
		Functions: map[string]function.Function{"upper": stdlib.UpperFunc},
	}
}

// hostCtx is a per-host context at run time.
func hostCtx() *hclv2.EvalContext {
	ctx := validateCtx()
	ctx.Variables["host"] = cty.ObjectVal(map[string]cty.Value{
		"name":     cty.StringVal("core1"),
		"platform": cty.StringVal("cisco_ios"),
		"vars":     cty.ObjectVal(map[string]cty.Value{"vlan": cty.NumberIntVal(42)}),
	})
	ctx.Variables["step"] = cty.ObjectVal(map[string]cty.Value{
		"send_command": cty.ObjectVal(map[string]cty.Value{
			"pre": cty.ObjectVal(map[string]cty.Value{"output": cty.StringVal("Gi0/1")}),
		}),
	})
	return ctx
}

func decode(t *testing.T, kind, src string, ctx *hclv2.EvalContext) (Action, hclv2.Diagnostics) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), "step.hcl", hclv2.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	v, diags := Kinds()[kind].Decode(f.Body, ctx)
	a, ok := v.(Action)
	if !ok {
		t.Fatalf("Decode returned %T, not an Action", v)
	}
	return a, diags
}

// diagSummaries renders diagnostics as "line: summary" for comparison,
// and checks that each one has a subject.
func diagSummaries(t *testing.T, diags hclv2.Diagnostics) []string {
	t.Helper()
	var out []string
	for _, d := range diags {
		if d.Subject == nil {
			t.Errorf("diagnostic %q has no subject", d.Summary)
			continue
		}
		out = append(out, strings.Join([]string{itoa(d.Subject.Start.Line), d.Summary}, ": "))
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		kind     string
		src      string
		ctx      *hclv2.EvalContext // nil: validateCtx
		diags    []string
		describe []string
	}{
		{name: "send_command", kind: "send_command",
			src:      "command = \"show ip int brief\"\nexpect_string = \"#\\\\s*$\"\n",
			describe: []string{"show ip int brief"}},
		{name: "send_command unknown attr", kind: "send_command",
			src:   "command = \"show ver\"\ncommnd = \"x\"\n",
			diags: []string{"2: Unsupported argument"}, describe: []string{"show ver"}},
		{name: "send_command missing command", kind: "send_command",
			src:   "expect_string = \"#\"\n",
			diags: []string{"1: Missing required argument"}, describe: []string{KnownAfterRun}},
		{name: "send_command null command", kind: "send_command",
			src:   "command = null\n",
			diags: []string{"1: Missing required argument"}, describe: []string{KnownAfterRun}},
		{name: "send_command wrong type", kind: "send_command",
			src:   "command = [\"a\"]\n",
			diags: []string{"1: Incorrect attribute value type"}, describe: []string{KnownAfterRun}},
		{name: "send_command timeout is the step's", kind: "send_command",
			src:   "command = \"x\"\ntimeout = \"5s\"\n",
			diags: []string{"2: Unsupported argument"}, describe: []string{"x"}},
		{name: "send_command bad regex", kind: "send_command",
			src:   "command = \"x\"\nexpect_string = \"([\"\n",
			diags: []string{"2: Invalid regular expression"}, describe: []string{"x"}},
		{name: "send_command unknown value", kind: "send_command",
			src:      "command = \"show int ${host.vars.uplink}\"\n",
			describe: []string{KnownAfterRun}},
		{name: "send_command known per host", kind: "send_command",
			src: "command = \"show vlan ${host.vars.vlan}\"\n", ctx: hostCtx(),
			describe: []string{"show vlan 42"}},
		{name: "send_command sensitive", kind: "send_command",
			src:      "command = \"username x secret ${var.password}\"\n",
			describe: []string{Sensitive}},

		{name: "config commands", kind: "send_config_set",
			src:      "commands = [for s in var.servers : \"ntp server ${s}\"]\ncontinue_on_error = true\n",
			describe: []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"}},
		{name: "config partly unknown", kind: "send_config_set",
			src:      "commands = [\"interface ${step.send_command.pre.output}\", \"shutdown\"]\n",
			describe: []string{KnownAfterRun, "shutdown"}},
		{name: "config wholly unknown", kind: "send_config_set",
			src:      "commands = host.vars.lines\n",
			describe: []string{KnownAfterRun}},
		{name: "config template", kind: "send_config_set",
			src: "template = <<EOT\nvlan ${host.vars.vlan}\n\n  name users\n\nEOT\n", ctx: hostCtx(),
			describe: []string{"vlan 42", "  name users"}},
		{name: "config template unknown", kind: "send_config_set",
			src:      "template = \"vlan ${host.vars.vlan}\"\n",
			describe: []string{KnownAfterRun}},
		{name: "config both", kind: "send_config_set",
			src:   "commands = [\"a\"]\ntemplate = \"b\"\n",
			diags: []string{"2: Conflicting arguments"}, describe: []string{KnownAfterRun}},
		{name: "config neither", kind: "send_config_set",
			src:   "continue_on_error = false\n",
			diags: []string{"1: Missing required argument"}, describe: []string{KnownAfterRun}},
		{name: "config wrong type", kind: "send_config_set",
			src:   "commands = \"ntp server 1.1.1.1\"\ncontinue_on_error = \"maybe\"\n",
			diags: []string{"1: Incorrect attribute value type", "2: Incorrect attribute value type"}, describe: []string{KnownAfterRun}},
		{name: "config sensitive line", kind: "send_config_set",
			src:      "commands = [\"username admin secret ${var.password}\", \"end\"]\n",
			describe: []string{Sensitive, "end"}},

		{name: "save", kind: "save", src: "", describe: []string{"(save the running configuration)"}},
		{name: "save unknown attr", kind: "save", src: "force = true\n",
			diags: []string{"1: Unsupported argument"}, describe: []string{"(save the running configuration)"}},

		{name: "backup", kind: "backup", src: "dir = \"backups\"\nkeep = 3\n",
			describe: []string{"(backup the running configuration to backups, keep 3)"}},
		{name: "backup missing dir", kind: "backup", src: "keep = 3\n",
			diags: []string{"1: Missing required argument"}, describe: []string{"(backup the running configuration to (known after run), keep 3)"}},
		{name: "backup bad keep", kind: "backup", src: "dir = \"b\"\nkeep = 0\n",
			diags: []string{"2: Invalid keep value"}, describe: []string{"(backup the running configuration to b)"}},
		{name: "backup fractional keep", kind: "backup", src: "dir = \"b\"\nkeep = 1.5\n",
			diags: []string{"2: Invalid keep value"}, describe: []string{"(backup the running configuration to b)"}},
		{name: "backup keep wrong type", kind: "backup", src: "dir = \"b\"\nkeep = \"many\"\n",
			diags: []string{"2: Incorrect attribute value type"}, describe: []string{"(backup the running configuration to b)"}},
		{name: "backup unknown dir", kind: "backup", src: "dir = \"backups/${host.name}\"\n",
			describe: []string{"(backup the running configuration to (known after run))"}},

		{name: "expect", kind: "expect",
			src:      "command = \"reload\"\nexpect \"confirm\" {\n  send = \"y\"\n}\nexpect \"[Pp]assword:\" {\n  send = var.password\n}\nexpect \"Save\\\\?\" {\n  send = \"no\"\n  hidden = true\n}\n",
			describe: []string{"reload", "expect /confirm/ -> send y", "expect /[Pp]assword:/ -> send (sensitive)", `expect /Save\?/ -> send (sensitive)`}},
		{name: "expect bad regex and attr", kind: "expect",
			src:   "command = \"reload\"\nexpect \"([\" {\n  send = \"y\"\n  sned = 1\n}\n",
			diags: []string{"2: Invalid regular expression", "4: Unsupported argument"}, describe: []string{"reload", "expect /([/ -> send y"}},
		{name: "expect no blocks", kind: "expect", src: "command = \"reload\"\n",
			diags: []string{"1: Missing expect block"}, describe: []string{"reload"}},
		{name: "expect missing send", kind: "expect", src: "command = \"reload\"\nexpect \"x\" {\n}\n",
			diags: []string{"2: Missing required argument"}, describe: []string{"reload", "expect /x/ -> send (known after run)"}},

		{name: "assert", kind: "assert", src: ""},
		{name: "assert unknown attr", kind: "assert", src: "command = \"x\"\n", diags: []string{"1: Unsupported argument"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = validateCtx()
			}
			a, diags := decode(t, tt.kind, tt.src, ctx)
			if diff := cmp.Diff(tt.diags, diagSummaries(t, diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%v", diff, diags)
			}
			if diff := cmp.Diff(tt.describe, a.Describe()); diff != "" {
				t.Errorf("Describe (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChanges(t *testing.T) {
	got := map[string]bool{}
	for name, k := range Kinds() {
		got[name] = k.Changes()
	}
	want := map[string]bool{"send_command": false, "send_config_set": true, "save": true, "backup": false, "expect": true, "assert": false, "checkpoint": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Changes (-want +got):\n%s", diff)
	}
	if !StepChanges("nope") {
		t.Error("an unknown kind must count as changing the device")
	}
}
