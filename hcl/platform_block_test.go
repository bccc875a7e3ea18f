package hcl_test

import (
	"fmt"
	"strings"
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

// question_mark says how a '?' is typed; an unknown value is an error at
// the value, listing the accepted ones.
func TestPlatformQuestionMark(t *testing.T) {
	pb := mustLoad(t, map[string]string{"p.hcl": `
platform "vrp" {
  base          = "cisco_ios"
  question_mark = "refuse"
}
platform "plain" { base = "cisco_ios" }
`}, []string{"p.hcl"})
	got := map[string]string{}
	for _, p := range pb.Platforms {
		got[p.Name] = p.QuestionMark
	}
	if got["vrp"] != "refuse" || got["plain"] != "" {
		t.Errorf("question_mark decoded as %v", got)
	}
	_, diags := load(t, map[string]string{"p.hcl": `
platform "x1" {
  base          = "cisco_ios"
  question_mark = "escape"
}
`}, []string{"p.hcl"})
	found := false
	for _, d := range diags {
		if d.Summary == "Unknown question_mark" && d.Subject != nil {
			found = true
			at := fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
			if at != "p.hcl:4:19" || !strings.Contains(d.Detail, "ctrl_v, refuse or literal") {
				t.Errorf("diagnostic at %s: %s", at, d.Detail)
			}
		}
	}
	if !found {
		t.Errorf("no Unknown question_mark diagnostic: %v", diags)
	}
}
