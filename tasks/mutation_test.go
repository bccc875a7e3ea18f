package tasks

// Tests written against mutants that survived the other tests (issue 17):
// each one pins a behaviour a user can see, named in its comment.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/driver"
)

// keep = 1 is the smallest keep there is, and a rejected keep is shown
// as written (2.5, not rounded to 2).
func TestBackupKeepBounds(t *testing.T) {
	if _, diags := decode(t, "backup", "dir = \"b\"\nkeep = 1\n", hostCtx()); diags.HasErrors() {
		t.Errorf("keep = 1: %v", diags)
	}
	for src, want := range map[string]string{
		"keep = 2.5":  "not 2.5.",
		"keep = -3":   "not -3.",
		"keep = 0.25": "not 0.25.",
	} {
		_, diags := decode(t, "backup", "dir = \"b\"\n"+src+"\n", hostCtx())
		if !diags.HasErrors() || !strings.Contains(diags[0].Detail, want) {
			t.Errorf("%s: %v, want a diagnostic ending %q", src, diags, want)
		}
	}
}

// A connection that does not know its platform (a plugin's session) reads
// the configuration with the command of the host's platform.
func TestBackupUsesTheHostsPlatformWhenTheSessionHasNone(t *testing.T) {
	dir := t.TempDir()
	conn := &fakeConn{outputs: map[string]string{
		"show configuration":  "version 21.4R1;\nsystem {\n    host-name j1;\n}\n",
		"show running-config": "hostname wrong\n",
	}}
	res, err := run(t, "backup", `dir = "`+dir+`"`, conn, &Env{HostName: "j1", Platform: "juniper_junos"})
	if err != nil || res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	if got := strings.Join(conn.calls, "\n"); got != "cmd show configuration" {
		t.Errorf("calls %q, want the Junos command", got)
	}
}

// A reply that is not a configuration is quoted in the failure: the user
// sees what the device said.
func TestNotAConfigurationQuotesTheReply(t *testing.T) {
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": "\n  Unknown command: show\nmore\n"}}
	res, err := run(t, "backup", `dir = "`+t.TempDir()+`"`, conn, &Env{HostName: "r1"})
	if err != nil || !res.Failed {
		t.Fatalf("%v %+v", err, res)
	}
	if !strings.Contains(res.Message, `the reply is not a configuration: "Unknown command: show"`) {
		t.Errorf("message %q: want the reply's first line, quoted", res.Message)
	}
}

// Check of a backup step mentions pruning only when apply would prune:
// never without keep, and not while the backups are below keep.
func TestBackupCheckMentionsPruningOnlyWhenItWouldPrune(t *testing.T) {
	dir := t.TempDir()
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": "hostname sw1\nend\n"}}
	clock := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	env := &Env{HostName: "sw1", BaseDir: dir, Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	check := func(src string) string {
		t.Helper()
		a, diags := decode(t, "backup", src, hostCtx())
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		res, err := a.(Checker).Check(context.Background(), conn, env)
		if err != nil || res.Failed {
			t.Fatalf("Check: %v %+v", err, res)
		}
		return res.Message
	}
	// No backup yet, no keep.
	if msg := check("dir = \"backups\"\n"); strings.Contains(msg, "remove") {
		t.Errorf("without keep: %q", msg)
	}
	a, _ := decode(t, "backup", "dir = \"backups\"\n", hostCtx())
	if res, err := a.Run(context.Background(), conn, env); err != nil || res.Failed {
		t.Fatalf("Run: %v %+v", err, res)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "backups", "sw1", "*.cfg")); len(files) != 1 {
		t.Fatalf("backups %v", files)
	}
	// One backup, keep = 2: the next one makes two, nothing to remove.
	if msg := check("dir = \"backups\"\nkeep = 2\n"); strings.Contains(msg, "remove") {
		t.Errorf("keep = 2 with one backup: %q", msg)
	}
	if msg := check("dir = \"backups\"\n"); strings.Contains(msg, "remove") {
		t.Errorf("without keep, one backup: %q", msg)
	}
	if msg := check("dir = \"backups\"\nkeep = 1\n"); !strings.Contains(msg, "remove the 1 oldest of 1 backups (keep = 1)") {
		t.Errorf("keep = 1 with one backup: %q", msg)
	}
}

