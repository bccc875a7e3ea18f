package driver_test

// Replay tests: the real driver against transcripts of real devices'
// dialogue (prompts, error texts, questions, confirmations), written down
// from vendor documentation and public sources and played back by a small
// SSH server on 127.0.0.1. The lab simulates devices; these transcripts are
// what devices were seen to print, so a driver rule that only suits the lab
// fails here.
//
// Transcript format (driver/testdata/transcripts/*.txt), one line at a time:
//
//	; text       a comment: sources, notes (never sent)
//	>>> line     the client sends line; the device echoes it and a line
//	             ending, then prints the lines below
//	>>* line     the client sends line (a password); the device echoes nothing
//	anything     device output, verbatim
//
// The device lines before the first ">>>" are printed on login. The lines
// after an input are the device's reply: they are sent joined by "\r\n",
// and the last one without a line ending, as a device leaves its prompt or
// question. A trailing "␣" stands for a space (a prompt's trailing space
// must survive editors). After the last input's reply the device hangs up
// (the logout).
//
// A line the driver sends that is not the next input of the transcript is a
// test failure naming both; the server answers it with the platform's own
// invalid-input error and the last prompt, as a device would.

import (
	"bufio"
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
)

const (
	replayUser   = "netops"
	replayPass   = "Replay-Passw0rd-1"
	replaySecret = "Replay-En4ble-2"
)

// replayStep is one input of a transcript and the device's reply to it.
type replayStep struct {
	input  string
	hidden bool   // not echoed (a password)
	reply  string // wire bytes after the echo
	line   int    // line of the input in the file
}

type transcript struct {
	name     string
	greeting string
	steps    []replayStep
}

// visibleSpace stands for a trailing space in a transcript line.
const visibleSpace = "␣"

func readTranscript(path string) (*transcript, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tr := &transcript{name: filepath.Base(path)}
	var block []string
	flush := func() string {
		s := strings.Join(block, "\r\n")
		block = nil
		return s
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	n := 0
	for sc.Scan() {
		n++
		l := sc.Text()
		var hidden bool
		switch {
		case strings.HasPrefix(l, ";"):
			continue
		case l == ">>>" || strings.HasPrefix(l, ">>> "):
		case strings.HasPrefix(l, ">>* "):
			hidden = true
		default:
			spaces := 0
			for strings.HasSuffix(l, visibleSpace) {
				l = strings.TrimSuffix(l, visibleSpace)
				spaces++
			}
			block = append(block, l+strings.Repeat(" ", spaces))
			continue
		}
		if len(tr.steps) == 0 {
			tr.greeting = flush()
		} else {
			tr.steps[len(tr.steps)-1].reply = flush()
		}
		tr.steps = append(tr.steps, replayStep{input: strings.TrimPrefix(l[3:], " "), hidden: hidden, line: n})
	}
	if len(tr.steps) == 0 {
		return nil, fmt.Errorf("%s: no input lines", path)
	}
	tr.steps[len(tr.steps)-1].reply = flush()
	return tr, sc.Err()
}

// replayServer plays one transcript to the first shell opened on it.
type replayServer struct {
	tr     *transcript
	reject func(line string) string // the platform's reply to an unknown line
	port   int
	key    ssh.PublicKey
	ln     net.Listener

	mu       sync.Mutex
	next     int      // index of the next expected input
	problems []string // what the driver sent that the transcript does not expect

	doneOnce sync.Once
	done     chan struct{} // the shell session ended (hang-up or client gone)
}

func startReplay(t *testing.T, tr *transcript, reject func(string) string) *replayServer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &replayServer{tr: tr, reject: reject, port: ln.Addr().(*net.TCPAddr).Port, key: sshPub, ln: ln, done: make(chan struct{})}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if c.User() == replayUser && string(pw) == replayPass {
				return nil, nil
			}
			return nil, errors.New("access denied")
		},
	}
	cfg.AddHostKey(signer)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(c, cfg)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.finish()
		wg.Wait()
	})
	return s
}

