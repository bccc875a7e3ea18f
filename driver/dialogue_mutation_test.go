package driver_test

// Tests written against the mutants gremlins left alive, or did not reach,
// in channel.go and driver.go (docs/testing.md, "Mutation testing"): the
// nudge of a device that prints nothing until Enter, a device that does not
// echo, a shell that never opens, cancellation, the commit confirm timer,
// leaving configuration mode, what errors and failed responses name (the
// event, the last line), hidden answers and the debug log.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// A device that prints nothing after login until Enter is pressed gets an
// empty line (the nudge), and the session opens on the prompt it then
// prints. Nothing else is sent before the prompt is learnt.
func TestDialogueNudgesASilentDevice(t *testing.T) {
	tr := &transcript{name: "silent1.txt", steps: []replayStep{
		{input: "", reply: "silent1#", line: 1},
		{input: "", reply: "silent1#", line: 2},
		{input: "exit", line: 3},
	}}
	srv := startReplay(t, tr, replyUnknown["cisco_ios"])
	cfg := srv.config(t, "cisco_ios")
	cfg.SkipSessionSetup = true
	s, err := driver.Open(hangGuard(t), cfg)
	if err != nil {
		srv.finish()
		srv.check(t)
		t.Fatalf("Open: %v", err)
	}
	if s.Prompt() != "silent1#" || s.Hostname() != "silent1" || s.Mode() != driver.ModePrivileged {
		t.Errorf("after login: prompt %q, hostname %q, mode %q", s.Prompt(), s.Hostname(), s.Mode())
	}
	s.Close()
	srv.check(t)
}

// shellRefuser is an SSH server on 127.0.0.1 that lets anyone in and never
// answers a request to open a channel: the shell never opens.
func shellRefuser(t *testing.T) (port int, knownHosts string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{NoClientAuth: true}
	cfg.AddHostKey(signer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, chans, reqs, err := ssh.NewServerConn(c, cfg)
				if err != nil {
					return
				}
				go ssh.DiscardRequests(reqs)
				var held []ssh.NewChannel
				for nc := range chans {
					held = append(held, nc) // never accepted nor rejected
				}
				_ = held
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	port = l.Addr().(*net.TCPAddr).Port
	knownHosts = filepath.Join(t.TempDir(), "known_hosts")
	line := fmt.Sprintf("[127.0.0.1]:%d %s", port, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))))
	if err := os.WriteFile(knownHosts, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return port, knownHosts
}

// A device that accepts the login but never opens the shell fails Open
// with a timeout that says so, not with a connection error.
func TestDialogueShellNeverOpens(t *testing.T) {
	port, kh := shellRefuser(t)
	cfg := driver.Config{
		Name: "noshell", Address: "127.0.0.1", Port: port, Platform: "cisco_ios",
		Username: "u", Password: "p", KnownHostsFile: kh,
		ConnectTimeout: 1500 * time.Millisecond, CommandTimeout: 5 * time.Second,
	}
	s, err := driver.Open(hangGuard(t), cfg)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded")
	}
	if !errors.Is(err, driver.ErrTimeout) || errors.Is(err, driver.ErrConnect) {
		t.Errorf("err = %v, want ErrTimeout and not ErrConnect", err)
	}
	if !strings.Contains(err.Error(), "did not open a shell within 1.5s") {
		t.Errorf("err = %v, want it to say the shell did not open within 1.5s", err)
	}
}