// The audit's reader hands the configuration on under the host's name and
// platform; a host without a platform gets the session's.
func TestAuditReaderNamesHostAndPlatform(t *testing.T) {
	type got struct{ host, platform string }
	var seen []got
	k := ConfigReaderKind{Deliver: func(host, platform, _ string) { seen = append(seen, got{host, platform}) }}
	a, diags := k.Decode(nil, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": "hostname core1\nend\n"}}
	for _, env := range []*Env{{HostName: "r1"}, {Platform: "cisco_ios"}, nil} {
		if res, err := a.(Action).Run(context.Background(), conn, env); err != nil || res.Failed {
			t.Fatalf("%v %+v", err, res)
		}
	}
	want := []got{{"r1", "cisco_ios"}, {"core1", "cisco_ios"}, {"core1", "cisco_ios"}}
	if len(seen) != len(want) {
		t.Fatalf("delivered %v", seen)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("delivery %d: %+v, want %+v", i, seen[i], want[i])
		}
	}
}

// A session that does not know its platform compares the lines with the
// host's platform's model: on Junos a delete of what is not there is
// already in sync, nothing is sent.
func TestSendConfigSetComparesWithTheHostsPlatform(t *testing.T) {
	conn := &fakeConn{outputs: map[string]string{
		"show configuration | display set": "set version 21.4R1\nset system host-name j1\n",
	}}
	res, err := run(t, "send_config_set", `commands = ["delete system ntp server 10.9.9.9"]`, conn, &Env{HostName: "j1", Platform: "juniper_junos"})
	if err != nil || res.Failed || res.Changed {
		t.Fatalf("%v %+v", err, res)
	}
	if !strings.Contains(res.Message, "in sync") {
		t.Errorf("message %q, want in sync", res.Message)
	}
	if got := strings.Join(conn.calls, "\n"); got != "cmd show configuration | display set" {
		t.Errorf("calls %q: only the read, nothing sent", got)
	}
}

// optCounter wraps a Conn and records each call with how many options it
// carried: the options are opaque outside driver, but a step's deadline
// is one of them (WithTimeout, WithConfigTimeout), and it is what makes
// the driver stop at the step's timeout with its own message.
type optCounter struct {
	Conn
	calls []string
}

func (c *optCounter) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	c.calls = append(c.calls, fmt.Sprintf("%s/%d", cmd, len(opts)))
	return c.Conn.SendCommand(ctx, cmd, opts...)
}

func (c *optCounter) SendConfigSet(ctx context.Context, lines []string, opts ...driver.ConfigOption) (*driver.MultiResponse, error) {
	c.calls = append(c.calls, fmt.Sprintf("config %q/%d", lines, len(opts)))
	return c.Conn.SendConfigSet(ctx, lines, opts...)
}

func (c *optCounter) SendInteractive(ctx context.Context, ev []driver.InteractiveEvent, opts ...driver.SendOption) (*driver.Response, error) {
	c.calls = append(c.calls, fmt.Sprintf("interactive/%d", len(opts)))
	return c.Conn.SendInteractive(ctx, ev, opts...)
}

// A step's deadline goes with every call to the driver, as a timeout
// option; a step without one passes none (the host's command timeout
// applies).
func TestStepDeadlineReachesEveryDriverCall(t *testing.T) {
	ios := func() Conn {
		return &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": "hostname r1\nend\n"}}
	}
	for _, tc := range []struct {
		name, kind, src string
		conn            func() Conn
		env             *Env
		want            []string // calls without a deadline; with one, each has one option more
	}{
		{"send_command", "send_command", `command = "show clock"`, ios, &Env{}, []string{"show clock/0"}},
		{"send_command expect", "send_command", "command = \"show clock\"\nexpect_string = \"#\"", ios, &Env{}, []string{"show clock/1"}},
		{"backup", "backup", `dir = "DIR"`, ios, &Env{HostName: "r1"}, []string{"show running-config/0"}},
		{"send_config_set", "send_config_set", `commands = ["ntp server 10.9.9.9"]`, ios, &Env{}, []string{"show running-config/0", `config ["ntp server 10.9.9.9"]/0`, "show running-config/0"}},
		{"send_config_set with a confirm timer", "send_config_set", `commands = ["ntp server 10.9.9.9"]`, ios, &Env{CommitConfirm: time.Minute}, []string{"show running-config/0", `config ["ntp server 10.9.9.9"]/1`, "show running-config/0"}},
		{"expect", "expect", "command = \"reload\"\nexpect \"confirm\" {\n  send = \"y\"\n}", ios, &Env{}, []string{"interactive/0"}},
		{"checkpoint ios", "checkpoint", ``, ios, &Env{Step: "before"}, []string{"show running-config/0", "copy running-config flash:runbook-before.cfg/2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.ReplaceAll(tc.src, "DIR", t.TempDir())
			for _, deadline := range []bool{false, true} {
				ctx := context.Background()
				if deadline {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, time.Hour)
					defer cancel()
				}
				a, diags := decode(t, tc.kind, src, hostCtx())
				if diags.HasErrors() {
					t.Fatal(diags)
				}
				c := &optCounter{Conn: tc.conn()}
				if _, err := a.Run(ctx, c, tc.env); err != nil {
					t.Fatal(err)
				}
				want := tc.want
				if deadline {
					want = nil
					for _, w := range tc.want {
						i := strings.LastIndexByte(w, '/')
						n := int(w[i+1] - '0')
						want = append(want, fmt.Sprintf("%s/%d", w[:i], n+1))
					}
				}
				if diff := cmp.Diff(want, c.calls); diff != "" {
					t.Errorf("deadline %v: calls (-want +got):\n%s", deadline, diff)
				}
			}
		})
	}
}