func (s *replayServer) finish() { s.doneOnce.Do(func() { close(s.done) }) }

func (s *replayServer) serve(c net.Conn, cfg *ssh.ServerConfig) {
	defer c.Close()
	// The test's cleanup closes the listener only; a connection the driver
	// left open ends when the test's server is done.
	go func() { <-s.done; c.Close() }()
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			for r := range creqs {
				ok := r.Type == "pty-req" || r.Type == "shell"
				r.Reply(ok, nil)
				if r.Type == "shell" {
					go s.replay(ch)
				}
			}
		}()
	}
}

// replay prints the greeting, then reads lines (bytes may come in any
// pieces; "\r", "\n" and "\r\n" each end one line) and answers each.
func (s *replayServer) replay(ch ssh.Channel) {
	defer s.finish()
	defer ch.Close()
	prompt := lastLine(s.tr.greeting)
	if _, err := ch.Write([]byte(s.tr.greeting)); err != nil {
		return
	}
	var line []byte
	afterCR := false
	buf := make([]byte, 512)
	for {
		n, err := ch.Read(buf)
		for _, c := range buf[:n] {
			if c == '\n' && afterCR {
				afterCR = false
				continue
			}
			afterCR = c == '\r'
			if c != '\r' && c != '\n' {
				line = append(line, c)
				continue
			}
			out, hangUp := s.answer(string(line), prompt)
			line = line[:0]
			if out != "" {
				prompt = lastLine(out)
			}
			if _, werr := ch.Write([]byte(out)); werr != nil {
				return
			}
			if hangUp {
				ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// answer returns what the device prints for a line, and whether it then
// hangs up.
func (s *replayServer) answer(got, prompt string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= len(s.tr.steps) {
		s.problems = append(s.problems, fmt.Sprintf("the driver sent %q after the transcript's end", got))
		return got + "\r\n" + s.reject(got) + "\r\n" + prompt, false
	}
	st := s.tr.steps[s.next]
	if got != st.input {
		s.problems = append(s.problems, fmt.Sprintf("%s:%d: the driver sent %q, the transcript expects %q", s.tr.name, st.line, got, st.input))
		return got + "\r\n" + s.reject(got) + "\r\n" + prompt, false
	}
	s.next++
	echo := ""
	if !st.hidden {
		echo = got + "\r\n"
	}
	return echo + st.reply, s.next == len(s.tr.steps)
}

func lastLine(s string) string { return s[strings.LastIndexAny(s, "\r\n")+1:] }

// check waits (bounded) for the device's hang-up and fails the test for
// every unexpected line and for inputs the driver never sent.
func (s *replayServer) check(t *testing.T) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Errorf("the device was never logged out of")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.problems {
		t.Error(p)
	}
	if s.next < len(s.tr.steps) {
		st := s.tr.steps[s.next]
		t.Errorf("%s:%d: the driver never sent %q", s.tr.name, st.line, st.input)
	}
}

func (s *replayServer) config(t *testing.T, platform string) driver.Config {
	t.Helper()
	kh := filepath.Join(t.TempDir(), "known_hosts")
	line := fmt.Sprintf("[127.0.0.1]:%d %s", s.port, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.key))))
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return driver.Config{
		Name: strings.TrimSuffix(s.tr.name, ".txt"), Address: "127.0.0.1", Port: s.port, Platform: platform,
		Username: replayUser, Password: replayPass, Secret: replaySecret,
		KnownHostsFile: kh, ConnectTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second,
	}
}

// replyUnknown is each platform's answer to a line it does not know, as
// the transcripts show it (the caret line left out).
var replyUnknown = map[string]func(string) string{
	"cisco_ios":     func(string) string { return "% Invalid input detected at '^' marker.\r\n" },
	"cisco_nxos":    func(string) string { return "% Invalid command at '^' marker." },
	"arista_eos":    func(string) string { return "% Invalid input" },
	"juniper_junos": func(string) string { return "syntax error, expecting <command>.\r\n" },
	"cisco_xr":      func(string) string { return "% Invalid input detected at '^' marker." },
	"cisco_asa":     func(string) string { return "ERROR: % Invalid input detected at '^' marker." },
	"linux": func(l string) string {
		return "-bash: " + strings.Fields(l + " x")[0] + ": command not found"
	},
}

