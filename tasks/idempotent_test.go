package tasks

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// stopConn is a fakeConn whose SendConfigSet behaves as the driver does
// without continue_on_error: it stops at the first rejected line, and on
// a platform that commits it commits after the lines, or discards them
// ("rollback 0") after a rejection.
type stopConn struct {
	*fakeConn
}

func (s stopConn) SendConfigSet(_ context.Context, lines []string, _ ...driver.ConfigOption) (*driver.MultiResponse, error) {
	s.record(fmt.Sprintf("config %q", lines))
	mr := &driver.MultiResponse{}
	for _, l := range lines {
		r := s.resp(l)
		mr.Responses = append(mr.Responses, r)
		if r.Failed {
			mr.Failed = true
			break
		}
	}
	if p, ok := driver.LookupPlatform(s.platform); ok && p.Commit != "" {
		c := p.Commit
		if mr.Failed {
			c = p.Abort
		}
		mr.Responses = append(mr.Responses, &driver.Response{Command: c})
	}
	return mr, nil
}

func configCalls(f *fakeConn) []string {
	var out []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, "config ") {
			out = append(out, c)
		}
	}
	return out
}

func TestSendConfigSetSendsOnlyPendingLines(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantSent []string // the config call; nil: none
		changed  bool
		message  string
	}{
		{
			name:    "in sync",
			src:     `commands = ["ntp server 10.0.1.100", "logging host 10.0.2.1"]`,
			message: "in sync: all 2 lines already in the configuration",
		},
		{
			name:     "one line missing",
			src:      `commands = ["ntp server 10.0.1.100", "ntp server 10.0.1.101"]`,
			wantSent: []string{`config ["ntp server 10.0.1.101"]`},
			changed:  true,
			message:  "sent 1 line: 1 of 2 already in the configuration",
		},
		{
			name:     "a child line goes with its section line",
			src:      `commands = ["interface GigabitEthernet0/2", " shutdown", " description spare", "ntp server 10.0.1.100"]`,
			wantSent: []string{`config ["interface GigabitEthernet0/2" " description spare"]`},
			changed:  true,
			message:  "sent 1 line: 3 of 4 already in the configuration",
		},
		{
			name:    "no X of an absent X",
			src:     `commands = ["interface GigabitEthernet0/1", "no shutdown", "no ntp server 10.0.9.9"]`,
			message: "in sync: all 3 lines already in the configuration",
		},
		{
			name:     "no X of a present X",
			src:      `commands = ["no ntp server 10.0.1.102"]`,
			wantSent: []string{`config ["no ntp server 10.0.1.102"]`},
			changed:  true,
		},
		{
			name:     `match = "none" sends every line`,
			src:      "commands = [\"ntp server 10.0.1.100\", \"logging host 10.0.2.1\"]\nmatch = \"none\"",
			wantSent: []string{`config ["ntp server 10.0.1.100" "logging host 10.0.2.1"]`},
			changed:  true,
		},
		{
			name:    `match = "line" is the default`,
			src:     "commands = [\"ntp server 10.0.1.100\"]\nmatch = \"line\"",
			message: "in sync: all 1 line already in the configuration",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": checkRunning}}
			res, err := run(t, "send_config_set", tt.src, conn, &Env{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantSent, configCalls(conn)); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
			if res.Changed != tt.changed || res.Failed || res.Message != tt.message {
				t.Errorf("Changed=%v Failed=%v Message=%q, want Changed=%v Message=%q", res.Changed, res.Failed, res.Message, tt.changed, tt.message)
			}
			readFirst := len(conn.calls) > 0 && conn.calls[0] == "cmd show running-config"
			if none := strings.Contains(tt.src, `"none"`); readFirst == none {
				t.Errorf("calls %q: the configuration is read first unless match = \"none\"", conn.calls)
			}
		})
	}
}

