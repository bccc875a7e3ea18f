package hcl_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/hcl"
)

func TestRolloutBlock(t *testing.T) {
	pb := mustLoad(t, map[string]string{"play.hcl": `
variable "canary" { default = 1 }
inventory {
  host "r1" { platform = "cisco_ios" }
}
rollout {
  serial              = [var.canary, "25%", " 100% "]
  max_fail_percentage = 12.5
}
step "save" "s" {}
`}, []string{"play.hcl"})
	ro := pb.Rollout
	if ro == nil {
		t.Fatal("no rollout")
	}
	want := []hcl.BatchSize{{Count: 1}, {Percent: 25}, {Percent: 100}}
	if diff := cmp.Diff(want, ro.Serial); diff != "" {
		t.Errorf("serial (-want +got):\n%s", diff)
	}
	if ro.MaxFailPercentage == nil || *ro.MaxFailPercentage != 12.5 {
		t.Errorf("max_fail_percentage = %v, want 12.5", ro.MaxFailPercentage)
	}
	if ro.DeclRange.Start.Line != 6 {
		t.Errorf("DeclRange at line %d, want 6", ro.DeclRange.Start.Line)
	}

	pb = mustLoad(t, map[string]string{"play.hcl": `
inventory {
  host "r1" { platform = "cisco_ios" }
}
rollout {
  serial = "50%"
}
`}, []string{"play.hcl"})
	if diff := cmp.Diff([]hcl.BatchSize{{Percent: 50}}, pb.Rollout.Serial); diff != "" {
		t.Errorf("a lone serial entry (-want +got):\n%s", diff)
	}
	if pb.Rollout.MaxFailPercentage != nil {
		t.Errorf("max_fail_percentage set without being written: %v", *pb.Rollout.MaxFailPercentage)
	}

	pb = mustLoad(t, map[string]string{"play.hcl": `
inventory {
  host "r1" { platform = "cisco_ios" }
}
`}, []string{"play.hcl"})
	if pb.Rollout != nil {
		t.Errorf("rollout without a block: %+v", pb.Rollout)
	}
}

// TestRolloutBatches: percentages round down, as Ansible's serial does,
// but a batch is never empty; the last entry repeats.
func TestRolloutBatches(t *testing.T) {
	for _, tc := range []struct {
		name   string
		serial []hcl.BatchSize
		n      int
		want   [][2]int
	}{
		{"no serial", nil, 5, [][2]int{{0, 5}}},
		{"canary then all", []hcl.BatchSize{{Count: 1}, {Percent: 100}}, 10, [][2]int{{0, 1}, {1, 9}}},
		{"25% of 10 is 2", []hcl.BatchSize{{Percent: 25}}, 10, [][2]int{{0, 2}, {2, 2}, {4, 2}, {6, 2}, {8, 2}}},
		{"25% of 3 is at least 1", []hcl.BatchSize{{Percent: 25}}, 3, [][2]int{{0, 1}, {1, 1}, {2, 1}}},
		{"33% of 10 is 3", []hcl.BatchSize{{Count: 1}, {Percent: 33}}, 10, [][2]int{{0, 1}, {1, 3}, {4, 3}, {7, 3}}},
		{"count larger than what is left", []hcl.BatchSize{{Count: 2}, {Count: 50}}, 5, [][2]int{{0, 2}, {2, 3}}},
		{"ansible example", []hcl.BatchSize{{Count: 1}, {Count: 5}, {Count: 10}}, 20, [][2]int{{0, 1}, {1, 5}, {6, 10}, {16, 4}}},
		{"no devices", []hcl.BatchSize{{Count: 1}}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ro := &hcl.Rollout{Serial: tc.serial}
			if diff := cmp.Diff(tc.want, ro.Batches(tc.n)); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
		})
	}
}
