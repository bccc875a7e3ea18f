package driver_test

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"golang.org/x/crypto/ssh"
)

// countingConn counts the reads that reach the socket.
type countingConn struct {
	net.Conn
	reads *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.Conn.Read(p)
}

// The server's version line costs one read of the socket, not one per
// byte as x/crypto reads it, and the session's bytes all arrive.
func TestVersionLineReadThroughABuffer(t *testing.T) {
	version := "SSH-2.0-" + strings.Repeat("v", 80)
	big := strings.Repeat("x", 10000) // more than any buffer
	cfg := &ssh.ServerConfig{ServerVersion: version}
	host, port, kh := serveOneSSHWith(t, cfg, newSigner(t), func(_ *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
		defer ch.Close()
		go func() {
			for r := range reqs {
				r.Reply(r.Type == "pty-req" || r.Type == "shell", nil)
			}
		}()
		shellLines(ch, func(line string) (string, bool) {
			if line == "show big" {
				return big + "\r\n", true
			}
			return "", line != "exit"
		})
	})
	var reads atomic.Int64
	defer driver.WrapDial(func(c net.Conn) net.Conn { return countingConn{Conn: c, reads: &reads} })()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := driver.Open(ctx, driver.Config{
		Name: "r1", Address: host, Port: port, Platform: "cisco_ios",
		Username: "admin", Password: "pw", KnownHostsFile: kh, SkipSessionSetup: true,
		CommandTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The handshake's packets and the prompt take a few reads; the version
	// line alone would take len(version)+2 without a buffer.
	n := reads.Load()
	t.Logf("%d reads of the socket to log in", n)
	if n >= int64(len(version)/2) {
		t.Errorf("%d reads of the socket to log in; want fewer than %d (the version line read a byte at a time?)", n, len(version)/2)
	}
	r, err := s.SendCommand(ctx, "show big")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(r.Output, "x"); got != len(big) {
		t.Errorf("show big: %d bytes of output; want %d", got, len(big))
	}
}