func TestCheckAndRunAgree(t *testing.T) {
	for _, lines := range [][]string{
		{"ntp server 10.0.1.100", "ntp server 10.0.1.101"},
		{"interface GigabitEthernet0/2", "no shutdown", "description x", "logging host 10.0.2.1"},
		{"line vty 0 4", " transport input ssh"},
		{"interface GigabitEthernet0/9", " description new", " no shutdown"},
	} {
		src := fmt.Sprintf("commands = %q", lines)
		src = strings.ReplaceAll(src, `" "`, `", "`)
		conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": checkRunning}}
		a, diags := decode(t, "send_config_set", src, hostCtx())
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		chk, err := a.(Checker).Check(context.Background(), conn, &Env{})
		if err != nil {
			t.Fatal(err)
		}
		if len(conn.calls) != 1 {
			t.Errorf("check sent %q: it only reads", conn.calls)
		}
		res, err := a.Run(context.Background(), conn, &Env{})
		if err != nil {
			t.Fatal(err)
		}
		if chk.Changed != res.Changed {
			t.Errorf("%q: check changed=%v, apply changed=%v", lines, chk.Changed, res.Changed)
		}
		var sent []string
		for _, l := range res.Lines {
			sent = append(sent, l.Command)
		}
		for _, p := range chk.Pending {
			if !strings.Contains(strings.Join(sent, "\n"), p) {
				t.Errorf("%q: check lists %q as pending, apply did not send it (sent %q)", lines, p, sent)
			}
		}
	}
}

