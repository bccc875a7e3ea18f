package hcl_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/hcl"
)

// noEnv is an empty environment, so tests never depend on the caller's.
func noEnv(string) (string, bool) { return "", false }

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestPlaybooksValid(t *testing.T) {
	paths, err := filepath.Glob("../playbooks/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 4 {
		t.Fatalf("found %d playbooks, want at least 4", len(paths))
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			pb, diags := hcl.Load([]string{p}, hcl.WithStepKinds(kinds()), hcl.WithEnv(noEnv))
			if len(diags) > 0 {
				var buf bytes.Buffer
				hcl.WriteDiagnostics(&buf, diags, pb.Files, true)
				t.Fatalf("diagnostics:\n%s", buf.String())
			}
			if len(pb.Inventory.Hosts) == 0 || len(pb.Steps) == 0 {
				t.Errorf("got %d hosts and %d steps, want some of each", len(pb.Inventory.Hosts), len(pb.Steps))
			}
		})
	}
}

// Without WithStepKinds the loader still checks everything but the kinds'
// own attributes, which is what `runbook fmt` and other tools need.
func TestPlaybooksValidWithoutKinds(t *testing.T) {
	paths, _ := filepath.Glob("../playbooks/*.hcl")
	for _, p := range paths {
		if _, diags := hcl.Load([]string{p}, hcl.WithEnv(noEnv)); diags.HasErrors() {
			t.Errorf("%s: %v", p, diags)
		}
	}
}

func TestCanonicalPlatform(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"cisco_ios", "cisco_ios", true},
		{"Cisco_IOS", "cisco_ios", true},
		{"cisco_ios_ssh", "cisco_ios", true},
		{"cisco_xe", "cisco_xe", true},
		{"iosxe", "cisco_xe", true},
		{"nxos", "cisco_nxos", true},
		{"cisco_nxos_ssh", "cisco_nxos", true},
		{"eos", "arista_eos", true},
		{"arista_eos_ssh", "arista_eos", true},
		{"juniper", "juniper_junos", true},
		{"junos", "juniper_junos", true},
		{"linux_ssh", "linux", true},
		{"cisco_ios_telnet", "", false},
		{"cisco_xr", "cisco_xr", true},
		{"iosxr", "cisco_xr", true},
		{"asa", "cisco_asa", true},
		{"cisco_asa_ssh", "cisco_asa", true},
		{"cisco_xe_telnet", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := hcl.CanonicalPlatform(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CanonicalPlatform(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
