package lab

import (
	"bytes"
	"context"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// testClient is a minimal interactive SSH client written for these tests
// (deliberately not runbook's driver): it reads everything the device
// sends into a buffer and waits for regexes in it.
type testClient struct {
	t      *testing.T
	client *ssh.Client
	sess   *ssh.Session
	stdin  io.WriteCloser

	mu   sync.Mutex
	buf  bytes.Buffer
	seen int // bytes of buf already consumed by expect
	done chan struct{}
	cond chan struct{}
}

func startFleet(t *testing.T, spec FleetSpec) *Fleet {
	t.Helper()
	f, err := StartFleet(context.Background(), spec)
	if err != nil {
		t.Fatalf("StartFleet: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func sshConfig(d *Device, pw string) *ssh.ClientConfig {
	return &ssh.ClientConfig{
		User:            d.Username(),
		Auth:            []ssh.AuthMethod{ssh.Password(pw)},
		HostKeyCallback: ssh.FixedHostKey(d.HostKey()),
		Timeout:         5 * time.Second,
	}
}

func dial(t *testing.T, d *Device) *testClient {
	t.Helper()
	c, err := dialErr(t, d, sshConfig(d, d.Password()))
	if err != nil {
		t.Fatalf("dial %s: %v", d.Name(), err)
	}
	return c
}

func dialErr(t *testing.T, d *Device, cfg *ssh.ClientConfig) (*testClient, error) {
	t.Helper()
	client, err := ssh.Dial("tcp", d.Addr(), cfg)
	if err != nil {
		return nil, err
	}
	sess, err := client.NewSession()
	if err != nil {
		client.Close()
		return nil, err
	}
	if err := sess.RequestPty("xterm", 24, 200, ssh.TerminalModes{}); err != nil {
		client.Close()
		return nil, err
	}
	stdin, _ := sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		client.Close()
		return nil, err
	}
	tc := &testClient{t: t, client: client, sess: sess, stdin: stdin, done: make(chan struct{}), cond: make(chan struct{}, 1)}
	go func() {
		defer close(tc.done)
		b := make([]byte, 4096)
		for {
			n, err := stdout.Read(b)
			tc.mu.Lock()
			tc.buf.Write(b[:n])
			tc.mu.Unlock()
			select {
			case tc.cond <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(tc.close)
	return tc, nil
}

func (c *testClient) close() {
	c.sess.Close()
	c.client.Close()
	<-c.done
}

func (c *testClient) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, s); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
}

// expect waits until pattern matches the unread output and returns the
// output up to the end of the match.
func (c *testClient) expect(pattern string) string {
	c.t.Helper()
	out, err := c.expectErr(pattern, 5*time.Second)
	if err != nil {
		c.t.Fatalf("waiting for %q: %v; got:\n%s", pattern, err, out)
	}
	return out
}

var errTimeout = io.ErrNoProgress

func (c *testClient) expectErr(pattern string, timeout time.Duration) (string, error) {
	re := regexp.MustCompile(pattern)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		data := c.buf.Bytes()[c.seen:]
		if loc := re.FindIndex(data); loc != nil {
			out := string(data[:loc[1]])
			c.seen += loc[1]
			c.mu.Unlock()
			return out, nil
		}
		rest := string(data)
		c.mu.Unlock()
		select {
		case <-c.cond:
		case <-c.done:
			c.mu.Lock()
			more := c.buf.Len() > c.seen+len(rest)
			c.mu.Unlock()
			if !more {
				return rest, io.EOF
			}
		case <-deadline.C:
			return rest, errTimeout
		}
	}
}

// cmd sends a line and returns the output between the echo and the prompt.
func (c *testClient) cmd(line, prompt string) string {
	c.t.Helper()
	c.send(line + "\n")
	out := c.expect(prompt)
	out = strings.ReplaceAll(out, "\r\n", "\n")
	out = strings.TrimPrefix(out, line+"\n")
	return strings.TrimSuffix(out, regexp.MustCompile(prompt+"$").FindString(out))
}

type netDialer struct{}

func (netDialer) dial(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, 5*time.Second)
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