func TestSendConfigSetPartialPush(t *testing.T) {
	t.Run("ios: accepted lines stay", func(t *testing.T) {
		conn := stopConn{&fakeConn{platform: "cisco_ios", reject: regexp.MustCompile(`serv x`),
			outputs: map[string]string{"show running-config": checkRunning}}}
		res, err := run(t, "send_config_set", `commands = ["ntp server 10.0.1.101", "ntp serv x", "ntp server 10.0.1.103"]`, conn, &Env{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Changed || !res.Failed {
			t.Errorf("Changed=%v Failed=%v: a partial push is changed and failed", res.Changed, res.Failed)
		}
		var got []string
		for _, l := range res.Lines {
			got = append(got, fmt.Sprintf("%s failed=%v", l.Command, l.Failed))
		}
		if diff := cmp.Diff([]string{"ntp server 10.0.1.101 failed=false", "ntp serv x failed=true"}, got); diff != "" {
			t.Errorf("lines (-want +got):\n%s", diff)
		}
		lines := res.Value()["lines"].([]any)
		if lines[0].(map[string]any)["failed"] != false || lines[1].(map[string]any)["failed"] != true {
			t.Errorf("value lines %v", lines)
		}
		want := `line "ntp serv x": % Invalid input detected at '^' marker. (1 line accepted and in effect, 1 line not sent)`
		if res.Message != want {
			t.Errorf("Message = %q, want %q", res.Message, want)
		}
	})
	t.Run("junos: a rejected line discards the candidate", func(t *testing.T) {
		conn := stopConn{&fakeConn{platform: "juniper_junos", reject: regexp.MustCompile(`serv x`),
			outputs: map[string]string{"show configuration | display set": "set system ntp server 10.0.1.100\n"}}}
		res, err := run(t, "send_config_set", `commands = ["set system ntp server 10.0.1.100", "set system ntp server 10.0.1.101", "set system ntp serv x"]`, conn, &Env{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{`config ["set system ntp server 10.0.1.101" "set system ntp serv x"]`}, configCalls(conn.fakeConn)); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
		if res.Changed || !res.Failed || !strings.Contains(res.Message, "nothing changed: the candidate configuration was discarded") {
			t.Errorf("Changed=%v Failed=%v Message=%q", res.Changed, res.Failed, res.Message)
		}
	})
	t.Run("junos: committed", func(t *testing.T) {
		conn := stopConn{&fakeConn{platform: "juniper_junos",
			outputs: map[string]string{"show configuration | display set": "set system ntp server 10.0.1.100\n"}}}
		res, err := run(t, "send_config_set", `commands = ["set system ntp server 10.0.1.100", "delete system ntp server 10.0.1.9", "set system ntp server 10.0.1.101"]`, conn, &Env{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Changed || res.Failed {
			t.Errorf("Changed=%v Failed=%v Message=%q", res.Changed, res.Failed, res.Message)
		}
		if got := res.Lines[len(res.Lines)-1].Command; got != "commit" {
			t.Errorf("last response %q, want the commit", got)
		}
	})
}

func TestSendConfigSetReadFails(t *testing.T) {
	conn := &fakeConn{platform: "cisco_ios", reject: regexp.MustCompile(`^show running`)}
	res, err := run(t, "send_config_set", `commands = ["ntp server 10.0.1.100"]`, conn, &Env{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || res.Changed || len(configCalls(conn)) != 0 || !strings.Contains(res.Message, `command "show running-config"`) {
		t.Errorf("%+v, calls %q", res, conn.calls)
	}
	// A platform without a configuration to read gets every line.
	conn = &fakeConn{platform: "linux"}
	res, err = run(t, "send_config_set", `commands = ["touch /tmp/x"]`, conn, &Env{})
	if err != nil || !res.Changed || len(configCalls(conn)) != 1 {
		t.Errorf("linux: %v %+v, calls %q", err, res, conn.calls)
	}
}

func TestDecodeMatch(t *testing.T) {
	_, diags := decode(t, "send_config_set", "commands = [\"x\"]\nmatch = \"exact\"", hostCtx())
	if !diags.HasErrors() || !strings.Contains(diags.Error(), `Invalid match`) || !strings.Contains(diags.Error(), `not "exact"`) {
		t.Errorf("diags = %v", diags)
	}
}

func TestSaveOnlyAfterAChange(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		name    string
		changed *bool
		saves   bool
	}{
		{"a change before", &yes, true},
		{"no change before", &no, false},
		{"not tracked", nil, true},
	} {
		conn := &fakeConn{}
		res, err := run(t, "save", ``, conn, &Env{ChangedBefore: tt.changed})
		if err != nil {
			t.Fatal(err)
		}
		saved := len(conn.calls) == 1 && conn.calls[0] == "save"
		if saved != tt.saves || res.Changed != tt.saves || res.Failed {
			t.Errorf("%s: saved=%v %+v", tt.name, saved, res)
		}
		if !tt.saves && !strings.HasPrefix(res.Message, "nothing to save") {
			t.Errorf("%s: Message %q", tt.name, res.Message)
		}
	}
}

// TestIdempotentPushAgainstLab pushes the same lines twice to each IOS-
// family platform and Junos of the lab through the real driver: the second
// push sends no configuration line and saves nothing.
func TestIdempotentPushAgainstLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fleet, err := lab.StartFleet(ctx, lab.FleetSpec{
		Seed: "tasks-idempotent",
		Devices: []lab.DeviceSpec{
			{Name: "ios1", Platform: lab.CiscoIOS},
			{Name: "nx1", Platform: lab.CiscoNXOS},
			{Name: "eos1", Platform: lab.AristaEOS},
			{Name: "vmx1", Platform: lab.JuniperJunos},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	commands := map[string]string{
		lab.CiscoIOS:     `["ntp server 10.0.1.100", "ntp server 10.0.1.101", "interface GigabitEthernet0/1", " description access ports", "no logging host 10.9.9.9"]`,
		lab.CiscoNXOS:    `["ntp server 10.0.1.100", "interface Ethernet1/2", "  description server", "  no shutdown"]`,
		lab.AristaEOS:    `["ntp server 10.0.1.100", "interface Ethernet2", "   description server"]`,
		lab.JuniperJunos: `["set system ntp server 10.0.1.100", "delete system ntp server 10.9.9.9"]`,
	}
	for _, dev := range fleet.Devices() {
		t.Run(dev.Platform(), func(t *testing.T) {
			s, err := driver.Open(ctx, driver.Config{
				Name: dev.Name(), Address: "127.0.0.1", Port: dev.Port(), Platform: dev.Platform(),
				Username: "admin", Password: "admin", Secret: "admin",
				HostKeyCheck: driver.HostKeyOff, CommandTimeout: 10 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			env := &Env{HostName: dev.Name(), Platform: dev.Platform()}
			src := "commands = " + commands[dev.Platform()]
			first, err := run(t, "send_config_set", src, s, env)
			if err != nil || first.Failed || !first.Changed {
				t.Fatalf("first push: %v %+v", err, first)
			}
			n := len(dev.Received())
			second, err := run(t, "send_config_set", src, s, env)
			if err != nil || second.Failed || second.Changed || !strings.HasPrefix(second.Message, "in sync: all ") {
				t.Fatalf("second push: %v %+v\nrunning-config:\n%s", err, second, dev.RunningConfig())
			}
			no := false
			if res, err := run(t, "save", ``, s, &Env{ChangedBefore: &no}); err != nil || res.Changed {
				t.Fatalf("save: %v %+v", err, res)
			}
			if got := dev.Received()[n:]; len(got) != 1 || !strings.HasPrefix(got[0], "show ") {
				t.Errorf("the second push and the save sent %q, want only the read of the configuration", got)
			}
		})
	}
}