// A restore sends the step's deadline with each command, and on Junos
// with the rollback's configuration lines.
func TestRestoreDeadlineReachesTheDriver(t *testing.T) {
	for _, platform := range []string{"cisco_ios", "juniper_junos"} {
		for _, deadline := range []bool{false, true} {
			d := newCPDevice(platform)
			res := takeCheckpoint(t, "", d)
			if res.Checkpoint == nil {
				t.Fatalf("%s: no checkpoint: %+v", platform, res)
			}
			d.change()
			ctx := context.Background()
			if deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Hour)
				defer cancel()
			}
			c := &optCounter{Conn: d}
			if _, err := Restore(ctx, c, &Env{Platform: platform}, res.Checkpoint); err != nil {
				t.Fatal(err)
			}
			n := 0
			if deadline {
				n = 1
			}
			for _, call := range c.calls {
				if !strings.HasSuffix(call, fmt.Sprintf("/%d", n)) {
					t.Errorf("%s, deadline %v: call %s, want %d options", platform, deadline, call, n)
				}
			}
			if len(c.calls) < 3 {
				t.Errorf("%s: calls %q", platform, c.calls)
			}
		}
	}
}

// unconfirmingRestore answers IOS's and NX-OS's restore with a reply that
// is neither an error the indicators know nor the device's success text,
// and changes nothing.
type unconfirmingRestore struct {
	*cpDevice
	reply string
}

func (u *unconfirmingRestore) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	if strings.HasPrefix(cmd, "configure replace ") || strings.HasPrefix(cmd, "rollback running-config ") {
		u.calls = append(u.calls, cmd)
		return &driver.Response{Command: cmd, Output: u.reply}, nil
	}
	return u.cpDevice.SendCommand(ctx, cmd, opts...)
}

// A restore the device does not confirm ("Rollback Done" on IOS,
// "completed successfully" on NX-OS) failed, even when the configuration
// happens to read as the checkpoint: the device's first line says why.
func TestRestoreWithoutTheDevicesSuccessTextFails(t *testing.T) {
	for _, tc := range []struct{ platform, reply, want string }{
		{"cisco_ios", "Error: Could not open file flash:runbook-before.cfg\nmore", `: Error: Could not open file flash:runbook-before.cfg`},
		{"cisco_ios", "", `: no "Rollback Done" from the device`},
		{"cisco_nxos", "Rollback in progress", `: Rollback in progress`},
	} {
		d := newCPDevice(tc.platform)
		cp := takeCheckpoint(t, "", d).Checkpoint
		got, err := Restore(context.Background(), &unconfirmingRestore{cpDevice: d, reply: tc.reply}, &Env{Platform: tc.platform}, cp)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Failed || !strings.HasPrefix(got.Message, "restore: command ") || !strings.HasSuffix(got.Message, tc.want) {
			t.Errorf("%s %q: failed %v %q, want a failure ending %q", tc.platform, tc.reply, got.Failed, got.Message, tc.want)
		}
	}
}