type replayCase struct {
	file     string
	platform string
	// after Open
	hostname, prompt, mode string
	run                    func(t *testing.T, ctx context.Context, s *driver.Session)
}

func TestReplay(t *testing.T) {
	for _, tc := range replayCases {
		t.Run(strings.TrimSuffix(tc.file, ".txt"), func(t *testing.T) {
			tr, err := readTranscript(filepath.Join("testdata", "transcripts", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			base, _ := driver.LookupPlatform(tc.platform)
			srv := startReplay(t, tr, replyUnknown[base.Name])
			ctx := hangGuard(t)
			s, err := driver.Open(ctx, srv.config(t, tc.platform))
			if err != nil {
				srv.finish()
				srv.check(t)
				t.Fatalf("Open: %v", err)
			}
			// Also after a failed assertion: log out, then name every line
			// the driver sent that the device did not expect.
			t.Cleanup(func() {
				s.Close()
				srv.check(t)
			})
			if s.Hostname() != tc.hostname || s.Prompt() != tc.prompt || s.Mode() != tc.mode {
				t.Errorf("after login: hostname %q, prompt %q, mode %q; want %q, %q, %q",
					s.Hostname(), s.Prompt(), s.Mode(), tc.hostname, tc.prompt, tc.mode)
			}
			tc.run(t, ctx, s)
		})
	}
}

// Helpers shared by the cases: each fails the test with what the driver
// returned.

func mustSend(t *testing.T, ctx context.Context, s *driver.Session, cmd string) *driver.Response {
	t.Helper()
	r, err := s.SendCommand(ctx, cmd)
	if err != nil {
		t.Fatalf("SendCommand %q: %v", cmd, err)
	}
	return r
}

// wantOK checks an accepted command's output. The blank line some devices
// (Junos) print before their prompt is formatting, not output.
func wantOK(t *testing.T, r *driver.Response, output string) {
	t.Helper()
	if r.Failed || strings.TrimRight(r.Output, "\n") != output {
		t.Errorf("%q: failed=%v (%s: %q), output %q; want ok with output %q", r.Command, r.Failed, r.FailedBy, r.ErrorText, r.Output, output)
	}
}

// wantRejected checks a rejected command: the indicator and the device's
// line.
func wantRejected(t *testing.T, r *driver.Response, by, text string) {
	t.Helper()
	if !r.Failed || r.FailedBy != by || r.ErrorText != text {
		t.Errorf("%q: failed=%v, FailedBy %q, ErrorText %q; want failed by %q with %q (output %q)", r.Command, r.Failed, r.FailedBy, r.ErrorText, by, text, r.Output)
	}
}

// wantConfigStop checks a config set stopped at its rejected line: the
// lines before it accepted, the rejected one named with the device's
// message, nothing sent after it (the transcript checks that), and the
// session back in privileged mode.
func wantConfigStop(t *testing.T, s *driver.Session, mr *driver.MultiResponse, err error, accepted int, line, by, text string) {
	t.Helper()
	if err != nil {
		t.Fatalf("SendConfigSet: %v", err)
	}
	f := mr.FirstFailure()
	if !mr.Failed || f == nil {
		t.Fatalf("config set not failed: %+v", mr.Responses)
	}
	for _, r := range mr.Responses[:accepted] {
		if r.Failed {
			t.Errorf("accepted line %q failed: %s", r.Command, r.ErrorText)
		}
	}
	if f != mr.Responses[accepted] || f.Command != line {
		t.Errorf("first failure is %q, want %q", f.Command, line)
	}
	wantRejected(t, f, by, text)
	if s.Mode() != driver.ModePrivileged {
		t.Errorf("left in mode %q", s.Mode())
	}
}

func mustSave(t *testing.T, ctx context.Context, s *driver.Session) *driver.Response {
	t.Helper()
	r, err := s.Save(ctx)
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	return r
}

var replayCases = []replayCase{
	{
		file: "cisco_ios.txt", platform: "cisco_ios",
		hostname: "C3560CX", prompt: "C3560CX>", mode: driver.ModeExec,
		run: func(t *testing.T, ctx context.Context, s *driver.Session) {
			// A backup of an authorization refusal is no backup.
			wantRejected(t, mustSend(t, ctx, s, "show running-config"), "Command authorization failed", "Command authorization failed.")
			if s.Mode() != driver.ModePrivileged {
				t.Errorf("enable: mode %q", s.Mode())
			}
			wantRejected(t, mustSend(t, ctx, s, "show vresion"), "% Invalid input", "% Invalid input detected at '^' marker.")
			wantOK(t, mustSend(t, ctx, s, "show clock"), "*10:15:07.123 UTC Tue Mar 5 2024")

			mr, err := s.SendConfigSet(ctx, []string{"interface GigabitEthernet0/1", "description uplink to core1", "ip adress 10.0.0.1 255.255.255.0", "no shutdown"})
			wantConfigStop(t, s, mr, err, 2, "ip adress 10.0.0.1 255.255.255.0", "% Invalid input", "% Invalid input detected at '^' marker.")

			r := mustSave(t, ctx, s)
			if !r.Failed || r.FailedBy != "no save confirmation" || !strings.Contains(r.ErrorText, "startup-config file open failed (Device or resource busy)") {
				t.Errorf("refused save: failed=%v, %q, %q", r.Failed, r.FailedBy, r.ErrorText)
			}
			// The second save asks twice and writes a compressed
			// configuration.
			r = mustSave(t, ctx, s)
			if r.Failed {
				t.Errorf("save that wrote failed: %s: %s (output %q)", r.FailedBy, r.ErrorText, r.Output)
			}
		},
	},
	{
		file: "cisco_xe.txt", platform: "cisco_xe",
		hostname: "csr1000v-1", prompt: "csr1000v-1#", mode: driver.ModePrivileged,
		run: func(t *testing.T, ctx context.Context, s *driver.Session) {
			wantOK(t, mustSend(t, ctx, s, "show clock"), "*10:15:07.123 UTC Tue Mar 5 2024")
			mr, err := s.SendConfigSet(ctx, []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"})
			if err != nil || mr.Failed || len(mr.Responses) != 2 {
				t.Errorf("config set: err %v, %+v", err, mr)
			}
			if r := mustSave(t, ctx, s); r.Failed {
				t.Errorf("save: %s: %s", r.FailedBy, r.ErrorText)
			}
		},
	},
	{
		file: "cisco_nxos.txt", platform: "cisco_nxos",
		hostname: "Nexus1", prompt: "Nexus1#", mode: driver.ModePrivileged,
		run: func(t *testing.T, ctx context.Context, s *driver.Session) {
			wantOK(t, mustSend(t, ctx, s, "show clock"), "10:15:07.123 UTC Tue Mar 05 2024\nTime source is NTP")
			wantRejected(t, mustSend(t, ctx, s, "show spannig-tree"), "% Invalid command", "% Invalid command at '^' marker.")
			mr, err := s.SendConfigSet(ctx, []string{"interface ethernet1/10", "ip address 10.0.50.3/24", "no shutdown"})
			wantConfigStop(t, s, mr, err, 1, "ip address 10.0.50.3/24", "% Invalid command", "% Invalid command at '^' marker.")
			if r := mustSave(t, ctx, s); r.Failed {
				t.Errorf("save: %s: %s", r.FailedBy, r.ErrorText)
			}
		},
	},
	{
		file: "arista_eos.txt", platform: "arista_eos",
		hostname: "SW1", prompt: "SW1>", mode: driver.ModeExec,
		run: func(t *testing.T, ctx context.Context, s *driver.Session) {
			wantOK(t, mustSend(t, ctx, s, "show clock"), "Tue Mar  5 10:15:07 2024\nTimezone: UTC\nClock source: local")
			wantRejected(t, mustSend(t, ctx, s, "show vresion"), "% Invalid input", "% Invalid input")
			mr, err := s.SendConfigSet(ctx, []string{"interface Ethernet5", "description uplink", "duplex full", "no shutdown"})
			wantConfigStop(t, s, mr, err, 2, "duplex full", "% Invalid input", "% Invalid input")
			if r := mustSave(t, ctx, s); r.Failed {
				t.Errorf("save: %s: %s", r.FailedBy, r.ErrorText)
			}
		},
	},
	{
		file: "juniper_junos.txt", platform: "juniper_junos",
		hostname: "mx1", prompt: "netops@mx1>", mode: driver.ModePrivileged,
		run: func(t *testing.T, ctx context.Context, s *driver.Session) {
			wantOK(t, mustSend(t, ctx, s, "show system uptime"), "Current time: 2024-03-05 10:15:07 UTC\nTime Source:  NTP CLOCK")
			wantRejected(t, mustSend(t, ctx, s, "show vresion"), "syntax error", "syntax error, expecting <command>.")

			// A rejected line: the candidate is rolled back, not committed.
			mr, err := s.SendConfigSet(ctx, []string{"set system ntp server 10.0.1.100", "set interfaces ge-0/0/0 unit 0 family inet adress 10.0.0.1/24", "set system ntp server 10.0.1.101"})
			wantConfigStop(t, s, mr, err, 1, "set interfaces ge-0/0/0 unit 0 family inet adress 10.0.0.1/24", "syntax error", "syntax error.")
			if last := mr.Responses[len(mr.Responses)-1]; last.Command != "rollback 0" || last.Failed {
				t.Errorf("after the rejected line: %q failed=%v", last.Command, last.Failed)
			}

			// Accepted lines are committed.
			mr, err = s.SendConfigSet(ctx, []string{"set system ntp server 10.0.1.100"})
			if err != nil || mr.Failed || len(mr.Responses) != 2 || mr.Responses[1].Command != "commit" {
				t.Errorf("committed config set: err %v, %+v", err, mr)
			}

			// A commit the device refuses fails, with its reasons; leaving
			// configuration mode then asks, and is answered.
			mr, err = s.SendConfigSet(ctx, []string{"set interfaces fe-0/0/5 unit 0 family inet address 10.0.5.1/24"})
			if err != nil {
				t.Fatalf("refused commit: %v", err)
			}
			f := mr.FirstFailure()
			if f == nil || f.Command != "commit" || f.FailedBy != "error:" || f.ErrorText != "error: configuration check-out failed" ||
				!strings.Contains(f.Output, "no other family type can be configured on the same interface") {
				t.Errorf("refused commit: %+v", f)
			}
			if s.Mode() != driver.ModePrivileged {
				t.Errorf("left in mode %q", s.Mode())
			}
			// The commit saved: Save sends nothing.
			if r := mustSave(t, ctx, s); r.Failed {
				t.Errorf("save: %s: %s", r.FailedBy, r.ErrorText)
			}
		},
	},
	{
		file: "cisco_xr.txt", platform: "cisco_xr",
		hostname: "xr1", prompt: "RP/0/RP0/CPU0:xr1#", mode: driver.ModePrivileged,
		run: func(t *testing.T, ctx context.Context, s *driver.Session) {
			wantOK(t, mustSend(t, ctx, s, "show clock"), "Tue Mar  5 10:15:07.345 UTC\n10:15:07.350 UTC Tue Mar 05 2024")
			wantRejected(t, mustSend(t, ctx, s, "show vresion"), "% Invalid input", "% Invalid input detected at '^' marker.")

			// A line the parser rejects: the candidate is aborted.
			mr, err := s.SendConfigSet(ctx, []string{"interface GigabitEthernet0/0/0/0", "ipv4 adress 10.0.0.1 255.255.255.0", "no shutdown"})
			wantConfigStop(t, s, mr, err, 1, "ipv4 adress 10.0.0.1 255.255.255.0", "% Invalid input", "% Invalid input detected at '^' marker.")
			if last := mr.Responses[len(mr.Responses)-1]; last.Command != "abort" {
				t.Errorf("after the rejected line: %q", last.Command)
			}

			// A commit the device refuses names the line and the reason
			// (show configuration failed); "end" then asks about the
			// uncommitted changes and is answered.
			mr, err = s.SendConfigSet(ctx, []string{"interface Loopback21041989", "ipv4 address 10.10.10.10/24"})
			if err != nil {
				t.Fatalf("refused commit: %v", err)
			}
			f := mr.FirstFailure()
			if f == nil || f.Command != "commit" || f.FailedBy != "% Failed to commit" ||
				!strings.Contains(f.ErrorText, " ipv4 address 10.10.10.10 255.255.255.0\n!!% ERROR: Invalid ip address, please add in range 100.0.0.0/8") {
				t.Errorf("refused commit: %+v", f)
			}
			if s.Mode() != driver.ModePrivileged {
				t.Errorf("left in mode %q", s.Mode())
			}

			mr, err = s.SendConfigSet(ctx, []string{"interface Loopback21041989", "ipv4 address 100.100.100.100/32"})
			if err != nil || mr.Failed || len(mr.Responses) != 3 {
				t.Errorf("committed config set: err %v, %+v", err, mr)
			}
			if r := mustSave(t, ctx, s); r.Failed {
				t.Errorf("save: %s: %s", r.FailedBy, r.ErrorText)
			}
		},
	},
	{
		file: "cisco_asa.txt", platform: "cisco_asa",
		hostname: "ciscoasa", prompt: "ciscoasa>", mode: driver.ModeExec,
		run: func(t *testing.T, ctx context.Context, s *driver.Session) {
			wantOK(t, mustSend(t, ctx, s, "show clock"), "10:15:07.123 UTC Tue Mar 5 2024")
			wantRejected(t, mustSend(t, ctx, s, "show vresion"), "ERROR:", "ERROR: % Invalid input detected at '^' marker.")
			// "INFO:" after nameif is advice, not a rejection.
			mr, err := s.SendConfigSet(ctx, []string{"interface GigabitEthernet0/2", "nameif DMZ", "security-level 70", "ip adress 10.0.0.1 255.255.255.0", "no shutdown"})
			wantConfigStop(t, s, mr, err, 3, "ip adress 10.0.0.1 255.255.255.0", "ERROR:", "ERROR: % Invalid input detected at '^' marker.")
			if r := mustSave(t, ctx, s); r.Failed {
				t.Errorf("save: %s: %s", r.FailedBy, r.ErrorText)
			}
		},
	},
	{
		file: "linux.txt", platform: "linux",
		hostname: "web1", prompt: "netops@web1:~$", mode: driver.ModePrivileged,
		run: func(t *testing.T, ctx context.Context, s *driver.Session) {
			wantOK(t, mustSend(t, ctx, s, "uname -sr"), "Linux 6.1.0-18-amd64")
			wantRejected(t, mustSend(t, ctx, s, "ifconfg"), "command not found", "-bash: ifconfg: command not found")
			mr, err := s.SendConfigSet(ctx, []string{"mkdir -p /tmp/rb", "cp /etc/nonexistent /tmp/rb/", "touch /tmp/rb/done"})
			if err != nil {
				t.Fatal(err)
			}
			if f := mr.FirstFailure(); f == nil || len(mr.Responses) != 2 || mr.Responses[0].Failed || f.Command != "cp /etc/nonexistent /tmp/rb/" ||
				f.ErrorText != "exit status 1: cp: cannot stat '/etc/nonexistent': No such file or directory" {
				t.Errorf("config set: %+v, first failure %+v", mr, f)
			}
			if _, err := s.Save(ctx); !errors.Is(err, driver.ErrUnsupported) {
				t.Errorf("save on a shell: %v, want ErrUnsupported", err)
			}
		},
	},
}
