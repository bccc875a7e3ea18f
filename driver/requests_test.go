package driver_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"golang.org/x/crypto/ssh"
)

// askingServer is an SSH server that, once the shell starts, asks the
// client what real servers ask: an OpenSSH keepalive as a global request
// and as a channel request (both want a reply, or the server hangs up),
// and a channel of its own (which runbook must refuse). It also sends a
// line on stderr before the prompt. It answers every line with its echo,
// "12:00" for "show clock", and the prompt r1#.
type askingServer struct {
	mu          sync.Mutex
	pty         []byte
	globalReply chan error
	chanReply   chan error
	openErr     chan error
	laterReply  chan error
}

// serveOneSSH accepts one SSH connection on 127.0.0.1 (any password) and
// hands each session channel it opens to session. It returns the address
// and a known_hosts file that trusts hostKey there.
func serveOneSSH(t *testing.T, hostKey ssh.Signer, session func(*ssh.ServerConn, ssh.Channel, <-chan *ssh.Request)) (host string, port int, knownHosts string) {
	t.Helper()
	return serveOneSSHWith(t, &ssh.ServerConfig{}, hostKey, session)
}

// serveOneSSHWith is serveOneSSH with the server's algorithms from cfg.
func serveOneSSHWith(t *testing.T, cfg *ssh.ServerConfig, hostKey ssh.Signer, session func(*ssh.ServerConn, ssh.Channel, <-chan *ssh.Request)) (host string, port int, knownHosts string) {
	t.Helper()
	cfg.PasswordCallback = func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) { return nil, nil }
	cfg.AddHostKey(hostKey)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		conn, chans, reqs, err := ssh.NewServerConn(c, cfg)
		if err != nil {
			return
		}
		go ssh.DiscardRequests(reqs)
		for nc := range chans {
			ch, chReqs, err := nc.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { session(conn, ch, chReqs) })
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	host, p, _ := net.SplitHostPort(ln.Addr().String())
	knownHosts = filepath.Join(t.TempDir(), "known_hosts")
	line := "[" + host + "]:" + p + " " + string(ssh.MarshalAuthorizedKey(hostKey.PublicKey()))
	if err := os.WriteFile(knownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return host, atoi(t, p), knownHosts
}

// reply waits for an answer the server asked for; a client that never
// answers would hang the real server, so no answer within 5s fails.
func reply(done <-chan error, what string) error {
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		return errors.New(what + ": no reply within 5s")
	}
}

func (srv *askingServer) session(conn *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for r := range reqs {
		switch r.Type {
		case "pty-req":
			srv.mu.Lock()
			srv.pty = append([]byte(nil), r.Payload...)
			srv.mu.Unlock()
			r.Reply(true, nil)
			continue
		case "shell":
			r.Reply(true, nil)
		default:
			r.Reply(false, nil)
			continue
		}
		break
	}
	go ssh.DiscardRequests(reqs)
	go func() {
		_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
		srv.globalReply <- err
	}()
	go func() {
		_, err := ch.SendRequest("keepalive@openssh.com", true, nil)
		srv.chanReply <- err
	}()
	go func() {
		c, _, err := conn.OpenChannel("forwarded-tcpip", nil)
		if err == nil {
			c.Close()
		}
		srv.openErr <- err
	}()
	ch.Stderr().Write([]byte("note on stderr\r\n"))
	shellLines(ch, func(line string) (string, bool) {
		switch line {
		case "show clock":
			return "12:00\r\n", true
		case "show later":
			// Long after the session started: the client must still be
			// answering.
			go func() {
				_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
				srv.laterReply <- err
			}()
			return "", true
		}
		return "", line != "exit"
	})
}

// shellLines plays a shell whose prompt is r1#: it answers each line with
// its echo, what answer returns and the prompt, until answer says no more
// or the client goes.
func shellLines(ch ssh.Channel, answer func(line string) (out string, more bool)) {
	ch.Write([]byte("\r\nr1#"))
	in := bufio.NewReader(ch)
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		out, more := answer(line)
		ch.Write([]byte(line + "\r\n" + out + "r1#"))
		if !more {
			return
		}
	}
}

