package driver

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{ServerVersion: version, PasswordCallback: func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) { return nil, nil }}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	big := strings.Repeat("x", 10000) // more than any buffer: arrives whole
	wg.Go(func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, chans, reqs, err := ssh.NewServerConn(c, cfg)
		if err != nil {
			return
		}
		go ssh.DiscardRequests(reqs)
		for nc := range chans {
			ch, chReqs, err := nc.Accept()
			if err != nil {
				return
			}
			go func() {
				for r := range chReqs {
					r.Reply(r.Type == "pty-req" || r.Type == "shell", nil)
				}
			}()
			ch.Write([]byte("\r\nr1#"))
			in := bufio.NewReader(ch)
			for {
				line, err := in.ReadString('\n')
				if err != nil {
					break
				}
				line = strings.TrimRight(line, "\r\n")
				if line == "exit" {
					break
				}
				out := ""
				if line == "show big" {
					out = big + "\r\n"
				}
				ch.Write([]byte(line + "\r\n" + out + "r1#"))
			}
			ch.Close()
		}
	})
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte("["+host+"]:"+port+" "+string(ssh.MarshalAuthorizedKey(signer.PublicKey()))), 0o600); err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int64
	dial := dialTCP
	dialTCP = func(ctx context.Context, addr string) (net.Conn, error) {
		c, err := dial(ctx, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: c, reads: &reads}, nil
	}
	t.Cleanup(func() { dialTCP = dial })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, Config{
		Name: "r1", Address: host, Port: atoiPort(port), Platform: "cisco_ios",
		Username: "admin", Password: "pw", KnownHostsFile: kh, SkipSessionSetup: true,
		CommandTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The handshake's packets and the prompt take a few reads each way;
	// the version line alone would take len(version)+2 without a buffer.
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