// WithCommitConfirmed asks junos for the confirm timer in whole minutes,
// rounded up so that the device never reverts earlier than asked.
func TestDialogueCommitConfirmedMinutes(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "j1", Platform: "juniper_junos"})
	d := f.Device("j1")
	s := open(t, labConfig(t, d))
	ctx := hangGuard(t)
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{90 * time.Second, "commit confirmed 2"},
		{2 * time.Minute, "commit confirmed 2"},
		{10 * time.Second, "commit confirmed 1"},
		{3*time.Minute + time.Second, "commit confirmed 4"},
	} {
		before := len(d.Received())
		mr, err := s.SendConfigSet(ctx, []string{"set system ntp server 10.9.9." + fmt.Sprint(int(tc.in/time.Second))}, driver.WithCommitConfirmed(tc.in))
		if err != nil || mr.Failed {
			t.Fatalf("SendConfigSet with %v: err %v, %+v", tc.in, err, mr)
		}
		got := d.Received()[before:]
		found := false
		for _, l := range got {
			if strings.TrimSpace(l) == tc.want {
				found = true
			}
		}
		if !found {
			t.Errorf("WithCommitConfirmed(%v): the device received %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A bad expect pattern names the event it belongs to (counted from 1), and
// nothing is sent for it.
func TestDialogueInteractiveBadPattern(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "i1", Platform: "cisco_ios", StartPrivileged: true})
	s := open(t, labConfig(t, f.Device("i1")))
	_, err := s.SendInteractive(hangGuard(t), []driver.InteractiveEvent{
		{Send: "show clock"},
		{Send: "show version", Expect: "(", Regex: true},
	})
	if !errors.Is(err, driver.ErrUnsupported) || !strings.Contains(err.Error(), "event 2: expect pattern") {
		t.Errorf("err = %v, want ErrUnsupported naming event 2's expect pattern", err)
	}
}

// The SSH banner is logged at debug level when the device sends one, and
// only then.
func TestDialogueBannerIsLogged(t *testing.T) {
	f := startFleet(t,
		lab.DeviceSpec{Name: "bn1", Platform: "cisco_ios", Banner: "Authorized staff only\n"},
		lab.DeviceSpec{Name: "bn2", Platform: "cisco_ios"},
	)
	for _, tc := range []struct {
		dev    string
		logged bool
	}{{"bn1", true}, {"bn2", false}} {
		var logs syncBuffer
		cfg := labConfig(t, f.Device(tc.dev))
		cfg.Logger = newTextLogger(&logs)
		open(t, cfg)
		got := strings.Contains(logs.String(), `msg="ssh banner"`)
		if got != tc.logged || (tc.logged && !strings.Contains(logs.String(), "Authorized staff only")) {
			t.Errorf("%s: banner logged %v, want %v; log:\n%s", tc.dev, got, tc.logged, logs.String())
		}
	}
}

// A device renamed during the session is logged once, with both names; the
// name learnt at login is no change.
func TestDialogueHostnameChangeIsLogged(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "hn1", Platform: "cisco_ios", StartPrivileged: true})
	var logs syncBuffer
	cfg := labConfig(t, f.Device("hn1"))
	cfg.Logger = newTextLogger(&logs)
	s := open(t, cfg)
	if strings.Contains(logs.String(), "device name changed") {
		t.Errorf("the name learnt at login was logged as a change:\n%s", logs.String())
	}
	if mr, err := s.SendConfigSet(hangGuard(t), []string{"hostname hn1-new"}); err != nil || mr.Failed {
		t.Fatalf("SendConfigSet: %v %+v", err, mr)
	}
	if s.Hostname() != "hn1-new" {
		t.Errorf("Hostname() = %q", s.Hostname())
	}
	if !strings.Contains(logs.String(), `msg="device name changed"`) || !strings.Contains(logs.String(), "from=hn1 to=hn1-new") {
		t.Errorf("the rename was not logged:\n%s", logs.String())
	}
}

