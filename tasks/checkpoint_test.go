package tasks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/driver"
)

// cpDevice is a stateful fake with each platform's restore mechanism: the
// tests check that a checkpoint and a restore send what the platform
// needs and bring the configuration back, and that a restore that does
// not is caught. The lab tests (engine, cmd) drive the real dialogues.
type cpDevice struct {
	platform    string
	running     string
	files       map[string]string // flash, IOS/EOS
	checkpoints map[string]string // NX-OS
	// Junos: the commit history, newest first, and each commit's
	// configuration.
	history []string
	configs []string
	pending bool // Junos: the newest commit awaits its confirm

	brokenRestore bool // the restore command "succeeds" but changes nothing
	calls         []string
}

func newCPDevice(platform string) *cpDevice {
	d := &cpDevice{platform: platform, files: map[string]string{}, checkpoints: map[string]string{}}
	switch platform {
	case "juniper_junos":
		d.running = "set system host-name r1\nset system ntp server 10.0.0.1\n"
		d.history = []string{"2026-11-27 01:00:00 UTC by admin via cli"}
		d.configs = []string{d.running}
	default:
		d.running = "hostname r1\n!\ninterface Loopback0\n ip address 10.0.0.1 255.255.255.255\n!\nntp server 10.0.0.1\n!\nend\n"
	}
	return d
}

func (d *cpDevice) Platform() string { return d.platform }
func (d *cpDevice) Hostname() string { return "r1" }

func (d *cpDevice) Save(context.Context) (*driver.Response, error) {
	return nil, errors.New("not used")
}

func (d *cpDevice) SendInteractive(context.Context, []driver.InteractiveEvent, ...driver.SendOption) (*driver.Response, error) {
	return nil, errors.New("not used")
}

func rejected(cmd, text string) *driver.Response {
	return &driver.Response{Command: cmd, Output: text, Failed: true, FailedBy: text, ErrorText: text}
}

func (d *cpDevice) SendCommand(_ context.Context, cmd string, _ ...driver.SendOption) (*driver.Response, error) {
	d.calls = append(d.calls, cmd)
	ok := func(out string) (*driver.Response, error) { return &driver.Response{Command: cmd, Output: out}, nil }
	f := strings.Fields(cmd)
	switch {
	case cmd == "show running-config" || cmd == "show configuration | display set":
		return ok(d.running)
	case strings.HasPrefix(cmd, "copy running-config "):
		d.files[f[2]] = d.running
		return ok(fmt.Sprintf("%d bytes copied in 0.1 secs", len(d.running)))
	case strings.HasPrefix(cmd, "configure replace "):
		body, found := d.files[f[2]]
		if !found {
			return rejected(cmd, "%Error opening "+f[2]+" (No such file or directory)"), nil
		}
		if !d.brokenRestore {
			d.running = body
		}
		return ok("Total number of passes: 1\nRollback Done")
	case strings.HasPrefix(cmd, "checkpoint "):
		if _, used := d.checkpoints[f[1]]; used {
			return rejected(cmd, "ERROR: Checkpoint name already in use"), nil
		}
		d.checkpoints[f[1]] = d.running
		return ok("Done")
	case strings.HasPrefix(cmd, "no checkpoint "):
		delete(d.checkpoints, f[2])
		return ok("")
	case strings.HasPrefix(cmd, "rollback running-config checkpoint "):
		body, found := d.checkpoints[f[3]]
		if !found {
			return rejected(cmd, "ERROR: Checkpoint "+f[3]+" does not exist"), nil
		}
		if !d.brokenRestore {
			d.running = body
		}
		return ok("Rollback completed successfully.")
	case cmd == "show system commit":
		var b strings.Builder
		for i, e := range d.history {
			fmt.Fprintf(&b, "%d   %s", i, e)
			if i == 0 && d.pending {
				b.WriteString(" commit confirmed, rollback in 5mins")
			}
			b.WriteString("\n")
		}
		return ok(b.String())
	}
	return rejected(cmd, "% Invalid input detected at '^' marker."), nil
}

