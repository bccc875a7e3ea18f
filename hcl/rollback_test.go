package hcl_test

import (
	"testing"
	"time"

	"github.com/runbook-dev/runbook/hcl"
)

func TestRollbackBlock(t *testing.T) {
	pb := mustLoad(t, map[string]string{"play.hcl": `
inventory {
  host "r1" { platform = "juniper_junos" }
}
step "checkpoint" "before" {}
step "send_config_set" "push" {
  depends_on = [step.checkpoint.before]
  commands   = ["set system ntp server 10.0.0.1"]
}
rollback {
  to              = step.checkpoint.before
  confirm_timeout = "90s"
  timeout         = "3m"
}
`}, []string{"play.hcl"})
	rb := pb.Rollback
	if rb == nil {
		t.Fatal("no rollback")
	}
	if rb.To != "checkpoint.before" || rb.ConfirmTimeout != 90*time.Second || rb.Timeout != 3*time.Minute {
		t.Errorf("rollback = %+v", rb)
	}
	if rb.DeclRange.Start.Line != 10 {
		t.Errorf("DeclRange at line %d, want 10", rb.DeclRange.Start.Line)
	}

	pb = mustLoad(t, map[string]string{"play.hcl": `
inventory {
  host "r1" { platform = "cisco_ios" }
}
step "checkpoint" "cp" {}
rollback { to = step.checkpoint.cp }
`}, []string{"play.hcl"})
	if rb := pb.Rollback; rb == nil || rb.ConfirmTimeout != 0 || rb.Timeout != hcl.DefaultRollbackTimeout {
		t.Errorf("defaults: %+v", pb.Rollback)
	}

	pb = mustLoad(t, map[string]string{"play.hcl": `
inventory {
  host "r1" { platform = "cisco_ios" }
}
step "checkpoint" "cp" {}
`}, []string{"play.hcl"})
	if pb.Rollback != nil {
		t.Error("a checkpoint alone asks for no rollback")
	}
}