// A device that does not echo the command: past a few KiB without the
// echo, matching starts at the beginning, and the command's output ends at
// its prompt as usual.
func TestDialogueNoEchoLongOutput(t *testing.T) {
	var out strings.Builder
	for i := range 120 {
		fmt.Fprintf(&out, "entry %04d value %s\r\n", i, strings.Repeat("x", 40))
	}
	tr := &transcript{name: "noecho1.txt", greeting: "noecho1#", steps: []replayStep{
		{input: "", reply: "noecho1#", line: 1},
		{input: "show entries", hidden: true, reply: out.String() + "noecho1#", line: 2},
		{input: "exit", line: 3},
	}}
	srv := startReplay(t, tr, replyUnknown["cisco_ios"])
	cfg := srv.config(t, "cisco_ios")
	cfg.SkipSessionSetup = true
	s, err := driver.Open(hangGuard(t), cfg)
	if err != nil {
		srv.finish()
		srv.check(t)
		t.Fatalf("Open: %v", err)
	}
	r, err := s.SendCommand(hangGuard(t), "show entries")
	if err != nil {
		t.Fatalf("SendCommand: %v", err)
	}
	want := strings.TrimSuffix(strings.ReplaceAll(out.String(), "\r\n", "\n"), "\n")
	if r.Output != want || r.Prompt != "noecho1#" || r.Failed {
		t.Errorf("output %d bytes (want %d), prompt %q, failed %v", len(r.Output), len(want), r.Prompt, r.Failed)
	}
	s.Close()
	srv.check(t)
}

// openReplay opens a session (without session setup) on a transcript built
// here, and logs out and checks the dialogue when the test ends.
func openReplay(t *testing.T, tr *transcript, platform string) *driver.Session {
	t.Helper()
	srv := startReplay(t, tr, replyUnknown[platform])
	cfg := srv.config(t, platform)
	cfg.SkipSessionSetup = true
	s, err := driver.Open(hangGuard(t), cfg)
	if err != nil {
		srv.finish()
		srv.check(t)
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		srv.check(t)
	})
	return s
}

// A refused enable secret that no failure indicator names is reported with
// the device's last line.
func TestDialogueEnableRefusedNamesTheLastLine(t *testing.T) {
	tr := &transcript{name: "en1.txt", greeting: "en1>", steps: []replayStep{
		{input: "", reply: "en1>", line: 1},
		{input: "enable", reply: "Password: ", line: 2},
		{input: replaySecret, hidden: true, reply: "\r\n% Bad secrets\r\n\r\nen1>", line: 3},
		{input: "exit", line: 4},
	}}
	s := openReplay(t, tr, "cisco_ios")
	_, err := s.SendCommand(hangGuard(t), "show clock")
	if !errors.Is(err, driver.ErrPrivilege) || !errors.Is(err, driver.ErrAuth) {
		t.Errorf("err = %v, want ErrPrivilege and ErrAuth", err)
	}
	if err == nil || !strings.HasSuffix(err.Error(), `"enable" left the session in exec mode: % Bad secrets`) {
		t.Errorf("err = %v, want it to end with the device's last line", err)
	}
}

// A shell command that fails with several lines of output is a failed
// response whose error text is the exit status and the last line only.
func TestDialogueExitStatusNamesTheLastLine(t *testing.T) {
	const p = "netops@web2:~$ "
	tr := &transcript{name: "web2.txt", greeting: "Linux web2\r\n" + p, steps: []replayStep{
		{input: "", reply: p, line: 1},
		{input: "ls /none1 /none2", reply: "ls: cannot access '/none1': No such file or directory\r\nls: cannot access '/none2': No such file or directory\r\n" + p, line: 2},
		{input: `echo "rc=$?"`, reply: "rc=2\r\n" + p, line: 3},
		{input: "exit", reply: "logout", line: 4},
	}}
	s := openReplay(t, tr, "linux")
	r, err := s.SendCommand(hangGuard(t), "ls /none1 /none2")
	if err != nil {
		t.Fatal(err)
	}
	want := "exit status 2: ls: cannot access '/none2': No such file or directory"
	if !r.Failed || r.FailedBy != "exit status 2" || r.ErrorText != want {
		t.Errorf("failed %v by %q, error text %q; want %q", r.Failed, r.FailedBy, r.ErrorText, want)
	}
}

