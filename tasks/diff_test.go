package tasks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/driver"
)

// seqConn is a fakeConn whose configuration reads answer in turn: the
// first read before the push, the next after it. A read of rejectRead
// is refused as IOS refuses a command.
type seqConn struct {
	*fakeConn
	reads []string
}

const rejectRead = "(rejected)"

func (s *seqConn) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	if cmd != "show running-config" || len(s.reads) == 0 {
		return s.fakeConn.SendCommand(ctx, cmd, opts...)
	}
	s.record("cmd " + cmd)
	out := s.reads[0]
	if len(s.reads) > 1 {
		s.reads = s.reads[1:]
	}
	if out == rejectRead {
		return &driver.Response{Command: cmd, Failed: true, FailedBy: "% Invalid input",
			ErrorText: "% Invalid input detected at '^' marker.", Output: "% Invalid input detected at '^' marker."}, nil
	}
	return &driver.Response{Command: cmd, Output: out}, nil
}

const diffBefore = `Building configuration...

hostname r1
ntp server 10.0.1.1
interface GigabitEthernet0/1
 description old
 shutdown
end
`

const diffAfter = `Building configuration...

hostname r1
ntp server 10.0.1.1
ntp server 10.0.1.2
interface GigabitEthernet0/1
 description new
 shutdown
end
`

func TestSendConfigSetRecordsDiff(t *testing.T) {
	conn := &seqConn{fakeConn: &fakeConn{platform: "cisco_ios"}, reads: []string{diffBefore, diffAfter}}
	src := `commands = ["interface GigabitEthernet0/1", " description new", "ntp server 10.0.1.2"]`
	res, err := run(t, "send_config_set", src, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	// In the order of the configuration after the push.
	want := "+ ntp server 10.0.1.2\n" +
		"  interface GigabitEthernet0/1\n" +
		"-  description old\n" +
		"+  description new\n"
	if diff := cmp.Diff(want, res.Diff); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	wantCalls := []string{
		"cmd show running-config",
		`config ["interface GigabitEthernet0/1" " description new" "ntp server 10.0.1.2"]`,
		"cmd show running-config",
	}
	if diff := cmp.Diff(wantCalls, conn.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if !res.Changed || res.Failed {
		t.Errorf("changed=%v failed=%v, want changed", res.Changed, res.Failed)
	}
}

func TestSendConfigSetNoDiffWhenNothingSent(t *testing.T) {
	conn := &seqConn{fakeConn: &fakeConn{platform: "cisco_ios"}, reads: []string{diffAfter}}
	res, err := run(t, "send_config_set", `commands = ["ntp server 10.0.1.2"]`, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diff != "" || res.Changed {
		t.Errorf("in sync: diff %q changed=%v, want none", res.Diff, res.Changed)
	}
	if diff := cmp.Diff([]string{"cmd show running-config"}, conn.calls); diff != "" {
		t.Errorf("in sync, the configuration is read once (-want +got):\n%s", diff)
	}
}

func TestSendConfigSetMatchNoneHasNoDiff(t *testing.T) {
	conn := &seqConn{fakeConn: &fakeConn{platform: "cisco_ios"}, reads: []string{diffBefore}}
	res, err := run(t, "send_config_set", `commands = ["do clear counters"]
match = "none"`, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diff != "" {
		t.Errorf("diff %q, want none", res.Diff)
	}
	if diff := cmp.Diff([]string{`config ["do clear counters"]`}, conn.calls); diff != "" {
		t.Errorf("match = none reads no configuration (-want +got):\n%s", diff)
	}
}

// A read after the push that the device rejects leaves the push's result
// as it was, with no diff and a note.
func TestSendConfigSetDiffReadRejected(t *testing.T) {
	conn := &seqConn{fakeConn: &fakeConn{platform: "cisco_ios"}, reads: []string{diffBefore, rejectRead}}
	res, err := run(t, "send_config_set", `commands = ["ntp server 10.0.1.2"]`, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Failed || res.Diff != "" || !strings.Contains(res.Message, "no diff: command \"show running-config\"") {
		t.Errorf("got changed=%v failed=%v diff=%q message=%q; want changed, no diff, a note", res.Changed, res.Failed, res.Diff, res.Message)
	}
}

// A transport error while reading after the push is the step's error, as
// during the push: the session's state is unknown.
func TestSendConfigSetDiffReadError(t *testing.T) {
	conn := &errAfterPush{seqConn: &seqConn{fakeConn: &fakeConn{platform: "cisco_ios"}, reads: []string{diffBefore}}}
	_, err := run(t, "send_config_set", `commands = ["ntp server 10.0.1.2"]`, conn, &Env{})
	if !errors.Is(err, driver.ErrTimeout) || !strings.Contains(err.Error(), "read the configuration after the push") {
		t.Errorf("err = %v, want the timeout, wrapped", err)
	}
}

type errAfterPush struct {
	*seqConn
	pushed bool
}

func (e *errAfterPush) SendConfigSet(ctx context.Context, lines []string, opts ...driver.ConfigOption) (*driver.MultiResponse, error) {
	e.pushed = true
	return e.seqConn.SendConfigSet(ctx, lines, opts...)
}

func (e *errAfterPush) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	if e.pushed {
		return nil, fmt.Errorf("no prompt: %w", driver.ErrTimeout)
	}
	return e.seqConn.SendCommand(ctx, cmd, opts...)
}

func TestCheckPredictsDiff(t *testing.T) {
	tests := []struct {
		name, platform, running, src, want string
	}{
		{
			name:     "IOS lines under their sections",
			platform: "cisco_ios",
			running:  diffBefore,
			src:      `commands = ["interface GigabitEthernet0/1", " description new", " shutdown", "ntp server 10.0.1.1", "ntp server 10.0.1.2", "interface GigabitEthernet0/9", " no shutdown"]`,
			want: "  interface GigabitEthernet0/1\n" +
				"+  description new\n" +
				"+ ntp server 10.0.1.2\n" +
				"+ interface GigabitEthernet0/9\n" +
				"+  no shutdown\n",
		},
		{
			name:     "Junos set lines",
			platform: "juniper_junos",
			running:  "set system host-name vmx1\nset system ntp server 10.0.1.1\n",
			src:      `commands = ["set system ntp server 10.0.1.1", "set system ntp server 10.0.1.100"]`,
			want:     "+ set system ntp server 10.0.1.100\n",
		},
		{
			name:     "in sync",
			platform: "cisco_ios",
			running:  diffBefore,
			src:      `commands = ["ntp server 10.0.1.1"]`,
			want:     "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := "show running-config"
			if tt.platform == "juniper_junos" {
				cmd = "show configuration | display set"
			}
			conn := &fakeConn{platform: tt.platform, outputs: map[string]string{cmd: tt.running}}
			a, diags := decode(t, "send_config_set", tt.src, hostCtx())
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			res, err := a.(Checker).Check(context.Background(), conn, &Env{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Diff); diff != "" {
				t.Errorf("predicted diff (-want +got):\n%s", diff)
			}
			if len(conn.calls) != 1 {
				t.Errorf("check sent %q, want only the read", conn.calls)
			}
		})
	}
}
