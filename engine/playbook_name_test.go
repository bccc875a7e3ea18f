package engine

import (
	"testing"

	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/hcl"
)

// A playbook read from several files is named by them in a fixed order,
// so reports of the same playbook carry the same name.
func TestPlaybookNameIsStable(t *testing.T) {
	want := "a.hcl,b.hcl,c.hcl,d.hcl,e.hcl"
	for range 20 {
		pb := &hcl.Playbook{Files: map[string]*hclv2.File{}}
		for _, n := range []string{"d.hcl", "b.hcl", "e.hcl", "a.hcl", "c.hcl"} {
			pb.Files[n] = &hclv2.File{}
		}
		if got := playbookName(pb); got != want {
			t.Fatalf("name %q, want %q", got, want)
		}
	}
}