// When leaving configuration mode fails after every line was taken, the
// set fails: the session is not where the caller expects it.
func TestDialogueLeavingConfigurationFails(t *testing.T) {
	tr := &transcript{name: "cf1.txt", greeting: "cf1#", steps: []replayStep{
		{input: "", reply: "cf1#", line: 1},
		{input: "configure terminal", reply: "Enter configuration commands, one per line.  End with CNTL/Z.\r\ncf1(config)#", line: 2},
		{input: "ntp server 10.1.1.1", reply: "cf1(config)#", line: 3},
		{input: "end", reply: "cf1(config)#", line: 4}, // not taken
		{input: "end", reply: "cf1#", line: 5},         // Close tries again
		{input: "exit", line: 6},
	}}
	s := openReplay(t, tr, "cisco_ios")
	mr, err := s.SendConfigSet(hangGuard(t), []string{"ntp server 10.1.1.1"})
	if !errors.Is(err, driver.ErrUnsupported) || !strings.Contains(err.Error(), `"end" left the session in configuration mode`) {
		t.Errorf("err = %v, want ErrUnsupported: end left the session in configuration mode", err)
	}
	if mr == nil || len(mr.Responses) != 1 || mr.Failed {
		t.Errorf("responses %+v, want the one accepted line", mr)
	}
}

// A cancelled operation is a cancellation, not a timeout.
func TestDialogueCancelledIsNoTimeout(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "cx1", Platform: "cisco_ios", StartPrivileged: true, Faults: &lab.Faults{Hang: `^show clock`}})
	s := open(t, labConfig(t, f.Device("cx1")))
	ctx, cancel := context.WithCancel(hangGuard(t))
	cancel()
	_, err := s.SendCommand(ctx, "show clock")
	if !errors.Is(err, context.Canceled) || errors.Is(err, driver.ErrTimeout) {
		t.Errorf("err = %v, want context.Canceled and no ErrTimeout", err)
	}
	if err == nil || !strings.Contains(err.Error(), "cancelled while waiting for a prompt (privileged mode)") {
		t.Errorf("err = %v, want it to say it was cancelled while waiting for a prompt", err)
	}
}

// A hidden answer that the device echoes anyway is masked in the output.
func TestDialogueHiddenEchoIsMasked(t *testing.T) {
	const pw = "Scp-Passw0rd-7"
	tr := &transcript{name: "hid1.txt", greeting: "hid1#", steps: []replayStep{
		{input: "", reply: "hid1#", line: 1},
		{input: "copy scp: flash:", reply: "Password: ", line: 2},
		{input: pw, reply: "Copied 10 bytes\r\nhid1#", line: 3}, // echoed
		{input: "exit", line: 4},
	}}
	s := openReplay(t, tr, "cisco_ios")
	r, err := s.SendInteractive(hangGuard(t), []driver.InteractiveEvent{
		{Send: "copy scp: flash:", Expect: "Password:"},
		{Send: pw, Hidden: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Output, pw) || !strings.Contains(r.Output, "Copied 10 bytes") || !r.Redacted {
		t.Errorf("output %q (redacted %v), want the password masked", r.Output, r.Redacted)
	}
}

// A prompt that comes before an expected question fails the dialogue and
// names the event (counted from 1).
func TestDialogueUnexpectedPromptNamesTheEvent(t *testing.T) {
	tr := &transcript{name: "up1.txt", greeting: "up1#", steps: []replayStep{
		{input: "", reply: "up1#", line: 1},
		{input: "show clock", reply: "*10:00:00.000 UTC Fri Nov 27 2026\r\nup1#", line: 2},
		{input: "exit", line: 3},
	}}
	s := openReplay(t, tr, "cisco_ios")
	r, err := s.SendInteractive(hangGuard(t), []driver.InteractiveEvent{{Send: "show clock", Expect: "Password:"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `event 1: got the prompt "up1#" before "Password:"`
	if !r.Failed || r.FailedBy != "unexpected prompt" || r.ErrorText != want {
		t.Errorf("failed %v by %q, error text %q; want %q", r.Failed, r.FailedBy, r.ErrorText, want)
	}
}
