package hcl_test

import (
	"bytes"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/hcl"
)

// memFiles serves files from memory through WithReadFile.
func memFiles(files map[string]string) hcl.Option {
	return hcl.WithReadFile(func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, &os.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	})
}

// load loads in-memory files; the first path is the playbook.
func load(t *testing.T, files map[string]string, paths []string, opts ...hcl.Option) (*hcl.Playbook, hclv2.Diagnostics) {
	t.Helper()
	opts = append([]hcl.Option{hcl.WithStepKinds(kinds()), hcl.WithEnv(noEnv), memFiles(files)}, opts...)
	return hcl.Load(paths, opts...)
}

// mustLoad fails the test on any error diagnostic.
func mustLoad(t *testing.T, files map[string]string, paths []string, opts ...hcl.Option) *hcl.Playbook {
	t.Helper()
	pb, diags := load(t, files, paths, opts...)
	if diags.HasErrors() {
		var buf bytes.Buffer
		hcl.WriteDiagnostics(&buf, diags, pb.Files, true)
		t.Fatalf("unexpected errors:\n%s", buf.String())
	}
	return pb
}

func errorSummaries(diags hclv2.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == hclv2.DiagError {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}

// hostView is the comparable part of a Host.
type hostView struct {
	Name, Address, Platform, Username, Password, Secret, HostKeyCheck string
	Port                                                              int
	Groups, Tags                                                      []string
	Vars                                                              map[string]string
	Timeouts                                                          hcl.Timeouts
	Legacy                                                            bool
}

func view(h *hcl.Host) hostView {
	vars := map[string]string{}
	for k, v := range h.Vars {
		if v.Type() == cty.String {
			vars[k] = v.AsString()
		} else {
			vars[k] = v.GoString()
		}
	}
	return hostView{
		Name: h.Name, Address: h.Address, Platform: h.Platform, Username: h.Username,
		Password: h.Password.Reveal(), Secret: h.Secret.Reveal(), HostKeyCheck: h.HostKeyCheck,
		Port: h.Port, Groups: h.Groups, Tags: h.Tags, Vars: vars, Timeouts: h.Timeouts, Legacy: h.LegacyAlgorithms,
	}
}

func TestInheritance(t *testing.T) {
	src := `
settings { allow_plaintext_secrets = true }
inventory {
  defaults {
    platform = "cisco_ios"
    username = "ops"
    password = "pw-default"
    tags     = ["all"]
    vars     = { site = "ams1", tier = "default" }
    timeouts {
      connect = "5s"
      command = "20s"
    }
  }
  group "core" {
    platform = "eos"
    port     = 2222
    tags     = ["core"]
    vars     = { tier = "core" }
    timeouts { command = "40s" }
    host "core1" {
      address = "192.0.2.1"
      vars    = { rack = "r1" }
      timeouts { idle = "1m" }
    }
    host "core2" {
      password          = "pw-core2"
      tags              = ["core", "spare"]
      host_key_check    = "off"
      legacy_algorithms = true
    }
  }
  host "edge1" {
    platform = "juniper"
    secret   = "en"
  }
}
`
	pb := mustLoad(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
	var got []hostView
	for _, h := range pb.Inventory.Hosts {
		got = append(got, view(h))
	}
	want := []hostView{
		{
			Name: "core1", Address: "192.0.2.1", Platform: "arista_eos", Username: "ops", Password: "pw-default",
			HostKeyCheck: "strict", Port: 2222, Groups: []string{"core"}, Tags: []string{"all", "core"},
			Vars:     map[string]string{"site": "ams1", "tier": "core", "rack": "r1"},
			Timeouts: hcl.Timeouts{Connect: 5 * time.Second, Command: 40 * time.Second, Idle: time.Minute},
		},
		{
			Name: "core2", Address: "core2", Platform: "arista_eos", Username: "ops", Password: "pw-core2",
			HostKeyCheck: "off", Port: 2222, Groups: []string{"core"}, Tags: []string{"all", "core", "spare"},
			Vars:     map[string]string{"site": "ams1", "tier": "core"},
			Timeouts: hcl.Timeouts{Connect: 5 * time.Second, Command: 40 * time.Second}, Legacy: true,
		},
		{
			Name: "edge1", Address: "edge1", Platform: "juniper_junos", Username: "ops", Password: "pw-default", Secret: "en",
			HostKeyCheck: "strict", Port: 22, Tags: []string{"all"},
			Vars:     map[string]string{"site": "ams1", "tier": "default"},
			Timeouts: hcl.Timeouts{Connect: 5 * time.Second, Command: 20 * time.Second},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"core1", "core2"}, pb.Inventory.Groups[0].Hosts); diff != "" {
		t.Errorf("group hosts (-want +got):\n%s", diff)
	}
}

func TestVarPrecedence(t *testing.T) {
	files := map[string]string{
		"p.hcl": `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "n" {
  type    = number
  default = 1
}
variable "l" {
  type    = list(string)
  default = []
}
variable "s" {
  type    = string
  default = ""
}
`,
		"one.hcl": "b = \"file1\"\nc = \"file1\"\nd = \"file1\"\n",
		"two.hcl": "c = \"file2\"\n",
	}
	tests := []struct {
		name string
		opts []hcl.Option
		want map[string]string
	}{
		{"defaults", nil, map[string]string{"a": "default", "b": "default", "c": "default", "d": "default"}},
		{
			"var file over default, later file wins",
			[]hcl.Option{hcl.WithVarFiles([]string{"one.hcl", "two.hcl"})},
			map[string]string{"a": "default", "b": "file1", "c": "file2", "d": "file1"},
		},
		{
			"env over var file",
			[]hcl.Option{hcl.WithVarFiles([]string{"one.hcl"}), hcl.WithEnv(envOf(map[string]string{"RUNBOOK_VAR_c": "env", "RUNBOOK_VAR_d": "env"}))},
			map[string]string{"a": "default", "b": "file1", "c": "env", "d": "env"},
		},
		{
			"--var over env",
			[]hcl.Option{
				hcl.WithVarFiles([]string{"one.hcl"}),
				hcl.WithEnv(envOf(map[string]string{"RUNBOOK_VAR_c": "env", "RUNBOOK_VAR_d": "env"})),
				hcl.WithVars(map[string]string{"d": "cli", "a": "cli"}),
			},
			map[string]string{"a": "cli", "b": "file1", "c": "env", "d": "cli"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pb := mustLoad(t, files, []string{"p.hcl"}, tt.opts...)
			got := map[string]string{}
			for _, v := range pb.Variables {
				if len(v.Name) == 1 && strings.Contains("abcd", v.Name) {
					got[v.Name] = v.Value.AsString()
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("typed values parse as HCL", func(t *testing.T) {
		pb := mustLoad(t, files, []string{"p.hcl"}, hcl.WithVars(map[string]string{"n": "42", "l": `["x", "y"]`, "a": `"quoted"`, "b": "10.0.0.1", "s": `"quoted"`}))
		got := map[string]string{}
		for _, v := range pb.Variables {
			got[v.Name] = v.Value.GoString()
		}
		want := map[string]string{
			"n": `cty.NumberIntVal(42)`,
			"l": `cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")})`,
			"a": `cty.StringVal("quoted")`,     // untyped: an HCL expression when it parses
			"b": `cty.StringVal("10.0.0.1")`,   // untyped: else the text
			"s": `cty.StringVal("\"quoted\"")`, // string variables take the text as is
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %s, want %s", k, got[k], w)
			}
		}
	})

	t.Run("bad values", func(t *testing.T) {
		_, diags := load(t, files, []string{"p.hcl"}, hcl.WithVars(map[string]string{"n": "many", "nope": "1"}))
		got := errorSummaries(diags)
		want := []string{
			`Invalid value for variable: The value given for "n" is not a valid number expression.`,
			`Undeclared variable: --var sets "nope", but the playbook declares no such variable.`,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
	})
}

func TestYAMLImport(t *testing.T) {
	files := map[string]string{
		"dir/p.hcl": `
inventory {
  file = "devices.yaml"
  defaults {
    username = env("RUNBOOK_USERNAME")
    password = env("RUNBOOK_PASSWORD")
  }
  group "routers" {
    vars = { role = "router" }
  }
}
`,
		"dir/devices.yaml": `
devices:
  - host: 192.0.2.1
    device_type: cisco_ios
    username: netops
    password: plain
    secret: plain
  - host: 192.0.2.2
    name: sw2
    device_type: arista_eos_ssh
    port: 2022
    conn_timeout: 7
    global_delay_factor: 2
routers:
  - host: 192.0.2.3
    device_type: juniper
    vars: {asn: 65001}
    tags: [edge]
`,
	}
	env := hcl.WithEnv(envOf(map[string]string{"RUNBOOK_USERNAME": "u", "RUNBOOK_PASSWORD": "pass"}))
	pb, diags := load(t, files, []string{"dir/p.hcl"}, env)
	if diags.HasErrors() {
		t.Fatalf("errors: %v", diags)
	}
	var warnings []string
	for _, d := range diags {
		warnings = append(warnings, d.Summary)
	}
	if diff := cmp.Diff([]string{"Plaintext secrets ignored"}, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	var out bytes.Buffer
	hcl.WriteDiagnostics(&out, diags, pb.Files, true)
	if strings.Contains(out.String(), "plain\n") || strings.Contains(out.String(), ": plain") {
		t.Errorf("a secret leaked into the diagnostics:\n%s", out.String())
	}
	var got []hostView
	for _, h := range pb.Inventory.Hosts {
		got = append(got, view(h))
	}
	want := []hostView{
		{Name: "192.0.2.1", Address: "192.0.2.1", Platform: "cisco_ios", Username: "netops", Password: "pass", HostKeyCheck: "strict", Port: 22, Tags: []string{}, Vars: map[string]string{}},
		{Name: "sw2", Address: "192.0.2.2", Platform: "arista_eos", Username: "u", Password: "pass", HostKeyCheck: "strict", Port: 2022, Tags: []string{}, Vars: map[string]string{}, Timeouts: hcl.Timeouts{Connect: 7 * time.Second}},
		{Name: "192.0.2.3", Address: "192.0.2.3", Platform: "juniper_junos", Username: "u", Password: "pass", HostKeyCheck: "strict", Port: 22, Groups: []string{"routers"}, Tags: []string{"edge"}, Vars: map[string]string{"role": "router", "asn": "cty.NumberIntVal(65001)"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}

	t.Run("plaintext allowed", func(t *testing.T) {
		files := map[string]string{
			"p.hcl":       "settings { allow_plaintext_secrets = true }\ninventory { file = \"d.yaml\" }\n",
			"d.yaml":      "- {host: r1, device_type: cisco_ios, password: pw-1, secret: en-1}\n",
			"unused.yaml": "",
		}
		pb, diags := load(t, files, []string{"p.hcl"})
		if len(diags) > 0 {
			t.Fatalf("diagnostics: %v", diags)
		}
		h := pb.Inventory.Hosts[0]
		if h.Password.Reveal() != "pw-1" || h.Secret.Reveal() != "en-1" {
			t.Errorf("secrets not imported with allow_plaintext_secrets")
		}
	})
}

func TestDependencyOrder(t *testing.T) {
	src := `
inventory {
  host "r1" { platform = "cisco_ios" }
}
step "save" "config" {
  depends_on = [step.send_config_set.push]
}
step "send_command" "verify" {
  command = "show ${step.save.config.output}"
}
step "send_command" "pre" {
  command = "show clock"
}
step "send_config_set" "push" {
  depends_on = [step.send_command.pre]
  commands   = ["a"]
}
step "backup" "first" {
  dir = "b"
}
`
	pb := mustLoad(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
	var got []string
	for _, s := range pb.Order() {
		got = append(got, s.Address())
	}
	want := []string{"send_command.pre", "send_config_set.push", "save.config", "send_command.verify", "backup.first"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"save.config"}, pb.Step("send_command.verify").DependsOn); diff != "" {
		t.Errorf("implicit dependency (-want +got):\n%s", diff)
	}
}

func TestCycleMessage(t *testing.T) {
	src := `
inventory {
  host "r1" { platform = "cisco_ios" }
}
step "save" "ok" {}
step "send_command" "a" {
  depends_on = [step.send_command.b]
  command    = "x"
}
step "send_command" "b" {
  command = "${step.save.c.output}"
}
step "save" "c" {
  depends_on = [step.save.ok, step.send_command.a]
}
`
	_, diags := load(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
	want := []string{"Dependency cycle: Steps depend on each other in a loop: step.send_command.a -> step.send_command.b -> step.save.c -> step.send_command.a. Remove one of these dependencies (depends_on or a step.KIND.NAME reference)."}
	if diff := cmp.Diff(want, errorSummaries(diags)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"variable", `variable "ntp_servers" { default = [] }
locals { x = var.ntp_server }`, `Did you mean "ntp_servers"?`},
		{"local", `locals {
  servers = 1
  x       = local.server
}`, `Did you mean "servers"?`},
		{"step", `step "save" "config" {}
step "save" "again" { depends_on = [step.save.confg] }`, `Did you mean "step.save.config"?`},
		{"kind", `step "sav" "config" {}`, `Did you mean "save"?`},
		{"platform", `inventory {
  host "r1" { platform = "aristaeos" }
}`, `Did you mean "arista_eos"?`},
		{"platform alias", `inventory {
  host "r1" { platform = "junso" }
}`, `Did you mean "juniper_junos"?`},
		{"host attribute", `step "send_command" "x" { command = host.adress }`, `Did you mean "address"?`},
		{"root", `step "send_command" "x" { command = hots.name }`, `Did you mean "host"?`},
		{"on_failure", `step "save" "x" { on_failure = "stpo" }`, `Did you mean "stop"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load(t, map[string]string{"p.hcl": tt.src}, []string{"p.hcl"})
			errs := errorSummaries(diags)
			if len(errs) != 1 || !strings.Contains(errs[0], tt.want) {
				t.Errorf("got errors %q, want one saying %q", errs, tt.want)
			}
		})
	}
}

func TestHostContext(t *testing.T) {
	src := `
variable "servers" { default = ["a", "b"] }
variable "token" {
  default   = "tok-123"
  sensitive = true
}
locals { first = var.servers[0] }
inventory {
  defaults { password = env("RUNBOOK_PASSWORD") }
  group "core" {
    host "r1" {
      platform = "eos"
      port     = 2200
      tags     = ["x"]
      vars     = { site = "ams" }
    }
  }
}
step "send_command" "pre" { command = "show clock" }
step "send_command" "post" { command = "show ${step.send_command.pre.output}" }
`
	pb := mustLoad(t, map[string]string{"p.hcl": src}, []string{"p.hcl"}, hcl.WithEnv(envOf(map[string]string{"RUNBOOK_PASSWORD": "pw-1"})))
	h := pb.Inventory.Hosts[0]
	ctx := pb.HostContext(h, map[string]cty.Value{"send_command.pre": cty.ObjectVal(map[string]cty.Value{"output": cty.StringVal("12:00")})})

	eval := func(expr string) string {
		t.Helper()
		e, diags := hclsyntax.ParseExpression([]byte(expr), "test.hcl", hclv2.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		v, diags := e.Value(ctx)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", expr, diags)
		}
		if !v.IsWhollyKnown() {
			return "(unknown)"
		}
		if v.IsMarked() {
			return "(marked)"
		}
		return v.GoString()
	}
	tests := map[string]string{
		`host.name`:                     `cty.StringVal("r1")`,
		`host.address`:                  `cty.StringVal("r1")`,
		`host.port`:                     `cty.NumberIntVal(2200)`,
		`host.platform`:                 `cty.StringVal("arista_eos")`,
		`host.groups`:                   `cty.ListVal([]cty.Value{cty.StringVal("core")})`,
		`host.tags[0]`:                  `cty.StringVal("x")`,
		`host.vars.site`:                `cty.StringVal("ams")`,
		`local.first`:                   `cty.StringVal("a")`,
		`upper(var.servers[1])`:         `cty.StringVal("B")`,
		`step.send_command.pre.output`:  `cty.StringVal("12:00")`,
		`step.send_command.post.output`: `(unknown)`,
		`var.token`:                     `(marked)`,
		`"x-${var.token}"`:              `(marked)`,
		`can(host.password)`:            `cty.False`,
	}
	for expr, want := range tests {
		if got := eval(expr); got != want {
			t.Errorf("%s = %s, want %s", expr, got, want)
		}
	}
	if got := pb.Redact(h, "login pw-1 token tok-123"); got != "login (sensitive) token (sensitive)" {
		t.Errorf("Redact = %q", got)
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	src := `
inventory {
  defaults {
    platform = "cisco_ios"
    username = env("RUNBOOK_USERNAME", "admin")
    password = env("RUNBOOK_PASSWORD")
    secret   = env("RUNBOOK_SECRET")
  }
  host "r1" {}
}
`
	files := map[string]string{"p.hcl": src}
	pb := mustLoad(t, files, []string{"p.hcl"}, hcl.WithEnv(envOf(map[string]string{"RUNBOOK_SECRET": "en"})))
	h := pb.Inventory.Hosts[0]
	if diff := cmp.Diff([]string{"RUNBOOK_PASSWORD"}, h.MissingEnv); diff != "" {
		t.Errorf("MissingEnv (-want +got):\n%s", diff)
	}
	if h.Username != "admin" || h.Password.IsSet() || h.Secret.Reveal() != "en" {
		t.Errorf("got username %q, password set %v, secret %q", h.Username, h.Password.IsSet(), h.Secret.Reveal())
	}
}

func TestPlaintextSecrets(t *testing.T) {
	tests := []struct {
		name, attr string
		settings   string
		errors     []string
		warnings   []string
	}{
		{name: "literal", attr: `"hunter2"`, errors: []string{"Plaintext secret"}},
		{name: "template literal", attr: `"hunter${"2"}"`, errors: []string{"Plaintext secret"}},
		{name: "heredoc", attr: "<<EOT\nhunter2\nEOT", errors: []string{"Plaintext secret"}},
		{name: "allowed", attr: `"hunter2"`, settings: `settings { allow_plaintext_secrets = true }`},
		{name: "empty", attr: `""`},
		{name: "env", attr: `env("X")`},
		{name: "env empty default", attr: `env("X", "")`},
		{name: "env literal default", attr: `env("X", "hunter2-literal")`, errors: []string{"Plaintext secret"}},
		{name: "env template default", attr: `env("X", "hunter${"2"}")`, errors: []string{"Plaintext secret"}},
		{name: "coalesce literal", attr: `coalesce(env("X"), "hunter2")`, errors: []string{"Plaintext secret"}},
		{name: "try literal", attr: `try(file("nope"), "hunter2")`, errors: []string{"Plaintext secret"}},
		{name: "env default var", attr: `env("X", var.pw)`},
		{name: "allowed env default", attr: `env("X", "hunter2")`, settings: `settings { allow_plaintext_secrets = true }`},
		{name: "file", attr: `trimspace(file("pw.txt"))`},
		{name: "sensitive var", attr: `var.pw`},
		{name: "plain var", attr: `var.plain`, warnings: []string{"Secret from a non-sensitive variable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.settings + `
variable "pw" {
  sensitive = true
  default   = ""
}
variable "plain" { default = "" }
inventory {
  host "r1" {
    platform = "linux"
    password = ` + tt.attr + `
  }
}
`
			pb, diags := load(t, map[string]string{"p.hcl": src, "pw.txt": "s3cret\n"}, []string{"p.hcl"})
			var out bytes.Buffer
			hcl.WriteDiagnostics(&out, diags, pb.Files, true)
			if strings.Contains(out.String(), "hunter2") {
				t.Errorf("secret in printed diagnostics:\n%s", out.String())
			}
			var errs, warns []string
			for _, d := range diags {
				if strings.Contains(d.Detail, "hunter2") || strings.Contains(d.Detail, "s3cret") {
					t.Errorf("secret in diagnostic: %s", d.Detail)
				}
				if d.Severity == hclv2.DiagError {
					errs = append(errs, d.Summary)
				} else {
					warns = append(warns, d.Summary)
				}
			}
			if diff := cmp.Diff(tt.errors, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, warns); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMultipleFilesAndInventoryFile(t *testing.T) {
	files := map[string]string{
		"vars.hcl":  `variable "who" { default = "ops" }`,
		"steps.hcl": `step "send_command" "x" { command = "show users ${var.who}" }`,
		"steps2.hcl": `inventory {
  host "from-playbook" { platform = "linux" }
}
step "save" "y" { depends_on = [step.send_command.x] }`,
		"inv.hcl": `inventory {
  defaults { username = var.who }
  host "from-file" { platform = "linux" }
}`,
	}
	pb := mustLoad(t, files, []string{"vars.hcl", "steps.hcl", "steps2.hcl"}, hcl.WithInventoryFiles([]string{"inv.hcl"}))
	if len(pb.Inventory.Hosts) != 1 || pb.Inventory.Hosts[0].Name != "from-file" || pb.Inventory.Hosts[0].Username != "ops" {
		t.Errorf("-i did not replace the inventory: %+v", pb.Inventory.Hosts)
	}
	if len(pb.Steps) != 2 || len(pb.Files) != 4 {
		t.Errorf("got %d steps and %d files, want 2 and 4", len(pb.Steps), len(pb.Files))
	}
}

func TestFunctions(t *testing.T) {
	files := map[string]string{
		"d/p.hcl": `
locals {
  banner  = file("banner.txt")
  cfg     = templatefile("ntp.tpl", { servers = ["a", "b"] })
  joined  = join(",", [for s in ["x", "y"] : upper(s)])
  checks  = [startswith("abc", "ab"), endswith("abc", "bc"), strcontains("abc", "z")]
  rep     = replace("a-b-c", "/-/", "+")
  fmt     = format("%s=%d", "n", 3)
  env     = env("NOPE", "fallback")
}
`,
		"d/banner.txt": "hello",
		"d/ntp.tpl":    "%{ for s in servers }ntp server ${s}\n%{ endfor }",
	}
	pb := mustLoad(t, files, []string{"d/p.hcl"})
	got := map[string]string{}
	for k, v := range pb.Locals {
		got[k] = v.GoString()
	}
	want := map[string]string{
		"banner": `cty.StringVal("hello")`,
		"cfg":    `cty.StringVal("ntp server a\nntp server b\n")`,
		"joined": `cty.StringVal("X,Y")`,
		"checks": `cty.TupleVal([]cty.Value{cty.True, cty.True, cty.False})`,
		"rep":    `cty.StringVal("a+b+c")`,
		"fmt":    `cty.StringVal("n=3")`,
		"env":    `cty.StringVal("fallback")`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("locals (-want +got):\n%s", diff)
	}
}

func TestWriteDiagnostics(t *testing.T) {
	src := "inventory {\n  host \"r1\" { platform = \"cisco_iso\" }\n}\n"
	pb, diags := load(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
	var plain, snip bytes.Buffer
	hcl.WriteDiagnostics(&plain, diags, pb.Files, false)
	hcl.WriteDiagnostics(&snip, diags, pb.Files, true)
	wantPlain := `p.hcl:2:26: error: Unknown platform: "cisco_iso" is not a platform runbook knows. Did you mean "cisco_ios"? The platforms are arista_eos, cisco_asa, cisco_ios, cisco_nxos, cisco_xe, cisco_xr, juniper_junos and linux.` + "\n"
	if diff := cmp.Diff(wantPlain, plain.String()); diff != "" {
		t.Errorf("plain (-want +got):\n%s", diff)
	}
	wantSnip := wantPlain +
		"    2 |   host \"r1\" { platform = \"cisco_iso\" }\n" +
		"      |                          ^~~~~~~~~~~\n"
	if diff := cmp.Diff(wantSnip, snip.String()); diff != "" {
		t.Errorf("snippet (-want +got):\n%s", diff)
	}
}

func TestProxyJumpAndAgent(t *testing.T) {
	src := `
inventory {
  defaults {
    platform   = "cisco_ios"
    proxy_jump = ["ops@bastion1.example.net", "bastion2:2222"]
  }
  group "dc" {
    ssh_agent = true
    host "leaf1" {}
    host "leaf2" {
      proxy_jump = ["[2001:db8::1]:2200"]
    }
  }
  host "edge1" {
    proxy_jump = []
  }
}
`
	pb := mustLoad(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
	type view struct {
		Agent bool
		Jump  []hcl.JumpHost
	}
	got := map[string]view{}
	for _, h := range pb.Inventory.Hosts {
		got[h.Name] = view{h.UseAgent, h.ProxyJump}
	}
	chain := []hcl.JumpHost{{User: "ops", Address: "bastion1.example.net", Port: 22}, {Address: "bastion2", Port: 2222}}
	want := map[string]view{
		"leaf1": {Agent: true, Jump: chain},
		"leaf2": {Agent: true, Jump: []hcl.JumpHost{{Address: "2001:db8::1", Port: 2200}}},
		"edge1": {Agent: false, Jump: []hcl.JumpHost{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Once loaded, a playbook keeps each file's source (for diagnostic
// snippets) but not its syntax tree: a large inventory's tree would stay in
// memory for the whole run. Steps still evaluate their expressions per
// host, and the load's own warnings still print with their snippet.
func TestLoadKeepsSourceNotSyntaxTrees(t *testing.T) {
	files := map[string]string{
		"p.hcl": `settings { allow_plaintext_secrets = true }
step "send_command" "x" { command = "show ${host.name}" }`,
		"inv.hcl": `inventory {
  host "r1" {
    platform = "cisco_ios"
    username = "ops"
    password = "ops"
  }
}`,
	}
	pb, diags := load(t, files, []string{"p.hcl"}, hcl.WithInventoryFiles([]string{"inv.hcl"}))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for name, src := range files {
		f := pb.Files[name]
		if f == nil || string(f.Bytes) != src {
			t.Fatalf("%s: source not kept", name)
		}
		if attrs, _ := f.Body.JustAttributes(); len(attrs) != 0 {
			t.Errorf("%s: a syntax tree is still held", name)
		}
		if content, _, _ := f.Body.PartialContent(&hclv2.BodySchema{Blocks: []hclv2.BlockHeaderSchema{{Type: "inventory"}, {Type: "step", LabelNames: []string{"kind", "name"}}}}); len(content.Blocks) != 0 {
			t.Errorf("%s: %d blocks still held", name, len(content.Blocks))
		}
	}
	if len(pb.Steps) != 1 || len(pb.Inventory.Hosts) != 1 {
		t.Fatalf("model: %d steps, %d hosts", len(pb.Steps), len(pb.Inventory.Hosts))
	}
	var buf bytes.Buffer
	hcl.WriteDiagnostics(&buf, diags, pb.Files, true)
	if !strings.Contains(buf.String(), "inv.hcl:5:") || !strings.Contains(buf.String(), "5 |     password = ") {
		t.Errorf("the weak password warning lost its place or snippet:\n%s", buf.String())
	}
}

// StepContext builds host and step only for a step whose body refers to
// them; for the others they are unknown (building every step's results for
// every step of every device was a tenth of a fleet run's allocations).
func TestStepContextBuildsOnlyWhatTheBodyUses(t *testing.T) {
	src := `
inventory {
  host "r1" { platform = "eos" }
}
step "send_command" "plain" { command = "show clock" }
step "send_command" "named" { command = "show ${host.name}" }
step "send_command" "chained" {
  command = "show ${step.send_command.plain.output}"
}
step "send_command" "ordered" {
  depends_on = [step.send_command.plain]
  command    = "show version"
}
`
	pb := mustLoad(t, map[string]string{"p.hcl": src}, []string{"p.hcl"})
	h := pb.Inventory.Hosts[0]
	results := map[string]cty.Value{"send_command.plain": cty.ObjectVal(map[string]cty.Value{"output": cty.StringVal("12:00")})}
	known := func(ctx *hclv2.EvalContext, root string) bool {
		return !ctx.Variables[root].Type().Equals(cty.DynamicPseudoType)
	}
	for _, s := range pb.Steps {
		ctx := pb.StepContext(s, h, results)
		wantHost, wantStep := s.Name == "named", s.Name == "chained"
		if known(ctx, "host") != wantHost || known(ctx, "step") != wantStep {
			t.Errorf("%s: host known %v, step known %v; want %v, %v", s.Name, known(ctx, "host"), known(ctx, "step"), wantHost, wantStep)
		}
		if s.RefersToSteps() != wantStep {
			t.Errorf("%s: RefersToSteps %v, want %v (depends_on is not a use of the result)", s.Name, s.RefersToSteps(), wantStep)
		}
	}
	// A step built by hand, not by Load, gets everything.
	s := &hcl.Step{Kind: "send_command", Name: "x"}
	if ctx := pb.StepContext(s, h, results); !known(ctx, "host") || !known(ctx, "step") || !s.RefersToSteps() {
		t.Error("a step Load did not analyse must get host and step")
	}
}
