package engine_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/report"
	"github.com/runbook-dev/runbook/hcl"
)

// echoSession answers every command with the same output.
type echoSession struct{ out string }

func (e *echoSession) SendCommand(_ context.Context, cmd string, _ ...driver.SendOption) (*driver.Response, error) {
	now := time.Now()
	return &driver.Response{Command: cmd, Output: e.out, Start: now, End: now, Prompt: "r1#"}, nil
}

func (e *echoSession) SendConfigSet(context.Context, []string, ...driver.ConfigOption) (*driver.MultiResponse, error) {
	return &driver.MultiResponse{}, nil
}
func (e *echoSession) Save(context.Context) (*driver.Response, error) { return &driver.Response{}, nil }
func (e *echoSession) SendInteractive(context.Context, []driver.InteractiveEvent, ...driver.SendOption) (*driver.Response, error) {
	return &driver.Response{}, nil
}
func (e *echoSession) Platform() string { return "cisco_ios" }
func (e *echoSession) Hostname() string { return "r1" }
func (e *echoSession) Close() error     { return nil }

// Parsed records reach reports with the host's secrets redacted, in plain
// values and in List values; the words around them are kept.
func TestRecordsAreRedacted(t *testing.T) {
	const pw = "Pw-7d1c-secret"
	plan := compile(t, `step "send_command" "users" {
  command = "show users"
  parse {
    template = "Value USER (\\S+)\nValue List KEYS (\\S+)\n\nStart\n  ^u $${USER} $${KEYS} -> Record\n"
  }
}
`)
	h := &hcl.Host{Name: "r1", Address: "127.0.0.1", Port: 1, Platform: "cisco_ios", Password: hcl.NewSecret(pw)}
	opts := fastOpts(report.Multi())
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		return &echoSession{out: "u " + pw + " " + pw + "\n"}, nil
	}
	rep := plan.Run(context.Background(), []*hcl.Host{h}, opts)
	st := rep.Devices[0].Steps[0]
	if len(st.Records) != 1 {
		t.Fatalf("records %v (%s: %s)", st.Records, st.Status, st.Message)
	}
	rec := st.Records[0]
	keys, _ := rec["keys"].([]any)
	if rec["user"] != "(sensitive)" || len(keys) != 1 || keys[0] != "(sensitive)" {
		t.Errorf("record %v: the password is not redacted", rec)
	}
	if strings.Contains(st.Output, pw) {
		t.Errorf("output holds the password: %q", st.Output)
	}
}