// The device's requests are answered and its channel refused, its stderr
// reaches the transcript, and the terminal asked for is a 511-column vt100
// with echo on; all without x/crypto's per-client goroutines.
func TestDeviceRequestsAreAnswered(t *testing.T) {
	srv := &askingServer{globalReply: make(chan error, 1), chanReply: make(chan error, 1), openErr: make(chan error, 1), laterReply: make(chan error, 1)}
	host, port, kh := serveOneSSH(t, newSigner(t), srv.session)
	var tx syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := driver.Open(ctx, driver.Config{
		Name: "r1", Address: host, Port: port, Platform: "cisco_ios",
		Username: "admin", Password: "pw", KnownHostsFile: kh,
		CommandTimeout: 5 * time.Second, Transcript: &tx,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.SendCommand(ctx, "show clock")
	if err != nil || r.Output != "12:00" {
		t.Fatalf("show clock: %+v, %v", r, err)
	}

	if err := reply(srv.globalReply, "global keepalive"); err != nil {
		t.Error(err)
	}
	if err := reply(srv.chanReply, "channel keepalive"); err != nil {
		t.Error(err)
	}
	var oce *ssh.OpenChannelError
	if err := reply(srv.openErr, "channel open"); !errors.As(err, &oce) || oce.Reason != ssh.Prohibited {
		t.Errorf("the device's channel open: %v; want it refused as prohibited", err)
	}
	// A keepalive long after the first poll is answered too.
	time.Sleep(2 * driver.AnswerEvery)
	if _, err := s.SendCommand(ctx, "show later"); err != nil {
		t.Fatal(err)
	}
	if err := reply(srv.laterReply, "later keepalive"); err != nil {
		t.Error(err)
	}
	if !strings.Contains(tx.String(), "note on stderr") {
		t.Errorf("stderr missing from the transcript:\n%s", tx.String())
	}

	srv.mu.Lock()
	var pty struct {
		Term                         string
		Columns, Rows, Width, Height uint32
		Modes                        string
	}
	err = ssh.Unmarshal(srv.pty, &pty)
	srv.mu.Unlock()
	if err != nil {
		t.Fatalf("pty-req payload: %v", err)
	}
	if pty.Term != "vt100" || pty.Columns != 511 || pty.Rows != 0 || pty.Width != 511*8 || pty.Height != 0 {
		t.Errorf("pty-req asked for %q %dx%d (%dx%d pixels), want vt100 511x0 (4088x0)", pty.Term, pty.Columns, pty.Rows, pty.Width, pty.Height)
	}
	// ECHO (53) = 1, then TTY_OP_END.
	if !strings.Contains(pty.Modes, "\x35\x00\x00\x00\x01") || !strings.HasSuffix(pty.Modes, "\x00") {
		t.Errorf("terminal modes %q: want ECHO on and TTY_OP_END", pty.Modes)
	}

	stacks := goroutineStacks()
	for _, f := range []string{"ssh.(*Client).handleGlobalRequests", "ssh.(*Client).handleChannelOpens", "ssh.(*Session).wait", "ssh.(*Session).start"} {
		if strings.Contains(stacks, f) {
			t.Errorf("a goroutine runs %s: the session should need none of x/crypto's Client or Session goroutines", f)
		}
	}
	if !driver.AnswersRequests(s) {
		t.Fatal("the device's requests are no longer answered on an open session")
	}
	// It stops with the connection.
	s.Close()
	if err := driver.WaitClosed(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); driver.AnswersRequests(s); {
		if time.Now().After(deadline) {
			t.Fatal("the device's requests are still polled for after the connection closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func goroutineStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// A device that refuses the terminal or the shell fails Open with
// ErrConnect, naming what it refused, and nothing is left running.
func TestRefusedTerminalOrShell(t *testing.T) {
	for _, refuse := range []string{"pty-req", "shell"} {
		t.Run(refuse, func(t *testing.T) {
			host, port, kh := serveOneSSH(t, newSigner(t), func(_ *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
				defer ch.Close()
				for r := range reqs {
					r.Reply(r.Type != refuse, nil)
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := driver.Open(ctx, driver.Config{
				Name: "r1", Address: host, Port: port, Platform: "cisco_ios",
				Username: "admin", Password: "pw", KnownHostsFile: kh, ConnectTimeout: 5 * time.Second,
			})
			want := map[string]string{"pty-req": "the device refused a terminal (pty-req)", "shell": "the device refused a shell"}[refuse]
			if !errors.Is(err, driver.ErrConnect) || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v; want ErrConnect saying %q", err, want)
			}
		})
	}
}

// A device that stops reading (its SSH window fills) makes a write block:
// the write gets the idle timeout as its deadline, then the session is
// torn down and the operation fails with ErrTimeout, not a hang. The write
// deadline's timer is the session's own, reused from line to line.
func TestWriteDeadlineWhenTheDeviceStopsReading(t *testing.T) {
	done := make(chan struct{})
	host, port, kh := serveOneSSH(t, newSigner(t), func(_ *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
		defer ch.Close()
		go func() {
			for r := range reqs {
				r.Reply(r.Type == "pty-req" || r.Type == "shell", nil)
			}
		}()
		shellLines(ch, func(line string) (string, bool) { return "", line != "stop reading" })
		<-done // the window is never opened again
	})
	t.Cleanup(func() { close(done) }) // registered last: runs before the server's
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := driver.Open(ctx, driver.Config{
		Name: "r1", Address: host, Port: port, Platform: "cisco_ios",
		Username: "admin", Password: "pw", KnownHostsFile: kh, SkipSessionSetup: true,
		CommandTimeout: 20 * time.Second, IdleTimeout: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, cmd := range []string{"show clock", "stop reading"} {
		if _, err := s.SendCommand(ctx, cmd); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	big := "description " + strings.Repeat("x", 3<<20) // more than the 2 MiB window
	errc := make(chan error, 1)
	go func() {
		_, err := s.SendCommand(ctx, big)
		errc <- err
	}()
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("the write is still blocked 10s after its 300ms deadline")
	}
	if !errors.Is(err, driver.ErrTimeout) || !strings.Contains(err.Error(), "write deadline") {
		t.Fatalf("err = %v; want a write deadline timeout", err)
	}
	if _, err := s.SendCommand(ctx, "show clock"); !errors.Is(err, driver.ErrClosed) {
		t.Errorf("after the write deadline: %v; want the session closed", err)
	}
}
