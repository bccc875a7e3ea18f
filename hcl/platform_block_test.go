package hcl_test

import (
	"fmt"
	"testing"
)

// A platform block is decoded into the model and its name is a platform
// hosts may use; its mistakes are diagnostics at their position.
func TestPlatformBlock(t *testing.T) {
	pb := mustLoad(t, map[string]string{"p.hcl": `
platform "hp_comware" {
  base              = "cisco_ios"
  prompt_privileged = "^<(?P<host>[^<>]+)>$"
  prompt_config     = "^\\[(?P<host>[^\\]]+)\\]$"
  config_command    = "system-view"
  config_exit       = "return"
  disable_paging    = ["screen-length disable"]
  errors            = ["% Unrecognized command"]
  save_command      = "save"
  save_confirm      = { "\\[Y/N\\]:" = "y" }
}
inventory {
  host "sw1" {
    address  = "192.0.2.1"
    platform = "HP_Comware"
    username = "u"
  }
}
`}, []string{"p.hcl"})
	if len(pb.Platforms) != 1 {
		t.Fatalf("%d platforms", len(pb.Platforms))
	}
	p := pb.Platforms[0]
	if p.Base != "cisco_ios" || p.ConfigCommand != "system-view" || len(p.DisablePaging) != 1 || len(p.Errors) != 1 ||
		len(p.SaveConfirm) != 1 || p.SaveConfirm[0].Answer != "y" {
		t.Errorf("decoded %+v", p)
	}
	if h := pb.Inventory.Hosts[0]; h.Platform != "hp_comware" {
		t.Errorf("host platform %q", h.Platform)
	}

	_, diags := load(t, map[string]string{"p.hcl": `
platform "cisco_ios" { base = "cisco_ios" }
platform "x1" {
  base              = "cisco_iso"
  prompt_privileged = "^<[^>]+>$"
  prompt_config     = "^[("
  save_confirm      = { "(" = "y" }
}
`}, []string{"p.hcl"})
	want := map[string]string{
		"Platform name taken":        "p.hcl:2:10",
		"Unknown base platform":      "p.hcl:4:23",
		"Prompt without host":        "p.hcl:5:23",
		"Invalid regular expression": "p.hcl:6:23",
	}
	got := map[string]string{}
	for _, d := range diags {
		if _, seen := got[d.Summary]; !seen && d.Subject != nil {
			got[d.Summary] = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
	}
	for s, at := range want {
		if got[s] != at {
			t.Errorf("%s at %q, want %s (all: %v)", s, got[s], at, got)
		}
	}
}