// SendConfigSet is Junos's candidate and commit: "rollback N" loads
// configuration N, anything else is ignored, and the commit (always sent,
// as the driver sends it) adds a history entry when the candidate differs.
func (d *cpDevice) SendConfigSet(_ context.Context, lines []string, _ ...driver.ConfigOption) (*driver.MultiResponse, error) {
	d.calls = append(d.calls, fmt.Sprintf("config %q", lines))
	mr := &driver.MultiResponse{}
	cand := d.running
	for _, l := range lines {
		var n int
		if _, err := fmt.Sscanf(l, "rollback %d", &n); err == nil && n < len(d.configs) {
			if !d.brokenRestore {
				cand = d.configs[n]
			}
			mr.Responses = append(mr.Responses, &driver.Response{Command: l, Output: "load complete"})
			continue
		}
		mr.Responses = append(mr.Responses, rejected(l, "syntax error."))
		mr.Failed = true
		return mr, nil
	}
	d.pending = false
	if cand != d.running {
		d.commit(cand)
	}
	mr.Responses = append(mr.Responses, &driver.Response{Command: "commit", Output: "commit complete"})
	return mr, nil
}

func (d *cpDevice) commit(cfg string) {
	d.running = cfg
	d.history = append([]string{fmt.Sprintf("2026-11-27 02:%02d:00 UTC by admin via cli", len(d.history))}, d.history...)
	d.configs = append([]string{cfg}, d.configs...)
}

// change is what the playbook's push did after the checkpoint.
func (d *cpDevice) change() {
	if d.platform == "juniper_junos" {
		d.commit(d.running + "set system ntp server 10.9.9.9\n")
		return
	}
	d.running = strings.Replace(d.running, "ntp server 10.0.0.1\n", "ntp server 10.0.0.1\nntp server 10.9.9.9\n", 1)
}

