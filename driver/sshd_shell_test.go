package driver_test

import (
	"context"
	"os"
	"strings"
	"testing"
)

// Issue 15: against a real OpenSSH server, a host is reachable whatever
// common prompt its shell prints (PS1 set per server, as users set it),
// and a command's exit status decides whether it failed.
func TestSSHDShellPromptsAndExitStatus(t *testing.T) {
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no /bin/bash")
	}
	host, _ := os.Hostname()
	for _, tc := range []struct {
		name, ps1, hostname string
	}{
		{"alpine", `\h:\w\$ `, host},
		{"bash-default-login", `-bash-5.2\$ `, "-bash-5.2"},
		{"suse", `\u@\h:\w> `, host},
		{"rhel", `[\u@\h \W]\$ `, host},
		{"csh", `\h% `, host},
		{"zsh", `\u@\h \W % `, host},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSSHDWith(t, sshdOptions{config: []string{
				"ForceCommand env 'PS1=" + tc.ps1 + "' /bin/bash --norc --noprofile -i",
			}})
			s := openT(t, srv.config(t))
			ctx := context.Background()
			if got := s.Hostname(); got != tc.hostname {
				t.Errorf("Hostname() = %q, want %q (prompt %q)", got, tc.hostname, s.Prompt())
			}
			r, err := s.SendCommand(ctx, "echo hi-$((6*7))")
			if err != nil {
				t.Fatal(err)
			}
			if r.Output != "hi-42" || r.Failed {
				t.Errorf("echo: %q failed=%v", r.Output, r.Failed)
			}
			r, err = s.SendCommand(ctx, "false")
			if err != nil {
				t.Fatal(err)
			}
			if !r.Failed || r.FailedBy != "exit status 1" {
				t.Errorf("false: failed=%v by %q", r.Failed, r.FailedBy)
			}
			r, err = s.SendCommand(ctx, "sh -c 'echo broken pipe here >&2; exit 3'")
			if err != nil {
				t.Fatal(err)
			}
			if !r.Failed || r.ErrorText != "exit status 3: broken pipe here" {
				t.Errorf("exit 3: failed=%v %q", r.Failed, r.ErrorText)
			}
			// The prompt follows the working directory; still the same host.
			if _, err := s.SendCommand(ctx, "cd /tmp"); err != nil {
				t.Fatal(err)
			}
			r, err = s.SendCommand(ctx, "pwd")
			if err != nil || r.Output != "/tmp" {
				t.Errorf("pwd after cd: %q %v", r.Output, err)
			}
			// A failing line of a config set on a shell fails the set.
			mr, err := s.SendConfigSet(ctx, []string{"true", "test -d /no/such/dir", "echo not reached"})
			if err != nil {
				t.Fatal(err)
			}
			if !mr.Failed || len(mr.Responses) != 2 || !strings.HasPrefix(mr.Responses[1].FailedBy, "exit status") {
				t.Errorf("config set: failed=%v, %d responses", mr.Failed, len(mr.Responses))
			}
		})
	}
}
