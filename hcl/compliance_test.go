package hcl_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/hcl"
)

const complianceInventory = `
inventory {
  group "access" {
    platform = "cisco_ios"
    host "sw1" {}
  }
  group "edge" {
    platform = "juniper_junos"
    host "j1" {}
  }
  host "e1" { platform = "eos" }
}
step "send_command" "version" { command = "show version" }
`

func TestComplianceBlock(t *testing.T) {
	pb := mustLoad(t, map[string]string{
		"play.hcl": complianceInventory + `
variable "ntp" { default = ["10.0.1.100", "10.0.1.101"] }

compliance "baseline" {
  platforms = ["ios", "cisco_nxos", "arista_eos"]
  groups    = ["access"]
  intended  = file("golden/${host.platform}.cfg")
  intended_match = ["ntp .*", "line vty .*"]

  rule "ntp" {
    severity = "HIGH"
    message  = "the standard NTP servers"
    required = [for s in var.ntp : "ntp server ${s}"]
  }
  rule "no-http" {
    forbidden = ["ip http server", "ip http secure-server"]
  }
  rule "vty" {
    severity = "low"
    regex    = true
    section "line vty .*" {
      must_exist = true
      required   = ["transport input (ssh|none)"]
      section "nested.*" {
        forbidden = ["x+"]
      }
    }
  }
}

compliance "junos" {
  platforms = ["junos"]
  rule "ntp" {
    required = ["set system ntp server 10.0.1.100"]
  }
}
`,
		"golden/cisco_ios.cfg": "ntp server 10.0.1.100\n",
	}, []string{"play.hcl"})
	if len(pb.Compliance) != 2 {
		t.Fatalf("got %d compliance blocks, want 2", len(pb.Compliance))
	}
	c := pb.Compliance[0]
	want := &hcl.Compliance{
		Name:          "baseline",
		Platforms:     []string{"cisco_ios", "cisco_nxos", "arista_eos"},
		Groups:        []string{"access"},
		IntendedMatch: []string{"ntp .*", "line vty .*"},
		Rules: []*hcl.ComplianceRule{
			{ID: "ntp", Severity: "high", Message: "the standard NTP servers", ComplianceLines: hcl.ComplianceLines{Required: []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"}}},
			{ID: "no-http", Severity: "medium", ComplianceLines: hcl.ComplianceLines{Forbidden: []string{"ip http server", "ip http secure-server"}}},
			{ID: "vty", Severity: "low", Regex: true, ComplianceLines: hcl.ComplianceLines{Sections: []*hcl.ComplianceSection{{
				Pattern: "line vty .*", MustExist: true,
				ComplianceLines: hcl.ComplianceLines{
					Required: []string{"transport input (ssh|none)"},
					Sections: []*hcl.ComplianceSection{{Pattern: "nested.*", ComplianceLines: hcl.ComplianceLines{Forbidden: []string{"x+"}}}},
				},
			}}}},
		},
	}
	ignore := cmp.Options{cmpopts.IgnoreTypes(hclv2.Range{}), cmpopts.IgnoreInterfaces(struct{ hclv2.Expression }{})}
	if diff := cmp.Diff(want, c, ignore); diff != "" {
		t.Errorf("compliance block (-want +got):\n%s", diff)
	}
	if c.DeclRange.Start.Line != 17 || c.Rules[2].Sections[0].DeclRange.Start.Line != 34 {
		t.Errorf("ranges: block at line %d, section at line %d", c.DeclRange.Start.Line, c.Rules[2].Sections[0].DeclRange.Start.Line)
	}
	hosts := map[string]*hcl.Host{}
	for _, h := range pb.Inventory.Hosts {
		hosts[h.Name] = h
	}
	if !c.Applies(hosts["sw1"]) || c.Applies(hosts["j1"]) || c.Applies(hosts["e1"]) {
		t.Errorf("baseline applies to sw1 %v, j1 %v, e1 %v; want only sw1", c.Applies(hosts["sw1"]), c.Applies(hosts["j1"]), c.Applies(hosts["e1"]))
	}
	j := pb.Compliance[1]
	if !j.Applies(hosts["j1"]) || j.Applies(hosts["sw1"]) || j.Intended != nil {
		t.Errorf("junos block: applies to j1 %v, sw1 %v, intended %v", j.Applies(hosts["j1"]), j.Applies(hosts["sw1"]), j.Intended)
	}

	text, ok, err := pb.IntendedConfig(c, hosts["sw1"])
	if err != nil || !ok || text != "ntp server 10.0.1.100\n" {
		t.Errorf("IntendedConfig(sw1) = %q, %v, %v", text, ok, err)
	}
	if _, ok, err := pb.IntendedConfig(c, hosts["e1"]); !ok || err == nil {
		t.Errorf("IntendedConfig(e1): want an error for the missing golden/arista_eos.cfg, got ok %v err %v", ok, err)
	}
	if _, ok, err := pb.IntendedConfig(j, hosts["j1"]); ok || err != nil {
		t.Errorf("IntendedConfig without intended = ok %v, err %v", ok, err)
	}
}

func TestComplianceErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // error summaries
	}{
		{"duplicate id across overlapping blocks", `
compliance "a" {
  rule "x" { required = ["a"] }
}
compliance "b" {
  platforms = ["cisco_ios"]
  rule "x" { required = ["b"] }
}`, []string{"Duplicate rule id"}},
		{"same id for disjoint platforms", `
compliance "a" {
  platforms = ["cisco_ios"]
  rule "x" { required = ["a"] }
}
compliance "b" {
  platforms = ["juniper_junos"]
  rule "x" { required = ["set a"] }
}`, nil},
		{"intended must be text", `
compliance "a" { intended = 3 + 4 }`, []string{"Invalid intended configuration"}},
		{"intended_match needs intended", `
compliance "a" {
  intended_match = ["ntp .*"]
  rule "x" { required = ["a"] }
}`, []string{"intended_match without intended"}},
		{"steps are not in scope", `
compliance "a" {
  rule "x" { required = [step.send_command.version.output] }
}`, []string{"Invalid reference"}},
		{"host only in intended", `
compliance "a" {
  intended = "hostname ${host.name}"
  rule "x" { required = ["hostname ${host.name}"] }
}`, []string{"Invalid reference"}},
		{"exact lines are not patterns", `
compliance "a" {
  rule "x" { required = ["permit ip any any (log"] }
}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load(t, map[string]string{"play.hcl": complianceInventory + tt.src}, []string{"play.hcl"})
			var got []string
			for _, d := range diags {
				if d.Severity == hclv2.DiagError {
					got = append(got, d.Summary)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s\n%v", diff, diags)
			}
		})
	}
}