// A commit history with no entry at all (a device that lost it) has no
// confirmed commit pending: the confirm fails and commits nothing.
func TestConfirmWithAnEmptyCommitHistory(t *testing.T) {
	d := newCPDevice("juniper_junos")
	d.history = nil
	res, err := Confirm(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || !strings.Contains(res.Message, ErrNotConfirmed.Error()) {
		t.Errorf("confirm = %+v", res)
	}
	for _, c := range d.calls {
		if strings.HasPrefix(c, "config") {
			t.Errorf("committed: %q", d.calls)
		}
	}
}

// A failed assertion without names to show reads as a sentence, with no
// dangling colon: "assertion 1 == 2 is false", or the playbook's message.
func TestAssertionMessageWithoutValues(t *testing.T) {
	for _, tc := range []struct{ message, want string }{
		{"", "assertion 1 == 2 is false"},
		{"never", "never"},
	} {
		a, err := CompileAssert("a", "1 == 2", tc.message)
		if err != nil {
			t.Fatal(err)
		}
		out, err := a.Eval(testEnv())
		if err != nil || out.Passed || out.Message != tc.want {
			t.Errorf("message %q: %v %+v, want %q", tc.message, err, out, tc.want)
		}
	}
}

// Values shown in a failed assertion: exactly five failing elements are
// all shown, with no "... and 0 more"; a value of exactly 300 characters
// is shown whole; a longer one is cut on a character boundary, never in
// the middle of a multi-byte character.
func TestAssertionValuesAtTheLimits(t *testing.T) {
	eval := func(src string, vars map[string]any) string {
		t.Helper()
		a, err := CompileAssert("a", src, "")
		if err != nil {
			t.Fatal(err)
		}
		env := testEnv()
		env.Vars = vars
		out, err := a.Eval(env)
		if err != nil || out.Passed {
			t.Fatalf("%s: %v %+v", src, err, out)
		}
		return out.Message
	}
	five := []any{"a", "b", "c", "d", "e"}
	msg := eval(`all(vars.xs, {# == "z"})`, map[string]any{"xs": five})
	if !strings.Contains(msg, `5 of 5 elements failed: ["a", "b", "c", "d", "e"]`) || strings.Contains(msg, "more") {
		t.Errorf("five elements: %s", msg)
	}
	six := append(five, "f")
	if msg := eval(`all(vars.xs, {# == "z"})`, map[string]any{"xs": six}); !strings.Contains(msg, `["a", "b", "c", "d", "e", ... and 1 more]`) {
		t.Errorf("six elements: %s", msg)
	}

	exact := strings.Repeat("x", 298) // 300 characters with its quotes
	if msg := eval(`vars.s == "y"`, map[string]any{"s": exact}); !strings.Contains(msg, `vars.s = "`+exact+`"`) || strings.Contains(msg, "more bytes") {
		t.Errorf("300 characters: %s", msg)
	}
	long := `"` + strings.Repeat("é", 200) // 401 bytes: byte 300 is inside an é
	msg = eval(`vars.s == "y"`, map[string]any{"s": long[1:]})
	// JSON quotes it: 402 bytes; the cut falls back from byte 300 to 299.
	if !utf8.ValidString(msg) || !strings.HasSuffix(msg, `ééé... (103 more bytes)`) {
		t.Errorf("a long value cut inside a character: %q", msg)
	}
}

// diff's key fields are a name or a list of names; anything else (a
// number, a map) is an error that says so.
func TestRecordDiffKeysOfTheWrongKind(t *testing.T) {
	ok := []any{rec("interface", "Gi0/1")}
	for _, keys := range []any{5, map[string]any{"interface": true}} {
		_, err := RecordDiff(ok, ok, keys)
		if err == nil || !strings.Contains(err.Error(), "diff: the key fields are a field name or a list of them, not ") {
			t.Errorf("keys %v: %v", keys, err)
		}
	}
}

// Validation types: a variable declared with a type and no value has the
// declared type; host vars the hosts agree on keep their type, and those
// they disagree on take any value; a list's elements have the list's
// element type; each result shape is checked on its own; a typo between
// two equally close names suggests the first in order.
func TestExprTypesFromDeclarationsAndHosts(t *testing.T) {
	vars := map[string]cty.Value{
		"declared": cty.NullVal(cty.DynamicPseudoType),
		"servers":  cty.ListVal([]cty.Value{cty.StringVal("10.0.1.100"), cty.StringVal("10.0.1.101")}),
		"ac":       cty.True,
		"ad":       cty.True,
	}
	varTypes := map[string]cty.Type{"declared": cty.List(cty.String)}
	hosts := []map[string]cty.Value{
		{"rack": cty.NumberIntVal(4), "mixed": cty.NumberIntVal(1)},
		{"rack": cty.NumberIntVal(5), "mixed": cty.StringVal("a")},
	}
	et := NewExprTypes(vars, varTypes, hosts, nil)
	for _, tc := range []struct{ src, want string }{
		{"len(vars.declared) > 0", ""},
		{"vars.declared.name == 'x'", "vars.declared"},
		{"host.vars.rack > 2", ""},
		{"host.vars.rack + 'x' == ''", "mismatched types"},
		{"host.vars.mixed + 1 > 0", ""},
		{"vars.servers[0] contains '10.'", ""},
		{"vars.servers[0] + 1 > 0", "mismatched types string and int"},
		{"vars.ab", `vars has no "ab"; did you mean "ac"?`},
		{"vars.serverxyz", `vars has no "serverxyz"; did you mean "servers"?`}, // 3 edits in 9 letters: close
	} {
		err := et.Check(tc.src, nil)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.src, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error with %q", tc.src, err, tc.want)
		}
	}
	// 4 edits in 6 letters: too far to be a typo.
	if err := et.Check("vars.abcdef", nil); err == nil || !strings.Contains(err.Error(), `vars has no "abcdef"`) || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("vars.abcdef: %v, want no suggestion", err)
	}
	// Two result shapes, one after the other: each assertion sees its own.
	if err := et.Check("any(result, {.alpha == 'x'})", []RecordField{{Name: "alpha"}}); err != nil {
		t.Error(err)
	}
	if err := et.Check("any(result, {.beta == 'x'})", []RecordField{{Name: "beta"}}); err != nil {
		t.Errorf("second shape: %v", err)
	}
	if err := et.Check("any(result, {.alpha == 'x'})", []RecordField{{Name: "beta"}}); err == nil {
		t.Error("a field of another shape passed")
	}
}