func takeCheckpoint(t *testing.T, src string, d *cpDevice) *Result {
	t.Helper()
	a, diags := decode(t, "checkpoint", src, hostCtx())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res, err := a.Run(context.Background(), d, &Env{Platform: d.platform, Step: "before"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCheckpointAndRestorePerPlatform(t *testing.T) {
	for _, tc := range []struct {
		platform string
		take     []string // commands the checkpoint sends after reading the configuration
		restore  []string // the restore's commands, between its two reads
		name     string
		said     string // in the restore's transcript
	}{
		{"cisco_ios", []string{"copy running-config flash:runbook-before.cfg"}, []string{"configure replace flash:runbook-before.cfg force"}, "flash:runbook-before.cfg", "configure replace flash:runbook-before.cfg force\nTotal number of passes: 1"},
		{"arista_eos", []string{"copy running-config flash:runbook-before.cfg"}, []string{"configure replace flash:runbook-before.cfg"}, "flash:runbook-before.cfg", "configure replace flash:runbook-before.cfg\n"},
		{"cisco_nxos", []string{"checkpoint runbook-before"}, []string{"rollback running-config checkpoint runbook-before"}, "runbook-before", "rollback running-config checkpoint runbook-before\nRollback completed successfully."},
		{"juniper_junos", []string{"show system commit"}, []string{"show system commit", `config ["rollback 1"]`}, "2026-11-27 01:00:00 UTC by admin via cli", "rollback 1\nload complete\n> commit\ncommit complete"},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			d := newCPDevice(tc.platform)
			original := d.running
			read := d.calls
			res := takeCheckpoint(t, "", d)
			if res.Failed || res.Checkpoint == nil {
				t.Fatalf("checkpoint: failed=%v %q, checkpoint %v", res.Failed, res.Message, res.Checkpoint)
			}
			if diff := cmp.Diff(tc.take, d.calls[len(read)+1:]); diff != "" {
				t.Errorf("checkpoint commands (-want +got):\n%s", diff)
			}
			cp := res.Checkpoint
			if cp.Name != tc.name || cp.Platform != tc.platform || cp.Config != original {
				t.Errorf("checkpoint = %+v, want name %q and the configuration read", cp, tc.name)
			}
			if res.Changed {
				t.Error("a checkpoint changes no configuration")
			}
			if !strings.HasPrefix(res.Output, "> "+tc.take[0]) {
				t.Errorf("the checkpoint's output is its transcript: %q", res.Output)
			}

			d.change()
			d.calls = nil
			got, err := Restore(context.Background(), d, &Env{Platform: tc.platform}, cp)
			if err != nil {
				t.Fatal(err)
			}
			if got.Failed {
				t.Fatalf("restore failed: %s\n%s", got.Message, got.Diff)
			}
			if d.running != original {
				t.Errorf("running configuration after the restore:\n%s\nwant\n%s", d.running, original)
			}
			if diff := cmp.Diff(tc.restore, d.calls[1:len(d.calls)-1]); diff != "" {
				t.Errorf("restore commands (-want +got):\n%s", diff)
			}
			if !strings.Contains(got.Diff, "- ") || !strings.Contains(got.Diff, "10.9.9.9") {
				t.Errorf("the diff must show what the restore removed:\n%s", got.Diff)
			}
			if !got.Changed {
				t.Error("a restore that undid a change is changed")
			}
			if want := "> " + tc.said; !strings.Contains(got.Output, want) {
				t.Errorf("the output is the restore's transcript:\n%s", got.Output)
			}
		})
	}
}

func TestRestoreThatDoesNotRestoreFails(t *testing.T) {
	for _, platform := range []string{"cisco_ios", "cisco_nxos", "juniper_junos"} {
		t.Run(platform, func(t *testing.T) {
			d := newCPDevice(platform)
			cp := takeCheckpoint(t, "", d).Checkpoint
			d.change()
			d.brokenRestore = true
			got, err := Restore(context.Background(), d, &Env{Platform: platform}, cp)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Failed || !strings.Contains(got.Message, "still differs from the checkpoint") {
				t.Fatalf("restore = failed %v %q, want a failed verification", got.Failed, got.Message)
			}
			if !strings.Contains(got.Diff, "+ ") || !strings.Contains(got.Diff, "10.9.9.9") {
				t.Errorf("the diff must show what is still different:\n%s", got.Diff)
			}
		})
	}
}

func TestRestoreRejectedByTheDevice(t *testing.T) {
	d := newCPDevice("cisco_ios")
	cp := takeCheckpoint(t, "", d).Checkpoint
	delete(d.files, cp.Name) // someone deleted the file on flash
	d.change()
	got, err := Restore(context.Background(), d, &Env{Platform: "cisco_ios"}, cp)
	if err != nil {
		t.Fatal(err)
	}
	want := `restore: command "configure replace flash:runbook-before.cfg force": %Error opening flash:runbook-before.cfg (No such file or directory)`
	if !got.Failed || got.Message != want {
		t.Errorf("restore = failed %v %q, want %q", got.Failed, got.Message, want)
	}

	j := newCPDevice("juniper_junos")
	cp = takeCheckpoint(t, "", j).Checkpoint
	j.history = j.history[:0] // the history was rotated away
	got, err = Restore(context.Background(), j, &Env{Platform: "juniper_junos"}, cp)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Failed || !strings.Contains(got.Message, "no longer in the commit history") {
		t.Errorf("junos restore = failed %v %q", got.Failed, got.Message)
	}
}

func TestJunosRestoreCountsCommitsSinceTheCheckpoint(t *testing.T) {
	d := newCPDevice("juniper_junos")
	cp := takeCheckpoint(t, "", d).Checkpoint
	original := d.running
	d.change()
	d.commit(d.running + "set system ntp server 10.9.9.8\n")
	d.calls = nil
	got, err := Restore(context.Background(), d, &Env{Platform: "juniper_junos"}, cp)
	if err != nil || got.Failed {
		t.Fatalf("restore: %v %+v", err, got)
	}
	if !slices.Contains(d.calls, `config ["rollback 2"]`) || d.running != original {
		t.Errorf("calls %q, running %q", d.calls, d.running)
	}

	// Nothing committed since: nothing to roll back, and still verified.
	d.calls = nil
	cp = takeCheckpoint(t, "", d).Checkpoint
	d.calls = nil
	if got, err := Restore(context.Background(), d, &Env{Platform: "juniper_junos"}, cp); err != nil || got.Failed || got.Changed {
		t.Fatalf("restore with nothing to undo: %v %+v", err, got)
	}
	for _, c := range d.calls {
		if strings.HasPrefix(c, "config") {
			t.Errorf("nothing to roll back, but sent %s", c)
		}
	}
}

func TestNXOSCheckpointNameInUseIsReplaced(t *testing.T) {
	d := newCPDevice("cisco_nxos")
	d.checkpoints["pre"] = "stale"
	res := takeCheckpoint(t, `name = "pre"`, d)
	if res.Failed || res.Checkpoint == nil {
		t.Fatalf("checkpoint: %+v", res)
	}
	want := []string{"show running-config", "checkpoint pre", "no checkpoint pre", "checkpoint pre"}
	if diff := cmp.Diff(want, d.calls); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if d.checkpoints["pre"] != d.running {
		t.Error("the checkpoint must hold the current configuration, not the stale one")
	}
}

func TestCheckpointNamesAndFiles(t *testing.T) {
	d := newCPDevice("cisco_ios")
	res := takeCheckpoint(t, `name = "cw-42"`, d)
	if res.Checkpoint.Name != "flash:cw-42.cfg" {
		t.Errorf("name sets the file: %q", res.Checkpoint.Name)
	}
	for _, name := range []string{"a", "Z9", "0.a_b-c", strings.Repeat("x", 64)} {
		if res := takeCheckpoint(t, `name = "`+name+`"`, d); res.Checkpoint.Name != "flash:"+name+".cfg" {
			t.Errorf("name %q: checkpoint %q", name, res.Checkpoint.Name)
		}
	}
	res = takeCheckpoint(t, `file = "bootflash:pre.cfg"`, d)
	if res.Checkpoint.Name != "bootflash:pre.cfg" || d.files["bootflash:pre.cfg"] == "" {
		t.Errorf("file is used as given: %q", res.Checkpoint.Name)
	}
	for src, summary := range map[string]string{
		`name = "a b"`: "Invalid checkpoint name",
		`name = "-x"`:  "Invalid checkpoint name",
		`name = ".x"`:  "Invalid checkpoint name",
		`name = ""`:    "Invalid checkpoint name",
		`name = "é"`:   "Invalid checkpoint name",
		`name = "a/b"`: "Invalid checkpoint name",
		`name = "` + strings.Repeat("a", 65) + `"`: "Invalid checkpoint name",
		`file = "nocolon"`:                         "Invalid checkpoint file",
		`file = "flash:a b"`:                       "Invalid checkpoint file",
		`bogus = 1`:                                "Unsupported argument",
	} {
		_, diags := decode(t, "checkpoint", src, hostCtx())
		if !diags.HasErrors() || diags[0].Summary != summary {
			t.Errorf("%s: %v, want %q", src, diags, summary)
		}
	}
}

func TestCheckpointUnsupportedAndCheckMode(t *testing.T) {
	a, _ := decode(t, "checkpoint", "", hostCtx())
	lx := &fakeConn{platform: "linux"}
	if _, err := a.Run(context.Background(), lx, &Env{}); !errors.Is(err, driver.ErrUnsupported) {
		t.Errorf("linux: %v, want ErrUnsupported", err)
	}
	if len(lx.calls) != 0 {
		t.Errorf("linux: sent %q", lx.calls)
	}
	d := newCPDevice("cisco_ios")
	res, err := a.(Checker).Check(context.Background(), d, &Env{Step: "pre"})
	if err != nil || res.Failed || res.Checkpoint != nil {
		t.Fatalf("check: %v %+v", err, res)
	}
	if len(d.calls) != 0 || len(d.files) != 0 {
		t.Errorf("check mode sent %q", d.calls)
	}
	if !strings.Contains(res.Message, "copy running-config flash:runbook-pre.cfg") {
		t.Errorf("check message %q", res.Message)
	}
}

func TestConfirm(t *testing.T) {
	d := newCPDevice("juniper_junos")
	d.change()
	d.pending = true
	res, err := Confirm(context.Background(), d)
	if err != nil || res.Failed {
		t.Fatalf("confirm: %v %+v", err, res)
	}
	if d.pending || !slices.Contains(d.calls, `config []`) {
		t.Errorf("the confirm must commit: calls %q", d.calls)
	}

	// The timer fired first: the change is gone; no commit is sent.
	d.calls = nil
	res, err = Confirm(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed || !strings.Contains(res.Message, ErrNotConfirmed.Error()) {
		t.Errorf("late confirm = %+v", res)
	}
	if slices.Contains(d.calls, `config []`) {
		t.Error("a late confirm must not commit")
	}
}

func TestJunosCommits(t *testing.T) {
	out := `0   2026-11-27 03:10:00 UTC by admin via cli commit confirmed, rollback in 5mins
1   2026-11-27 03:00:00 UTC by ops via netconf
    change 42
2   2026-11-26 22:00:00 UTC by root via other
`
	want := []string{
		"2026-11-27 03:10:00 UTC by admin via cli",
		"2026-11-27 03:00:00 UTC by ops via netconf",
		"2026-11-26 22:00:00 UTC by root via other",
	}
	if diff := cmp.Diff(want, junosCommits(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := firstCommit(out); !strings.HasPrefix(got, "0   2026-11-27 03:10:00") {
		t.Errorf("firstCommit = %q", got)
	}
	// Short and odd lines: a lone number is no entry; "via" last keeps
	// the line whole.
	odd := "7\n0 rescue\n1 2026-11-27 01:00:00 UTC by admin via\n"
	if diff := cmp.Diff([]string{"rescue", "2026-11-27 01:00:00 UTC by admin via"}, junosCommits(odd)); diff != "" {
		t.Errorf("odd lines (-want +got):\n%s", diff)
	}
	if got := firstCommit(odd); got != "0 rescue" {
		t.Errorf("firstCommit(odd) = %q", got)
	}
}

// Junos names commits to the second: a commit in the same second as the
// checkpoint's, by the same user, reads the same; the history before it
// tells them apart.
func TestCommitsSinceTellsSameSecondCommitsApart(t *testing.T) {
	a, b, c := "2026-11-27 03:00:00 UTC by admin via cli", "2026-11-27 02:00:00 UTC by admin via cli", "2026-11-26 00:00:00 UTC by root via other"
	cp := &Checkpoint{Name: a, history: []string{a, b, c}}
	for _, tc := range []struct {
		now  []string
		want int
	}{
		{[]string{a, b, c}, 0},
		{[]string{a, a, b, c}, 1},
		{[]string{"x", a, a, b, c}, 2},
		{[]string{"x", "y", a, b}, 2}, // the oldest entries rotated away
		{[]string{"x", b, c}, -1},     // the checkpoint's commit is gone
		{nil, -1},
	} {
		if got := commitsSince(tc.now, cp); got != tc.want {
			t.Errorf("commitsSince(%q) = %d, want %d", tc.now, got, tc.want)
		}
	}
	if got := commitsSince([]string{"x", a}, &Checkpoint{Name: a}); got != 1 {
		t.Errorf("without the history: %d, want 1", got)
	}
}

func TestCheckpointDescribeFor(t *testing.T) {
	a, _ := decode(t, "checkpoint", `name = "cw1"`, hostCtx())
	hd := a.(HostDescriber)
	for platform, want := range map[string]string{
		"cisco_ios":     "copy running-config flash:cw1.cfg|(restored with: configure replace flash:cw1.cfg force)",
		"arista_eos":    "copy running-config flash:cw1.cfg|(restored with: configure replace flash:cw1.cfg)",
		"cisco_nxos":    "checkpoint cw1|(restored with: rollback running-config checkpoint cw1)",
		"juniper_junos": "show system commit|(restored with: rollback N + commit, N = the commits made since)",
		"linux":         "(checkpoint: platform linux has no restore point runbook can take: unsupported)",
	} {
		if got := strings.Join(hd.DescribeFor(&Env{Platform: platform, Step: "x"}), "|"); got != want {
			t.Errorf("%s: %q, want %q", platform, got, want)
		}
	}
}
