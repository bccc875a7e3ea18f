package hcl_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/hcl"
)

// A secret under 4 characters, or equal to the username, draws one warning
// per attribute (not one per host), which never shows the value.
func TestWeakSecretWarnings(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		warnings []string
	}{
		{name: "strong", env: map[string]string{"U": "netops", "P": "long-enough", "S": "enable-1"}},
		{name: "short password", env: map[string]string{"U": "netops", "P": "abc", "S": "enable-1"}, warnings: []string{"Short secret"}},
		{name: "short secret", env: map[string]string{"U": "netops", "P": "long-enough", "S": "xy"}, warnings: []string{"Short secret"}},
		{name: "password is username", env: map[string]string{"U": "admin", "P": "admin", "S": "enable-1"}, warnings: []string{"Secret equals the username"}},
		{name: "both", env: map[string]string{"U": "ad", "P": "ad", "S": "enable-1"}, warnings: []string{"Short secret", "Secret equals the username"}},
		{name: "unset", env: map[string]string{"U": "admin"}},
	}
	src := `
inventory {
  defaults {
    platform = "cisco_ios"
    username = env("U")
    password = env("P")
    secret   = env("S")
  }
  host "r1" {}
  host "r2" {}
  host "r3" {}
}
`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pb, diags := load(t, map[string]string{"p.hcl": src}, []string{"p.hcl"}, hcl.WithEnv(envOf(tt.env)))
			if diags.HasErrors() {
				t.Fatalf("errors: %v", diags)
			}
			var warns []string
			for _, d := range diags {
				if d.Severity == hclv2.DiagWarning {
					warns = append(warns, d.Summary)
				}
				if d.Subject == nil || d.Subject.Start.Line != 6 && d.Subject.Start.Line != 7 {
					t.Errorf("warning not on the secret's line: %v", d)
				}
			}
			if diff := cmp.Diff(tt.warnings, warns); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			var out bytes.Buffer
			hcl.WriteDiagnostics(&out, diags, pb.Files, false)
			for _, v := range []string{"P", "S"} {
				if sec := tt.env[v]; sec != "" && sec != tt.env["U"] && strings.Contains(out.String(), sec) {
					t.Errorf("%s's value %q in the diagnostics:\n%s", v, sec, out.String())
				}
			}
		})
	}
}