// A push whose lines render to nothing for this host changes nothing and
// says nothing: it is not "in sync" with anything.
func TestSendConfigSetWithoutLines(t *testing.T) {
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{"show running-config": "hostname r1\nend\n"}}
	res, err := run(t, "send_config_set", `commands = []`, conn, &Env{})
	if err != nil || res.Failed || res.Changed || res.Message != "" {
		t.Errorf("%v %+v, want ok without a message", err, res)
	}
	if len(conn.calls) != 0 {
		t.Errorf("calls %q: nothing to read or send", conn.calls)
	}
}

// A push's output is what the device said, line after line, without an
// empty line for each command it took in silence.
func TestSendConfigSetOutputSkipsSilentLines(t *testing.T) {
	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{
		"show running-config":    "hostname r1\nend\n",
		"ntp server 10.9.9.8":    "",
		"logging host 10.9.9.9":  "% Warning: the host is not reachable",
		"snmp-server location x": "",
	}}
	res, err := run(t, "send_config_set", `commands = ["ntp server 10.9.9.8", "logging host 10.9.9.9", "snmp-server location x"]`, conn, &Env{})
	if err != nil || res.Failed || !res.Changed {
		t.Fatalf("%v %+v", err, res)
	}
	if res.Output != "% Warning: the host is not reachable" {
		t.Errorf("output %q", res.Output)
	}
}

// The note of a refused read after the push is the message, or follows
// it after "; ".
func TestSendConfigSetDiffNoteJoinsTheMessage(t *testing.T) {
	const note = `no diff: command "show running-config": % Invalid input detected at '^' marker.`
	for _, tc := range []struct{ src, want string }{
		{`commands = ["ntp server 10.0.1.2"]`, note},
		{`commands = ["ntp server 10.0.1.1", "ntp server 10.0.1.2"]`, "sent 1 line: 1 of 2 already in the configuration; " + note},
	} {
		conn := &seqConn{fakeConn: &fakeConn{platform: "cisco_ios"}, reads: []string{diffBefore, rejectRead}}
		res, err := run(t, "send_config_set", tc.src, conn, &Env{})
		if err != nil || res.Message != tc.want {
			t.Errorf("%s: %v, message %q, want %q", tc.src, err, res.Message, tc.want)
		}
	}
}

// The driver's timeout for a call is what is left of the step's deadline
// (an hour here), 1ms once it has passed, and none without a deadline.
func TestCallTimeout(t *testing.T) {
	if d := callTimeout(context.Background()); d != 0 {
		t.Errorf("no deadline: %v", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if d := callTimeout(ctx); d <= 59*time.Minute || d > time.Hour {
		t.Errorf("an hour left: %v", d)
	}
	past, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	if d := callTimeout(past); d != time.Millisecond {
		t.Errorf("deadline passed: %v", d)
	}
}
